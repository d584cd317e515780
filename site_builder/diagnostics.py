"""Problems found in sources, reported as `file:line: message`.

Normal builds show the problem in the page and continue; strict builds fail. The collector only
records; the mkdocs plugin turns records into log warnings (which mkdocs' strict mode counts).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Diagnostic:
    """One problem at a place in a source file (line 0: the file as a whole)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


@dataclass
class Diagnostics:
    """An append-only list of problems, in the order they were found."""

    items: list[Diagnostic] = field(default_factory=list)

    def warn(self, path: str, line: int, message: str) -> None:
        self.items.append(Diagnostic(path, line, message))

    def extend(self, other: list[Diagnostic]) -> None:
        self.items.extend(other)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)
