"""Bring in a translation store written by another tool, in pylit's layout (`DIR/<path>.<lang>.json`,
as nn.labml.ai's `translate_cache/` is): keys are English note HTML with `_^_N_^_` placeholders.

Each entry is normalised (its key by the store's reader), repaired where the repair is provably
harmless (a `。` after `</p>`, stray whitespace), validated like any translation, and then either
imported or refused with a reason. Nothing here writes: `plan_file` decides, the CLI writes
through `TranslationStore.update`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .cjk import join_cjk_lines
from .store import Problem, read_file
from .validate import Glossary, has_text, is_plain_text_key, validate

_NAME = re.compile(r"^(?P<stem>.+)\.(?P<lang>[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)?)\.json$")
# Sentence punctuation a tool left after the closing tag: `<p>…</p>。` → `<p>…。</p>`.
_AFTER_CLOSE = re.compile(r"</(p|li|h[1-6]|td|th)>([ \t]*)([。．.、，,！？!?：:；;]+)")
_SPACE_BEFORE_CLOSE = re.compile(r"[ \t\n]+(</(?:p|li|h[1-6]|td|th)>)")


@dataclass(frozen=True)
class ForeignFile:
    path: Path
    shown: str
    lang: str
    source: str | None  # the source it translates, relative to the source folder (None: no such source)


def find_files(root: Path, sources: list[str]) -> list[ForeignFile]:
    """Every `<path>.<lang>.json` under `root`, matched with the source it translates."""
    by_stem: dict[str, str] = {}
    for rel in sources:
        by_stem.setdefault(PurePosixPath(rel).with_suffix("").as_posix(), rel)
        by_stem.setdefault(PurePosixPath(rel).with_suffix("").as_posix().lower(), rel)
    found = []
    for path in sorted(root.rglob("*.json")):
        m = _NAME.match(path.name)
        if not m or not path.is_file():
            continue
        stem = (path.parent.relative_to(root) / m.group("stem")).as_posix()
        source = by_stem.get(stem) or by_stem.get(stem.lower())
        found.append(ForeignFile(path, path.as_posix(), m.group("lang"), source))
    return found


def repair(value: str, key: str) -> tuple[str, list[str]]:
    """Mechanical fixes that change no meaning, each described (`key`: the English it translates)."""
    done = []
    fixed = _AFTER_CLOSE.sub(lambda m: f"{m.group(3)}</{m.group(1)}>", value)
    if fixed != value:
        done.append("moved punctuation after a closing tag inside it")
    spaced = _SPACE_BEFORE_CLOSE.sub(r"\1", join_cjk_lines(fixed)).strip()
    if key.endswith("\n") and spaced:
        spaced += "\n"  # ends like its key, as the tools write values
    if spaced != fixed:
        done.append("whitespace")
    return spaced, done


# Validation reasons grouped into what the summary reports.
_CATEGORIES = [
    ("nested link", ("link nested inside a link",)),
    ("lost or extra placeholder", ("placeholder",)),
    ("unsafe HTML", ("not allowed", "sanitizer would change", "event handler")),
    ("glossary", ("glossary:",)),
    ("link, image or anchor changed", ("link target", "image source", "anchor id")),
    ("malformed HTML", ("unbalanced", "paragraph inside", "unfinished", "text outside", "self-closing",
                        "must not contain markup")),
]


def category(reason: str) -> str:
    for name, needles in _CATEGORIES:
        if any(n in reason for n in needles):
            return name
    return "other"


@dataclass
class Outcome:
    key: str
    line: int
    action: str  # imported | kept | same | unused | refused | empty
    value: str = ""
    repairs: list[str] = field(default_factory=list)
    reason: str = ""


@dataclass
class FilePlan:
    file: ForeignFile
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # the file could not be read as a whole

    def imported(self) -> dict[str, str]:
        return {o.key: o.value for o in self.outcomes if o.action == "imported"}


def plan_file(file: ForeignFile, current: set[str], existing: dict[str, str], glossary: Glossary, *,
              overwrite: bool = False, keep_unused: bool = False) -> FilePlan:
    """What importing `file` into a store file holding `existing` would do. `current`: the keys its
    source has today."""
    read = read_file(file.path, file.shown)
    plan = FilePlan(file)
    if not read.ok and not read.entries:
        plan.problems = read.problems
        return plan
    broken = {p.key: p for p in read.problems if p.key is not None}
    for key, line in sorted(read.lines.items(), key=lambda kv: kv[1]):
        if key in broken:
            plan.outcomes.append(Outcome(key, line, "refused", reason=broken[key].message))
            continue
        value = read.entries.get(key, "")
        if not value.strip():
            plan.outcomes.append(Outcome(key, line, "empty"))
            continue
        if key not in current and not keep_unused:
            plan.outcomes.append(Outcome(key, line, "unused"))
            continue
        fixed, repairs = repair(value, key)
        if fixed == key and not is_plain_text_key(key) and has_text(key):
            plan.outcomes.append(Outcome(key, line, "empty"))  # the English copied over: not a translation
            continue
        verdict = validate(key, fixed, glossary)
        if not verdict.ok:
            plan.outcomes.append(Outcome(key, line, "refused", repairs=repairs, reason=verdict.reason))
            continue
        old = existing.get(key, "")
        if old.strip() and old != fixed and not overwrite:
            plan.outcomes.append(Outcome(key, line, "kept", fixed, repairs))
        elif old == fixed:
            plan.outcomes.append(Outcome(key, line, "same", fixed, repairs))
        else:
            plan.outcomes.append(Outcome(key, line, "imported", fixed, repairs))
    return plan
