"""What the theme's templates are handed: a page's own view (`A`) and the site around it (`S`).

`A` is the page's content: rendered rows, the paper and source links, a folder's listing. `S` is the
same for every page of a language except for the page's place in the site: languages and their
alternates, breadcrumbs, previous and next, the footer's guides, the KaTeX stylesheet and fonts.
Nothing here renders or writes anything; the build (`site_build`) asks once per page.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from .assets import FONT_WAIT_MS, katex_cdn_css, katex_font_spec, katex_fonts
from .cache import content_key
from .config import SiteConfig
from .rendered import RenderedPage
from .structure import Entry, SiteStructure, readable_title, relative_url
from .ui_text import OG_LOCALES, language_name, ui_text

STATUS_PAGE = "translation-status.md"
_GUIDE_ORDER = {"reading": 0, "writing": 1, "translating": 2, "experiments": 3}


def language_prefix(site: SiteConfig, lang: str) -> str:
    """Where a language's pages live in the site: "" for the default language, "zh/" for Chinese."""
    return "" if lang == site.default_language else f"{lang}/"


@dataclass
class GeneratedPage:
    """A page the plugin adds to mkdocs' files: one source (or source-less folder) in one language."""

    entry: Entry
    lang: str


@dataclass
class Assets:
    """How pages load KaTeX's stylesheet: from the CDN (with its integrity hash) or the site itself."""

    katex_version: str
    katex_integrity: str | None
    offline: bool


