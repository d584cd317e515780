"""The translation status page of each language: per page, how much is translated, and the state of
the translated guides. Where a contributor can help.

Counting needs every page's keys checked against the store (seconds on a large site), so the counts
are kept in the disk cache under a digest of everything they depend on, and in memory for the next
rebuild of a `mkdocs serve` session.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict
from pathlib import Path

from ..cache import content_key
from ..site_view import SiteView
from ..structure import relative_url
from ..ui_text import language_name
from .guides import guide_statuses
from .status import Analyzer, PageStatus, Totals, coverage, totals


def review_digest(translations_dir: Path | None) -> str:
    """Of the review files (carried-over translations): the status page counts them."""
    h = hashlib.sha1()
    if translations_dir is not None and translations_dir.is_dir():
        for path in sorted(translations_dir.rglob("*.review.json")):
            h.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


class StatusPage:
    # (inputs digest, statuses, totals) of the last count, for the next build of the same process.
    _last: tuple[tuple, list[PageStatus], list[Totals]] | None = None

    def __init__(self, engine, inputs: tuple):
        """`inputs`: digests of every source and translation the counts depend on."""
        self.engine = engine
        self.inputs = inputs

    def counts(self) -> tuple[list[PageStatus], list[Totals]]:
        last = StatusPage._last
        if last is None or last[0] != self.inputs:
            site = self.engine.config
            key = content_key("coverage-2", self.inputs, site.languages)
            stored = self.engine.cache.get("status", key)
            if isinstance(stored, list):
                statuses = [PageStatus(**fields) for fields in stored]
            else:
                analyzer = Analyzer(site.source_dir, site.translations_dir, self.engine.preparer,
                                    self.engine.translator, load=lambda rel: self.engine.source(rel)[1])
                statuses = coverage(site.source_dir, site.translations_dir, site.languages,
                                    default_language=site.default_language, analyzer=analyzer)
                self.engine.cache.put("status", key, [asdict(s) for s in statuses])
            last = StatusPage._last = (self.inputs, statuses, totals(statuses))
        return last[1], last[2]

    def sections(self, view: SiteView, page_url: str, lang: str) -> list[dict]:
        """One section per language: its totals, its pages (titles in `lang`) and its guides."""
        statuses, sums = self.counts()
        sections = []
        for total in sums:
            rows = []
            for status in (s for s in statuses if s.lang == total.lang):
                entry = view.structure.by_url.get(status.url)
                rows.append({"status": status, "title": view.title(entry, lang)[0] if entry else status.source,
                             "href": relative_url(page_url, view.prefix(lang) + status.url)})
            sections.append({"lang": total.lang, "name": language_name(total.lang), "total": total, "rows": rows,
                             "guides": _guide_rows(view, page_url, total.lang)})
        return sections


def _guide_rows(view: SiteView, page_url: str, lang: str) -> list[dict]:
    """The translated guides of `lang`: current, or stale (the English changed since)."""
    rows: list[dict] = []
    if view.site.docs_dir is None:
        return rows
    for g in guide_statuses(view.site.docs_dir, [lang]):
        file = view.files.get_file_from_path(f"{lang}/{g.guide}")
        if file is None or not file.abs_src_path:
            continue
        text = Path(file.abs_src_path).read_text("utf-8")
        heading = re.search(r"^#\s+(.+)$", text, re.M)
        rows.append({"title": heading.group(1).strip() if heading else g.guide, "state": g.state,
                     "href": relative_url(page_url, file.url)})
    return rows
