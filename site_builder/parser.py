"""A source file → page metadata and rows, following "How a file becomes rows" in DESIGN.md.

The parser is a pure function of the text. It uses `ast` to find docstrings, definitions and
multi-line strings; every full-line `#` comment outside a string is a note (inside brackets too: it
splits the statement there). Docstrings are taken as typed (see `docstring`). When the file does not
parse, it falls back to a line scan: the code column still shows every line and `#` comments still
become notes.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Diagnostic
from .docstring import clean, literal_text, sphinx_fields_with_lines
from .frontmatter import split_front_matter
from .markup import plain_text
from .page import PageMeta, Row, SourcePage
from .structure import readable_title
from .unsafe_text import clean_source

MODULE_ID = "top"  # id base for rows outside any definition
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_DEF_LINE = re.compile(r"^(\s*)(?:async\s+def|def|class)\s+([A-Za-z_]\w*)")


@dataclass
class _Definition:
    qualname: str
    start: int  # first decorator line, or the def/class line
    end: int


@dataclass
class _Docstring:
    start: int
    end: int
    text: str
    is_module: bool
    lines: list[int] = field(default_factory=list)  # the source line of each line of `text`


@dataclass
class _Structure:
    """What the parser needs to know about the file, from `ast` or from the fallback scan."""

    docstrings: dict[int, _Docstring] = field(default_factory=dict)
    definitions: list[_Definition] = field(default_factory=list)
    comment_lines: set[int] = field(default_factory=set)


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_file(path: str | Path, display_path: str | None = None) -> SourcePage:
    """Read and parse one `.py` or `.md` file. Invalid UTF-8 is decoded with replacements and reported."""
    path = Path(path)
    shown = display_path or str(path)
    raw = path.read_bytes()
    problems: list[Diagnostic] = []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        problems.append(
            Diagnostic(shown, raw[: e.start].count(b"\n") + 1,
                       f"not valid UTF-8 (byte 0x{raw[e.start]:02x} at offset {e.start}); "
                       "save the file as UTF-8")
        )
        text = raw.decode("utf-8", errors="replace")
    text, unsafe = clean_source(normalize_newlines(text.removeprefix("\ufeff")))
    problems += [Diagnostic(shown, line, message) for line, message in unsafe]
    if path.suffix.lower() == ".md":
        page = parse_markdown(text, shown)
    else:
        page = parse_python(text, shown)
    page.diagnostics[:0] = problems
    return page


def _first_heading(markdown: str) -> str | None:
    in_fence = False
    for line in markdown.split("\n"):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        if not in_fence and (m := _HEADING.match(line)):
            return plain_text(m.group(1)) or None
    return None


def _strip_leading_blank(text: str, line: int) -> tuple[str, int]:
    """Drop leading blank lines, moving `line` down with them, and trailing whitespace."""
    parts = text.split("\n")
    while parts and not parts[0].strip():
        parts.pop(0)
        line += 1
    return "\n".join(parts).rstrip(), line


def parse_markdown(text: str, path: str) -> SourcePage:
    """A readme: one note-only row."""
    meta, body, consumed, problems = split_front_matter(text, path, 1)
    note, line = _strip_leading_blank(body, 1 + consumed)
    meta.title = meta.title or _first_heading(note) or readable_title(path)
    rows = [Row(id=MODULE_ID, kind="module", note=note, note_line=line)] if note else []
    return SourcePage(path, text, "markdown", meta, rows, problems)


# --- Finding the file's structure -------------------------------------------------------------------


def _docstring_node(body: list[ast.stmt]) -> ast.Expr | None:
    """The leading string statement of a body. An f-string counts too: authors write `f\"\"\"` docstrings
    and mean them as notes, although Python does not."""
    if body and isinstance(body[0], ast.Expr):
        value = body[0].value
        if isinstance(value, ast.JoinedStr) or (isinstance(value, ast.Constant) and isinstance(value.value, str)):
            return body[0]
    return None


def _docstring_text(node: ast.Expr, lines: list[str]) -> tuple[str, int]:
    """The docstring as typed between its quotes, dedented, and the line its text starts on."""
    value = node.value
    typed = literal_text(lines, value.lineno, value.col_offset, value.end_lineno or value.lineno,
                         value.end_col_offset or 0)
    if typed is None:  # e.g. implicitly concatenated literals: Python's value is the best we have
        typed = value.value if isinstance(value, ast.Constant) else ""
    text, skipped = clean(typed)
    return text, node.lineno + skipped


def _structure_from_ast(tree: ast.Module, text: str) -> _Structure:
    s = _Structure()
    lines = text.split("\n")

    def add_docstring(body: list[ast.stmt], is_module: bool, after_line: int) -> None:
        node = _docstring_node(body)
        if node is None or node.lineno <= after_line:
            return  # a one-line `def f(): "doc"` keeps its line in the code column
        doc, line = _docstring_text(node, lines)
        origin = list(range(doc.count("\n") + 1))
        if not is_module:
            doc, origin = sphinx_fields_with_lines(doc)
        s.docstrings[node.lineno] = _Docstring(line, node.end_lineno or node.lineno, doc, is_module,
                                               [line + k for k in origin])

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                start = min([d.lineno for d in node.decorator_list] + [node.lineno])
                qualname = prefix + node.name
                s.definitions.append(_Definition(qualname, start, node.end_lineno or node.lineno))
                add_docstring(node.body, False, node.lineno)
                visit(node.body, qualname + ".")
            else:
                # Definitions nested in if/for/try/with blocks still get rows and ids.
                for child_body in _child_bodies(node):
                    visit(child_body, prefix)

    add_docstring(tree.body, True, 0)
    visit(tree.body, "")
    s.comment_lines = _comment_lines(lines, _lines_inside_strings(tree, text))
    return s


def _child_bodies(node: ast.stmt) -> list[list[ast.stmt]]:
    bodies = []
    for name in ("body", "orelse", "finalbody"):
        value = getattr(node, name, None)
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            bodies.append(value)
    for handler in getattr(node, "handlers", []) or []:
        bodies.append(handler.body)
    for case in getattr(node, "cases", []) or []:
        bodies.append(case.body)
    return bodies


def _lines_inside_strings(tree: ast.Module, text: str) -> set[int]:
    """Lines that continue a multi-line string token: a `#` there is text, not a comment.

    Every other full-line comment is a note, wherever it stands: between statements, or inside the
    brackets of a call, a literal, a signature, a decorator, a `with`, `except` or `case` (one rule;
    the statement is split into rows there). Tokens, not `ast` nodes: implicitly joined literals are one
    node, and a comment between two of them is outside every string.
    """
    spans: set[int] = set()  # a superset: joined literals span their comments too
    lines = text.split("\n")
    joined = False  # a `#` line inside literals joined together: only the tokens can tell
    for node in ast.walk(tree):
        if isinstance(node, (ast.Constant, ast.JoinedStr)) and (end := node.end_lineno or node.lineno) > node.lineno:
            inner = range(node.lineno + 1, end + 1)
            spans.update(inner)
            if not joined and any(lines[n - 1].lstrip().startswith("#") for n in inner if n <= len(lines)):
                joined = literal_text(lines, node.lineno, node.col_offset, end, node.end_col_offset or 0) is None
    if not joined:
        return spans  # every `#` line in a string span is inside one literal: text
    inside: set[int] = set()
    fstring_starts: list[int] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            start = token.start[0]
            if token.type == _FSTRING_START:
                fstring_starts.append(start)
                continue
            if token.type == _FSTRING_END and fstring_starts:
                start = fstring_starts.pop()
            elif token.type != tokenize.STRING or fstring_starts:
                continue
            inside.update(range(start + 1, token.end[0] + 1))
        return inside
    except (tokenize.TokenError, SyntaxError):  # `ast` accepted it; tokenize should too, but be safe
        return spans


# Python 3.12 splits f-strings into start/middle/end tokens (3.11 gives one STRING token).
_FSTRING_START = getattr(tokenize, "FSTRING_START", -1)
_FSTRING_END = getattr(tokenize, "FSTRING_END", -1)


def _comment_lines(lines: list[str], inside: set[int]) -> set[int]:
    return {n for n, line in enumerate(lines, 1)
            if n not in inside and line.lstrip().startswith("#") and not line.lstrip().startswith("#!")}


def _structure_from_lines(lines: list[str]) -> _Structure:
    """Fallback for files that do not parse: comments by prefix, definitions by indentation."""
    s = _Structure()
    stack: list[tuple[int, str]] = []  # (indent, qualname)
    for number, line in enumerate(lines, 1):
        stripped = line.lstrip()
        if stripped.startswith("#") and not stripped.startswith("#!"):
            s.comment_lines.add(number)
            continue
        if m := _DEF_LINE.match(line):
            indent = len(m.group(1))
            while stack and stack[-1][0] >= indent:
                stack.pop()
            qualname = ".".join([q for _, q in stack] + [m.group(2)])
            stack.append((indent, m.group(2)))
            start = number
            while start > 1 and lines[start - 2].lstrip().startswith("@"):
                start -= 1
            s.definitions.append(_Definition(qualname, start, number))
    return s


# --- Cutting the file into rows ---------------------------------------------------------------------


class _RowBuilder:
    def __init__(self, lines: list[str]):
        self.lines = lines
        self.rows: list[Row] = []
        self.current = Row(id="", kind="comment", note="", note_line=0)
        self.last_note_line = 0  # last source line that went into the current row's note

    def has_code(self) -> bool:
        return any(self.lines[n - 1].strip() for n in self.current.lines)

    def start(self, kind: str = "comment", note: str = "", note_line: int = 0) -> None:
        self.rows.append(self.current)
        self.current = Row(id="", kind=kind, note=note, note_line=note_line)
        self.last_note_line = 0

    def finish(self) -> list[Row]:
        self.rows.append(self.current)
        kept = []
        for row in self.rows:
            while row.lines and not self.lines[row.lines[0] - 1].strip():
                row.lines.pop(0)
            while row.lines and not self.lines[row.lines[-1] - 1].strip():
                row.lines.pop()
            row.note = row.note.rstrip()
            if row.note.strip() or row.lines:
                kept.append(row)
        return kept


def parse_python(text: str, path: str) -> SourcePage:
    """Parse annotated Python source. Never raises on bad input: problems go to `diagnostics`."""
    text = normalize_newlines(text)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    problems: list[Diagnostic] = []
    try:
        with warnings.catch_warnings():
            # `\f` in an ordinary docstring is LaTeX here, not an invalid escape worth a warning.
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=path)
        structure = _structure_from_ast(tree, text)
    except (SyntaxError, ValueError) as e:
        line = getattr(e, "lineno", None) or 0
        reason = getattr(e, "msg", None) or str(e)
        problems.append(Diagnostic(path, line, f"cannot parse Python ({reason}); showing the file as code"))
        structure = _structure_from_lines(lines)
    except (RecursionError, MemoryError) as e:  # valid Python nested deeper than `ast` can build
        problems.append(Diagnostic(path, _longest_statement(text),
                                   f"too deeply nested for Python's parser ({type(e).__name__}); "
                                   "showing the file as code"))
        structure = _structure_from_lines(lines)

    meta = PageMeta()
    def_starts = {d.start for d in structure.definitions}
    b = _RowBuilder(lines)
    force_new = False  # the body after a docstring starts a new row
    number = 1
    while number <= len(lines):
        doc = structure.docstrings.get(number)
        if doc is not None:
            if doc.is_module:
                meta, body, consumed, fm_problems = split_front_matter(doc.text, path, doc.start)
                problems.extend(fm_problems)
                note, note_line = _strip_leading_blank(body, doc.start + consumed)
                if b.current.note or b.current.lines:
                    b.start()
                b.current.kind, b.current.note, b.current.note_line = "module", note, note_line
                b.current.note_lines = None
            else:
                note, note_line = _strip_leading_blank(doc.text, doc.start)
                note_lines = doc.lines[note_line - doc.start:]  # Sphinx fields change the line count
                if b.current.note.strip():
                    row = b.current
                    row.note_lines = (row.note_lines or [row.note_line + k for k in range(row.note.count("\n") + 1)]
                                      ) + note_lines[:1] + note_lines
                    row.note += "\n\n" + note
                else:
                    b.current.note, b.current.note_line, b.current.note_lines = note, note_line, note_lines
                b.current.kind = "docstring"
                force_new = True
            b.last_note_line = doc.end
            number = doc.end + 1
            continue

        line = lines[number - 1]
        if number in structure.comment_lines:
            content = line.lstrip()[1:]
            content = content[1:] if content.startswith(" ") else content
            alone = (number - 1 not in structure.comment_lines) and (number + 1 not in structure.comment_lines)
            if alone and not content.strip():
                b.start()  # a lone `#`: a new row with an empty note
                force_new = False
            elif (b.has_code() or force_new or not b.current.note.strip()
                  or b.last_note_line < number - 1):
                if b.current.note.strip() or b.current.lines:
                    b.start("comment", content, number)
                else:
                    b.current.kind, b.current.note, b.current.note_line = "comment", content, number
                    b.current.note_lines = None
                force_new = False
            else:
                b.current.note += "\n" + content
                if b.current.note_lines is not None:
                    b.current.note_lines.append(number)
            b.last_note_line = number
        else:
            if line.strip():
                if (force_new or number in def_starts) and (b.has_code() or
                                                            (number in def_starts and b.current.kind == "module")):
                    b.start()  # (the page introduction never absorbs the first definition's docstring)
                elif force_new and b.current.note.strip():
                    b.start()
                force_new = False
            b.current.lines.append(number)
        number += 1

    rows = b.finish()
    _assign_ids(rows, structure.definitions)
    first_note = rows[0].note if rows and rows[0].kind == "module" else ""
    meta.title = meta.title or _first_heading(first_note) or readable_title(path)
    return SourcePage(path, text, "python", meta, rows, problems)


def _longest_statement(text: str) -> int:
    """The first line of the statement with the most tokens (where a nesting limit is likely hit)."""
    best, best_count, start, count = 1, 0, None, 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if start is None and token.type not in _NON_CODE_TOKENS:
                start = token.start[0]
            count += 1
            if token.type == tokenize.NEWLINE:
                if count > best_count and start is not None:
                    best, best_count = start, count
                start, count = None, 0
    except (tokenize.TokenError, SyntaxError):
        pass
    return best


_NON_CODE_TOKENS = {tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.NEWLINE}


def code_only_page(text: str, path: str, line: int, error: BaseException) -> SourcePage:
    """A file the parser failed on (an unexpected error): one row of all its lines as code, a note
    saying why, and a diagnostic, so the build goes on (and fails in strict mode)."""
    text = normalize_newlines(text)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    reason = re.sub(r"[^\w .,:;=()'-]", " ", f"{type(error).__name__}: {error}")[:200]
    why = f"this file could not be parsed ({reason}); it is shown as code"
    note = why[:1].upper() + why[1:] + "."
    rows = [Row(id=MODULE_ID, kind="module", note=note, note_line=1, lines=list(range(1, len(lines) + 1)))]
    language = "markdown" if path.lower().endswith(".md") else "python"
    return SourcePage(path, text, language, PageMeta(title=readable_title(path)), rows,
                      [Diagnostic(path, line, why)])


def _assign_ids(rows: list[Row], definitions: list[_Definition]) -> None:
    """Ids are the enclosing definition's qualified name plus an ordinal, so they stay put
    when rows are added elsewhere in the file."""
    counts: dict[str, int] = {}
    used: set[str] = set()
    for row in rows:
        anchor = row.lines[0] if row.lines else row.note_line
        owner = None
        for d in definitions:  # innermost wins: definitions are listed outer before inner
            if d.start <= anchor <= d.end:
                owner = d.qualname
        base = owner or MODULE_ID
        ordinal = counts.get(base, 0)
        counts[base] = ordinal + 1
        candidate = base if ordinal == 0 else f"{base}-{ordinal}"
        suffix = 2
        row_id = candidate
        while row_id in used:
            row_id = f"{candidate}~{suffix}"
            suffix += 1
        used.add(row_id)
        row.id = row_id
