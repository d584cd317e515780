"""A rendered page: the rows of HTML the page template shows, and what other pages and checks need of
it (title, summary, ids, links, diagnostics, translation keys).

Stored in the disk cache as two records of plain data (what `marshal` stores): the page without its
rows, and the rows. The rows are most of the bytes and only the page template reads them, so a page
loaded from the cache reads its rows when they are first used: a build whose page HTML is unchanged
never loads them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from .code_lines import numbered_code
from .diagnostics import Diagnostic


@dataclass
class RenderedRow:
    id: str
    kind: str
    note_html: str
    code_html: str
    first_line: int | None
    fallback: bool = False  # a translated page showing this note in English
    lines: list[int] = field(default_factory=list)  # the source line number of each code line

    @property
    def numbered_code(self) -> str:
        """The code as one block per line, each with its original line number (see code_lines)."""
        return numbered_code(self.code_html, self.lines)


class StoredRows(Sequence):
    """A page's rows, read from the cache on first use. `has_intro` is known without reading them."""

    def __init__(self, load: Callable[[], list | None], has_intro: bool, where: str):
        self._load, self.has_intro, self._where = load, has_intro, where
        self._rows: list[RenderedRow] | None = None

    def _get(self) -> list[RenderedRow]:
        if self._rows is None:
            record = self._load()
            if record is None:  # deleted since this build looked it up
                raise RuntimeError(f"{self._where}: its rows left the build cache during the build; build again")
            self._rows = [RenderedRow(*r[:6], list(r[6])) for r in record]
        return self._rows

    def __getitem__(self, index):
        return self._get()[index]

    def __len__(self) -> int:
        return len(self._get())

    def __iter__(self) -> Iterator[RenderedRow]:
        return iter(self._get())

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented


@dataclass
class RenderedPage:
    source: str
    lang: str
    title: str
    summary: str | None
    paper_url: str | None
    redirect: str | None
    rows: Sequence[RenderedRow]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    translation_problems: list[Diagnostic] = field(default_factory=list)
    links: list[tuple[str, int]] = field(default_factory=list)  # (href, source line)
    ids: set[str] = field(default_factory=set)
    notes_total: int = 0
    notes_fallback: int = 0
    # The translation keys the page looked up, for the translation check right after rendering (not kept
    # in the cache: a page loaded from it has none).
    keys: list[str] = field(default_factory=list)
    katex_fonts: list[str] = field(default_factory=list)  # font files its formulas use (to preload)

    @property
    def has_intro(self) -> bool:
        """Whether the page opens with the module's own note."""
        if isinstance(self.rows, StoredRows):
            return self.rows.has_intro
        return any(row.kind == "module" for row in self.rows)


def to_records(page: RenderedPage) -> tuple[tuple, list]:
    """The page without its rows, and its rows, as plain tuples, lists and strings."""
    diagnostics = [tuple(vars(d).values()) for d in page.diagnostics]
    problems = [tuple(vars(d).values()) for d in page.translation_problems]
    rows = [(r.id, r.kind, r.note_html, r.code_html, r.first_line, r.fallback, r.lines) for r in page.rows]
    return (page.source, page.lang, page.title, page.summary, page.paper_url, page.redirect, page.has_intro,
            diagnostics, problems, page.links, sorted(page.ids), page.notes_total, page.notes_fallback,
            page.katex_fonts), rows


def from_records(record: tuple, load_rows: Callable[[], list | None]) -> RenderedPage:
    """The page of `to_records`; its rows come from `load_rows` when first used."""
    (source, lang, title, summary, paper_url, redirect, has_intro, diagnostics, problems, links, ids, total,
     fallback, fonts) = record
    return RenderedPage(source, lang, title, summary, paper_url, redirect,
                        StoredRows(load_rows, has_intro, f"{source} ({lang})"),
                        [Diagnostic(*d) for d in diagnostics], [Diagnostic(*d) for d in problems],
                        [tuple(link) for link in links], set(ids), total, fallback, [], list(fonts))
