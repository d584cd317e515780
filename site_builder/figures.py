"""Figures: an image alone in its paragraph, followed by a paragraph that is all emphasis, is a figure
with a caption.

    ![What the diagram shows, for readers who cannot see it](diagram.svg)

    *The caption, shown under the image (translated with the note).*

becomes `<figure><img …><figcaption>The caption…</figcaption></figure>`. Applied to rendered HTML (notes
and guides, every language), so the markdown stays ordinary markdown and translators see the caption as
ordinary text.
"""

from __future__ import annotations

import re

_FIGURE = re.compile(
    r"<p>\s*(<img\b[^>]*>)\s*</p>\s*<p>\s*<em>((?:(?!</em>|<em>).)*)</em>\s*</p>", re.S)


_IMG = re.compile(r"<img\b(?![^>]*\blang=)")


def figures(html: str, translated: bool = False) -> str:
    """On a translated page (`translated`), images keep the source's alt text, so they are marked as English
    for screen readers (the caption, a note's text, is translated)."""
    if "<img" not in html:
        return html
    html = _FIGURE.sub(r"<figure>\1<figcaption>\2</figcaption></figure>", html)
    return _IMG.sub('<img lang="en"', html) if translated else html
