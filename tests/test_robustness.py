"""Valid input never crashes a build: what the parser or renderer cannot handle becomes a diagnostic with
file:line, the page shows the file as code and says why, and the rest of the site builds.

Fuzzed with generated Python and markdown, and checked on a fixed sample of the standard library.
"""

from __future__ import annotations

import ast
import io
import sysconfig
import tokenize
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.config import SiteConfig
from site_builder.engine import Engine
from site_builder.parser import parse_markdown, parse_python
from site_builder.render import render_page

DEEP_SUM = "# A long sum\nx = " + " + ".join(["1"] * 3000) + "\ny = 2\n"
DEEP_LIST = "y = 1\n" + "\n".join("# " + "    " * i + "1. item" for i in range(248)) + "\nz = 2\n"


def test_deep_nesting_is_a_diagnostic_and_the_page_shows_the_file_as_code(tmp_path, math):
    src = tmp_path / "src"
    src.mkdir()
    (src / "deep_sum.py").write_text(DEEP_SUM)
    (src / "deep_list.py").write_text(DEEP_LIST)
    (src / "fine.py").write_text("# Fine\nw = 3\n")
    engine = Engine(SiteConfig(source_dir=src, project_dir=tmp_path), math=math)
    deep_sum, deep_list, fine = engine.render_all(["deep_sum.py", "deep_list.py", "fine.py"])

    assert [str(d) for d in deep_sum.diagnostics] == [
        "src/deep_sum.py:2: too deeply nested for Python's parser (RecursionError); showing the file as code"]
    assert "A long sum" in deep_sum.rows[0].note_html and "y" in deep_sum.rows[-1].code_html

    [problem] = [str(d) for d in deep_list.diagnostics]
    assert problem.startswith("src/deep_list.py:2: this file could not be rendered (RecursionError"), problem
    [row] = deep_list.rows
    assert "could not be rendered" in row.note_html and "shown as code" in row.note_html
    assert row.code_html.count("\n") == DEEP_LIST.count("\n") - 1  # every line, once

    assert not fine.diagnostics and "Fine" in fine.rows[0].note_html


# --- fuzz: generated Python whose comments and docstrings are generated markdown -------------------------

MARKDOWN_BITS = ["- ", "* ", "1. ", "> ", "    ", "  ", "# ", "## ", "**b**", "_i_", "`c`", "$x$", "$$y$$", "$",
                 "[l](x.html)", "[l](#a)", "<b>", "</b>", "<div>", "&amp;", "&", "\\", "|a|b|", "|-|-|", "---",
                 "```", "![i](p.png)", "<ada@example.org>", "\\begin{align}a\\end{align}", "word", " ", "\t", "é",
                 "中文", "\u202e", "\x00", "<!--", "-->", "{", "}", "_^_0_^_"]


@st.composite
def markdown(draw, max_lines: int = 6) -> str:
    lines = []
    for _ in range(draw(st.integers(1, max_lines))):
        lines.append("".join(draw(st.lists(st.sampled_from(MARKDOWN_BITS), max_size=6))))
    return "\n".join(lines)


@st.composite
def python_sources(draw) -> str:
    out = []
    if draw(st.booleans()):
        out += ['"""', *draw(markdown()).split("\n"), '"""']
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["comment", "def", "code", "broken"]))
        if kind == "comment":
            out += ["# " + line for line in draw(markdown()).split("\n")]
        elif kind == "def":
            doc = draw(markdown()).replace('"""', "")
            out += ["def f(a,", "      # a note", "      b):", '    """', *("    " + ln for ln in doc.split("\n")),
                    '    """', "    return a"]
        elif kind == "code":
            out += [draw(st.sampled_from(["x = (1 +", "     2)", "y = '#'", "z = [  # c", "]", "pass"]))]
        else:
            out += [draw(st.sampled_from(["def (", "'''", "if x", "\\", ")"]))]
    return "\n".join(out) + "\n"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(src=python_sources())
def test_generated_python_and_markdown_render_without_exceptions(src, preparer, math):
    page = parse_python(src, "gen.py")
    rendered = render_page(page, preparer, math, image_exists=lambda s: True)
    shown = [n for row in page.rows for n in row.lines]
    assert shown == sorted(set(shown))  # every line at most once, in order
    assert len(rendered.rows) == len(page.rows)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=markdown(max_lines=12))
def test_generated_readmes_render_without_exceptions(text, preparer, math):
    page = parse_markdown(text, "readme.md")
    render_page(page, preparer, math, image_exists=lambda s: True)


# --- the standard library ---------------------------------------------------------------------------------

def _stdlib_sample(count: int = 300) -> list[Path]:
    """A fixed, spread-out sample of the installed standard library (same files on every run)."""
    root = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in root.rglob("*.py") if "site-packages" not in p.parts)
    step = max(1, len(files) // count)
    return files[::step][:count]


def _comment_and_docstring_lines(src: str) -> tuple[set[int], set[int]]:
    comments = {tok.start[0] for tok in tokenize.generate_tokens(io.StringIO(src).readline)
                if tok.type == tokenize.COMMENT and not tok.line[:tok.start[1]].strip()
                and not tok.string.startswith("#!")}  # a shebang stays code
    docs: set[int] = set()
    for node in ast.walk(ast.parse(src)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(
                body[0].value, (ast.Constant, ast.JoinedStr)):
            docs.update(range(body[0].lineno, (body[0].end_lineno or body[0].lineno) + 1))
    return comments, docs


def test_a_sample_of_the_standard_library_keeps_every_code_line_once_in_order():
    checked = 0
    for path in _stdlib_sample():
        try:
            src = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        page = parse_python(src, str(path))
        lines = page.text.split("\n")
        shown = [n for row in page.rows for n in row.lines if lines[n - 1].strip()]
        assert shown == sorted(set(shown)), f"{path}: a line shown twice or out of order"
        try:
            comments, docs = _comment_and_docstring_lines(page.text)
        except (SyntaxError, tokenize.TokenError, ValueError, RecursionError):
            continue  # e.g. Python 2 test data: the line check above is all there is to check
        expected = [n for n, line in enumerate(lines, 1) if line.strip() and n not in comments and n not in docs]
        missing = sorted(set(expected) - set(shown))
        assert not missing, f"{path}: code lines not shown: {missing[:5]}"
        assert not set(shown) & comments, f"{path}: a full-line comment in the code column"
        checked += 1
    assert checked >= 200
