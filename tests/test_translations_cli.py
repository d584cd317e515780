"""Each `translations` command on a tiny temporary project."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_translations_merge import INTRO, LAYER, RESIDUAL, SOURCE, ZH

from site_builder.translations.cli import load_project, main
from site_builder.translations.store import dumps

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = """\
site_name: Tiny
markdown_extensions:
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
extra:
  home: !ENV [HOME, "/"]
plugins:
  - search
  - annotated:
      source_dir: src
      languages: [en, zh, ja]
      translations_dir: translations
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "__init__.py").write_text(SOURCE, "utf-8")
    other = '"""\nOther page with `code`.\n"""\n\nx = 1\n'
    (tmp_path / "src" / "pkg" / "other.py").write_text(other, "utf-8")
    (tmp_path / "mkdocs.yml").write_text(MKDOCS, "utf-8")
    (tmp_path / "translations" / "zh" / "pkg").mkdir(parents=True)
    return tmp_path


def run(project, *args):
    return main([*args, "--config", str(project / "mkdocs.yml")])


def zh_file(project) -> Path:
    return project / "translations" / "zh" / "pkg" / "__init__.json"


def test_config_is_read_from_mkdocs_yml_with_python_tags(project):
    p = load_project(project / "mkdocs.yml")
    assert p.source_dir == project / "src" and p.translations_dir == project / "translations"
    assert p.languages == ["en", "zh", "ja"] and p.targets == ["zh", "ja"]


