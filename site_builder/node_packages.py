"""Where the project's npm packages are (KaTeX, pagefind), and KaTeX's version: what a build needs to
know of them before it renders anything (without starting Node, or importing what does)."""

from __future__ import annotations

import json
import os
from pathlib import Path


class KatexUnavailable(RuntimeError):
    """Node or the `katex` npm package cannot be found."""


def find_node_modules(start: Path) -> Path:
    """The nearest `node_modules` holding `katex`, looking up from `start` (or $KATEX_NODE_MODULES)."""
    if env := os.environ.get("KATEX_NODE_MODULES"):
        return Path(env)
    for folder in [start, *start.parents]:
        if (folder / "node_modules" / "katex" / "package.json").is_file():
            return folder / "node_modules"
    raise KatexUnavailable(
        f"the katex npm package was not found above {start}; run `npm ci` in the project folder"
    )


def katex_version(node_modules: Path) -> str:
    return json.loads((node_modules / "katex" / "package.json").read_text())["version"]
