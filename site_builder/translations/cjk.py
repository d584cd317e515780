"""Line breaks inside Chinese and Japanese text.

Translators wrap long lines where the English was wrapped, but HTML renders a line break as a space:
harmless between two English words, a stray gap between two Chinese or Japanese characters, and it
also happens when the break sits next to an inline tag (`</a>\\nで`, `この\\n<em>`, `</strong>\\n。`).

`join_cjk_lines` removes a whitespace run that holds a line break when the nearest visible characters
on its two sides (looking through inline tags such as `<a>`, `<em>`, `<strong>`, `<code>`, `<span>`,
never through block tags, `<br>` or `<img>`) call for no space. The rule follows common zh/ja
typesetting practice (the W3C's "Requirements for Chinese/Japanese Text Layout", and the usual
style of technical writing in both languages):

- **CJK next to CJK** (ideographs, kana, hangul, CJK punctuation): no space between them. A break
  there is only the source's line layout.
- **CJK punctuation next to anything** (`。`, `、`, `，`, `（`, `）`, `「`, `：`, ...): no space. The
  full-width punctuation carries its own spacing; a space beside it looks like a hole
  (`（ PyTorch` or `ConvMixer 。`).
- **A CJK letter next to Latin text, digits or a formula**: keep one space. Both zh and ja technical
  writing put a (half-width) space between a CJK character and a Latin word or a number (`使用
  PyTorch 实现`, `ConvMixer はパッチ`), and this repository's translations do so throughout, so
  the break is shown as the space the translator would have typed. It is left as it is (a browser
  collapses it to one space).
- **Latin next to Latin**: untouched (English words need their space).
- Curly quotes, the ellipsis and dashes (`“”‘’…—`) are shared by both scripts: the break beside
  one is removed only when the character on its other side is CJK.

`<pre>` blocks keep every character. Nothing but whitespace is ever removed, and only whitespace
that contains a line break (a space the translator typed on one line is theirs).
"""

from __future__ import annotations

import re

# Letters: CJK ideographs (and extension A, compatibility), kana, hangul, full-width forms.
_CJK_LETTER = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u31f0-\u31ff"
# Punctuation: CJK symbols and punctuation, full-width brackets and marks (also inside U+FF00-FFEF).
_CJK_PUNCT = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
_SHARED = "\u2018-\u201f\u2026\u2014\u2015"

_IS_PUNCT = re.compile(f"[{_CJK_PUNCT}]")
_IS_CJK = re.compile(f"[{_CJK_LETTER}{_CJK_PUNCT}]")
_IS_SHARED = re.compile(f"[{_SHARED}]")

# Inline tags are looked through; any other tag (block, <br>, <img>, a comment) ends the search.
INLINE_TAGS = frozenset({"a", "abbr", "b", "cite", "code", "del", "em", "i", "ins", "kbd", "mark", "q",
                         "s", "samp", "small", "span", "strong", "sub", "sup", "u", "var"})
_TOKEN = re.compile(r"(<pre\b.*?</pre>|<!--.*?-->|<[^>]*>)", re.S | re.I)
_TAG_NAME = re.compile(r"</?\s*([A-Za-z][A-Za-z0-9]*)")
_BREAK = re.compile(r"[ \t\r]*\n\s*")
_BLOCK = object()  # the search met something that is not inline text


def _kind(char: str) -> str:
    if _IS_PUNCT.match(char):
        return "punct"
    if _IS_CJK.match(char):
        return "cjk"
    if _IS_SHARED.match(char):
        return "shared"
    return "latin"


def _joins(left: str, right: str) -> bool:
    """Whether the line break between these two visible characters should vanish."""
    a, b = _kind(left), _kind(right)
    if "punct" in (a, b):
        return True
    if a == "cjk" and b == "cjk":
        return True
    if "shared" in (a, b):
        other = b if a == "shared" else a
        return other == "cjk"
    return False


def _is_inline(tag: str) -> bool:
    m = _TAG_NAME.match(tag)
    return bool(m) and m.group(1).lower() in INLINE_TAGS


def join_cjk_lines(html: str) -> str:
    """Remove line breaks that would render as a stray space in Chinese or Japanese text."""
    if "\n" not in html:
        return html
    parts = _TOKEN.split(html)  # even: text, odd: a tag or a <pre> block

    def neighbour(index: int, offset: int, step: int) -> str | object:
        """The nearest visible character from text part `index` at `offset`, going `step` (±1)."""
        i = index
        text = parts[i]
        pos = offset
        while True:
            if step < 0:
                stripped = text[:pos].rstrip()
                if stripped:
                    return stripped[-1]
            else:
                stripped = text[pos:].lstrip()
                if stripped:
                    return stripped[0]
            i += step
            if i < 0 or i >= len(parts):
                return _BLOCK
            tag = parts[i]
            if not _is_inline(tag):
                return _BLOCK
            i += step
            if i < 0 or i >= len(parts):
                return _BLOCK
            text = parts[i]
            pos = len(text) if step < 0 else 0

    out = []
    for index, part in enumerate(parts):
        if index % 2 or "\n" not in part:
            out.append(part)
            continue
        pieces, last = [], 0
        for m in _BREAK.finditer(part):
            left, right = neighbour(index, m.start(), -1), neighbour(index, m.end(), +1)
            if isinstance(left, str) and isinstance(right, str) and _joins(left, right):
                pieces.append(part[last:m.start()])
                last = m.end()
        pieces.append(part[last:])
        out.append("".join(pieces))
    return "".join(out)