class SiteView:
    """Views of every page of one build. `rendered` maps (source, language) to the rendered page."""

    def __init__(self, site: SiteConfig, structure: SiteStructure, files: Files,
                 generated: dict[str, GeneratedPage], rendered: dict[tuple[str, str], RenderedPage],
                 assets: Assets, *, site_names: dict[str, str], search: bool, status_pages: dict[str, str]):
        self.site, self.structure, self.files = site, structure, files
        self.generated, self.rendered, self.assets = generated, rendered, assets
        self.site_names, self.search, self.status_pages = site_names, search, status_pages
        self._guide_lists: dict[str, list[File]] = {}  # every page's footer asks: listed once per language
        self._shape: str | None = None

    # --- languages ------------------------------------------------------------------------------

    def prefix(self, lang: str) -> str:
        return language_prefix(self.site, lang)

    def language_of(self, src_uri: str) -> str:
        first = src_uri.split("/", 1)[0]
        return first if first in self.site.languages[1:] else self.site.default_language

    def same_page_in(self, page: Page, lang: str) -> str | None:
        """The URL of this page in `lang`, when the site has one."""
        generated = self.generated.get(page.file.src_uri)
        if generated is not None:
            return self.prefix(lang) + generated.entry.url
        src = page.file.src_uri
        base_src = src[len(self.prefix(self.language_of(src))):]
        other = self.files.get_file_from_path(self.prefix(lang) + base_src)
        return other.url if other is not None else None

    # --- titles and listings --------------------------------------------------------------------

    def title(self, entry: Entry, lang: str) -> tuple[str, str | None]:
        """A page's title and summary (a folder without `__init__.py` has a title made from its name)."""
        if entry.source is None:
            return (readable_title(entry.folder + "/__init__.py") if entry.folder else "Home"), None
        rendered = self.rendered[(entry.source, lang)]
        return rendered.title, rendered.summary

    def listing(self, page_url: str, lang: str, everything: bool) -> list[dict]:
        """The home page lists every page; a folder without an introduction lists its children."""
        prefix = self.prefix(lang)
        if everything:
            entries = [e for e in self.structure.entries if e.url != "index.html"]
        else:
            entries = self.structure.children(self.structure.by_url[page_url[len(prefix):]].folder)
        items = []
        for e in entries:
            title, summary = self.title(e, lang)
            depth = e.folder.count("/") + (0 if e.is_index else 1) if e.folder else 0
            items.append({"href": relative_url(page_url, prefix + e.url), "title": title, "summary": summary,
                          "depth": min(depth, 3) if everything else 0, "readme": e.url.endswith("readme.html")})
        return items

    def guides(self, lang: str) -> list[File]:
        """The hand-written pages from docs/ in `lang`, for the footer (reading first, then by name)."""
        if lang not in self._guide_lists:
            pages = [f for f in self.files.documentation_pages()
                     if f.src_uri not in self.generated and f.src_uri not in self.status_pages
                     and f.page is not None and self.language_of(f.src_uri) == lang]
            self._guide_lists[lang] = sorted(pages, key=lambda f: (_GUIDE_ORDER.get(Path(f.src_uri).stem, 9),
                                                                   f.src_uri))
        return self._guide_lists[lang]

    def shape(self) -> str:
        """A digest of everything `surroundings` reads besides the page and its own view: every page's
        source, URL and title (the guides, breadcrumbs, pager and languages are made of them), the
        structure, the settings and the KaTeX assets. Asked once mkdocs has read every page's title."""
        if self._shape is None:
            pages = [(f.src_uri, f.url, f.page.title if f.page else None) for f in self.files.documentation_pages()]
            entries = [(e.url, e.source, e.folder) for e in self.structure.entries]
            self._shape = content_key(pages, entries, self.site, self.site_names, self.search,
                                      sorted(self.status_pages.items()), self.assets)
        return self._shape

    # --- the two views --------------------------------------------------------------------------

    def annotated(self, generated: GeneratedPage, page_url: str) -> tuple[str, dict]:
        """The title and `A` of a generated page: its rows, or the listing of a folder."""
        entry, lang = generated.entry, generated.lang
        view = {"rows": [], "paper_url": None, "source_href": None, "listing": None, "listing_heading": None,
                "summary": None, "redirect": None}
        has_intro = False
        if entry.source is not None:
            rendered = self.rendered[(entry.source, lang)]
            view.update(rows=rendered.rows, paper_url=rendered.paper_url, summary=rendered.summary,
                        katex_fonts=rendered.katex_fonts,
                        source_href=self.site.source_link(entry.source), redirect=rendered.redirect)
            title = rendered.title
            has_intro = rendered.has_intro
        else:
            title = self.title(entry, lang)[0]
        if entry.url == "index.html":
            view.update(listing=self.listing(page_url, lang, everything=True),
                        listing_heading=ui_text(lang)["implementations"])
        elif entry.is_index and not has_intro:
            view.update(listing=self.listing(page_url, lang, everything=False))
        return title, view

    def surroundings(self, page: Page, view: dict | None) -> dict:
        """`S`: everything around the page's own content."""
        url = page.url
        generated = self.generated.get(page.file.src_uri)
        lang = generated.lang if generated else self.language_of(page.file.src_uri)
        text = ui_text(lang)
        home = self.prefix(lang) + "index.html"
        site_url = self.site.site_url
        languages, alternates = [], []
        for other in self.site.languages:
            same = self.same_page_in(page, other)
            languages.append({"code": other, "label": language_name(other), "current": other == lang,
                              "href": relative_url(url, same or self.prefix(other) + "index.html")})
            if site_url and same:
                alternates.append({"lang": other, "href": site_url + same})
        if alternates and site_url:
            default = self.same_page_in(page, self.site.default_language) or "index.html"
            alternates.append({"lang": "x-default", "href": site_url + default})
        crumbs, prev, nxt = [], None, None
        if generated is not None:

            def link(entry: Entry) -> dict:
                return {"title": self.title(entry, lang)[0], "href": relative_url(url, self.prefix(lang) + entry.url)}

            crumbs = [link(crumb) for crumb in self.structure.breadcrumbs(generated.entry.url)]
            before, after = self.structure.neighbours(generated.entry.url)
            prev, nxt = (link(before) if before else None), (link(after) if after else None)
        elif url != home:
            crumbs.append({"title": text["contents"], "href": relative_url(url, home)})
        root = posixpath.relpath(".", posixpath.dirname(url) or ".")
        offline = self.assets.offline
        katex_css = f"{root}/assets/katex/katex.min.css" if offline else katex_cdn_css(self.assets.katex_version)
        font_base = katex_css.rsplit("/", 1)[0] + "/fonts/"
        fonts = (view or {}).get("katex_fonts") or (katex_fonts(page.content) if page.content else [])
        return {
            "lang": lang, "title": page.title or "", "site_name": self.site_names.get(lang, self.site.site_name),
            "description": (view or {}).get("summary") or (page.meta.get("summary") if page.meta else None),
            "canonical": site_url + url if site_url else None,
            "alternates": alternates, "languages": languages, "og_locale": OG_LOCALES.get(lang, lang),
            "root": root, "home": relative_url(url, home), "breadcrumbs": crumbs, "prev": prev, "next": nxt,
            "text": text, "search": self.search,
            "status_href": relative_url(url, self.prefix(lang) + STATUS_PAGE[:-3] + ".html")
            if self.status_pages else None,
            "guides": [{"title": f.page.title, "href": relative_url(url, f.url)} for f in self.guides(lang)],
            "redirect": (view or {}).get("redirect"),
            "katex_css": katex_css,
            "katex_integrity": None if offline else self.assets.katex_integrity,
            "katex_fonts": [font_base + font for font in fonts],
            "katex_font_specs": [katex_font_spec(font) for font in fonts],
            "font_wait_ms": FONT_WAIT_MS,
        }
