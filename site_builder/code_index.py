"""Definitions in the code column, for the search index: every class, function and method of a page, by name
and qualified name, pointing at the row that holds its signature (`ConvMixerLayer.forward`).

The code column itself stays out of the full-text index (`data-pagefind-ignore`): searching the body of
every function would bury the notes under identifiers. Only the names a reader looks for are added, as one
small record each.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Definition:
    name: str  # "forward"
    qualname: str  # "ConvMixerLayer.forward"
    kind: str  # "class" | "function" | "method"
    line: int  # the first line of the definition (its first decorator, if any)


def definitions(source: str) -> list[Definition]:
    """Every class and function in `source` (nested ones too), in source order. Unparsable source: none."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    found: list[Definition] = []

    def visit(node: ast.AST, prefix: str, in_class: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                qualname = prefix + child.name
                first = min([child.lineno] + [d.lineno for d in child.decorator_list])
                kind = "class" if isinstance(child, ast.ClassDef) else "method" if in_class else "function"
                found.append(Definition(child.name, qualname, kind, first))
                visit(child, qualname + ".", isinstance(child, ast.ClassDef))
            elif not isinstance(child, (ast.Lambda,)):
                visit(child, prefix, in_class)

    visit(tree, "", False)
    return sorted(found, key=lambda d: d.line)


def row_of(line: int, rows) -> str | None:
    """The id of the row whose code holds `line` (rows have `.id` and `.lines`, as parsed or rendered)."""
    for row in rows:
        lines = row.lines
        if lines and lines[0] <= line <= lines[-1] and line in lines:
            return row.id
    return None


def search_records(source: str, rows, url: str, lang: str, page_title: str) -> list[dict]:
    """Search records (pagefind custom records) for the definitions of one page in one language."""
    records = []
    for d in definitions(source):
        row_id = row_of(d.line, rows)
        if row_id is None:
            continue
        words = [d.qualname] + ([d.name] if d.name != d.qualname else [])
        records.append({
            "url": f"{url}#{row_id}",
            "content": " ".join(words),
            "language": lang,
            "meta": {"title": d.qualname, "kind": "definition", "def": d.kind, "page": page_title},
        })
    return records


def site_records(rendered: dict, structure, load: Callable[[str], object], prefix: Callable[[str], str]) -> list[dict]:
    """Search records for every class, function and method of the site, on each language's page.
    `rendered`: (source, language) → rendered page; `load(source)` gives the parsed source."""
    url_of = {e.source: e.url for e in structure.entries if e.source}
    records = []
    for (rel, lang), page in rendered.items():
        source = load(rel) if rel in url_of else None
        if source is None or source.language != "python":
            continue
        records += search_records(source.text, page.rows, "/" + prefix(lang) + url_of[rel], lang, page.title)
    return records
