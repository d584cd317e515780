"""Problems found in sources, reported as `file:line: message`.

Normal builds show the problem in the page and continue; strict builds fail. Parsing and rendering
only record them; the mkdocs plugin logs them as warnings, which mkdocs' strict mode counts.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Diagnostic:
    """One problem at a place in a source file (line 0: the file as a whole)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"
