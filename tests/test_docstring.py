"""Docstrings as typed (non-raw LaTeX survives) and Sphinx fields as a list and paragraphs."""

from __future__ import annotations

import textwrap
import warnings

import pytest

from site_builder.docstring import sphinx_fields
from site_builder.parser import parse_python


def note_of(src: str, row: int = 1) -> str:
    return parse_python(textwrap.dedent(src).lstrip("\n"), "t.py").rows[row].note


@pytest.mark.parametrize("prefix", ["", "r", "R", "u", "f", "rf"])
def test_docstring_text_is_what_the_author_typed_whatever_the_prefix(prefix):
    src = f'''
        x = 1

        def f():
            {prefix}"""
            $\\frac{{a}}{{b}}$, $\\beta \\times \\vec{{v}}$, $\\big( \\a \\v \\\\ \\t \\n$ \\' \\"
            """
    '''
    assert note_of(src) == "$\\frac{a}{b}$, $\\beta \\times \\vec{v}$, $\\big( \\a \\v \\\\ \\t \\n$ \\' \\\""


def test_single_quoted_and_one_line_docstrings_are_cut_between_their_quotes():
    assert note_of("def f():\n    '$\\frac{1}{2}$ é'\n    return 1\n", 0) == "$\\frac{1}{2}$ é"
    assert note_of('class A:\n    """  \\begin{align}x\\end{align}  """\n', 0) == "\\begin{align}x\\end{align}"


def test_docstring_lines_are_dedented_and_the_note_line_is_where_text_starts():
    page = parse_python('def f():\n    """\n\n    Line one\n      indented\n    """\n    return 1\n', "t.py")
    assert page.rows[0].note == "Line one\n  indented" and page.rows[0].note_line == 4


def test_invalid_escape_sequences_warn_nothing_while_parsing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        page = parse_python('"""\n\\frac \\d \\s\n"""\nx = "\\d"\n', "t.py")
    assert page.rows[0].note == "\\frac \\d \\s" and not page.diagnostics


def test_sphinx_fields_become_a_list_and_returns_raises_paragraphs():
    note = sphinx_fields(textwrap.dedent("""\
        Embed tokens.
        :param n_vocab: is the size of the vocabulary
            (including padding)
        :type n_vocab: int
        :param float p: dropout $p$
        :return: embeddings of shape `[seq, batch, d]`
        :raises ValueError: when `n_vocab` < 1
    """).rstrip())
    assert note.split("\n") == [
        "Embed tokens.",
        "",
        "* `n_vocab` (`int`) is the size of the vocabulary (including padding)",
        "* `p` (`float`) dropout $p$",
        "",
        "*Returns:* embeddings of shape `[seq, batch, d]`",
        "",
        "*Raises* `ValueError`: when `n_vocab` < 1",
    ]


def test_sphinx_fields_render_as_valid_html(preparer):
    page = parse_python('def f(x):\n    """\n    Do it.\n\n    :param x: the input\n    :returns: twice $x$\n'
                        '    Followed by text.\n    """\n', "t.py")
    html = preparer.prepare(page.rows[0].note).key
    assert ":param" not in html and ":returns" not in html
    assert "<ul>" in html and "<li><span translate=no>_^_0_^_</span> the input</li>" in html
    assert "<p><em>Returns:</em> twice" in html and "<p>Followed by text.</p>" in html


def test_colons_that_are_not_fields_and_fenced_code_are_left_alone():
    text = "Ratio: 3:1\n```\n:param x: in code\n```\n:note: not a field"
    assert sphinx_fields(text) == text
