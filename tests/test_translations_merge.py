"""The merge hook the engine calls, and a translated page rendered end to end (real KaTeX)."""

from __future__ import annotations

import json
import textwrap

from site_builder.notes import NotePreparer
from site_builder.parser import parse_file
from site_builder.render import render_page
from site_builder.translations.merge import TranslationMerge
from site_builder.translations.status import coverage, totals
from site_builder.translations.store import dumps

SOURCE = textwrap.dedent('''\
    r"""
    ---
    title: Tiny
    summary: A tiny page.
    ---

    # Tiny

    Intro with $x^2$, see [the other page](other.html).
    """

    import math


    class Layer:
        """
        A layer with a residual connection $y = x + f(x)$.
        """

        def forward(self, x):
            # Add the residual
            return x + 1
    ''')
INTRO = ('<h1>Tiny</h1>\n<p>Intro with <span translate=no>_^_0_^_</span>, see '
         '<a href="other.html">the other page</a>.</p>\n')
LAYER = "<p>A layer with a residual connection <span translate=no>_^_0_^_</span>.</p>\n"
RESIDUAL = "<p>Add the residual</p>\n"
ZH = {
    "Tiny": "小页面",
    "A tiny page.": "一个小页面。",
    INTRO: ('<h1>小页面</h1>\n<p>介绍 <span translate=no>_^_0_^_</span>，见'
            '<a href="other.html">另一页</a>。</p>\n'),
    LAYER: "<p>带残差连接 <span translate=no>_^_0_^_</span> 的层。</p>\n",
    RESIDUAL: "<p>加上残差</p>。\n",  # invalid: text outside the paragraph
}


def make_project(tmp_path, translations=ZH):
    src = tmp_path / "src" / "pkg"
    src.mkdir(parents=True)
    (src / "__init__.py").write_text(SOURCE, "utf-8")
    root = tmp_path / "translations"
    (root / "zh" / "pkg").mkdir(parents=True)
    (root / "zh" / "pkg" / "__init__.json").write_text(dumps(translations), "utf-8")
    return tmp_path / "src", root


def test_for_page_translates_valid_keys_only(tmp_path):
    _, root = make_project(tmp_path)
    merge = TranslationMerge(root)
    digest, translate = merge.for_page("zh", "pkg/__init__.py")
    assert translate("Tiny") == "小页面"
    assert translate(LAYER) == ZH[LAYER].replace("translate=no", 'translate="no"')
    assert translate(RESIDUAL) is None  # invalid → English
    assert translate("<p>not in the file</p>\n") is None
    assert merge.for_page("ja", "pkg/__init__.py")[1](LAYER) is None  # no ja file
    [problem] = merge.page_problems("zh", "pkg/__init__.py")
    assert problem.path == "translations/zh/pkg/__init__.json"
    assert problem.line == 1 + 1 + sorted(ZH).index(RESIDUAL)  # the key's line in the file
    assert problem.message == ("invalid translation for key '<p>Add the residual</p>': "
                               "text outside the top-level elements: '。'")


def test_digest_changes_with_the_file_and_the_glossary_and_results_are_cached(tmp_path):
    _, root = make_project(tmp_path)
    merge = TranslationMerge(root)
    d1, _ = merge.for_page("zh", "pkg/__init__.py")
    first = merge.checked("zh", "pkg/__init__.py")[1]
    assert merge.for_page("zh", "pkg/__init__.py")[0] == d1
    assert merge.checked("zh", "pkg/__init__.py")[1] is first  # not re-validated
    glossary = {"layer": {"use": "层", "avoid": ["的层"]}}
    (root / "zh" / "glossary.json").write_text(json.dumps(glossary), "utf-8")
    d2, translate = merge.for_page("zh", "pkg/__init__.py")
    assert d2 != d1 and translate(LAYER) is None  # now a glossary violation
    assert any("glossary: 'layer'" in p.message for p in merge.page_problems("zh", "pkg/__init__.py"))
    path = root / "zh" / "pkg" / "__init__.json"
    fixed = "<p>带残差连接 <span translate=no>_^_0_^_</span> 的一层。</p>\n"
    path.write_text(dumps({**ZH, LAYER: fixed}), "utf-8")
    d3, translate = merge.for_page("zh", "pkg/__init__.py")
    assert d3 not in (d1, d2) and translate(LAYER) is not None


def test_damaged_glossary_is_reported_once(tmp_path):
    _, root = make_project(tmp_path)
    (root / "zh" / "glossary.json").write_text("{oops", "utf-8")
    merge = TranslationMerge(root)
    first = merge.page_problems("zh", "pkg/__init__.py")
    assert any(p.path == "translations/zh/glossary.json" for p in first)
    assert not any(p.path.endswith("glossary.json") for p in merge.page_problems("zh", "pkg/__init__.py"))


