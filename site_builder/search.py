"""The search index: pagefind (npm, pinned) run over the built site, plus the code's definitions.

pagefind splits the index by each page's `<html lang>` and segments Chinese and Japanese words.
Only `data-pagefind-body` (notes and guides) is indexed as text; the code column carries
`data-pagefind-ignore`. Formulas are left out (KaTeX's visual copy reads as a jumble of symbols in an
excerpt, its MathML copy as a second one): excerpts show the words around them. Each class, function and
method is added as a small record of its own (see `code_index`) that opens the row defining it.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from .children import run_child

EXCLUDE = ".katex, .permalink, .page-links"
WORKER = Path(__file__).with_name("search_index.mjs")


class SearchIndexError(RuntimeError):
    pass


def build_search_index(site_dir: Path, node_modules: Path, records: list[dict] | None = None) -> None:
    if not (node_modules / "pagefind" / "package.json").is_file():
        raise SearchIndexError(f"pagefind is not installed in {node_modules}; run `npm ci`")
    node = shutil.which("node")
    if node is None:
        raise SearchIndexError("node is not on PATH: the search index needs Node.js")
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as f:
        json.dump(records or [], f, ensure_ascii=False)
        records_file = Path(f.name)
    try:
        result = run_child(  # never outlives the build (or serve), never writes into site/ after it
            [node, str(WORKER), str(node_modules.resolve()), str(site_dir), str(records_file), EXCLUDE],
            timeout=600,
        )
    finally:
        records_file.unlink(missing_ok=True)
    if result.returncode != 0:
        raise SearchIndexError(f"pagefind failed ({result.returncode}):\n{result.stdout}{result.stderr}")
