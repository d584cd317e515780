"""Syntax highlighting, once per file, cut into lines: Pygments' classes, lexed by tree-sitter for
Python files (see `python_tokens`) and by Pygments otherwise.

We walk the token stream ourselves instead of using `HtmlFormatter` so that a token spanning
several lines (a multi-line string) is closed and reopened at each line break: every line is then
well-formed HTML on its own and can go into any row. Class names are Pygments' standard short
names, so any Pygments style sheet applies.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache

from pygments.token import STANDARD_TYPES, Token, _TokenType

from . import python_tokens

_PLAIN = {Token.Text.Whitespace, Token.Text, Token.Punctuation}
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})

# What Pygments answered (a word's class, a snippet's HTML), kept between builds by the engine: a
# build that renders a page or two then seldom needs Pygments' Python lexer, whose regular
# expressions take 20 ms to compile.
_ANSWERS: dict[str, str] = {}
_NEW: dict[str, str] = {}  # answers found since `new_answers` was last asked
_MAX_ANSWERS = 1 << 17  # past this many, start again (a long-lived vocabulary stays well below)


def remembered(key: str, compute: Callable[[], str]) -> str:
    """Pygments' answer for `key`, from an earlier build or computed now."""
    value = _ANSWERS.get(key)
    if value is None:
        value = _ANSWERS[key] = _NEW[key] = compute()
    return value


def learn(answers: dict[str, str]) -> None:
    """Answers found by an earlier build, or by a worker process."""
    if len(_ANSWERS) + len(answers) > _MAX_ANSWERS:
        _ANSWERS.clear()
    _ANSWERS.update(answers)


def new_answers() -> dict[str, str]:
    """The answers found since this was last asked (for the engine to keep, or a worker to send back)."""
    new = dict(_NEW)
    _NEW.clear()
    return new


def all_answers() -> dict[str, str]:
    return dict(_ANSWERS)


def forget() -> None:
    """Every answer and cached result (benchmarks start each cold run from nothing)."""
    _ANSWERS.clear()
    _NEW.clear()
    highlight_inline.cache_clear()
    python_tokens._word_class.cache_clear()
    python_tokens._number_class.cache_clear()


def pygments_version() -> str:
    import pygments

    return pygments.__version__


@cache
def _python_lexer():
    from pygments.lexers import PythonLexer

    return PythonLexer(stripnl=False, stripall=False, ensurenl=True)


@cache
def css_class(ttype: _TokenType) -> str:
    """The short class Pygments' HtmlFormatter would use (e.g. `Token.Name.Function` → "nf")."""
    suffix = ""
    while (name := STANDARD_TYPES.get(ttype)) is None:
        suffix = ttype[-1] + suffix
        ttype = ttype.parent
    return name + suffix


def _lexer(language: str | None):
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    if not language or language in ("py", "python", "python3"):
        return _python_lexer()
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=True)
    except ClassNotFound:
        return get_lexer_by_name("text", stripnl=False, ensurenl=True)


def pygments_tokens(text: str, language: str | None = "python") -> list[tuple[str, str]]:
    """(css class, text) pairs from Pygments; "" for text no style colours (whitespace, punctuation)."""
    return [("" if ttype in _PLAIN else css_class(ttype), value)
            for _, ttype, value in _lexer(language).get_tokens_unprocessed(text)]


def highlight_lines(text: str, language: str | None = "python") -> list[str]:
    """HTML for each line of `text` (`result[n - 1]` is line n), lexed by Pygments: snippets and code
    blocks in notes, which need not be whole valid files."""
    return lines_from_tokens(pygments_tokens(text, language))


def highlight_file(text: str) -> list[str]:
    """The code column of a Python file: lexed by tree-sitter (`python_tokens`, C speed, the same
    classes) when it parses cleanly, else by Pygments."""
    tokens = python_tokens.tokens(text)
    return lines_from_tokens(tokens) if tokens is not None else highlight_lines(text)


def lines_from_tokens(tokens: list[tuple[str, str]]) -> list[str]:
    """One well-formed HTML string per line. Neighbouring tokens of the same class share one span
    (a page's DOM is mostly these spans), and a token spanning lines is closed and reopened at each
    line break."""
    lines: list[str] = []
    current: list[str] = []
    run_cls, run = "", []  # the open run of same-class text

    def close_run() -> None:
        if run:
            joined = "".join(run).translate(_ESCAPE)
            current.append(f'<span class="{run_cls}">{joined}</span>' if run_cls else joined)
            run.clear()

    for cls, value in tokens:
        for i, piece in enumerate(value.split("\n")):
            if i:
                close_run()
                lines.append("".join(current))
                current = []
            if piece:
                if cls != run_cls:
                    close_run()
                    run_cls = cls
                run.append(piece)
    close_run()
    if current:
        lines.append("".join(current))
    return lines


@lru_cache(maxsize=4096)
def highlight_inline(code: str, language: str | None = "python") -> str:
    """One snippet as a single run of spans (for inline code in notes)."""
    return remembered(f"i:{language}:{code}", lambda: "\n".join(highlight_lines(code, language)))


def _ends_with_its_line(snippet: str) -> bool:
    """Whether the lexer is back in its first state after this one-line snippet: not when a
    triple-quoted string, a line continuation or an f-string's `{` (whose expression may go on to
    the next line) is left open."""
    return ("\n" not in snippet and '"""' not in snippet and "'''" not in snippet
            and not snippet.rstrip().endswith("\\") and not ("{" in snippet and ("'" in snippet or '"' in snippet)))


def highlight_snippets(snippets: list[str]) -> list[str]:
    """Many one-line Python snippets (a page's inline code) lexed in one pass, one result each.

    The lexer is back in its initial state at every line break unless a triple-quoted string or a
    line continuation is open, so snippets without those can share a single call.
    """
    html = {s: _ANSWERS[f"i:python:{s}"] for s in snippets if f"i:python:{s}" in _ANSWERS}
    shared = [s for s in dict.fromkeys(snippets) if s not in html and _ends_with_its_line(s)]
    lines = highlight_lines("\n".join(shared)) if shared else []
    lines += [""] * (len(shared) - len(lines))  # trailing empty snippets make no line
    for snippet, line in zip(shared, lines, strict=True):
        html[snippet] = remembered(f"i:python:{snippet}", lambda line=line: line)
    return [html[s] if s in html else highlight_inline(s) for s in snippets]
