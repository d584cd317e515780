"""Cut the pieces markdown must not touch out of a note: math, inline code, code blocks, images.

Each piece is replaced by a private-use token `\\ue000N\\ue001` (N in order of appearance), so
python-markdown sees plain text and `_` or `*` inside a formula never turn into emphasis. The same
numbering becomes the `_^_N_^_` placeholders of the translation keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPEN, CLOSE = "\ue000", "\ue001"
TOKEN = re.compile(f"{OPEN}(\\d+){CLOSE}")

_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})[ \t]*([\w+-]*)[^\n]*$", re.MULTILINE)
_BEGIN = re.compile(r"\\begin\{([a-zA-Z*]+)\}")
_IMAGE = re.compile(r'!\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"([^"\n]*)")?\s*\)')
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_SPECIAL = re.compile(r"[\\`$!\n]")
# Environments KaTeX renders in display mode when they stand bare in a note.
DISPLAY_ENVIRONMENTS = {"align", "align*", "aligned", "equation", "equation*", "gather", "gather*",
                        "alignat", "alignat*", "split", "multline", "multline*", "cases", "matrix",
                        "pmatrix", "bmatrix", "array"}


@dataclass(frozen=True)
class Piece:
    """A protected span of a note. `kind` is math | display_math | code | code_block | image."""

    kind: str
    text: str  # TeX, code, or the image source
    line: int  # 0-based line offset inside the note, for file:line messages
    language: str | None = None  # code_block only
    alt: str = ""  # image only
    title: str | None = None  # image only


@dataclass
class Protected:
    text: str  # the note with tokens in place of pieces
    pieces: list[Piece]
    problems: list[tuple[int, str]]  # (line offset, message)


def token(n: int) -> str:
    return f"{OPEN}{n}{CLOSE}"


def protect(note: str) -> Protected:
    """Scan once, left to right. Unclosed `$`/`$$`/backticks are kept as text and reported."""
    out: list[str] = []
    pieces: list[Piece] = []
    problems: list[tuple[int, str]] = []
    i, n = 0, len(note)

    def line_at(pos: int) -> int:
        return note.count("\n", 0, pos)

    def add(piece: Piece, block: bool = False) -> None:
        tok = token(len(pieces))
        pieces.append(piece)
        out.append(f"\n\n{tok}\n\n" if block else tok)

    while i < n:
        c = note[i]
        at_line_start = i == 0 or note[i - 1] == "\n"
        if at_line_start and (fence := _FENCE.match(note, i)):
            marker = fence.group(1)
            closing = re.compile(rf"^[ ]{{0,3}}{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$", re.MULTILINE)
            end = closing.search(note, fence.end())
            body_start = fence.end() + 1
            body_end = end.start() if end else n
            add(Piece("code_block", note[body_start:body_end].rstrip("\n"), line_at(i),
                      language=fence.group(2) or None), block=True)
            if not end:
                problems.append((line_at(i), "code block has no closing fence"))
            i = end.end() if end else n
            continue
        if c == "\\":
            if note.startswith("\\$", i):
                out.append("&#36;")
                i += 2
                continue
            if (begin := _BEGIN.match(note, i)) and begin.group(1) in DISPLAY_ENVIRONMENTS:
                end_tag = f"\\end{{{begin.group(1)}}}"
                end = note.find(end_tag, begin.end())
                if end != -1:
                    add(Piece("display_math", note[i:end + len(end_tag)], line_at(i)))
                    i = end + len(end_tag)
                    continue
            out.append(note[i:i + 2])
            i += 2
            continue
        if c == "`":
            run = len(note[i:]) - len(note[i:].lstrip("`"))
            ticks = "`" * run
            end = _find_closing_ticks(note, i + run, run)
            if end == -1:
                out.append(ticks)
                i += run
                continue
            code = note[i + run:end].replace("\n", " ")
            if code.startswith(" ") and code.endswith(" ") and code.strip():
                code = code[1:-1]
            add(Piece("code", code, line_at(i)))
            i = end + run
            continue
        if c == "$":
            display = note.startswith("$$", i)
            width = 2 if display else 1
            end = _find_closing_dollar(note, i + width, display)
            if end == -1 or not note[i + width:end].strip():
                problems.append((line_at(i), f"unclosed '{'$$' if display else '$'}' is shown as text"))
                out.append("&#36;" * width)
                i += width
                continue
            add(Piece("display_math" if display else "math", note[i + width:end].strip(), line_at(i)))
            i = end + width
            continue
        if c == "!" and (image := _IMAGE.match(note, i)):
            add(Piece("image", image.group(2), line_at(i), alt=image.group(1), title=image.group(3)))
            i = image.end()
            continue
        if c == "\n":
            out.append(c)  # the next character starts a line: it may open a fence
            i += 1
            continue
        # Plain text up to the next character that can start a piece (or a new line).
        special = _SPECIAL.search(note, i + 1)
        end = special.start() if special else n
        out.append(note[i:end])
        i = end
    return Protected("".join(out), pieces, problems)


def _find_closing_ticks(text: str, start: int, run: int) -> int:
    i = start
    while (i := text.find("`" * run, i)) != -1:
        after = i + run
        if (i == 0 or text[i - 1] != "`") and (after >= len(text) or text[after] != "`"):
            return i
        i = after
        while i < len(text) and text[i] == "`":
            i += 1
    return -1


def _find_closing_dollar(text: str, start: int, display: bool) -> int:
    """The closing `$`/`$$`; inline math may not cross a blank line (a paragraph break)."""
    limit = len(text)
    if not display and (blank := _BLANK_LINE.search(text, start)):
        limit = blank.start()
    i = start
    while i < limit:
        if text[i] == "\\":
            i += 2
            continue
        if display and text.startswith("$$", i):
            return i
        if not display and text[i] == "$":
            return i
        i += 1
    return -1
