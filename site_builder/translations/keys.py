"""Which translation keys a source page has today: title, summary and every non-empty note."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..normal_form import normalize_key
from ..notes import NotePreparer
from ..page import SourcePage
from ..parser import parse_file
from ..structure import SiteStructure
from .validate import has_text


@dataclass(frozen=True)
class PageKey:
    key: str
    line: int  # where its English starts in the source (for messages)
    kind: str  # "title" | "summary" | "note"


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
        add(preparer.prepare(row.note).key if row.note.strip() else "", row.note_line, "note")
    return out


def source_pages(source_dir: Path) -> list[str]:
    """Source files (relative POSIX paths) in the site's reading order."""
    return [e.source for e in SiteStructure.scan(source_dir).entries if e.source is not None]


def load_page(source_dir: Path, rel: str) -> SourcePage:
    return parse_file(source_dir / rel, (source_dir.name + "/" + rel))
