"""Which translation keys a source page has today: title, summary, every non-empty note, and the alt text and
title of each image in a note."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..normal_form import normalize_key
from ..notes import NotePreparer, image_text_keys
from ..page import SourcePage
from ..parser import parse_file
from ..structure import SiteStructure
from .validate import has_text


@dataclass(frozen=True)
class PageKey:
    key: str
    line: int  # where its English starts in the source (for messages)
    kind: str  # "title" | "summary" | "note" | "image" (an image's alt text or title, plain text)


def page_keys(page: SourcePage, preparer: NotePreparer) -> list[PageKey]:
    """In page order, each key once (a note repeated on a page shares one translation). A note with
    nothing to translate (only a formula or code) has no key: the page shows it as it is."""
    out: list[PageKey] = []
    seen: set[str] = set()

    def add(key: str | None, line: int, kind: str) -> None:
        if key and key.strip() and key not in seen and has_text(key):
            seen.add(key)
            out.append(PageKey(key, line, kind))

    add(normalize_key(page.meta.title or ""), 1, "title")
    add(normalize_key(page.meta.summary or ""), 1, "summary")
    for row in page.rows:
        if not row.note.strip():
            continue
        prepared = preparer.prepare(row.note)
        add(prepared.key, row.note_line, "note")
        for piece in prepared.pieces:
            for key in image_text_keys(piece):
                add(key, row.source_line(piece.line), "image")
    return out


def source_pages(source_dir: Path) -> list[str]:
    """Source files (relative POSIX paths) in the site's reading order."""
    return [e.source for e in SiteStructure.scan(source_dir).entries if e.source is not None]


def load_page(source_dir: Path, rel: str) -> SourcePage:
    return parse_file(source_dir / rel, (source_dir.name + "/" + rel))
