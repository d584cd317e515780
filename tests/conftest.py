"""Shared fixtures: one KaTeX worker and one note preparer for the whole test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.katex import shared_renderer
from site_builder.node_packages import find_node_modules
from site_builder.notes import NotePreparer, render_piece

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def math():
    return shared_renderer(find_node_modules(ROOT))


@pytest.fixture(scope="session")
def preparer():
    return NotePreparer()


@pytest.fixture(scope="session")
def render_pieces(preparer, math):
    """`render_pieces(note)` → (the prepared note, the HTML of each of its protected pieces, in order):
    the notes half of rendering a page, as `render.finish_page` does it."""

    def render(note: str):
        prepared = preparer.prepare(note)
        items = [(p.text, p.kind == "display_math") for p in prepared.pieces if p.kind in ("math", "display_math")]
        results = iter(math.render_many(items) if items else [])
        rendered = []
        for piece in prepared.pieces:
            if piece.kind in ("math", "display_math"):
                result = next(results)
                rendered.append(render_piece(piece, result.html, result.error))
            else:
                rendered.append(render_piece(piece))
        return prepared, rendered

    return render
