"""The tree-sitter lexer gives Pygments' classes: every character is compared with Pygments on this
repository, the compatibility corpus, a sample of the genre-like bench corpus and of the standard
library. The differences it allows are listed below, each with why."""

from __future__ import annotations

import sys
import sysconfig
from collections import Counter
from pathlib import Path

import pytest

from site_builder import python_tokens
from site_builder.highlight import highlight_file, lines_from_tokens, pygments_tokens

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

# (Pygments' class, ours) → why the difference is allowed.
ALLOWED = {
    ("se", "s1"): "in a raw string Pygments marks an escaped backslash as an escape; Python reads two "
                  "literal characters (stdlib json/decoder.py)",
    ("se", "s2"): "the same, in a double-quoted raw string",
    ("sd", "s2"): "Pygments marks any triple-quoted string that starts a line as a docstring (e.g. a long "
                  "argument); ours only the first statement of a module, class or function, which is what "
                  "Python calls a docstring (stdlib test_patma.py)",
    ("sd", "se"): "escapes inside those same strings: not docstrings for us, so escapes show",
    ("n", "k"): "Pygments marks the first `_` wildcard of a sequence pattern as a keyword and a later one as "
                "a name (`case [*_, _]`); ours marks every wildcard alike",
    ("nd", "k"): "a decorator that is an expression (PEP 614, `@lambda f: ...`): Pygments colours the keyword "
                 "as part of the decorator name; ours keeps `@` as the decorator and the keyword a keyword",
    ("o", "nd"): "the same kind of decorator (`@[...][0]`): Pygments calls `@` an operator there",
}


def characters(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(cls, c) for cls, text in tokens for c in text]


def differences(text: str) -> Counter:
    ours = python_tokens.tokens(text)
    assert ours is not None
    theirs = characters(pygments_tokens(text))
    mine = characters(ours)
    assert "".join(c for _, c in mine) == text  # every character, once, in order
    assert "".join(c for _, c in theirs).rstrip("\n") == text.rstrip("\n")
    return Counter((a, b) for (a, c), (b, _) in zip(theirs, mine, strict=False) if a != b and c.strip())


def corpus() -> list[Path]:
    from genre_corpus import module  # noqa: F401  (the corpus generator is importable)

    files = sorted(p for p in (ROOT / "labml_nn").rglob("*.py"))
    files += sorted((ROOT / "tests/compat/project/labml_nn").rglob("*.py"))
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files += [stdlib / name for name in ("json/decoder.py", "json/encoder.py", "asyncio/base_events.py",
                                         "email/_parseaddr.py", "unittest/mock.py", "argparse.py",
                                         "test/test_patma.py", "test/test_grammar.py", "dataclasses.py")]
    return [f for f in files if f.is_file()]


def genre_sample() -> list[str]:
    import random

    from genre_corpus import module

    rng = random.Random(1)
    return [module(rng, "transformers", n) for n in range(20)]


@pytest.mark.parametrize("path", corpus(), ids=lambda p: p.name)
def test_every_character_has_pygments_class_or_an_explained_difference(path):
    text = path.read_text("utf-8")
    if python_tokens.tokens(text) is None:
        pytest.skip("tree-sitter does not parse it: Pygments highlights it")
    unexplained = {k: n for k, n in differences(text).items() if k not in ALLOWED}
    assert not unexplained, unexplained


def test_the_genre_corpus_matches_pygments_exactly():
    for text in genre_sample():
        assert not differences(text)


def test_a_file_with_a_syntax_error_falls_back_to_pygments():
    text = "def f(:\n    return 1\n"
    assert python_tokens.tokens(text) is None
    assert highlight_file(text) == lines_from_tokens(pygments_tokens(text))


def test_lines_are_well_formed_html_with_the_original_line_count():
    text = 'x = """a\nb"""  # c\nif x:\n    y = f"{x!r:>{w}}"\n'
    lines = highlight_file(text)
    assert len(lines) == 4
    assert lines[1].startswith('<span class="s2">b') and all(line.count("<span") == line.count("</span>")
                                                              for line in lines)
