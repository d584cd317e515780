"""Golden tests for note rendering (math, inline code, links, anchors) and page rows.

The expected HTML lives in tests/golden/*.html; after an intended change run
`UPDATE_GOLDEN=1 pytest tests/test_render.py` and review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.notes import NotePreparer, anchor_ids, fill, link_targets
from site_builder.parser import parse_python
from site_builder.render import render_page

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.stem for p in GOLDEN.glob("*.md"))


def render_note(text: str, render_pieces) -> str:
    prepared, rendered = render_pieces(text)
    return fill(prepared.key, rendered)


@pytest.mark.parametrize("case", CASES)
def test_golden(case, render_pieces):
    html = render_note((GOLDEN / f"{case}.md").read_text(), render_pieces)
    expected = GOLDEN / f"{case}.html"
    if os.environ.get("UPDATE_GOLDEN"):
        expected.write_text(html)
    assert html == expected.read_text()


def test_math_is_prerendered_and_never_left_raw(render_pieces):
    html = render_note((GOLDEN / "math.md").read_text(), render_pieces)
    assert html.count('class="katex"') == 4
    assert html.count('class="katex-display') == 2  # "katex-display katex-numbered" when it has numbers
    assert "<math" in html  # MathML for screen readers
    text = re.sub(r"<[^>]+>", "", re.sub(r'<span class="katex">.*?</annotation>', "", html, flags=re.S))
    assert "$" not in text.replace("&#36;5", "")


def test_inline_code_is_highlighted_and_markdown_does_not_touch_protected_pieces(render_pieces):
    html = render_note((GOLDEN / "links.md").read_text(), render_pieces)
    assert "<em>stays</em>" in html and "<strong>bold</strong>" in html
    assert '<code class="highlight"><span class="n">a_b_c</span></code>' in html
    assert "<em>b</em>" not in html


def test_links_and_anchors_are_found(preparer):
    key = preparer.prepare((GOLDEN / "links.md").read_text()).key
    assert link_targets(key) == ["../conv_mixer/index.html#ConvMixer", "readme.html",
                                 "https://arxiv.org/abs/2105.01601"]
    assert anchor_ids(key) == ["residual"]


def test_translation_key_uses_numbered_placeholders_in_order(preparer):
    note = preparer.prepare("Add $x$ to `y` and $z$.")
    assert note.key == ("<p>Add <span translate=no>_^_0_^_</span> to <span translate=no>_^_1_^_</span> "
                        "and <span translate=no>_^_2_^_</span>.</p>\n")
    assert [p.kind for p in note.pieces] == ["math", "code", "math"]


def test_page_rows_carry_ids_notes_and_highlighted_code(preparer, math):
    page = parse_python('"""\n# T\n\n$x^2$\n"""\nimport os\n\n\ndef f():\n    """Doc `a`."""\n    return 1\n', "p.py")
    rendered = render_page(page, preparer, math)
    assert [r.id for r in rendered.rows] == ["top", "f", "f-1"]
    assert 'class="katex"' in rendered.rows[0].note_html
    assert rendered.rows[0].code_html == '<span class="kn">import</span> <span class="nn">os</span>'
    assert rendered.rows[1].first_line == 9 and rendered.rows[2].first_line == 11
    assert rendered.title == "T" and not rendered.diagnostics


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab 1.-+*#>=|!:~'\"()\t&<_[]\\\n$`") + ["\u4e2d", "\u3042"]),
               max_size=30))
def test_plain_line_shortcut_renders_exactly_like_markdown(text):
    """Plain one-line notes skip python-markdown; the HTML must be the same as markdown's."""
    md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    assert NotePreparer().markdown(text) == md.convert(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(list("ab_1 .()[]{}'\"#\\=f:+-*") + ["'''", '"""']), max_size=12)
                .map("".join), max_size=8))
def test_inline_code_lexed_together_equals_each_lexed_alone(snippets):
    from site_builder.highlight import highlight_inline, highlight_snippets

    snippets = [s.replace("\n", " ") for s in snippets]
    assert highlight_snippets(snippets) == [highlight_inline(s) for s in snippets]


_WORDS = st.sampled_from(["a", "b c", "x_y", "*e*", "1.", "-", "+", "#", ">", "=", "<b>", "&amp;", "\\*", "[l](u)",
                          "\ue0000\ue001", "\u4e2d", "  ", "\t", "a  ", "`c`", "---", "* *"])
_LINE = st.lists(_WORDS, min_size=1, max_size=4).map(" ".join)
_BLOCK = st.one_of(
    st.lists(_LINE, min_size=1, max_size=3).map("\n".join),  # a paragraph
    st.tuples(st.sampled_from(["* ", "- ", "+ ", "*  ", "1. "]), st.lists(_LINE, min_size=1, max_size=3))
    .map(lambda m: "\n".join(m[0] + line for line in m[1])),  # a list
    st.tuples(st.sampled_from(["# ", "## ", "###### ", "#", "####### "]), _LINE, st.sampled_from(["", " #", "#"]))
    .map("".join),  # a heading
    st.tuples(st.lists(_LINE, min_size=1, max_size=3), st.sampled_from(["|---|---|", "--- | ---", "|:-|-:|"]))
    .map(lambda m: "\n".join([f"| {m[0][0]} | h |", m[1]] + [f"| {line} | x |" for line in m[0][1:]])),  # a table
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(_BLOCK, min_size=1, max_size=4), st.sampled_from(["\n\n", "\n", "\n\n\n"]),
       st.sampled_from(["", "\n"]))
def test_paragraphs_headings_and_bullet_lists_render_exactly_like_markdown(blocks, joiner, edge):
    """Notes of plain paragraphs, headings and tight bullet lists skip python-markdown: the HTML must be
    the same."""
    text = edge + joiner.join(blocks) + edge
    md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    assert NotePreparer().markdown(text) == md.convert(text)


_PLAIN_LINE = st.lists(st.sampled_from(["a", "b c", "xy", "\u4e2d", "note", "1", "q."]), min_size=1,
                       max_size=4).map(" ".join)
_SIMPLE_BLOCK = st.one_of(
    st.lists(_PLAIN_LINE, min_size=1, max_size=3).map("\n".join).map(lambda p: ("p", p)),
    st.tuples(st.sampled_from(["# ", "## ", "###### "]), _PLAIN_LINE).map("".join).map(lambda h: ("h", h)),
    st.tuples(st.sampled_from(["* ", "- ", "+ "]), st.lists(_PLAIN_LINE, min_size=1, max_size=3))
    .map(lambda m: ("ul", "\n".join(m[0] + line for line in m[1]))),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_SIMPLE_BLOCK, min_size=1, max_size=4))
def test_plain_notes_take_the_shortcut_and_match_markdown(blocks):
    """The notes the shortcut is for (plain paragraphs, one-line headings, tight bullet lists, no list right
    after another) do take it, with python-markdown's HTML. (The test above mostly draws notes it refuses.)"""
    from site_builder.notes import _simple_markdown

    kept = [text for i, (kind, text) in enumerate(blocks) if not (kind == "ul" and i and blocks[i - 1][0] == "ul")]
    text = "\n\n".join(kept)
    md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    simple = _simple_markdown(text)
    assert simple is not None and simple == md.convert(text)
