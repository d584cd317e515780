"""The one way a translation key is written, so that a key does not depend on line layout or on how
a character happens to be escaped.

A note's key is its English HTML. Two HTML strings that a browser shows the same way should be the
same key: a comment re-wrapped at another width, a docstring re-indented, or a store written by
another tool (pylit's `translate_cache` writes `&#x27;` for `'` and a space before `</p>`). The
normal form:

- text: entities decoded, then only `&`, `<`, `>` and `$` escaped (`&amp;`, `&lt;`, `&gt;`, `&#36;`: a
  dollar that is text, never math); Unicode NFC;
  every run of ASCII whitespace is one space (a no-break space stays what it is);
- no whitespace next to a block-level tag (`<p>`, `</li>`, `<ul>`, ...), and one newline after each
  closing block tag and after an opening list or table tag;
- placeholders are written `<span translate=no>_^_N_^_</span>`; other tags are kept as written, with
  whitespace runs inside them collapsed;
- `<pre>` content is kept byte for byte (whitespace matters there);
- no leading or trailing whitespace, except the newline after a final block tag.

Plain-text keys (page titles and summaries) only get NFC and collapsed whitespace.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

_PIECES = re.compile(r"(<!--.*?-->|<[A-Za-z/!?][^>]*>)", re.S)
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)")
_PLACEHOLDER_OPEN = re.compile(r'<span\s+translate\s*=\s*"?no"?\s*>')
_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_PLAIN_TEXT = re.compile(r"<[A-Za-z/!?]")
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre",
    "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
# Opening tags of containers whose children start on a line of their own.
_CONTAINERS = frozenset({"ol", "ul", "dl", "table", "thead", "tbody", "tfoot", "tr", "blockquote", "div",
                         "figure", "details", "section"})
_VOID_BLOCKS = frozenset({"br", "hr"})


@lru_cache(maxsize=1 << 16)
def normalize_key(key: str) -> str:
    """The normal form of a translation key (HTML note or plain-text title). Cached: the same keys
    are read again on every rebuild and in every language."""
    if not _PLAIN_TEXT.search(key):
        return _ASCII_SPACE.sub(" ", unicodedata.normalize("NFC", key)).strip(" ")
    return normalize_html(key)


def normalize_html(fragment: str) -> str:
    out: list[str] = []
    pre_depth = 0

    def trim_space_before() -> None:
        while out and out[-1].endswith((" ", "\n")) and not out[-1].startswith("<"):
            out[-1] = out[-1].rstrip(" \n")
            if not out[-1]:
                out.pop()

    break_after = False  # the last piece was a block tag: drop whitespace that follows it
    for piece in _PIECES.split(fragment):
        if not piece:
            continue
        if piece.startswith("<") and _PIECES.fullmatch(piece):
            name_match = _TAG_NAME.match(piece)
            name = name_match.group(1).lower() if name_match else ""
            closing = piece.startswith("</")
            if name == "pre":
                pre_depth += -1 if closing else 1
            if pre_depth and not (name == "pre" and not closing):
                out.append(piece)
                continue
            tag = _PLACEHOLDER_OPEN.sub("<span translate=no>", piece)
            if not tag.startswith("<!--"):
                tag = _ASCII_SPACE.sub(" ", tag)
            if name in BLOCK_TAGS:
                trim_space_before()
                newline = closing or name in _VOID_BLOCKS or name in _CONTAINERS
                out.append(tag + ("\n" if newline else ""))
                break_after = True
            else:
                out.append(tag)
                break_after = False
            continue
        if pre_depth:
            out.append(piece)
            continue
        text = unicodedata.normalize("NFC", html.unescape(piece))
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("$", "&#36;")
        text = _ASCII_SPACE.sub(" ", text)
        if break_after:
            text = text.lstrip(" ")
        if text:
            out.append(text)
            break_after = False
    result = "".join(out).strip(" ")
    return result.lstrip("\n") if result.endswith("\n") else result.strip()
