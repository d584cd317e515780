"""Translation keys in one normal form: re-wrapping, re-indenting or another tool's escaping keeps a key."""

from __future__ import annotations

import json
import textwrap

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.normal_form import normalize_html, normalize_key
from site_builder.parser import parse_python
from site_builder.translations.store import TranslationStore, read_file

WORD = st.sampled_from(["the", "residual", "isn't", "a&b", "x<y", "$5", "(shape)", "layer,", "norm.", "é", "é",
                        "`code`", "$x_1$", "**bold**", "*em*", "[link](a.html)", "`a_b`", "GELU;", "10\u00a0%"])
PARAGRAPH = st.lists(WORD, min_size=1, max_size=25)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PARAGRAPH, min_size=1, max_size=3), st.integers(10, 60), st.integers(10, 60), st.integers(0, 8))
def test_a_comment_rewrapped_or_reindented_keeps_its_key(preparer, paragraphs, width_a, width_b, indent):
    def comment(width: int, pad: int) -> str:
        blocks = [textwrap.fill(" ".join(words), width, break_long_words=False, break_on_hyphens=False)
                  for words in paragraphs]
        lines = "\n#\n".join("\n".join("# " + line for line in block.split("\n")) for block in blocks)
        return textwrap.indent(lines, " " * pad) + "\n" + " " * pad + "x = 1\n"

    def key(src: str) -> str:
        src = src if not src.startswith(" ") else "if True:\n" + src
        page = parse_python(src, "t.py")
        return preparer.prepare(next(r.note for r in page.rows if r.note)).key

    assert key(comment(width_a, 0)) == key(comment(width_b, indent))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("ab <>/&;#x27p\n\t é$\"'=") + ["<p>", "</p>", "<em>", "</em>", "<ul>",
                                                                      "<li>", "&amp;", "&#x27;", "<pre>", "</pre>"]),
                max_size=40).map("".join))
def test_normal_form_is_idempotent(text):
    once = normalize_key(text)
    assert normalize_key(once) == once


def test_other_tools_spellings_meet_in_one_key():
    pylit = "<p>It&#x27;s the  residual\n<span translate=no>_^_0_^_</span> </p>\n"
    ours = "<p>It's the residual <span translate=no>_^_0_^_</span></p>\n"
    assert normalize_html(pylit) == normalize_html(ours) == ours
    assert normalize_html("<p>e\u0301 &quot;q&quot;</p>") == '<p>é "q"</p>\n'  # NFC, entities decoded
    assert normalize_html("<p>$5 &lt;b&gt;</p>") == "<p>&#36;5 &lt;b&gt;</p>\n"
    assert normalize_html("<pre><code>a  b\n c</code></pre>") == "<pre><code>a  b\n c</code></pre>\n"
    assert normalize_key("  A  title\n") == "A title"


def test_store_reads_any_spelling_and_writes_the_normal_form_back(tmp_path):
    store = TranslationStore(tmp_path / "translations")
    path = store.path_for("zh", "a.py")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"<p>It&#x27;s\n  here </p>\n": "<p>在这里</p>\n",
                                "<p>It's here</p>\n": "",  # the same note, untranslated: never a conflict
                                "<p>b</p>": "<p>乙</p>"}), "utf-8")
    file = read_file(path)
    assert file.ok and file.entries == {"<p>It's here</p>\n": "<p>在这里</p>\n", "<p>b</p>\n": "<p>乙</p>"}
    assert store.update("zh", "a.py", lambda e: {**e, "<p>c</p>\n": ""})
    assert json.loads(path.read_text("utf-8")) == {"<p>It's here</p>\n": "<p>在这里</p>\n",
                                                   "<p>b</p>\n": "<p>乙</p>", "<p>c</p>\n": ""}


def test_two_different_translations_of_one_note_are_a_duplicate_naming_both_lines(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('{\n"<p>a</p>": "<p>甲</p>",\n"<p>a </p>\\n": "<p>乙</p>"\n}\n', "utf-8")
    file = read_file(path)
    assert [(p.line, p.message) for p in file.problems] == [(3, "duplicate key (first on line 2)")]
