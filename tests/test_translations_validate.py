"""One test per validation rule, the glossary, and the XSS vectors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xss_vectors import XSS_VECTORS

from site_builder.translations.validate import parse_glossary, sanitize, scan, validate

ROOT = Path(__file__).resolve().parent.parent
P0 = "<span translate=no>_^_0_^_</span>"
P1 = "<span translate=no>_^_1_^_</span>"
KEY = f"<p>Add the residual {P0} to {P1}.</p>\n"
GOOD = f"<p>把残差 {P0} 加到 {P1} 上。</p>\n"


def reasons(key: str, value: str, glossary=None) -> str:
    verdict = validate(key, value, glossary)
    assert not verdict.ok, f"accepted: {value!r}"
    return verdict.reason


def test_a_good_translation_is_accepted_and_sanitized():
    verdict = validate(KEY, GOOD)
    assert verdict.ok and not verdict.reasons
    assert verdict.value == GOOD.replace("translate=no", 'translate="no"')


def test_placeholders_may_move():
    assert validate(KEY, f"<p>{P1} 加上残差 {P0}。</p>\n").ok


def test_empty_value_is_untranslated_not_invalid():
    for empty in ("", "  \n"):
        verdict = validate(KEY, empty)
        assert verdict.empty and not verdict.ok and not verdict.invalid


def test_lost_placeholder():
    assert "placeholder _^_1_^_ is missing" in reasons(KEY, f"<p>把残差 {P0} 加上。</p>\n")


def test_many_lost_placeholders_are_summed_up():
    key = "<p>" + " ".join(f"<span translate=no>_^_{n}_^_</span>" for n in range(6)) + " text</p>\n"
    expected = "6 placeholders are missing (_^_0_^_, _^_1_^_, _^_2_^_, _^_3_^_, …)"
    assert reasons(key, "<p>文字</p>\n") == expected


def test_duplicated_placeholder():
    assert "placeholder _^_0_^_ appears 2 times" in reasons(KEY, f"<p>{P0} {P0} {P1}</p>\n")


def test_unknown_placeholder():
    assert "placeholder _^_2_^_ is not in the English" in reasons(
        KEY, f"<p>{P0} {P1} <span translate=no>_^_2_^_</span></p>\n")


def test_placeholder_outside_its_span():
    assert "_^_1_^_ must stay inside" in reasons(KEY, f"<p>{P0} 和 _^_1_^_</p>\n")
    wrapped = f'<p>{P0} <span translate="no" id="x">_^_1_^_</span></p>\n'
    assert "_^_1_^_ must stay inside" in reasons(KEY, wrapped)


LINK_KEY = f'<p>See <a href="../mha.html#MultiHeadAttention">attention</a> and {P0}.</p>\n'


def test_changed_link():
    r = reasons(LINK_KEY, f'<p>见<a href="../mha.html#Other">注意力</a>和 {P0}。</p>\n')
    assert "link target '../mha.html#MultiHeadAttention' is missing" in r
    assert "link target '../mha.html#Other' is not in the English" in r


def test_lost_and_added_link():
    assert "is missing" in reasons(LINK_KEY, f"<p>见注意力和 {P0}。</p>\n")
    assert "'https://evil.example/' is not in the English" in reasons(
        LINK_KEY, f'<p>见<a href="../mha.html#MultiHeadAttention">注意力</a><a href="https://evil.example/">x</a>'
                  f"{P0}</p>\n")


def test_same_link_accepted():
    assert validate(LINK_KEY, f'<p>见<a href="../mha.html#MultiHeadAttention">注意力</a>和 {P0}。</p>\n').ok


def test_changed_anchor_id_and_image_source():
    key = '<p><a id="Residual"></a>Text <img alt="x" src="fig.png"></p>\n'
    other_id = '<p><a id="residual"></a>文 <img alt="x" src="fig.png"></p>\n'
    other_src = '<p><a id="Residual"></a>文 <img alt="x" src="f.png"></p>\n'
    assert "anchor id 'Residual' is missing" in reasons(key, other_id)
    assert "image source 'fig.png' is missing" in reasons(key, other_src)
    assert validate(key, '<p><a id="Residual"></a>文字 <img alt="图" src="fig.png"></p>\n').ok


def test_script():
    assert "<script> is not allowed" in reasons(KEY, f"<p>{P0}{P1}<script>alert(1)</script></p>\n")


def test_onerror():
    key = '<p>Figure <img alt="x" src="fig.png"></p>\n'
    assert "event handler attribute 'onerror' is not allowed" in reasons(
        key, '<p>图 <img alt="x" src="fig.png" onerror="alert(1)"></p>\n')


def test_javascript_url():
    key = '<p><a href="x.html">here</a></p>\n'
    value = '<p><a href="javascript:alert(1)">这里</a></p>\n'
    assert "'javascript:' URLs are not allowed" in reasons(key, value)


def test_nested_links():
    key = '<p><a href="a.html">A</a> and <a href="b.html">B</a></p>\n'
    assert "a link nested inside a link" in reasons(
        key, '<p><a href="a.html">甲<a href="b.html">乙</a></a></p>\n')


def test_text_after_the_closing_tag():
    assert "text outside the top-level elements: '。'" in reasons(KEY, f"<p>把残差 {P0} 加到 {P1} 上</p>。\n")


def test_text_before_the_first_element():
    assert "text outside the top-level elements" in reasons(KEY, f"注：<p>把残差 {P0} 加到 {P1} 上</p>\n")


def test_unbalanced_tags():
    assert "unbalanced tags: </p> closes <em>" in reasons(KEY, f"<p><em>{P0} {P1}</p></em>\n")
    assert "<strong> is never closed" in reasons(KEY, f"<p><strong>{P0} {P1}</p>\n<strong>")
    assert "</div> has no opening tag" in reasons(KEY, f"<p>{P0} {P1}</p></div>\n")


def test_paragraph_inside_paragraph():
    assert "a paragraph inside a paragraph" in reasons(KEY, f"<p>{P0}<p>{P1}</p></p>\n")


def test_disallowed_tag_and_attribute():
    assert "<iframe> is not allowed" in reasons(KEY, f"<p>{P0}{P1}</p><iframe></iframe>\n")
    assert "attribute 'class' is not allowed on <p>" in reasons(KEY, f'<p class="x">{P0}{P1}</p>\n')
    assert "style 'color: red' is not allowed" in reasons(KEY, f'<p style="color: red">{P0}{P1}</p>\n')


def test_table_alignment_from_markdown_is_allowed():
    key = '<table>\n<thead>\n<tr>\n<th style="text-align: left;">Name</th>\n</tr>\n</thead>\n</table>\n'
    assert validate(key, key.replace("Name", "名称")).ok


def test_plain_text_keys_take_plain_text_values():
    assert validate("ConvMixer", "ConvMixer（卷积混合器）").value == "ConvMixer（卷积混合器）"
    assert "plain-text value" in reasons("ConvMixer", "<b>ConvMixer</b>")
    assert "plain-text value" in reasons("A summary", 'x" onmouseover="alert(1)')


GLOSSARY = parse_glossary(json.dumps({
    "Transformer": {"use": "Transformer", "avoid": ["变压器", "変圧器"]},
    "skip-connection": {"use": "跳跃连接", "avoid": ["略过连接"]},
}, ensure_ascii=False))


def test_glossary_violation():
    key = "<p>The Transformer encoder.</p>\n"
    r = reasons(key, "<p>变压器编码器。</p>\n", GLOSSARY)
    assert "glossary: 'Transformer' should be rendered 'Transformer', not '变压器'" in r
    assert validate(key, "<p>Transformer 编码器。</p>\n", GLOSSARY).ok
    assert "glossary" in reasons("Vision Transformers", "视觉变压器", GLOSSARY)  # plural, plain text


def test_glossary_matches_spelling_variants_only_as_words():
    assert not validate("<p>Skip connections help.</p>\n", "<p>略过连接有帮助。</p>\n", GLOSSARY).ok
    assert validate("<p>A transformerless design.</p>\n", "<p>变压器</p>\n", GLOSSARY).ok  # not the term


def test_glossary_problems_are_reported():
    g = parse_glossary('{\n  "Transformer": "Transformer"\n}')
    assert g.problems and g.problems[0].line == 2
    assert parse_glossary("{oops").problems[0].line == 1


@pytest.mark.parametrize("lang", ["zh", "ja"])
def test_shipped_glossaries_are_valid(lang):
    text = (ROOT / "translations" / lang / "glossary.json").read_text("utf-8")
    g = parse_glossary(text)
    assert not g.problems and len(g.terms) >= 25
    needed = {"Transformer", "attention", "patch", "embedding", "convolution", "GELU", "token", "channel"}
    assert needed <= {t.english for t in g.terms}
    for term in g.terms:  # a rendering to use never contains a rendering to avoid
        for other in g.terms:
            assert not any(bad in term.use for bad in other.avoid), (term, other)
    transformer = next(t for t in g.terms if t.english == "Transformer")
    assert {"变压器", "変圧器"} & set(transformer.avoid)


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_xss_vectors_are_rejected(vector):
    value = f"<p>把残差 {P0} 加到 {P1} 上。{vector}</p>\n"
    assert not validate(KEY, value).ok
    assert not validate(KEY, vector).ok
    assert not validate("Title", vector).ok


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_sanitizer_output_carries_nothing_executable(vector):
    for html in (vector, f"<p>{vector}</p>"):
        cleaned = sanitize(html)
        found = scan(cleaned)
        assert not found.unsafe, (cleaned, found.unsafe)
        assert "<script" not in cleaned.lower() and "<iframe" not in cleaned.lower()
        assert not any(a.startswith("on") for a in _attribute_names(cleaned))
        urls = [re.sub(r"\s", "", u).lower() for u in found.hrefs + found.srcs]
        assert not any("javascript" in u or "vbscript" in u or u.startswith("data:") for u in urls)


def test_every_real_note_validates_against_itself(preparer):
    """The English is a valid translation of itself: the allowlist covers what the renderer produces."""
    from site_builder.translations.keys import load_page, page_keys, source_pages

    source = ROOT / "labml_nn"
    count = 0
    for rel in source_pages(source):
        for k in page_keys(load_page(source, rel), preparer):
            verdict = validate(k.key, k.key)
            assert verdict.ok, (rel, k.line, verdict.reason)
            count += 1
    assert count > 100


def _attribute_names(html: str) -> list[str]:
    return [m.lower() for m in re.findall(r"<[a-zA-Z][^>]*?\s([a-zA-Z-]+)=", html)]


# --- issue 12, item 5: link text boundaries, glossary terms not substrings --------------------------

SPLIT_KEY = '<p>Make a <a href="x.html">ConvMixer layer</a> here.</p>\n'


def test_link_text_may_not_start_or_end_inside_a_word():
    assert validate(SPLIT_KEY, '<p>制作<a href="x.html">ConvMixer 层</a>。</p>\n').ok
    assert validate(SPLIT_KEY, '<p>制作 <a href="x.html">ConvMixer</a> 层。</p>\n').ok  # a shorter link: fine
    r = reasons(SPLIT_KEY, '<p>制作 Conv<a href="x.html">Mixer 层</a>。</p>\n')
    assert "a link's text cuts the word 'ConvMixer'" in r
    r = reasons(SPLIT_KEY, '<p>制作 <a href="x.html">Conv</a>Mixer 层。</p>\n')
    assert "a link's text cuts the word 'ConvMixer'" in r
    r = reasons(SPLIT_KEY, '<p>制作 C <a href="x.html">onvMixer 图层</a>。</p>\n')
    assert "a link's text starts inside a word: 'onvMixer' (the English has 'ConvMixer')" in r
    r = reasons(SPLIT_KEY, '<p>制作 <a href="x.html">Conv</a> Mixer 层。</p>\n')
    assert "a link's text ends inside a word: 'Conv' (the English has 'ConvMixer')" in r


def test_link_text_may_keep_a_split_the_english_has_and_drop_an_inflection():
    key = '<p>Two <a href="t.html">Transformer</a>s and the <a href="p.html">patches</a>.</p>\n'
    assert validate(key, '<p>两个 <a href="t.html">Transformer</a>s 和<a href="p.html">patch</a>。</p>\n').ok


@settings(deadline=None)
@given(st.text(alphabet="abcXYZ", min_size=2, max_size=6), st.text(alphabet="abcXYZ", min_size=1, max_size=6))
def test_any_latin_word_cut_by_a_link_boundary_is_refused(head, tail):
    key = f'<p>The <a href="x.html">{head}{tail}</a> word.</p>\n'
    assert validate(key, f'<p>这个<a href="x.html">{head}{tail}</a>词。</p>\n').ok
    assert not validate(key, f'<p>这个{head}<a href="x.html">{tail}</a>词。</p>\n').ok
    assert not validate(key, f'<p>这个<a href="x.html">{head}</a>{tail}词。</p>\n').ok


def test_glossary_avoids_terms_not_ordinary_words():
    g = parse_glossary(json.dumps({
        "attention": {"use": "注意力", "avoid": ["关注度", "留意力"]},
        "head": {"use": "头", "avoid": ["首"], "allow": ["首先"]},
        "dropout": {"use": "ドロップアウト", "avoid": ["drop"]},
    }, ensure_ascii=False))
    key = "<p>Attention first.</p>\n"
    assert validate(key, "<p>请留意：注意力优先。</p>\n", g).ok  # 留意 (notice) is an ordinary word
    assert "not '留意力'" in reasons(key, "<p>留意力优先。</p>\n", g)
    assert validate("<p>The head, first.</p>\n", "<p>首先是头。</p>\n", g).ok  # an allowed phrase
    assert "not '首'" in reasons("<p>The head.</p>\n", "<p>首。</p>\n", g)
    assert validate("<p>Use dropout.</p>\n", "<p>dropout を使う。</p>\n", g).ok  # Latin: whole words only
    assert "not 'drop'" in reasons("<p>Use dropout.</p>\n", "<p>drop を使う。</p>\n", g)


def test_shipped_zh_glossary_accepts_liu_yi_as_notice():
    g = parse_glossary((ROOT / "translations" / "zh" / "glossary.json").read_text("utf-8"))
    key = "<p>Note that attention is computed per head.</p>\n"
    assert validate(key, "<p>请留意，注意力是按头计算的。</p>\n", g).ok


# --- issue 12, item 7: one term set in every glossary ------------------------------------------------


def test_zh_and_ja_glossaries_carry_the_same_terms_with_the_common_training_vocabulary():
    terms = {lang: set(json.loads((ROOT / "translations" / lang / "glossary.json").read_text("utf-8")))
             for lang in ("zh", "ja")}
    assert terms["zh"] == terms["ja"], terms["zh"] ^ terms["ja"]
    needed = {"warm-up", "learning rate", "optimizer", "checkpoint", "epoch", "mask", "stride", "residual",
              "attention head", "channel-mixing", "class token", "dropout", "pre-norm", "token-mixing"}
    assert needed <= terms["zh"], needed - terms["zh"]


def test_check_is_clean_on_the_repository(capsys):
    from site_builder.translations.cli import main

    assert main(["check", "--config", str(ROOT / "mkdocs.yml")]) == 0, capsys.readouterr().out
