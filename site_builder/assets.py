"""Style sheets and KaTeX assets the pages link to."""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path

LIGHT_STYLE, DARK_STYLE = "default", "github-dark"


def pygments_css() -> str:
    """Token colours for light pages, and for dark ones (chosen, or followed from the system).

    Every highlighted element (the code column, inline code, code blocks) carries the class
    `highlight`, so one scope serves all; comments are dropped to keep this render-blocking file small.
    """
    from pygments.formatters import HtmlFormatter

    def rules(style: str, prefix: str) -> str:
        lines = HtmlFormatter(style=style).get_token_style_defs(f"{prefix}.highlight")
        return "\n".join(re.sub(r"\s*/\*.*?\*/", "", line) for line in lines)

    dark_auto = rules(DARK_STYLE, ':root[data-theme="auto"] ')
    return "\n".join([
        rules(LIGHT_STYLE, ""),
        rules(DARK_STYLE, ':root[data-theme="dark"] '),
        "@media (prefers-color-scheme: dark) {\n" + dark_auto + "\n}",
        "",
    ])


def sri_sha384(path: Path) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


def katex_cdn_css(version: str) -> str:
    return f"https://cdn.jsdelivr.net/npm/katex@{version}/dist/katex.min.css"


def katex_dist(node_modules: Path) -> Path:
    return node_modules / "katex" / "dist"


# KaTeX class → the font file its glyphs use. A page preloads the fonts its formulas use, and holds its
# article back (hidden, laid out) until they are in and the page is parsed: formulas are first shown whole,
# with their own metrics, so nothing moves when the fonts arrive (see `katex_font_spec` and base.html).
_KATEX_FONT_CLASSES = [
    ("mathnormal", "Math-Italic"), ("boldsymbol", "Math-BoldItalic"), ("amsrm", "AMS-Regular"),
    ("mathbb", "AMS-Regular"), ("mathcal", "Caligraphic-Regular"), ("mathfrak", "Fraktur-Regular"),
    ("mathscr", "Script-Regular"), ("mathbf", "Main-Bold"), ("textbf", "Main-Bold"), ("mathit", "Main-Italic"),
    ("textit", "Main-Italic"), ("mathsf", "SansSerif-Regular"), ("textsf", "SansSerif-Regular"),
    ("mathtt", "Typewriter-Regular"), ("texttt", "Typewriter-Regular"), ("delim-size1", "Size1-Regular"),
    ("delim-size4", "Size4-Regular"), ("small-op", "Size1-Regular"), ("large-op", "Size2-Regular"),
]
_CLASS_ATTR = re.compile(r'class="([^"]*)"')


@lru_cache(maxsize=1 << 14)
def formula_fonts(formula_html: str) -> frozenset[str]:
    """`katex_fonts` of one rendered formula (formulas repeat across pages and languages)."""
    return frozenset(katex_fonts(formula_html))


def katex_fonts(html: str) -> list[str]:
    """The KaTeX font files (e.g. "KaTeX_Main-Regular.woff2") that the formulas in `html` use."""
    if 'class="katex"' not in html:
        return []
    attrs = set(_CLASS_ATTR.findall(html))
    classes = {c for attr in attrs for c in attr.split()}
    fonts = {"Main-Regular"} | {font for cls, font in _KATEX_FONT_CLASSES if cls in classes}
    # "sizeN" alone is a text size; with "delimsizing" it is the SizeN font of a big delimiter.
    fonts |= {f"Size{n}-Regular" for attr in attrs if "delimsizing" in attr.split()
              for n in "1234" if f"size{n}" in attr.split()}
    return [f"KaTeX_{font}.woff2" for font in sorted(fonts)]


FONT_WAIT_MS = 3000  # the longest a page holds its article back for its KaTeX fonts: KaTeX's own font-display
# block period, during which its formulas are invisible anyway


def katex_font_spec(font: str) -> str:
    """The CSS font shorthand that selects a KaTeX font file's @font-face ("KaTeX_Math-Italic.woff2" →
    "italic 400 1em KaTeX_Math"), for `document.fonts.load`."""
    family, _, face = font.removesuffix(".woff2").partition("-")
    style = "italic " if "Italic" in face else ""
    weight = "700" if "Bold" in face else "400"
    return f"{style}{weight} 1em {family}"
