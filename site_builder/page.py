"""The parsed form of one source file: page metadata and an ordered list of rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from .diagnostics import Diagnostic
from .urls import paper_url


@dataclass
class PageMeta:
    """Front matter of a page (all plain text; `None` when absent)."""

    title: str | None = None
    summary: str | None = None
    paper: str | None = None
    redirect: str | None = None

    @property
    def paper_url(self) -> str | None:
        """`paper` is an arXiv id or an http(s) URL; anything else gives no link (see `urls`)."""
        return paper_url(self.paper)


@dataclass
class Row:
    """A note (markdown) and the code lines it explains.

    `kind` says where the note came from: "module" (the page introduction), "docstring"
    (a class/def docstring) or "comment" (a `#` block, or no note at all).
    `lines` are 1-based line numbers into the source; the code text is looked up at render time.
    """

    id: str
    kind: str
    note: str
    note_line: int
    lines: list[int] = field(default_factory=list)
    note_lines: list[int] | None = None  # the source line of each note line, when not consecutive

    def source_line(self, offset: int) -> int:
        """The source line of line `offset` (0-based) of the note."""
        if self.note_lines and 0 <= offset < len(self.note_lines):
            return self.note_lines[offset]
        return self.note_line + offset


@dataclass
class SourcePage:
    """Everything the parser learned from one file."""

    path: str
    text: str
    language: str  # "python" or "markdown"
    meta: PageMeta
    rows: list[Row]
    diagnostics: list[Diagnostic] = field(default_factory=list)
