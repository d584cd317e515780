"""Property: every non-comment, non-docstring, non-blank line appears exactly once, in order,
whatever kind of statement a full-line comment stands in (one rule: it is a note): calls, literals,
strings, `with`, `except`, signatures, decorators, `match` and `case`."""

from __future__ import annotations

import ast
import io
import tokenize

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.parser import parse_python

NAMES = st.sampled_from(["x", "y", "layer", "z_1", "out"])


@st.composite
def statements(draw, depth: int = 0):
    flat = ["assign", "comment", "blank", "lone", "call", "dict", "string", "with", "try", "signature", "match",
            "joined"]
    kind = draw(st.sampled_from(flat + ["def", "class", "if"] if depth < 3 else flat))
    name = draw(NAMES)
    if kind == "assign":
        return [f"{name} = {draw(st.integers(0, 99))}" + draw(st.sampled_from(["", "  # eol"]))]
    if kind == "call":
        return [f"{name} = f(", "    1,  # arg", "    # inside brackets", ")"]
    if kind == "dict":
        return [f"{name} = {{", "    # a note $256$", "    'a': 1,", "    # another", "    'b': [", "        # nested",
                "        2,", "    ],", "}"]
    if kind == "string":
        return [f'{name} = """', "# text, not a note", "    # still text", '"""']
    if kind == "with":
        return ["with (", "    # the file", f"    open('x') as {name},", "):", "    pass"]
    if kind == "try":
        return ["try:", "    pass", "except (", "    # which errors", "    ValueError,", "):", "    pass"]
    if kind == "joined":  # implicitly joined literals: one `ast` node, a comment between its pieces
        return [f"{name} = (", '    "a"', "    # between the pieces", "    'b'", '    """c', "# text, not a note",
                '"""', ")"]
    if kind == "match":
        return ["match (", "    # the subject", f"    {name}", "):",
                "    case (", "        # which values", "        1", "        | 2", "    ):", "        pass",
                "    case {", "        # a mapping", "        'k': v,", "    }:", "        pass"]
    if kind == "signature":
        return ["@decorator(", "    # option", "    1,", ")", f"def {name}(", "    a,", "    # about b", "    b,", "):",
                "    return a"]
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
    """An oracle independent of the parser: docstrings from `ast`, comments from `tokenize`."""
    tree = ast.parse(src)
    doc_lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(node) is not None:
            first = node.body[0]
            doc_lines.update(range(first.lineno, first.end_lineno + 1))
    comment_lines = {tok.start[0] for tok in tokenize.generate_tokens(io.StringIO(src).readline)
                     if tok.type == tokenize.COMMENT and not tok.line[:tok.start[1]].strip()}
    return [number for number, line in enumerate(src.split("\n")[:-1], 1)
            if line.strip() and number not in comment_lines and number not in doc_lines]


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
