"""Property: every non-comment, non-docstring, non-blank line appears exactly once, in order."""

from __future__ import annotations

import ast

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.parser import parse_python

NAMES = st.sampled_from(["x", "y", "layer", "z_1", "out"])


@st.composite
def statements(draw, depth: int = 0):
    kind = draw(st.sampled_from(["assign", "comment", "blank", "lone", "def", "class", "if", "call"]
                                if depth < 3 else ["assign", "comment", "blank", "lone", "call"]))
    name = draw(NAMES)
    if kind == "assign":
        return [f"{name} = {draw(st.integers(0, 99))}" + draw(st.sampled_from(["", "  # eol"]))]
    if kind == "call":
        return [f"{name} = f(", "    1,  # arg", "    # inside brackets", ")"]
    if kind == "comment":
        return [f"# {draw(st.text('abc $x$ `y`', min_size=1, max_size=12))}"]
    if kind == "blank":
        return [""]
    if kind == "lone":
        return ["#"]
    body = draw(st.lists(statements(depth + 1), min_size=1, max_size=4))
    lines = [line for stmt in body for line in stmt]
    if not any(line.strip() and not line.lstrip().startswith("#") for line in lines):
        lines.append("pass")
    inner = ["    " + line if line else "" for line in lines]
    head = {"def": [f"def {name}():"], "class": [f"class {name.capitalize()}:"], "if": [f"if {name}:"]}[kind]
    if kind in ("def", "class") and draw(st.booleans()):
        head = ["@decorator"] + head
        if draw(st.booleans()):
            inner = ['    """Doc string."""'] + inner
    return head + inner


@st.composite
def modules(draw):
    lines = []
    if draw(st.booleans()):
        lines += ['"""', "---", "title: T", "---", "Intro $x$.", '"""']
    for stmt in draw(st.lists(statements(), min_size=1, max_size=8)):
        lines += stmt
    return "\n".join(lines) + "\n"


def _expected_code_lines(src: str) -> list[int]:
    tree = ast.parse(src)
    doc_lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(node) is not None:
            first = node.body[0]
            doc_lines.update(range(first.lineno, first.end_lineno + 1))
    out = []
    in_brackets = 0
    for number, line in enumerate(src.split("\n")[:-1], 1):
        stripped = line.strip()
        is_comment = stripped.startswith("#") and in_brackets == 0
        if stripped and not is_comment and number not in doc_lines:
            out.append(number)
        in_brackets += line.count("(") - line.count(")")
    return out


@settings(max_examples=300, deadline=None)
@given(modules())
def test_every_code_line_appears_exactly_once_in_order(src):
    page = parse_python(src, "gen.py")
    lines = src.split("\n")
    shown = [n for row in page.rows for n in row.lines if lines[n - 1].strip()]
    assert shown == _expected_code_lines(src)
    assert len({row.id for row in page.rows}) == len(page.rows)
    assert not page.diagnostics


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_arbitrary_text_never_crashes_and_keeps_every_line(src):
    page = parse_python(src, "junk.py")
    shown = [n for row in page.rows for n in row.lines]
    assert shown == sorted(set(shown))
