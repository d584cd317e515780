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
_HREF = re.compile(r'(\bhref=")([^"]*)(")')


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


def folder_index(path: str, known_urls: set[str]) -> str | None:
    """The index page a web server would serve for a link to a folder (`ppo` → `ppo/index.html`)."""
    index = posixpath.join(path, "index.html") if path not in (".", "") else "index.html"
    return index if path not in known_urls and index in known_urls else None


def link_folders_to_their_index(html: str, page_url: str, known_urls: set[str]) -> str:
    """Rewrite links to a folder so they name its `index.html`: a web server resolves `ppo` or `ppo/`
    itself, a page opened from `file://` does not."""

    def rewrite(m: re.Match) -> str:
        target = m.group(2)
        where = resolve(page_url, target)
        parts = urlsplit(target)
        if where is None or not parts.path:
            return m.group(0)
        if parts.path.endswith("/") and where[0] in known_urls:  # resolve() already named the index
            path = parts.path + "index.html"
        elif folder_index(where[0], known_urls):
            path = parts.path + "/index.html"
        else:
            return m.group(0)
        return m.group(1) + path + (f"#{parts.fragment}" if parts.fragment else "") + m.group(3)

    return _HREF.sub(rewrite, html) if "href=" in html else html


def check_links(links: dict[str, list[Link]], known_urls: set[str], ids: dict[str, set[str]]) -> list[Diagnostic]:
    """`links` and `ids` are keyed by page URL; `known_urls` holds every file the site has."""
    problems = []
    for page_url, page_links in links.items():
        for link in page_links:
            where = resolve(page_url, link.target)
            if where is None:
                continue
            path, fragment = where
            path = folder_index(path, known_urls) or path
            if path.startswith("../") or path not in known_urls:
                problems.append(Diagnostic(link.path, link.line, f"broken link '{link.target}'"))
            elif fragment and fragment not in ids.get(path, set()):
                problems.append(Diagnostic(link.path, link.line, f"broken link '{link.target}' (no such anchor)"))
    return problems


def line_of(markdown: str, target: str) -> int:
    """The line of a guide's markdown where a link target first appears (0: not found as written)."""
    at = markdown.find(target)
    return markdown.count("\n", 0, at) + 1 if at >= 0 else 0
