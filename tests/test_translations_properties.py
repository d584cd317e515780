"""Properties: protecting math/code/images as placeholders and putting them back is lossless, and a
translation that keeps the placeholders round-trips through validation, sanitizing and filling."""

from __future__ import annotations

import re

import markdown
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.normal_form import normalize_html, normalize_key
from site_builder.notes import PLACEHOLDER, fill
from site_builder.translations.validate import validate

WORDS = st.sampled_from(["the", "residual", "patch", "is", "added", "to", "each", "channel", "A", "x1",
                         "(shape)", "layer,", "norm.", "GELU;", "9", "and", "of"])
TEX = st.lists(st.sampled_from(["x", "y_i", "W^{(1)}", r"\alpha", "+", "-", r"\frac{a}{b}", "2", r"\sum_j",
                                "_", "*", "{", "}", r"\text{out}", "c^2", r"\mathbf{z}"]),
               min_size=1, max_size=6).map(" ".join).filter(lambda t: t.count("{") == t.count("}"))
CODE = st.lists(st.sampled_from(["x", "*", "2", "_", "conv(x)", "<b>", "&", "a[0]", "$", "**kw"]),
                min_size=1, max_size=4).map("".join)


@st.composite
def inline_piece(draw):
    kind = draw(st.sampled_from(["math", "code", "image"]))
    if kind == "math":
        tex = draw(TEX)
        return kind, tex, f"${tex}$"
    if kind == "code":
        code = draw(CODE)
        return kind, code, f"`{code}`"
    src = draw(st.sampled_from(["fig.png", "a/b.svg", "https://example.org/x.png"]))
    return "image", src, f"![figure]({src})"


@st.composite
def notes(draw):
    """A note of paragraphs; each paragraph is words with inline math, code and images mixed in.
    Returns (note markdown, the pieces' texts in order, the same note with each piece as a marker word)."""
    paragraphs, marked, pieces = [], [], []
    for _ in range(draw(st.integers(1, 3))):
        parts, mparts = [], []
        for _ in range(draw(st.integers(1, 6))):
            if draw(st.booleans()):
                word = draw(WORDS)
                parts.append(word)
                mparts.append(word)
            else:
                kind, text, source = draw(inline_piece())
                parts.append(source)
                mparts.append(f"MARKER{len(pieces)}X")
                pieces.append((kind, text))
        paragraphs.append(" ".join(parts))
        marked.append(" ".join(mparts))
        if draw(st.booleans()):
            tex = draw(TEX)
            paragraphs.append(f"$${tex}$$")
            marked.append(f"MARKER{len(pieces)}X")
            pieces.append(("display_math", tex))
    return "\n\n".join(paragraphs), pieces, "\n\n".join(marked)


_PLAIN_MD = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(notes())
def test_placeholders_number_the_pieces_in_order(preparer, case):
    note, pieces, _ = case
    prepared = preparer.prepare(note)
    assert [int(n) for n in PLACEHOLDER.findall(prepared.key)] == list(range(len(pieces)))
    assert [(p.kind, p.text) for p in prepared.pieces] == pieces
    assert "\ue000" not in prepared.key and "\ue001" not in prepared.key


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(notes())
def test_protecting_does_not_change_how_the_text_around_renders(preparer, case):
    """The key, with each placeholder put back as a plain marker word, is exactly what markdown
    makes of the note with each piece written as that word: protection loses nothing."""
    note, pieces, marked = case
    key = preparer.prepare(note).key
    restored = fill(key, [f"MARKER{i}X" for i in range(len(pieces))])
    expected = _PLAIN_MD.reset().convert(marked)
    # A display formula alone in a paragraph stands on its own, unwrapped; inline math stays in its <p>.
    expected = re.sub(r"<p>(MARKER(\d+)X)</p>",
                      lambda m: m.group(1) if pieces[int(m.group(2))][0] == "display_math" else m.group(0), expected)
    assert restored == normalize_html(expected)


def _translate_text(key: str) -> str:
    """A fake translation: rewrite the words between tags, keep every tag and placeholder."""
    parts = re.split(r"(<[^>]+>|_\^_\d+_\^_)", key)
    return "".join(p if p.startswith(("<", "_^_")) else p.replace("the", "这").replace("is", "是")
                   for p in parts)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(notes())
def test_a_translation_that_keeps_placeholders_round_trips(render_pieces, case):
    note, pieces, _ = case
    prepared, rendered = render_pieces(note)
    english = fill(prepared.key, rendered)
    assert not PLACEHOLDER.search(english)

    for value in (prepared.key, _translate_text(prepared.key)):
        verdict = validate(prepared.key, value)
        assert verdict.ok, verdict.reason
        page = fill(verdict.value, rendered)
        assert not PLACEHOLDER.search(page) and "_^_" not in page
        for html in set(rendered):  # every piece is back, as often as in the English
            assert page.count(html) == english.count(html)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(notes(), st.data())
def test_dropping_or_repeating_a_placeholder_is_always_caught(preparer, case, data):
    note, pieces, _ = case
    key = preparer.prepare(note).key
    spans = list(PLACEHOLDER.finditer(key))
    if not spans:
        return
    victim = data.draw(st.sampled_from(spans))
    dropped = key[: victim.start()] + key[victim.end():]
    repeated = key[: victim.end()] + victim.group(0) + key[victim.end():]
    if dropped.strip():  # (an empty value is "untranslated", not invalid)
        assert "is missing" in validate(key, dropped).reason
    assert "appears 2 times" in validate(key, repeated).reason


# Keys as the tools write them: in the normal form (reading brings any other spelling to it).
ENTRIES = st.dictionaries(st.text(max_size=40).map(normalize_key), st.text(max_size=40), max_size=8)


@settings(max_examples=200, deadline=None)
@given(ENTRIES)
def test_store_text_round_trips_escaped_or_raw(entries):
    import json

    from site_builder.translations.store import dumps, parse_entries

    for text in (dumps(entries), json.dumps(entries, ensure_ascii=True), json.dumps(entries, indent=1)):
        parsed, lines, problems = parse_entries(text)
        assert parsed == entries and not problems
    assert dumps(parse_entries(dumps(entries))[0]) == dumps(entries)  # writing is a fixed point


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ENTRIES, st.lists(ENTRIES, max_size=4))
def test_successive_updates_keep_every_entry(tmp_path, start, additions):
    from site_builder.translations.store import TranslationStore

    store = TranslationStore(tmp_path)
    store.save("zh", "p.py", start)
    expected = dict(start)
    for added in additions:  # each tool adds its own entries and keeps the rest
        store.update("zh", "p.py", lambda e, added=added: {**e, **added})
        expected.update(added)
    assert store.load("zh", "p.py").entries == expected
