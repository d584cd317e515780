"""Settings of one site, independent of mkdocs (the plugin fills them from `mkdocs.yml`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote


@dataclass
class SiteConfig:
    source_dir: Path  # the annotated sources, e.g. labml_nn/
    project_dir: Path  # where node_modules/ and translations/ are looked up
    site_name: str = "Annotated implementations"
    site_url: str | None = None  # absolute base URL, for canonical links and the sitemap
    source_url: str | None = None  # e.g. https://github.com/org/repo/blob/main/labml_nn/{path}
    languages: list[str] = field(default_factory=lambda: ["en"])  # the first is the default
    translations_dir: Path | None = None
    offline_assets: bool = False  # copy KaTeX CSS and fonts into the site instead of the CDN
    sanitize_notes: bool = False  # notes through the translations' HTML allowlist (untrusted authors)
    docs_dir: Path | None = None  # mkdocs' docs_dir: images may also live there, at the page's path
    cache_dir: Path | None = None  # rendered pages kept between builds (None: only in memory)
    workers: int = 0  # processes preparing pages on a cold build of many pages (0: one per core, 1: none)

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def source_link(self, rel: str, line: int | None = None) -> str | None:
        if not self.source_url:
            return None
        # The path is percent-encoded: a file name may hold `"`, `<`, `#` or spaces.
        url = self.source_url.format(path=quote(rel, safe="/"))
        return f"{url}#L{line}" if line else url
