"""Style sheets and KaTeX assets the pages link to."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from pygments.formatters import HtmlFormatter

_SCOPES = (".code", ".highlight", ".note code")
LIGHT_STYLE, DARK_STYLE = "default", "github-dark"


def pygments_css() -> str:
    """Token colours for light pages, and for dark ones (chosen or followed from the system)."""
    def rules(style: str, prefix: str) -> str:
        return "\n".join(HtmlFormatter(style=style).get_token_style_defs([f"{prefix}{s}" for s in _SCOPES]))

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
