"""The translation store: reading (precise errors, never lossy) and writing (deterministic, atomic)."""

from __future__ import annotations

import json
import time

import pytest

from site_builder.translations.merge import TranslationMerge
from site_builder.translations.store import StoreError, TranslationStore, dumps, parse_entries, read_file

KEY = "<p>Add the residual <span translate=no>_^_0_^_</span></p>\n"
VALUE = "<p>加上残差 <span translate=no>_^_0_^_</span></p>\n"


def test_path_for_source_files(tmp_path):
    store = TranslationStore(tmp_path / "translations")
    expected = tmp_path / "translations/zh/conv_mixer/__init__.json"
    assert store.path_for("zh", "conv_mixer/__init__.py") == expected
    assert store.path_for("ja", "x/readme.md") == tmp_path / "translations/ja/x/readme.json"
    assert store.shown(store.path_for("zh", "a.py")) == "translations/zh/a.json"


def test_escaped_and_raw_utf8_read_the_same(tmp_path):
    entries = {KEY: VALUE, "ConvMixer": "ConvMixer（卷积混合器）", "title": "タイトル😀"}
    escaped, raw = tmp_path / "escaped.json", tmp_path / "raw.json"
    escaped.write_text(json.dumps(entries, ensure_ascii=True), "ascii")
    raw.write_text(json.dumps(entries, ensure_ascii=False), "utf-8")
    assert "\\u" in escaped.read_text() and "加" in raw.read_text()
    a, b = read_file(escaped), read_file(raw)
    assert a.ok and b.ok
    assert a.entries == b.entries == entries


def test_write_is_deterministic_sorted_utf8_indent2_newline(tmp_path):
    store = TranslationStore(tmp_path)
    entries = {"b": "乙", "a": "甲", KEY: VALUE}
    path = store.save("zh", "p.py", entries)
    first = path.read_bytes()
    store.save("zh", "p.py", dict(reversed(list(entries.items()))))
    assert path.read_bytes() == first
    text = first.decode("utf-8")
    assert text == dumps(entries)
    assert text.endswith("}\n") and "\\u" not in text and "甲" in text
    assert text.splitlines()[1].startswith('  "')  # indent 2
    assert list(json.loads(text)) == sorted(entries)
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]  # no temp file left


def test_round_trip(tmp_path):
    store = TranslationStore(tmp_path)
    entries = {KEY: VALUE, "tab and \"quotes\" \\": "制表符\n", "": ""}
    store.save("ja", "a/b.py", entries)
    assert store.load("ja", "a/b.py").entries == entries


def test_two_tools_one_after_another_never_lose_an_entry(tmp_path):
    store = TranslationStore(tmp_path)
    store.save("zh", "p.py", {"kept": "保留"})
    store.update("zh", "p.py", lambda e: {**e, "from tool A": ""})
    store.update("zh", "p.py", lambda e: {**e, "from tool B": "乙"})
    assert store.load("zh", "p.py").entries == {"kept": "保留", "from tool A": "", "from tool B": "乙"}


def test_a_write_in_between_is_not_lost(tmp_path):
    """Tool B reads, tool A writes meanwhile, B writes: B redoes its change on A's content."""
    store = TranslationStore(tmp_path)
    store.save("zh", "p.py", {"kept": "保留"})
    calls = []

    def tool_b(entries):
        calls.append(dict(entries))
        if len(calls) == 1:  # tool A writes while B is working
            store.save("zh", "p.py", {**store.load("zh", "p.py").entries, "from tool A": "甲"})
        return {**entries, "from tool B": "乙"}

    assert store.update("zh", "p.py", tool_b)
    assert len(calls) == 2
    assert store.load("zh", "p.py").entries == {"kept": "保留", "from tool A": "甲", "from tool B": "乙"}


def test_update_without_change_does_not_rewrite(tmp_path):
    store = TranslationStore(tmp_path)
    path = store.path_for("zh", "p.py")
    path.parent.mkdir(parents=True)
    path.write_text('{"a":"\\u7532"}', "utf-8")  # valid but not in the canonical form
    assert store.update("zh", "p.py", lambda e: None) is False
    assert path.read_text("utf-8") == '{"a":"\\u7532"}'


