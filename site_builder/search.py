"""The search index: pagefind (npm, pinned) run over the built site.

pagefind splits the index by each page's `<html lang>` and segments Chinese and Japanese words.
Only `data-pagefind-body` (notes and guides) is indexed; the code column carries
`data-pagefind-ignore`, and KaTeX's MathML copy of each formula is excluded here.
"""

from __future__ import annotations

from pathlib import Path

from .children import run_child

EXCLUDE = ".katex-mathml, .permalink, .page-links"


class SearchIndexError(RuntimeError):
    pass


def build_search_index(site_dir: Path, node_modules: Path) -> None:
    cli = node_modules / ".bin" / "pagefind"
    if not cli.exists():
        raise SearchIndexError(f"pagefind is not installed in {node_modules}; run `npm ci`")
    result = run_child(  # never outlives the build (or serve), never writes into site/ after it
        [str(cli), "--site", str(site_dir), "--exclude-selectors", EXCLUDE, "--keep-index-url", "--quiet"],
        timeout=600,
    )
    if result.returncode != 0:
        raise SearchIndexError(f"pagefind failed ({result.returncode}):\n{result.stdout}{result.stderr}")
