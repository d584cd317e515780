"""The only URLs a page prints that come from front matter or configuration: `paper`, `redirect` and
source links. They must be http(s) (a `paper` may also be an arXiv id): `javascript:`, `data:` and
anything else a browser could run is refused, whatever the template does with it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# New-style (1706.03762, 2201.09792v2) and old-style (hep-th/9901001, math.GT/0309136) arXiv ids.
ARXIV_ID = re.compile(r"(?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?")
# Whitespace, controls and characters that end an HTML attribute or tag never belong in these URLs.
_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f\"'<>`\\]")


def is_web_url(value: str) -> bool:
    """An absolute http(s) URL with a host and nothing in it that HTML treats specially."""
    if _UNSAFE.search(value):
        return False
    parts = urlsplit(value)
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def paper_url(paper: str | None) -> str | None:
    """`paper` front matter → the link to the paper, or None when it is neither an arXiv id nor a web URL."""
    if not paper:
        return None
    if ARXIV_ID.fullmatch(paper):
        return f"https://arxiv.org/abs/{paper}"
    return paper if is_web_url(paper) else None