@pytest.mark.parametrize("text, line, column, words", [
    ('{\n  "a": "x",\n  "b": "y",\n}\n', 4, 1, "trailing comma"),
    ('{\n  "a": "x"\n  "b": "y"\n}\n', 3, 3, "expected ','"),
    ('{\n  "a": "unterminated\n}\n', 2, 21, "control character inside a string"),
    ('{\n  "a": "x",\n  "b": \'y\'\n}\n', 3, 8, "bad value"),
    ('{\n  "a": "x",\n  b: "y"\n}\n', 3, 3, "keys must be strings"),
    ('{\n  1: "y"\n}\n', 2, 3, "keys must be strings"),
    ('["a", "b"]\n', 1, 1, "one JSON object"),
    ("", 1, 1, "empty file"),
    ('{"a": "x"} {"b": "y"}', 1, 12, "extra data"),
    ('{"a": "x"', 1, 10, "end of file"),
])
def test_malformed_json_is_reported_with_position(tmp_path, text, line, column, words):
    path = tmp_path / "zh" / "p.json"
    path.parent.mkdir(parents=True)
    path.write_text(text, "utf-8")
    f = read_file(path, "translations/zh/p.json")
    assert not f.ok and f.entries == {}
    problem = f.problems[0]
    assert (problem.line, problem.column) == (line, column), problem
    assert words in problem.message


def test_malformed_file_is_never_overwritten_and_page_falls_back(tmp_path):
    root = tmp_path / "translations"
    store = TranslationStore(root)
    path = store.path_for("zh", "p.py")
    path.parent.mkdir(parents=True)
    broken = '{\n  "<p>Hello</p>\\n": "<p>你好</p>\\n",\n  "oops"\n}\n'
    path.write_text(broken, "utf-8")
    with pytest.raises(StoreError) as err:
        store.update("zh", "p.py", lambda e: {**e, "new": ""})
    assert "translations/zh/p.json:3:9: expected ':'" in str(err.value)
    assert path.read_text("utf-8") == broken
    merge = TranslationMerge(root)
    _, translate = merge.for_page("zh", "p.py")
    assert translate("<p>Hello</p>\n") is None  # English shown
    problems = merge.page_problems("zh", "p.py")
    assert len(problems) == 1 and problems[0].path == "translations/zh/p.json" and problems[0].line == 3
    assert "shown in English" in problems[0].message


def test_invalid_utf8_is_reported(tmp_path):
    path = tmp_path / "p.json"
    path.write_bytes(b'{\n  "a": "\xff"\n}\n')
    f = read_file(path)
    assert not f.ok and f.problems[0].line == 2 and "UTF-8" in f.problems[0].message


@pytest.mark.parametrize("value, kind", [("5", "int"), ("null", "NoneType"), ('["x"]', "list"),
                                          ('{"x": "y"}', "dict"), ("true", "bool"), ("1.5", "float")])
def test_non_string_values_are_rejected_with_the_file_named(tmp_path, value, kind):
    root = tmp_path / "translations"
    path = root / "zh" / "p.json"
    path.parent.mkdir(parents=True)
    path.write_text(f'{{\n  "<p>a</p>\\n": "<p>甲</p>\\n",\n  "<p>b</p>\\n": {value}\n}}\n', "utf-8")
    merge = TranslationMerge(root)
    _, translate = merge.for_page("zh", "p.py")
    assert translate("<p>b</p>\n") is None
    assert translate("<p>a</p>\n") == "<p>甲</p>\n"  # the rest of the file still works
    [problem] = merge.page_problems("zh", "p.py")
    assert problem.path == "translations/zh/p.json" and problem.line == 3
    assert f"value is {kind}, not a string" in problem.message
    with pytest.raises(StoreError, match="translations/zh/p.json"):  # and no tool rewrites it
        TranslationStore(root).update("zh", "p.py", lambda e: e)


