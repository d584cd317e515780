"""Translated guides (`docs/<lang>/<path>.md`) and the English they were made from.

A translated guide records, in its front matter, a hash of the English guide's text at the time it
was translated:

    ---
    english_hash: "3f0c9a1b2d4e"
    ---

When the English guide changes, its hash no longer matches: `translations status` reports the guide as
stale and the build puts a note at the top of the page (in the reader's language) pointing to the
English. `translations confirm --lang zh docs/zh/guide/x.md` records the current hash once the
translation has caught up. A guide without the field is *untracked*: nobody has said which English
it follows.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from ..atomic import write_atomic

FIELD = "english_hash"
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*\n", re.S)


def english_hash(text: str) -> str:
    """Of the English guide's text (line endings and trailing whitespace at the end do not count)."""
    normal = text.replace("\r\n", "\n").rstrip() + "\n"
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:12]


def front_matter(text: str) -> dict:
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}
    try:
        data = yaml.safe_load(m.group(1) or "") or {}
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def recorded_hash(meta: dict) -> str | None:
    value = meta.get(FIELD)
    return str(value) if value is not None else None


@dataclass
class GuideStatus:
    lang: str
    guide: str  # relative to docs_dir, e.g. "guide/experiments.md" (the English one)
    file: str  # the translation as messages name it, e.g. "docs/zh/guide/experiments.md"
    state: str  # "current" | "stale" | "untracked"
    recorded: str | None  # the hash in the translation's front matter
    english: str  # the English guide's hash now

    def as_dict(self) -> dict:
        return asdict(self)


def guide_state(recorded: str | None, english: str) -> str:
    if recorded is None:
        return "untracked"
    return "current" if recorded == english else "stale"


def guide_statuses(docs_dir: Path, languages: list[str]) -> list[GuideStatus]:
    """Every translated guide of `languages` whose English guide exists, by language then path."""
    out = []
    docs_dir = Path(docs_dir)
    for lang in languages:
        folder = docs_dir / lang
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.md")):
            rel = path.relative_to(folder).as_posix()
            english = docs_dir / rel
            if not english.is_file():
                continue
            recorded = recorded_hash(front_matter(path.read_text("utf-8")))
            current = english_hash(english.read_text("utf-8"))
            out.append(GuideStatus(lang, rel, f"{docs_dir.name}/{lang}/{rel}", guide_state(recorded, current),
                                   recorded, current))
    return out


def set_hash(text: str, value: str) -> str:
    """`text` with `english_hash: value` in its front matter (added, or replacing the old one)."""
    m = _FRONT_MATTER.match(text)
    line = f'{FIELD}: "{value}"\n'  # quoted: YAML would read 0123 as a number
    if not m:
        return f"---\n{line}---\n\n{text}"
    body = m.group(1) or ""
    if re.search(rf"^{FIELD}\s*:.*$", body, re.M):
        body = re.sub(rf"^{FIELD}\s*:.*\n?", line, body, count=1, flags=re.M)
    else:
        body += line
    return f"---\n{body}---\n" + text[m.end():]


def confirm_guide(path: Path, docs_dir: Path, lang: str, *, dry_run: bool = False) -> str:
    """Record that the translated guide at `path` follows the current English guide."""
    rel = path.resolve().relative_to((Path(docs_dir) / lang).resolve()).as_posix()
    english = Path(docs_dir) / rel
    if not path.is_file():
        raise ValueError(f"{path}: no such translated guide")
    if not english.is_file():
        raise ValueError(f"{path}: there is no English guide {Path(docs_dir).name}/{rel}")
    value = english_hash(english.read_text("utf-8"))
    text = path.read_text("utf-8")
    shown = f"{Path(docs_dir).name}/{lang}/{rel}"
    if recorded_hash(front_matter(text)) == value:
        return f"{shown}: already marked as following the current English ({FIELD}: {value})"
    if not dry_run:
        write_atomic(path, set_hash(text, value).encode("utf-8"))
    return f"{shown}: {'would mark' if dry_run else 'marked'} as following the current English ({FIELD}: {value})"


def english_commit(docs_dir: Path, rel: str, recorded: str, limit: int = 100) -> str | None:
    """The most recent git commit whose English guide has the `recorded` hash (to diff against),
    or None (no git, not found)."""
    english = Path(docs_dir) / rel
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=english.parent, capture_output=True,
                             text=True, timeout=10)
        if top.returncode:
            return None
        path = english.resolve().relative_to(Path(top.stdout.strip()).resolve()).as_posix()
        log = subprocess.run(["git", "log", f"-{limit}", "--format=%H", "--", path], cwd=top.stdout.strip(),
                             capture_output=True, text=True, timeout=10)
        for commit in log.stdout.split():
            shown = subprocess.run(["git", "show", f"{commit}:{path}"], cwd=top.stdout.strip(),
                                   capture_output=True, timeout=10)
            if shown.returncode == 0 and english_hash(shown.stdout.decode("utf-8", "replace")) == recorded:
                return commit
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
    return None


def stale_guide_note(lang: str, english_text: str, meta: dict, english_href: str) -> str | None:
    """The note at the top of a translated guide whose English changed since it was translated (its
    front matter's english_hash no longer matches): in the reader's language, linking the English."""
    from html import escape

    from ..ui_text import ui_text

    if guide_state(recorded_hash(meta), english_hash(english_text)) != "stale":
        return None
    text = ui_text(lang)["stale_guide"].format(href=escape(english_href))
    return f'\n<p class="stale-translation" role="note">{text}</p>\n'