def test_help_is_readable(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for word in ("status", "extract", "check", "prune", "translating.md"):
        assert word in out
    with pytest.raises(SystemExit):
        main(["extract", "--help"])
    assert "--dry-run" in capsys.readouterr().out


def test_python_dash_m_entry_point(project):
    done = subprocess.run([sys.executable, "-m", "site_builder", "translations", "status", "--json",
                           "--config", str(project / "mkdocs.yml")], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["totals"][0]["lang"] == "zh"
    usage = subprocess.run([sys.executable, "-m", "site_builder", "--help"], cwd=ROOT, capture_output=True,
                           text=True)
    assert usage.returncode == 0 and "translations" in usage.stdout


def test_status_table_and_json(project, capsys):
    zh_file(project).write_text(dumps({"Tiny": "小页面", LAYER: ZH[LAYER], RESIDUAL: ZH[RESIDUAL]}), "utf-8")
    assert run(project, "status") == 0
    out = capsys.readouterr().out
    assert "pkg/__init__.py" in out and "pkg/other.py" in out and "total (2 pages)" in out
    assert "zh: 2 of 7 translated (28.6%), 4 missing, 0 stale, 0 to review, 1 invalid, 0 obsolete" in out
    assert "ja: 0 of 7 translated (0.0%)" in out
    assert run(project, "status", "--lang", "zh", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    page = next(p for p in data["pages"] if p["source"] == "pkg/__init__.py")
    assert (page["total"], page["translated"], page["invalid"], page["missing"]) == (5, 2, 1, 2)
    assert data["totals"] == [{"lang": "zh", "pages": 2, "total": 7, "translated": 2, "missing": 4,
                               "stale": 0, "to_review": 0, "invalid": 1, "obsolete": 0,
                               "coverage": round(2 / 7, 4)}]


def test_extract_adds_missing_keys_and_keeps_the_rest(project, capsys):
    path = zh_file(project)
    existing = {"Tiny": "小页面", LAYER: ZH[LAYER], "<p>obsolete</p>\n": "<p>过时</p>\n"}
    path.write_text(json.dumps(existing, ensure_ascii=True), "utf-8")  # escaped: still read right
    assert run(project, "extract", "--lang", "zh") == 0
    out = capsys.readouterr().out
    assert "translations/zh/pkg/__init__.json: added 3 keys" in out
    assert "translations/zh/pkg/other.json: added 2 keys" in out
    data = json.loads(path.read_text("utf-8"))
    for key, value in existing.items():
        assert data[key] == value  # kept, including the obsolete entry
    assert data["A tiny page."] == data[INTRO] == data[RESIDUAL] == ""
    assert path.read_text("utf-8") == dumps(data)
    before = path.read_bytes()
    assert run(project, "extract", "--lang", "zh") == 0  # nothing to add: nothing rewritten
    assert path.read_bytes() == before
    assert "added 0 keys in 0 files" in capsys.readouterr().out


def test_extract_suggests_the_old_translation_for_a_stale_key(project, capsys):
    old_key = "<p>Add the residuals</p>\n"
    zh_file(project).write_text(dumps({old_key: "<p>加上各个残差</p>\n"}), "utf-8")
    assert run(project, "extract", "--lang", "zh") == 0
    out = capsys.readouterr().out
    assert "stale: the English changed" in out
    assert "<p>Add the [-residuals-]{+residual+}</p>" in out and "加上各个残差" in out
    assert "1 stale key with a suggestion" in out
    assert json.loads(zh_file(project).read_text("utf-8"))[old_key] == "<p>加上各个残差</p>\n"  # kept


def test_extract_dry_run_writes_nothing(project, capsys):
    assert run(project, "extract", "--lang", "zh", "--dry-run") == 0
    assert "would add 5 keys" in capsys.readouterr().out
    assert not zh_file(project).exists()


def test_extract_refuses_a_file_it_cannot_read(project, capsys):
    broken = '{\n  "Tiny": "小页面",\n}\n'
    zh_file(project).write_text(broken, "utf-8")
    assert run(project, "extract", "--lang", "zh") == 1
    err = capsys.readouterr().err
    assert "translations/zh/pkg/__init__.json:3:1: trailing comma" in err
    assert zh_file(project).read_text("utf-8") == broken


def test_check_passes_on_valid_translations(project, capsys):
    valid = {k: v for k, v in ZH.items() if k != RESIDUAL}
    zh_file(project).write_text(dumps({**valid, RESIDUAL: ""}), "utf-8")
    assert run(project, "check") == 0
    assert "check zh: 5 entries, 0 invalid" in capsys.readouterr().err


def test_check_fails_and_names_file_line_key_reason(project, capsys):
    bad = {**ZH, LAYER: "<p>带残差连接</p>\n", INTRO: ZH[INTRO].replace("other.html", "javascript:alert(1)")}
    zh_file(project).write_text(dumps(bad), "utf-8")
    (project / "translations" / "ja" / "pkg").mkdir(parents=True)
    (project / "translations" / "ja" / "pkg" / "other.json").write_text('{"a": 1}', "utf-8")
    assert run(project, "check") == 1
    out = capsys.readouterr().out.splitlines()
    line_of = {k: i + 2 for i, k in enumerate(sorted(bad))}
    assert any(line.startswith(f'translations/zh/pkg/__init__.json:{line_of[LAYER]}: "<p>A layer with a '
                               'residual connection <span translate=no>')
               and line.endswith('": placeholder _^_0_^_ is missing') for line in out)
    assert any(line.startswith(f"translations/zh/pkg/__init__.json:{line_of[RESIDUAL]}: ")
               and line.endswith("text outside the top-level elements: '。'") for line in out)
    assert any("'javascript:' URLs are not allowed" in line for line in out)
    assert 'translations/ja/pkg/other.json:1: "a": value is int, not a string' in out
    assert run(project, "check", "--lang", "ja") == 1


def test_check_reports_unparsable_json(project, capsys):
    zh_file(project).write_text('{"Tiny": "小页面" "x": ""}', "utf-8")
    assert run(project, "check", "--lang", "zh") == 1
    assert "translations/zh/pkg/__init__.json:1: expected ',' or '}' after the value (column 16)" in \
        capsys.readouterr().out


def test_prune_removes_keys_that_match_no_note(project, capsys):
    entries = {**ZH, "<p>gone</p>\n": "<p>没了</p>\n", "<p>also gone</p>\n": ""}
    zh_file(project).write_text(dumps(entries), "utf-8")
    assert run(project, "prune", "--lang", "zh", "--dry-run") == 0
    out = capsys.readouterr().out
    assert 'would remove "<p>gone</p>" (it had a translation)' in out and "would remove 2 keys" in out
    assert json.loads(zh_file(project).read_text("utf-8")) == entries
    assert run(project, "prune", "--lang", "zh") == 0
    out = capsys.readouterr().out
    assert 'translations/zh/pkg/__init__.json: removed "<p>also gone</p>"' in out and "removed 2 keys" in out
    assert json.loads(zh_file(project).read_text("utf-8")) == ZH  # nothing else dropped


def test_extract_then_prune_never_lose_an_entry(project):
    zh_file(project).write_text(dumps({LAYER: ZH[LAYER]}), "utf-8")
    assert run(project, "extract", "--lang", "zh") == 0
    assert run(project, "prune", "--lang", "zh") == 0
    assert run(project, "extract", "--lang", "zh") == 0
    data = json.loads(zh_file(project).read_text("utf-8"))
    assert data[LAYER] == ZH[LAYER] and len(data) == 5


def test_no_language_configured_uses_the_store_folders(project, capsys):
    (project / "mkdocs.yml").write_text(MKDOCS.replace("[en, zh, ja]", "[en]"), "utf-8")
    assert run(project, "status", "--json") == 0
    assert [t["lang"] for t in json.loads(capsys.readouterr().out)["totals"]] == ["zh"]


def test_source_language_is_refused(project):
    with pytest.raises(SystemExit, match="source language"):
        run(project, "extract", "--lang", "en")


def test_unknown_language_is_refused_listing_the_configured_ones(project, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run(project, "status", "--lang", "jp")
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "'jp' is not configured" in err and "lists zh, ja" in err
    assert not (project / "translations" / "jp").exists()


OLD_LAYER = "<p>旧的翻译 <span translate=no>_^_0_^_</span>。</p>\n"


def test_import_merges_a_pylit_store_keeps_existing_and_reports(project, capsys):
    cache = project / "translate_cache" / "pkg"
    cache.mkdir(parents=True)
    assert RESIDUAL == "<p>Add the residual</p>\n"
    (cache / "__init__.zh.json").write_text(json.dumps({
        "<p>Add the\nresidual </p>\n": "<p>加上残差</p>。",  # pylit's spelling, and a stray 。
        LAYER: OLD_LAYER,
        "<p>No note says this.</p>\n": "<p>没有</p>\n",
    }, ensure_ascii=False), "utf-8")
    (project / "translate_cache" / "gone.zh.json").write_text('{"<p>x</p>": "<p>叉</p>"}', "utf-8")
    zh_file(project).write_text(dumps({LAYER: ZH[LAYER]}), "utf-8")
    assert run(project, "import", str(project / "translate_cache"), "--dry-run") == 0
    assert json.loads(zh_file(project).read_text("utf-8")) == {LAYER: ZH[LAYER]}  # nothing written
    assert run(project, "import", str(project / "translate_cache")) == 0
    out, err = capsys.readouterr()
    stored = json.loads(zh_file(project).read_text("utf-8"))
    assert stored[RESIDUAL] == "<p>加上残差。</p>\n" and "1 moved punctuation" in out
    assert stored[LAYER] == ZH[LAYER]  # an existing translation is kept without --overwrite
    assert "<p>No note says this.</p>\n" not in stored
    assert "1 kept" in out and "1 unused" in out and "gone.zh.json: no source file" in err
    assert run(project, "import", str(project / "translate_cache"), "--overwrite") == 0
    assert json.loads(zh_file(project).read_text("utf-8"))[LAYER] == OLD_LAYER


FIGURE_SOURCE = '''"""
---
title: Figure
---

A page with a figure.
"""

# ![A diagram of the layer](layer.svg "The layer")
#
# *How the layer works.*

x = 1
'''
ALT, TITLE = "A diagram of the layer", "The layer"
CAPTION = "<p><span translate=no>_^_0_^_</span></p>\n<p><em>How the layer works.</em></p>\n"


def test_image_alt_text_and_title_are_keys_every_tool_and_the_build_see(project, capsys, math):
    """An image's alt text and title are plain-text keys: `status` counts them, `extract` adds them, `check`
    validates them, and a translated page shows them (marked English only while they are missing)."""
    from site_builder.notes import NotePreparer
    from site_builder.parser import parse_file
    from site_builder.render import render_page
    from site_builder.translations.merge import TranslationMerge

    (project / "src" / "pkg" / "figure.py").write_text(FIGURE_SOURCE, "utf-8")
    (project / "src" / "pkg" / "layer.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', "utf-8")
    path = project / "translations" / "zh" / "pkg" / "figure.json"
    assert run(project, "extract", "--lang", "zh") == 0
    data = json.loads(path.read_text("utf-8"))
    assert data[ALT] == data[TITLE] == data[CAPTION] == ""
    capsys.readouterr()
    assert run(project, "status", "--lang", "zh", "--json") == 0
    page = next(p for p in json.loads(capsys.readouterr().out)["pages"] if p["source"] == "pkg/figure.py")
    assert (page["total"], page["missing"]) == (5, 5)  # title, intro, caption, alt text, image title

    source = parse_file(project / "src" / "pkg" / "figure.py", "src/pkg/figure.py")
    preparer = NotePreparer()

    def zh_page():
        _, translate = TranslationMerge(project / "translations").for_page("zh", "pkg/figure.py")
        return "".join(r.note_html for r in render_page(source, preparer, math, lang="zh", translate=translate).rows)

    english = "".join(r.note_html for r in render_page(source, preparer, math).rows)
    assert f'alt="{ALT}" title="{TITLE}"' in english and "lang=" not in english
    assert f'<img lang="en" src="layer.svg" alt="{ALT}"' in zh_page()  # missing: English, marked as such

    path.write_text(dumps({**data, ALT: "层的示意图", TITLE: "这一层", CAPTION: CAPTION.replace(
        "How the layer works.", "这一层如何工作。")}), "utf-8")
    assert run(project, "check", "--lang", "zh") == 0
    html = zh_page()
    assert '<img lang="zh" src="layer.svg" alt="层的示意图" title="这一层"' in html and "这一层如何工作" in html

    translated = json.loads(path.read_text("utf-8"))
    path.write_text(dumps({**data, ALT: '<b>层</b>'}), "utf-8")  # markup in a plain-text key: refused
    capsys.readouterr()
    assert run(project, "check", "--lang", "zh") == 1
    assert "plain-text value" in capsys.readouterr().out
    assert f'<img lang="en" src="layer.svg" alt="{ALT}"' in zh_page()

    # The author rewords the alt text: `update` carries the old translation over to the new key, to review.
    path.write_text(dumps(translated), "utf-8")
    new_alt = "A diagram of one layer"
    source_file = project / "src" / "pkg" / "figure.py"
    source_file.write_text(FIGURE_SOURCE.replace(ALT, new_alt), "utf-8")
    assert run(project, "update", "--lang", "zh") == 0
    review = json.loads((project / "translations" / "zh" / "pkg" / "figure.review.json").read_text("utf-8"))
    assert review == {new_alt: "层的示意图"}