def test_translated_page_has_translated_notes_and_the_current_code(tmp_path, math):
    src, root = make_project(tmp_path)
    merge = TranslationMerge(root)
    preparer = NotePreparer()
    page = parse_file(src / "pkg" / "__init__.py", "src/pkg/__init__.py")
    english = render_page(page, preparer, math)
    _, translate = merge.for_page("zh", "pkg/__init__.py")
    zh = render_page(page, preparer, math, lang="zh", translate=translate)
    assert zh.title == "小页面" and zh.summary == "一个小页面。"
    assert "带残差连接" in zh.rows[1].note_html and 'class="katex"' in zh.rows[1].note_html
    assert "_^_" not in "".join(r.note_html for r in zh.rows)
    [fallback] = [(i, r) for i, r in enumerate(zh.rows) if r.fallback]
    assert zh.notes_fallback == 1 and fallback[1].note_html == english.rows[fallback[0]].note_html
    assert "Add the residual" in fallback[1].note_html
    assert [r.code_html for r in zh.rows] == [r.code_html for r in english.rows]

    # the source changes: the code column follows it, the translations still apply
    (src / "pkg" / "__init__.py").write_text(SOURCE.replace("return x + 1", "return x + 2"), "utf-8")
    page = parse_file(src / "pkg" / "__init__.py", "src/pkg/__init__.py")
    zh = render_page(page, preparer, math, lang="zh", translate=merge.for_page("zh", "pkg/__init__.py")[1])
    assert "2" in zh.rows[-1].code_html and "带残差连接" in zh.rows[1].note_html


def test_coverage_counts(tmp_path):
    src, root = make_project(tmp_path, {**ZH, "<p>An older note</p>\n": "<p>旧的</p>\n",
                                        "<p>Add the residuals</p>\n": "<p>加上残差</p>\n"})
    del_residual = json.loads((root / "zh/pkg/__init__.json").read_text("utf-8"))
    del del_residual[RESIDUAL]
    (root / "zh/pkg/__init__.json").write_text(dumps(del_residual), "utf-8")
    statuses = coverage(src, root, ["en", "zh", "ja"])
    zh, ja = statuses
    assert (zh.lang, zh.source, zh.url) == ("zh", "pkg/__init__.py", "pkg/index.html")
    assert (zh.total, zh.translated, zh.missing, zh.stale, zh.invalid, zh.obsolete) == (5, 4, 0, 1, 0, 2)
    assert zh.percent == 80 and zh.file == "translations/zh/pkg/__init__.json"
    assert (ja.total, ja.translated, ja.missing) == (5, 0, 5) and ja.coverage == 0
    [t_zh, t_ja] = totals(statuses)
    assert (t_zh.lang, t_zh.pages, t_zh.translated, t_zh.total) == ("zh", 1, 4, 5)
    assert t_ja.as_dict()["coverage"] == 0


def test_english_copied_as_the_translation_counts_as_untranslated(tmp_path):
    src, root = make_project(tmp_path, {**ZH, LAYER: LAYER, "Tiny": "Tiny"})
    _, translate = TranslationMerge(root).for_page("zh", "pkg/__init__.py")
    assert translate(LAYER) is None  # shown as English, marked as such
    assert translate("Tiny") == "Tiny"  # a title may stay as it is
    [zh] = coverage(src, root, ["zh"])
    assert (zh.translated, zh.missing, zh.invalid) == (3, 1, 1)


def test_a_note_of_only_a_formula_needs_no_translation(tmp_path, preparer):
    from site_builder.translations.keys import page_keys

    src, root = make_project(tmp_path)
    (src / "pkg" / "__init__.py").write_text(SOURCE.replace("        # Add the residual\n",
                                                            "        # $$y = x + 1$$\n"), "utf-8")
    page = parse_file(src / "pkg" / "__init__.py")
    formula = "<span translate=no>_^_0_^_</span>"
    assert formula in [preparer.prepare(r.note).key for r in page.rows]
    assert formula not in [k.key for k in page_keys(page, preparer)]
    _, translate = TranslationMerge(root).for_page("zh", "pkg/__init__.py")
    assert translate(formula) == formula  # never counted as a fallback


def test_engine_renders_translated_pages_with_the_current_code(tmp_path, math):
    from pathlib import Path

    from site_builder.config import SiteConfig
    from site_builder.engine import Engine

    src, root = make_project(tmp_path)
    config = SiteConfig(source_dir=src, project_dir=Path(__file__).resolve().parent.parent,
                        languages=["en", "zh"], translations_dir=root)
    engine = Engine(config, math)
    engine.translator = TranslationMerge(root)
    zh = engine.render("pkg/__init__.py", "zh")
    assert zh.title == "小页面" and zh.notes_fallback == 1
    assert len(zh.translation_problems) == 1 and "'。'" in zh.translation_problems[0].message
    (src / "pkg" / "__init__.py").write_text(SOURCE.replace("return x + 1", "return x + 12345"), "utf-8")
    zh = engine.render("pkg/__init__.py", "zh")
    assert "12345" in "".join(r.code_html for r in zh.rows) and zh.title == "小页面"
    fixed = {**ZH, RESIDUAL: "<p>加上残差。</p>\n"}
    (root / "zh" / "pkg" / "__init__.json").write_text(dumps(fixed), "utf-8")
    zh = engine.render("pkg/__init__.py", "zh")  # a translation edit is picked up (digest changed)
    assert zh.notes_fallback == 0 and not zh.translation_problems
    assert any("加上残差。" in r.note_html for r in zh.rows)


def test_line_breaks_between_cjk_characters_are_joined_but_not_next_to_latin_or_placeholders():
    from site_builder.translations.merge import join_cjk_lines

    assert join_cjk_lines("<p>実装です。\nそれぞれ\n行</p>") == "<p>実装です。それぞれ行</p>"
    assert join_cjk_lines("<p>使用\nPyTorch\n实现</p>") == "<p>使用\nPyTorch\n实现</p>"
    assert join_cjk_lines("<p>加上\n<span translate=no>_^_0_^_</span></p>") == \
        "<p>加上\n<span translate=no>_^_0_^_</span></p>"
