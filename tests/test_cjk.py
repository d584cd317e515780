"""Line breaks in Chinese and Japanese text (issue 12, item 6): examples and properties."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.translations.cjk import join_cjk_lines


def test_breaks_between_cjk_characters_vanish():
    assert join_cjk_lines("<p>実装です。\nそれぞれ\n行</p>") == "<p>実装です。それぞれ行</p>"


def test_breaks_next_to_inline_tags_vanish():
    assert join_cjk_lines('<p><a href="x.html">マスク言語モデル</a>\nで使います</p>') == \
        '<p><a href="x.html">マスク言語モデル</a>で使います</p>'
    assert join_cjk_lines("<p>この\n<em>パッチ表現</em>による</p>") == "<p>この<em>パッチ表現</em>による</p>"
    assert join_cjk_lines("<p>是<strong>线性</strong>\n。</p>") == "<p>是<strong>线性</strong>。</p>"
    assert join_cjk_lines("<p>见\n  <a href='a'><em>这里</em></a></p>") == "<p>见<a href='a'><em>这里</em></a></p>"


def test_cjk_punctuation_takes_no_space_even_next_to_latin():
    assert join_cjk_lines("<p>实现（\nPyTorch\n）。</p>") == "<p>实现（PyTorch）。</p>"
    assert join_cjk_lines("<p><a href='a'>ConvMixer</a>\n、MLP</p>") == "<p><a href='a'>ConvMixer</a>、MLP</p>"


def test_cjk_letters_next_to_latin_formulas_or_digits_keep_their_space():
    assert join_cjk_lines("<p>使用\nPyTorch\n实现</p>") == "<p>使用\nPyTorch\n实现</p>"
    kept = "<p>加上\n<span translate=no>_^_0_^_</span></p>"
    assert join_cjk_lines(kept) == kept
    assert join_cjk_lines("<p>これは\n<a href='p'>Patches</a></p>") == "<p>これは\n<a href='p'>Patches</a></p>"


def test_block_tags_pre_and_latin_text_are_untouched():
    html = "<p>中文</p>\n<p>文字</p>\n<pre>代码\n注释</pre>\n<p>English\nwords</p>"
    assert join_cjk_lines(html) == html
    assert join_cjk_lines("<p>第一行<br>\n第二行</p>") == "<p>第一行<br>\n第二行</p>"


def test_shared_punctuation_joins_only_towards_cjk():
    assert join_cjk_lines("<p>称为\n“混合”</p>") == "<p>称为“混合”</p>"
    assert join_cjk_lines("<p>called\n“mixing”</p>") == "<p>called\n“mixing”</p>"


# --- properties ---------------------------------------------------------------------------------

CJK = st.sampled_from("的是实现层注意力マスクでこの畳み込みパッチ")
PUNCT = st.sampled_from("。、，：（）「」")
LATIN = st.sampled_from(["PyTorch", "MLP", "x", "42", "<span translate=no>_^_0_^_</span>"])
INLINE = st.sampled_from(["a href='x.html'", "em", "strong", "code"])
BREAK = st.sampled_from(["\n", " \n", "\n  ", " \n "])


@st.composite
def cjk_html(draw):
    """A paragraph of CJK, punctuation and Latin pieces, some wrapped in inline tags, with line
    breaks at random places (also next to the tags)."""
    pieces = []
    for _ in range(draw(st.integers(1, 8))):
        text = draw(st.one_of(st.lists(CJK, min_size=1, max_size=4).map("".join), PUNCT, LATIN))
        if draw(st.booleans()):
            tag = draw(INLINE)
            name = tag.split()[0]
            text = f"<{tag}>{text}</{name}>"
        pieces.append(text)
        if draw(st.booleans()):
            pieces.append(draw(BREAK))
    return "<p>" + "".join(pieces) + "</p>"


def _visible(html: str) -> str:
    return re.sub(r"<[^>]*>", "", html)


@settings(deadline=None)
@given(cjk_html())
def test_only_whitespace_with_a_line_break_is_removed(html):
    joined = join_cjk_lines(html)
    assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", html)  # nothing else changes
    assert re.findall(r"<[^>]*>", joined) == re.findall(r"<[^>]*>", html)  # every tag kept, in order
    assert join_cjk_lines(joined) == joined  # idempotent


@settings(deadline=None)
@given(cjk_html())
def test_no_line_break_is_left_between_two_cjk_characters_or_beside_cjk_punctuation(html):
    text = _visible(join_cjk_lines(html))
    cjk = "的是实现层注意力マスクでこの畳み込みパッチ。、，：（）「」"
    assert not re.search(f"[{cjk}]\\s*\\n\\s*[{cjk}]", text)
    assert not re.search("[。、，：（）「」]\\s*\\n\\s*\\S|\\S\\s*\\n\\s*[。、，：（）「」]", text)


@settings(deadline=None)
@given(st.lists(st.sampled_from(["Add", "the", "residual", "<em>now</em>", "\n", " "]), max_size=12))
def test_latin_text_is_never_changed(words):
    html = "<p>" + " ".join(words) + "</p>"
    assert join_cjk_lines(html) == html
