"""Figures: an image alone in its paragraph, followed by a paragraph that is all emphasis, is a figure
with a caption.

    ![What the diagram shows, for readers who cannot see it](diagram.svg)

    *The caption, shown under the image (translated with the note).*

becomes `<figure><img …><figcaption>The caption…</figcaption></figure>`. Applied to rendered HTML (notes
and guides, every language), so the markdown stays ordinary markdown and translators see the caption as
ordinary text. The image's alt text (and title) are translation keys of their own, as plain text; on a
translated page an image whose alt text has no translation yet is marked `lang="en"` where it is rendered
(`notes.render_piece`).
"""

from __future__ import annotations

import re

_FIGURE = re.compile(
    r"<p>\s*(<img\b[^>]*>)\s*</p>\s*<p>\s*<em>((?:(?!</em>|<em>).)*)</em>\s*</p>", re.S)


def figures(html: str) -> str:
    if "<img" not in html:
        return html
    return _FIGURE.sub(r"<figure>\1<figcaption>\2</figcaption></figure>", html)
