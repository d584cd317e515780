"""Bad input: each case renders, warns with file:line, and never crashes a normal build."""

from __future__ import annotations

import time

from site_builder.links import Link, check_links
from site_builder.notes import link_targets
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


def test_email_autolinks_are_not_links_to_check(preparer):
    targets = link_targets(preparer.prepare("Write to <ada@example.org>.").key)
    assert targets == ["mailto:ada@example.org"]  # python-markdown writes it as entities
    assert check_links({"x.html": [Link(t, "x.py", 1) for t in targets]}, {"x.html"}, {}) == []


def test_diagnostics_in_docstrings_give_the_line_inside_the_docstring(preparer, math):
    src = (
        "class C:\n"                              # 1
        '    """First.\n'                         # 2
        "    :param a: the a\n"                   # 3
        "        continued here\n"                # 4
        "    :param b: the b\n"                   # 5
        "    See [gone](gone.html) and $\\frac{$.\n"  # 6
        "    Mail <ada@example.org>, [x](a?b=1&c=2).\n"  # 7
        '    """\n'
    )
    rendered = render(src, preparer, math)
    assert [m.split(": invalid")[0] for m in messages(rendered)] == ["bad.py:6"]
    assert rendered.links == [("gone.html", 6), ("mailto:ada@example.org", 7), ("a?b=1&c=2", 7)]


def test_nul_and_bidi_controls_in_a_source_are_replaced_or_reported_with_a_line(tmp_path, preparer, math):
    path = tmp_path / "trojan.py"
    path.write_bytes(b"# fine\nx = 1  # \x00 here\nif access != 'user\xe2\x80\xae \xe2\x81\xa6// admin':\n    pass\n")
    page = parse_file(path, "pkg/trojan.py")
    assert [str(d).split(" (")[0].split(";")[0] for d in page.diagnostics] == [
        "pkg/trojan.py:2: a NUL character", "pkg/trojan.py:3: a bidi control character U+202E",
        "pkg/trojan.py:3: a bidi control character U+2066"]
    html = "".join(r.code_html for r in render_page(page, preparer, math).rows)
    assert "\x00" not in html and "\ufffd" in html


def test_bidi_controls_and_nul_are_refused_in_translations():
    from site_builder.translations.validate import validate

    key = "<p>Hello.</p>\n"
    assert validate(key, "<p>你好。</p>\n").ok
    for bad in ("<p>你好\u202e。</p>\n", "<p>你\u2067好。</p>\n", "<p>你好\x00。</p>\n"):
        verdict = validate(key, bad)
        assert not verdict.ok and verdict.reasons[0].startswith("contains a "), (bad, verdict)
    assert not validate("Title", "标题\u202e").ok  # plain-text keys too


def test_symlink_loops_are_reported(tmp_path):
    from site_builder.structure import SiteStructure

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.py").write_text("x = 1\n")
    (tmp_path / "loop").symlink_to("loop")
    (tmp_path / "sub" / "up").symlink_to("..")
    (tmp_path / "gone.py").symlink_to("nowhere.py")
    structure = SiteStructure.scan(tmp_path)
    assert [e.source for e in structure.entries if e.source] == ["sub/x.py"]
    assert sorted(str(p) for p in structure.problems) == [
        "gone.py: broken symlink; skipped", "loop: symlink loop; skipped",
        "sub/up: symlink to a folder above it (a loop); skipped"]