def test_duplicate_keys_are_reported():
    entries, lines, problems = parse_entries('{\n  "a": "1",\n  "a": "2"\n}')
    assert entries == {"a": "1"} and problems[0].line == 3 and "duplicate key" in problems[0].message


def test_save_refuses_non_strings(tmp_path):
    with pytest.raises(StoreError, match="must be strings"):
        TranslationStore(tmp_path).save("zh", "p.py", {"a": 1})  # type: ignore[dict-item]


def test_duplicate_keys_show_neither_value_and_check_and_build_cite_the_same_lines(tmp_path, capsys):
    from site_builder.translations.cli import main

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "p.py").write_text("# Hello\nx = 1\n", "utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: T\nplugins:\n  - annotated:\n      source_dir: src\n"
                                         "      languages: [en, zh]\n      translations_dir: translations\n")
    path = tmp_path / "translations" / "zh" / "p.json"
    path.parent.mkdir(parents=True)
    path.write_text('{\n  "<p>Hello</p>\\n": "<p>你好</p>\\n",\n  "<p>Hello</p>\\n": "<p>您好</p>\\n"\n}\n', "utf-8")
    merge = TranslationMerge(tmp_path / "translations")
    _, translate = merge.for_page("zh", "p.py")
    assert translate("<p>Hello</p>\n") is None  # neither the first value (json's) nor the last is shown
    [build] = [str(p) for p in merge.page_problems("zh", "p.py", ["<p>Hello</p>\n"])]
    assert build.startswith("translations/zh/p.json:3: ") and "duplicate key (first on line 2)" in build
    assert main(["check", "--lang", "zh", "--config", str(tmp_path / "mkdocs.yml")]) == 1
    check = capsys.readouterr().out
    assert "translations/zh/p.json:3: " in check and "duplicate key (first on line 2)" in check


def test_a_file_over_the_size_limit_is_refused_with_a_clear_error(tmp_path):
    from site_builder.translations.cli import load_project

    root = tmp_path / "translations"
    path = root / "zh" / "p.json"
    path.parent.mkdir(parents=True)
    path.write_text(dumps({"<p>Hello</p>\n": "<p>" + "你" * 2000 + "</p>\n"}), "utf-8")
    assert TranslationStore(root).load("zh", "p.py").ok  # under the default limit
    small = TranslationStore(root, max_file_bytes=4096)
    file = small.load("zh", "p.py")
    assert not file.ok and not file.entries
    assert file.problems[0].message.startswith("the file is 0.0 MB, over the limit of 0.00390625 MB")
    with pytest.raises(StoreError, match="over the limit"):  # and no tool rewrites what it did not read
        small.update("zh", "p.py", lambda e: e)
    merge = TranslationMerge(root, max_file_bytes=4096)
    assert merge.for_page("zh", "p.py")[1]("<p>Hello</p>\n") is None
    [problem] = merge.page_problems("zh", "p.py")
    assert "over the limit" in str(problem) and "shown in English" in str(problem)
    (tmp_path / "mkdocs.yml").write_text("site_name: T\nplugins:\n  - annotated:\n"
                                         "      translation_file_limit_mb: 0.5\n")
    assert load_project(tmp_path / "mkdocs.yml").max_file_bytes == 2**19


def test_loading_is_linear_in_the_number_of_keys():
    """8k keys load in about 8x the time of 1k keys (quadratic line counting made it 60x; 20x leaves room
    for a busy machine)."""
    def text(n: int, run: int) -> str:  # keys new to every run: normalised keys are cached
        return dumps({f"<p>Note {n}-{run}, number {i}.</p>\n": f"<p>注释 {i}。</p>\n" for i in range(n)})

    def best(n: int) -> float:
        times = []
        for run in range(5):
            data = text(n, run)
            start = time.perf_counter()
            entries, _, problems = parse_entries(data)
            times.append(time.perf_counter() - start)
        assert len(entries) == n and not problems
        return min(times)

    small, large = best(1000), best(8000)
    assert large < 20 * small, f"1k keys {small:.3f} s, 8k keys {large:.3f} s ({large / small:.1f}x)"
