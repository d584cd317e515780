"""Every relative link and `#anchor` must land on a generated page or anchor.

The checker is given, per page, the links it contains (with the source file and line each came
from) and the ids each page defines; it returns one `file:line: broken link 'target'` per miss.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from .diagnostics import Diagnostic

_ID = re.compile(r"""\bid=["']?([^"'\s>]+)""")


@dataclass(frozen=True)
class Link:
    target: str
    path: str  # the source file the link was written in
    line: int


def ids_in_html(html: str) -> set[str]:
    return set(_ID.findall(html))


def resolve(page_url: str, target: str) -> tuple[str, str] | None:
    """(site path, fragment) that `target` points at from `page_url`; None for external links."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("/"):
        return None
    path = unquote(parts.path)
    if not path:
        return page_url, parts.fragment
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page_url), path))
    if path.endswith("/") or joined == ".":
        joined = posixpath.join("" if joined == "." else joined, "index.html")
    return joined, unquote(parts.fragment)


def check_links(links: dict[str, list[Link]], known_urls: set[str], ids: dict[str, set[str]]) -> list[Diagnostic]:
    """`links` and `ids` are keyed by page URL; `known_urls` holds every file the site has."""
    problems = []
    for page_url, page_links in links.items():
        for link in page_links:
            where = resolve(page_url, link.target)
            if where is None:
                continue
            path, fragment = where
            if path.startswith("../") or path not in known_urls:
                problems.append(Diagnostic(link.path, link.line, f"broken link '{link.target}'"))
            elif fragment and fragment not in ids.get(path, set()):
                problems.append(Diagnostic(link.path, link.line, f"broken link '{link.target}' (no such anchor)"))
    return problems
