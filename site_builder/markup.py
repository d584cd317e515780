"""Markdown inline markup → plain text, for titles taken from a heading (breadcrumbs, listings,
`<title>`, Open Graph): `# [Annotated *papers*](index.html)` → "Annotated papers"."""

from __future__ import annotations

import html
import re

_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_CODE = re.compile(r"(`+)(.+?)\1")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EM_STAR = re.compile(r"\*(?=\S)(.+?)(?<=\S)\*")
_EM_UNDERSCORE = re.compile(r"(?<![\w\\])_(?=\S)(.+?)(?<=\S)_(?!\w)")
_MATH = re.compile(r"\$\$?(.+?)\$\$?")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!])")


def plain_text(markdown: str) -> str:
    """The text a reader sees, with links, images, emphasis, code marks and HTML tags removed
    (math keeps its TeX source, without the `$`)."""
    text = _IMAGE.sub(r"\1", markdown)
    text = _LINK.sub(r"\1", text)
    text = _TAG.sub("", text)
    text = _CODE.sub(lambda m: m.group(2).strip(), text)
    text = _MATH.sub(r"\1", text)
    text = _STRONG.sub(r"\2", text)
    text = _EM_STAR.sub(r"\1", text)
    text = _EM_UNDERSCORE.sub(r"\1", text)
    text = _ESCAPE.sub(r"\1", text)
    return " ".join(html.unescape(text).split())
