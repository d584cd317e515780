"""A word-level diff of two versions of a note's English, for translators.

`word_diff(old, new)` cuts both into words, spaces, punctuation and tags, and marks what was deleted
and inserted: `[-old-]{+new+}` in plain text (what `git diff --word-diff` prints), or red and green
on a terminal. Long unchanged stretches are shortened to `…` around the changes, so a one-word edit
to a long note is one short line.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_TOKEN = re.compile(r"<[^>]*>|\s+|\w+|[^\w\s]", re.S)
RED, GREEN, DIM, RESET = "\x1b[31;9m", "\x1b[32;4m", "\x1b[2m", "\x1b[0m"


@dataclass(frozen=True)
class Op:
    kind: str  # "equal" | "delete" | "insert"
    text: str


def tokens(text: str) -> list[str]:
    """Words, whitespace runs, single punctuation marks and whole tags (joined they give `text`)."""
    return _TOKEN.findall(text)


def diff_ops(old: str, new: str) -> list[Op]:
    """Equal, deleted and inserted runs: joining equal+delete gives `old`, equal+insert gives `new`.
    A run that only inserts or only deletes is slid to start at a word, not at a space (`the {+scaled
    +}residual`, as `git diff --word-diff` shows it, rather than `the{+ scaled+} residual`)."""
    a, b = tokens(old), tokens(new)
    runs: list[tuple[str, list[str]]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            runs.append(("equal", a[i1:i2]))
            continue
        if i2 > i1:
            runs.append(("delete", a[i1:i2]))
        if j2 > j1:
            runs.append(("insert", b[j1:j2]))
    for n in range(1, len(runs) - 1):
        (before, prev), (kind, changed), (after, nxt) = runs[n - 1], runs[n], runs[n + 1]
        if before != "equal" or after != "equal" or kind == "equal":
            continue
        while changed and nxt and changed[0].isspace() and changed[0] == nxt[0]:
            prev.append(changed.pop(0))
            changed.append(nxt.pop(0))
    return [Op(kind, "".join(toks)) for kind, toks in runs if toks]


def changed_words(ops: list[Op]) -> int:
    """How many words were deleted or inserted."""
    return sum(len(re.findall(r"\w+", op.text)) for op in ops if op.kind != "equal")


def _shorten(text: str, context: int, first: bool, last: bool) -> str:
    """An unchanged run, keeping `context` characters next to each change."""
    if len(text) <= 2 * context + 1:
        return text
    head = "" if first else text[:context]
    tail = "" if last else text[-context:]
    return f"{head}…{tail}"


def word_diff(old: str, new: str, *, color: bool = False, context: int | None = 40) -> str:
    """`old` → `new` on one line (line breaks shown as ⏎): `[-deleted-]{+inserted+}`, or coloured
    when `color`. Unchanged text longer than twice `context` is cut to `…` (None: keep it all)."""
    if old.endswith("\n") and new.endswith("\n"):  # the note's final line break: the same in both
        old, new = old[:-1], new[:-1]
    ops = diff_ops(old, new)
    out = []
    for n, op in enumerate(ops):
        text = op.text.replace("\n", "⏎")
        if op.kind == "equal":
            if context is not None:
                text = _shorten(text, context, first=n == 0, last=n == len(ops) - 1)
            out.append(text.replace("…", f"{DIM}…{RESET}") if color else text)
        elif op.kind == "delete":
            out.append(f"{RED}{text}{RESET}" if color else f"[-{text}-]")
        else:
            out.append(f"{GREEN}{text}{RESET}" if color else f"{{+{text}+}}")
    return "".join(out)


def parse_plain(diff: str) -> tuple[str, str]:
    """(old, new) back from an uncut plain `word_diff` (for tests and tools)."""
    old = re.sub(r"\{\+.*?\+\}", "", diff, flags=re.S)
    new = re.sub(r"\[-.*?-\]", "", diff, flags=re.S)
    unmark = re.compile(r"\[-(.*?)-\]|\{\+(.*?)\+\}", re.S)
    return (unmark.sub(lambda m: m.group(1) or m.group(2) or "", old).replace("⏎", "\n"),
            unmark.sub(lambda m: m.group(1) or m.group(2) or "", new).replace("⏎", "\n"))
