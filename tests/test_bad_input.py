"""Bad input: each case renders, warns with file:line, and never crashes a normal build."""

from __future__ import annotations

import time

from site_builder.parser import parse_file, parse_python
from site_builder.render import render_page


def render(src: str, preparer, math, path="bad.py", **kw):
    return render_page(parse_python(src, path), preparer, math, **kw)


def messages(rendered) -> list[str]:
    return [str(d) for d in rendered.diagnostics]


def test_syntax_error_still_renders_every_line_and_comment_notes(preparer, math):
    src = "# Explain f\ndef f(:\n    return 1\n# then g\ng = 2\n"
    rendered = render(src, preparer, math)
    assert messages(rendered)[0].startswith("bad.py:2: cannot parse Python")
    assert [r.note_html.strip() for r in rendered.rows] == ["<p>Explain f</p>", "<p>then g</p>"]
    code = "\n".join(r.code_html for r in rendered.rows)
    assert "return" in code and "g" in code and code.count("\n") == 2


def test_broken_yaml_front_matter_warns_with_line_and_title_falls_back(preparer, math):
    src = '"""\n---\ntitle: [unclosed\nsummary: x\n---\n# Heading title\n"""\nx = 1\n'
    rendered = render(src, preparer, math)
    assert any(m.startswith("bad.py:3: invalid YAML front matter") or m.startswith("bad.py:4: invalid YAML")
               for m in messages(rendered)), messages(rendered)
    assert rendered.title == "Heading title"
    assert "x" in rendered.rows[0].code_html


def test_invalid_latex_shows_an_error_box_and_warns_with_line(preparer, math):
    src = 'r"""\nIntro.\n\nBad: $\\frac{a$ here.\n"""\n'
    rendered = render(src, preparer, math)
    assert 'class="katex-error"' in rendered.rows[0].note_html
    assert "\\frac{a" in rendered.rows[0].note_html
    assert any(m.startswith("bad.py:4: invalid LaTeX") for m in messages(rendered)), messages(rendered)


def test_unknown_macro_is_an_error_not_silently_rendered(preparer, math):
    rendered = render("# $\\notamacro{x}$\nx = 1\n", preparer, math)
    assert any("invalid LaTeX" in m and "notamacro" in m for m in messages(rendered))


def test_unclosed_dollar_is_text_and_warned(preparer, math):
    rendered = render("x = 1\n# costs $5 per unit\ny = 2\n", preparer, math)
    assert "$5 per unit" in rendered.rows[1].note_html.replace("&#36;", "$")
    assert messages(rendered) == ["bad.py:2: unclosed '$' is shown as text"]


def test_missing_image_is_warned(preparer, math):
    rendered = render("# ![plot](nowhere.png)\nx = 1\n", preparer, math, image_exists=lambda src: False)
    assert messages(rendered) == ["bad.py:1: missing image 'nowhere.png'"]
    assert '<img src="nowhere.png"' in rendered.rows[0].note_html


def test_non_utf8_source_names_the_file_and_still_renders(tmp_path, preparer, math):
    path = tmp_path / "latin1.py"
    path.write_bytes("# café\nx = 'é'\n".encode("latin-1"))
    page = parse_file(path, "pkg/latin1.py")
    assert str(page.diagnostics[0]).startswith("pkg/latin1.py:1: not valid UTF-8 (byte 0xe9")
    rendered = render_page(page, preparer, math)
    assert len(rendered.rows) == 1


def test_ten_thousand_line_file_builds(preparer, math):
    blocks = []
    for i in range(1250):
        blocks.append(f"# Step {i}: add $x_{{{i}}}$\ndef f{i}(x):\n    y = x + {i}\n    return y\n\n")
    src = "".join(blocks)
    assert src.count("\n") >= 6250
    src += "\n".join(f"z{i} = {i}" for i in range(3750)) + "\n"
    assert src.count("\n") >= 10_000
    start = time.perf_counter()
    rendered = render(src, preparer, math)
    assert len(rendered.rows) == 1250 and not rendered.diagnostics
    assert time.perf_counter() - start < 60  # a sanity bound, not a benchmark


def test_non_raw_and_raw_docstrings_with_the_same_text_render_identically(preparer, math):
    """Authors of this genre write LaTeX in ordinary docstrings: the note is the text as typed."""
    body = 'See $\\frac{a}{b} \\times \\big(c\\big)$ and\n\\begin{align}a &= b \\\\ \\vec{v} &= \\alpha\\end{align}\n'
    plain = render(f'"""\n{body}"""\n', preparer, math)
    raw = render(f'r"""\n{body}"""\n', preparer, math)
    assert plain.rows[0].note_html == raw.rows[0].note_html
    html = plain.rows[0].note_html
    assert "katex-error" not in html and "<mfrac>" in html and "katex-display" in html  # \\begin{align} too
    assert not messages(plain) and not messages(raw)
