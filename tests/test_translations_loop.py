"""The translator's loop (issue 12): what changed in a stale note (word diff), carrying translations
over for review (`update` → `confirm`), and translated guides that know which English they follow."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_translations_cli import MKDOCS, project, run, zh_file  # noqa: F401 (fixture)
from test_translations_merge import LAYER, RESIDUAL, ZH

from site_builder.translations import cli
from site_builder.translations.diff import RED, diff_ops, parse_plain, word_diff
from site_builder.translations.guides import confirm_guide, english_hash, front_matter, guide_statuses, set_hash
from site_builder.translations.merge import TranslationMerge
from site_builder.translations.store import dumps

# --- the word diff --------------------------------------------------------------------------------

WORDS = st.lists(st.sampled_from(["Add", "the", "residual", "connection", " ", " ", ",", ".", "\n", "<em>",
                                  "</em>", "<span translate=no>_^_0_^_</span>", "x", "注意力", "层"]),
                 max_size=30).map("".join)


@settings(deadline=None)
@given(WORDS, WORDS)
def test_diff_ops_rebuild_both_versions(old, new):
    ops = diff_ops(old, new)
    assert "".join(o.text for o in ops if o.kind != "insert") == old
    assert "".join(o.text for o in ops if o.kind != "delete") == new
    assert all(o.text for o in ops)


@settings(deadline=None)
@given(WORDS, WORDS)
def test_plain_word_diff_reads_back_and_marks_only_changes(old, new):
    plain = word_diff(old, new, context=None)
    strip = (lambda t: t[:-1]) if old.endswith("\n") and new.endswith("\n") else (lambda t: t)
    assert parse_plain(plain) == (strip(old), strip(new))
    if old == new:
        assert "[-" not in plain and "{+" not in plain
    assert "\x1b" not in plain


def test_one_word_changed_in_a_long_note_is_one_short_line():
    old = "<p>" + "The residual connection adds the input to the output of the block. " * 20 + "Done.</p>\n"
    new = old.replace("Done.", "Finished.")
    plain = word_diff(old, new)
    assert plain.endswith("[-Done-]{+Finished+}.</p>") and plain.startswith("…") and len(plain) < 120
    coloured = word_diff(old, new, color=True)
    assert f"{RED}Done" in coloured and "[-" not in coloured


def test_colour_only_on_a_terminal(monkeypatch):
    class Tty:
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert cli._color(Tty())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not cli._color(Tty())
    assert not cli._color(open(__file__))  # a file, not a terminal


# --- stale notes in status and extract ---------------------------------------------------------------

OLD_RESIDUAL = "<p>Add the residuals</p>\n"


def test_status_and_extract_show_what_changed_next_to_the_old_translation(project, capsys):  # noqa: F811
    zh_file(project).write_text(dumps({OLD_RESIDUAL: "<p>加上各个残差</p>\n"}), "utf-8")
    assert run(project, "status", "--lang", "zh") == 0
    out = capsys.readouterr().out
    assert "translations/zh/pkg/__init__.json (src/pkg/__init__.py:21): stale: the English changed (2 words" in out
    assert "    English:         <p>Add the [-residuals-]{+residual+}</p>" in out
    assert '    old translation: "<p>加上各个残差</p>\\n"' in out
    assert run(project, "status", "--lang", "zh", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["stale_notes"][0]["diff"] == "<p>Add the [-residuals-]{+residual+}</p>"
    assert data["stale_notes"][0]["old_translation"] == "<p>加上各个残差</p>\n"
    assert run(project, "extract", "--lang", "zh") == 0
    out = capsys.readouterr().out
    assert "<p>Add the [-residuals-]{+residual+}</p>" in out and "translations update" in out


def test_similarity_never_reads_one_for_a_changed_note():
    assert cli._similarity(0.9996) == "0.99"


def test_unknown_language_creates_no_folder_in_any_command(project, capsys):  # noqa: F811
    for command in ("extract", "update", "confirm", "prune"):
        with pytest.raises(SystemExit) as done:
            run(project, command, "--lang", "jp")
        assert done.value.code == 2
        assert "'jp' is not configured" in capsys.readouterr().err
    assert not (project / "translations" / "jp").exists()


# --- update → review → confirm ----------------------------------------------------------------------


def review_file(root):
    return root / "translations" / "zh" / "pkg" / "__init__.review.json"


def test_update_carries_old_translations_into_the_review_file_and_confirm_makes_them_live(project, capsys):  # noqa: F811
    old_layer = LAYER.replace("A layer with", "One layer with")
    zh_file(project).write_text(dumps({"Tiny": "小页面", OLD_RESIDUAL: "<p>加上各个残差</p>\n",
                                       old_layer: ZH[LAYER], "<p>Unrelated words here</p>\n": "<p>无关</p>\n"}),
                                "utf-8")
    before = zh_file(project).read_bytes()
    assert run(project, "update", "--lang", "zh", "--dry-run") == 0
    assert "would carry 2 translations into 1 review file" in capsys.readouterr().out
    assert not review_file(project).exists()
    assert run(project, "update", "--lang", "zh") == 0
    out = capsys.readouterr().out
    assert "translations/zh/pkg/__init__.review.json:" in out and "carried (similarity" in out
    assert "update zh: carried 2 translations into 1 review file" in out
    assert zh_file(project).read_bytes() == before  # the page's file is untouched
    review = json.loads(review_file(project).read_text("utf-8"))
    assert review == {RESIDUAL: "<p>加上各个残差</p>\n", LAYER: ZH[LAYER]}

    # Counted as "to review", never as translated: the build does not read review files.
    assert run(project, "status", "--lang", "zh", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    page = next(p for p in data["pages"] if p["source"] == "pkg/__init__.py")
    assert (page["translated"], page["to_review"], page["stale"]) == (1, 2, 0)
    assert {r["key"] for r in data["to_review"]} == {RESIDUAL, LAYER}
    assert run(project, "status", "--lang", "zh") == 0
    out = capsys.readouterr().out
    assert "to review" in out.splitlines()[2] and "2 to review" in out
    assert "<p>Add the [-residuals-]{+residual+}</p>" in out  # the diff, while the old key is there
    _, translate = TranslationMerge(project / "translations").for_page("zh", "pkg/__init__.py")
    assert translate(RESIDUAL) is None and translate(LAYER) is None

    # A second update carries nothing new; check validates the review file too.
    assert run(project, "update", "--lang", "zh") == 0
    assert "carried 0 translations" in capsys.readouterr().out
    review_file(project).write_text(dumps({RESIDUAL: "<p>加上残差</p>\n", LAYER: "<p>没有占位符</p>\n"}), "utf-8")
    assert run(project, "check", "--lang", "zh") == 1
    out, err = capsys.readouterr()
    assert "__init__.review.json:2:" in out and "placeholder _^_0_^_ is missing" in out
    assert "no source file" not in err and "2 to review, 1 invalid" in err

    # confirm moves what is valid, keeps and reports the rest (exit 1).
    assert run(project, "confirm", "--lang", "zh") == 1
    out = capsys.readouterr().out
    assert "not confirmed: placeholder _^_0_^_ is missing" in out and "confirmed 1 translation" in out
    assert json.loads(zh_file(project).read_text("utf-8"))[RESIDUAL] == "<p>加上残差</p>\n"
    assert json.loads(review_file(project).read_text("utf-8")) == {LAYER: "<p>没有占位符</p>\n"}
    _, translate = TranslationMerge(project / "translations").for_page("zh", "pkg/__init__.py")
    assert translate(RESIDUAL) == "<p>加上残差</p>\n" and translate(LAYER) is None

    # Fixed, and confirmed by naming the page: the review file goes away.
    review_file(project).write_text(dumps({LAYER: ZH[LAYER]}), "utf-8")
    assert run(project, "confirm", "--lang", "zh", str(project / "src" / "pkg" / "__init__.py")) == 0
    assert not review_file(project).exists()
    assert json.loads(zh_file(project).read_text("utf-8"))[LAYER] == ZH[LAYER]
    capsys.readouterr()
    assert run(project, "prune", "--lang", "zh") == 0  # the old English goes last
    capsys.readouterr()
    assert run(project, "status", "--lang", "zh", "--json") == 0
    page = next(p for p in json.loads(capsys.readouterr().out)["pages"] if p["source"] == "pkg/__init__.py")
    assert (page["translated"], page["to_review"], page["stale"], page["obsolete"]) == (3, 0, 0, 0)


def test_prune_drops_review_entries_whose_english_is_gone(project, capsys):  # noqa: F811
    review_file(project).parent.mkdir(parents=True, exist_ok=True)
    review_file(project).write_text(dumps({"<p>gone</p>\n": "<p>没了</p>\n", RESIDUAL: "<p>加上残差</p>\n"}),
                                    "utf-8")
    assert run(project, "prune", "--lang", "zh") == 0
    assert 'removed "<p>gone</p>"' in capsys.readouterr().out
    assert json.loads(review_file(project).read_text("utf-8")) == {RESIDUAL: "<p>加上残差</p>\n"}


# --- translated guides -------------------------------------------------------------------------------


def write_guides(root, english: str, translation_hash: str | None):
    (root / "docs" / "guide").mkdir(parents=True, exist_ok=True)
    (root / "docs" / "zh" / "guide").mkdir(parents=True, exist_ok=True)
    (root / "docs" / "guide" / "g.md").write_text(english, "utf-8")
    head = f"---\nenglish_hash: \"{translation_hash}\"\n---\n" if translation_hash else ""
    (root / "docs" / "zh" / "guide" / "g.md").write_text(head + "# 指南\n\n内容。\n", "utf-8")


@settings(deadline=None)
@given(st.text(alphabet="ab :-\n", max_size=40), st.text(alphabet="0123456789abcdef", min_size=12, max_size=12))
def test_set_hash_records_the_value_and_keeps_the_text(body, value):
    body = "text " + body
    for text in (body, f"---\ntitle: x\n---\n{body}", f"---\nenglish_hash: old\n---\n{body}"):
        stamped = set_hash(text, value)
        assert str(front_matter(stamped)["english_hash"]) == value
        assert stamped.endswith(body)
        assert set_hash(stamped, value) == stamped


def test_guides_are_current_stale_or_untracked_and_confirm_records_the_english(project, capsys):  # noqa: F811
    english = "# Guide\n\nSome text.\n"
    write_guides(project, english, english_hash(english))
    assert [g.state for g in guide_statuses(project / "docs", ["zh"])] == ["current"]
    (project / "docs" / "guide" / "g.md").write_text(english + "\nA new paragraph.\n", "utf-8")
    assert [g.state for g in guide_statuses(project / "docs", ["zh"])] == ["stale"]
    assert run(project, "status", "--lang", "zh") == 0
    out = capsys.readouterr().out
    assert "guide docs/zh/guide/g.md: STALE" in out and "translations confirm --lang zh docs/zh/guide/g.md" in out
    assert "guides: 0 current, 1 stale" in out
    assert run(project, "status", "--lang", "zh", "--json") == 0
    assert json.loads(capsys.readouterr().out)["guides"][0]["state"] == "stale"
    assert run(project, "confirm", "--lang", "zh", str(project / "docs" / "zh" / "guide" / "g.md")) == 0
    text = (project / "docs" / "zh" / "guide" / "g.md").read_text("utf-8")
    assert text.endswith("# 指南\n\n内容。\n")
    assert [g.state for g in guide_statuses(project / "docs", ["zh"])] == ["current"]
    write_guides(project, english, None)
    assert [g.state for g in guide_statuses(project / "docs", ["zh"])] == ["untracked"]
    message = confirm_guide(project / "docs" / "zh" / "guide" / "g.md", project / "docs", "zh")
    assert "marked as following the current English" in message
    assert re.match(r'---\nenglish_hash: "[0-9a-f]{12}"\n---\n\n# 指南', (project / "docs/zh/guide/g.md").read_text())


# --- end to end, with real builds -------------------------------------------------------------------


def test_edit_update_shows_english_until_confirmed_with_real_builds(tmp_path, capsys):
    from test_build import mkdocs_build, write_project

    source = '"""\n# Tiny\n"""\n\n\ndef f(x):\n    # Add the residual to the output\n    return x + 1\n'
    english_guide = "# Guide\n\nRead this first.\n"
    site_root = write_project(tmp_path, {
        "code/__init__.py": source,
        "translations/zh/__init__.json": dumps({
            "Tiny": "小小", "<h1>Tiny</h1>\n": "<h1>小小</h1>\n",
            "<p>Add the residual to the output</p>\n": "<p>把残差加到输出上</p>\n"}),
        "docs/guide/g.md": english_guide,
        "docs/zh/guide/g.md": f'---\nenglish_hash: "{english_hash(english_guide)}"\n---\n'
                              '# 指南\n\n请先\n*读这篇*\n。用\nPyTorch\n写的。\n',
    }, plugin_extra="      languages: [en, zh]\n      translations_dir: translations")
    config = str(site_root / "mkdocs.yml")
    (site_root / "code" / "__init__.py").write_text(source.replace("the residual", "the scaled residual"))
    (site_root / "docs" / "guide" / "g.md").write_text(english_guide + "\nThen this.\n")

    assert cli.main(["update", "--lang", "zh", "--config", config]) == 0
    assert "<p>Add the {+scaled +}residual to the output</p>" in capsys.readouterr().out
    built = mkdocs_build(site_root, "--strict")
    assert built.returncode == 0, built.stderr
    page = (site_root / "site" / "zh" / "index.html").read_text()
    assert "Add the scaled residual to the output" in page and "把残差加到输出上" not in page
    assert re.search(r'<div class="note" lang="en" data-fallback>', page)
    status = (site_root / "site" / "zh" / "translation-status.html").read_text()
    assert "待审校" in status
    assert re.search(r'<td lang="zh"><a href="guide/g.html">指南</a></td>\s*<td>过时</td>', status)  # the stale guide
    guide = (site_root / "site" / "zh" / "guide" / "g.html").read_text()
    assert 'class="stale-translation"' in guide and 'href="../../guide/g.html"' in guide
    assert "请先<em>读这篇</em>。用\nPyTorch\n写的。" in guide  # CJK line breaks joined, not next to Latin

    assert cli.main(["confirm", "--lang", "zh", "--config", config]) == 0
    assert cli.main(["confirm", "--lang", "zh", str(site_root / "docs" / "zh" / "guide" / "g.md"),
                     "--config", config]) == 0
    built = mkdocs_build(site_root, "--strict")
    assert built.returncode == 0, built.stderr
    page = (site_root / "site" / "zh" / "index.html").read_text()
    assert "把残差加到输出上" in page and "data-fallback" not in page
    assert 'class="stale-translation"' not in (site_root / "site" / "zh" / "guide" / "g.html").read_text()


def test_one_old_translation_is_suggested_for_the_closest_new_note_only(project, capsys):  # noqa: F811
    source = project / "src" / "pkg" / "__init__.py"
    source.write_text(source.read_text().replace("# Add the residual",
                                                 "# Add the residual connection, scaled by the learned gate"))
    zh_file(project).write_text(dumps({"<p>Add the residual connection, scaled by the gate</p>\n": "<p>门控</p>\n"}),
                                "utf-8")
    assert run(project, "update", "--lang", "zh") == 0
    assert "carried 1 translation" in capsys.readouterr().out  # not also to "A layer with a residual connection"
    assert list(json.loads(review_file(project).read_text("utf-8"))) == [
        "<p>Add the residual connection, scaled by the learned gate</p>\n"]


def test_every_translated_guide_of_the_repository_says_which_english_it_follows():
    from pathlib import Path

    docs = Path(__file__).resolve().parent.parent / "docs"
    found = guide_statuses(docs, ["zh", "ja"])
    assert len(found) >= 8 and all(g.state in ("current", "stale") for g in found), found
