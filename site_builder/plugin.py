"""The mkdocs adapter: one generated page per source file and language, in our theme.

Everything interesting happens in `engine` (parse → render) and the theme templates; this module
only maps sources to mkdocs files, hands templates their data, checks links and writes the
sitemap. Problems are logged as warnings, which `mkdocs build --strict` turns into a failure.
"""

from __future__ import annotations

import logging
import posixpath
import re
import threading
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from xml.etree import ElementTree as ET

import jinja2
import jinja2.bccache
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from .assets import FONT_WAIT_MS, katex_cdn_css, katex_dist, katex_font_spec, katex_fonts, pygments_css, sri_sha384
from .atomic import make_mkdocs_writes_atomic, remove_leftovers, write_atomic
from .cache import content_key
from .children import stop_children
from .code_index import search_records
from .config import SiteConfig
from .engine import Engine, shared_engine
from .figures import figures
from .links import Link, check_links, ids_in_html
from .notes import link_targets
from .parser import readable_title
from .quick_rebuild import QuickRebuild
from .render import RenderedPage
from .search import build_search_index
from .site_folder import set_aside
from .structure import IMAGE_SUFFIXES, Entry, SiteStructure, relative_url, scan_assets
from .ui_text import OG_LOCALES, language_name, ui_text
from .urls import is_web_url

log = logging.getLogger("mkdocs.plugins.annotated")
THEME_DIR = Path(__file__).with_name("theme")
STATUS_PAGE = "translation-status.md"


class _MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory for the life of the process (keyed by source checksum)."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()

    def get_bucket(self, environment, name, filename, source):
        # Code compiled with autoescape differs from code compiled without: keep them apart.
        return super().get_bucket(environment, f"{name}|{bool(environment.autoescape)}", filename, source)


_TEMPLATE_CACHE = _MemoryBytecodeCache()


class AnnotatedConfig(base.Config):
    source_dir = c.Type(str, default="labml_nn")
    source_url = c.Optional(c.Type(str))  # with {path}: the file's path inside source_dir
    languages = c.Type(list, default=["en"])
    translations_dir = c.Optional(c.Type(str))
    offline_assets = c.Type(bool, default=False)
    search = c.Type(bool, default=False)  # index the built site with pagefind (npm)
    site_names = c.Type(dict, default={})  # language → the site's name in it (default: mkdocs' site_name)
    sanitize_notes = c.Type(bool, default=False)  # notes are trusted HTML unless this is true
    translation_file_limit_mb = c.Type((int, float), default=8)  # a bigger translation file is refused
    # Rendered pages kept between builds, relative to mkdocs.yml; safe to delete; "" turns it off.
    cache_dir = c.Type(str, default=".cache/annotated")
    cache_max_mb = c.Type(int, default=512)


@dataclass
class _Generated:
    entry: Entry
    lang: str


class AnnotatedPlugin(BasePlugin[AnnotatedConfig]):
    supports_multiple_instances = False
    # mkdocs serve makes a new plugin for every rebuild; these live for the whole process.
    _last_coverage: tuple | None = None
    _search_thread: threading.Thread | None = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if config.use_directory_urls:
            log.info("annotated: using x.html URLs (use_directory_urls: false)")
            config.use_directory_urls = False
        make_mkdocs_writes_atomic()
        project = Path(config.config_file_path or ".").resolve().parent
        languages = [str(lang) for lang in self.config.languages] or ["en"]
        self.site = SiteConfig(
            source_dir=(project / self.config.source_dir),
            project_dir=project,
            site_name=config.site_name,
            site_url=(config.site_url or "").rstrip("/") + "/" if config.site_url else None,
            source_url=self.config.source_url,
            languages=languages,
            translations_dir=(project / self.config.translations_dir) if self.config.translations_dir else None,
            offline_assets=self.config.offline_assets,
            sanitize_notes=self.config.sanitize_notes,
            docs_dir=Path(config.docs_dir),
            cache_dir=(project / self.config.cache_dir) if self.config.cache_dir else None,
        )
        if self.site.source_url and not is_web_url(self.site.source_url.replace("{path}", "x")):
            raise base.ValidationError(f"annotated: source_url must be an http(s) URL, not {self.site.source_url!r}")
        if not self.site.source_dir.is_dir():
            raise base.ValidationError(f"annotated: source_dir '{self.site.source_dir}' is not a folder")
        self.engine: Engine = shared_engine(self.site)
        self._attach_translations()
        return config

    def _attach_translations(self) -> None:
        """The translation store is optional: a site with one language needs none."""
        if len(self.site.languages) > 1 and self.site.translations_dir is not None:
            from .translations.merge import TranslationMerge

            if not isinstance(self.engine.translator, TranslationMerge):
                self.engine.translator = TranslationMerge(self.site.translations_dir,
                                                          int(self.config.translation_file_limit_mb * 2**20))

    # --- files ------------------------------------------------------------------------------------

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        self.structure: SiteStructure = self.engine.structure()
        for problem in self.structure.problems:  # symlink loops, file names that need escaping
            log.warning(f"{self.engine.display_path(problem.path)}: {problem.message}")
        self.generated: dict[str, _Generated] = {}
        self.views: dict[str, dict] = {}
        self.links: dict[str, list[Link]] = {}
        self.ids: dict[str, set[str]] = {}
        assets = scan_assets(self.site.source_dir)
        for lang in self.site.languages:
            prefix = self._prefix(lang)
            for entry in self.structure.entries:
                src_uri = prefix + entry.url[: -len(".html")] + ".md"
                if files.get_file_from_path(src_uri) is not None:
                    log.warning(f"docs/{src_uri}: clashes with the page generated for "
                                f"{entry.source or entry.folder + '/'}; rename one of them")
                    continue
                files.append(File.generated(config, src_uri, content=""))
                self.generated[src_uri] = _Generated(entry, lang)
            for asset in assets:
                files.append(File.generated(config, prefix + asset,
                                            abs_src_path=str(self.site.source_dir / asset)))
            if prefix:  # images kept in docs_dir beside a page serve its translations too
                for image in self._docs_images(files):
                    if files.get_file_from_path(prefix + image.src_uri) is None:
                        files.append(File.generated(config, prefix + image.src_uri, abs_src_path=image.abs_src_path))
        self.status_pages: dict[str, str] = {}  # src_uri → language of the translation status page
        if self.engine.translator is not None:
            for lang in self.site.languages:
                src_uri = self._prefix(lang) + STATUS_PAGE
                files.append(File.generated(config, src_uri, content=""))
                self.status_pages[src_uri] = lang
        files.append(File.generated(config, "assets/pygments.css", content=pygments_css()))
        dist = katex_dist(self.engine.math.node_modules)
        if self.site.offline_assets:
            files.append(File.generated(config, "assets/katex/katex.min.css",
                                        abs_src_path=str(dist / "katex.min.css")))
            for font in sorted((dist / "fonts").glob("*.woff2")):
                files.append(File.generated(config, f"assets/katex/fonts/{font.name}", abs_src_path=str(font)))
        self.katex_integrity = sri_sha384(dist / "katex.min.css")
        self.files = files
        self._guide_lists: dict[str, list[File]] = {}
        sources = [e.source for e in self.structure.entries if e.source]
        self.rendered: dict[tuple[str, str], RenderedPage] = {}
        for lang in self.site.languages:
            # All at once: Node renders math on one core while Python highlights on the other.
            for rel, page in zip(sources, self.engine.render_all(sources, lang), strict=True):
                self.rendered[(rel, lang)] = page
        # Sources and translations as they are now: the status page is recomputed when this changes.
        self._content_key = tuple(self.engine.digest(rel, lang) for rel in sources for lang in self.site.languages
                                  ) + (self._review_digest(),)
        self._coverage = AnnotatedPlugin._last_coverage
        return files

    def _docs_images(self, files: Files) -> list[File]:
        """Images of docs_dir in a folder that has generated pages (not under a language prefix)."""
        folders = {e.folder for e in self.structure.entries}
        return [f for f in files if f.abs_src_path and Path(f.src_uri).suffix.lower() in IMAGE_SUFFIXES
                and posixpath.dirname(f.src_uri) in folders and not f.generated_by
                and self._language_of(f.src_uri) == self.site.default_language]

    def _prefix(self, lang: str) -> str:
        return "" if lang == self.site.default_language else f"{lang}/"

    # --- pages ------------------------------------------------------------------------------------

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        if page.file.src_uri in self.status_pages:
            return self._status_page(page, self.status_pages[page.file.src_uri])
        generated = self.generated.get(page.file.src_uri)
        if generated is None:
            return markdown
        entry, lang = generated.entry, generated.lang
        page.render = partial(_render_nothing, page)  # no markdown to convert: skip mkdocs' converter
        page.meta["template"] = "annotated.html"
        view = {"rows": [], "paper_url": None, "source_href": None, "listing": None, "listing_heading": None,
                "summary": None, "redirect": None}
        if entry.source is not None:
            rendered = self.rendered[(entry.source, lang)]
            problems = rendered.diagnostics if lang == self.site.default_language else rendered.translation_problems
            for problem in problems:
                log.warning(str(problem))
            view.update(rows=rendered.rows, paper_url=rendered.paper_url, summary=rendered.summary,
                        katex_fonts=katex_fonts("".join(row.note_html for row in rendered.rows)),
                        source_href=self.site.source_link(entry.source), redirect=rendered.redirect)
            title = rendered.title
            self.ids[page.url] = rendered.ids
            has_intro = any(row.kind == "module" for row in rendered.rows)
            if lang == self.site.default_language:
                self.links[page.url] = [Link(target, rendered.source, line) for target, line in rendered.links]
        else:
            title, has_intro = self._title(entry, lang)[0], False  # a folder with no __init__.py
        if entry.url == "index.html":
            view.update(listing=self._listing(page.url, lang, everything=True),
                        listing_heading=ui_text(lang)["implementations"])
        elif entry.is_index and not has_intro:
            view.update(listing=self._listing(page.url, lang, everything=False))
        page.meta["title"] = title
        self.views[page.file.src_uri] = view
        return ""

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Translated guides: no stray spaces from line breaks inside Chinese or Japanese text (code
        blocks keep theirs), and a visible note when the English guide changed since the translation."""
        lang = self._language_of(page.file.src_uri)
        if page.file.src_uri in self.generated or lang == self.site.default_language:
            return html
        from .translations.cjk import join_cjk_lines

        html = join_cjk_lines(html)
        note = self._stale_guide_note(page, lang)
        if note:
            at = html.find("</h1>")
            at = at + len("</h1>") if at >= 0 else 0
            html = html[:at] + note + html[at:]
        return html

    def _stale_guide_note(self, page: Page, lang: str) -> str | None:
        """The note on a translated guide whose English changed since it was translated (its front
        matter's english_hash no longer matches the English guide)."""
        from html import escape

        from .translations.guides import english_hash, guide_state, recorded_hash

        english_src = page.file.src_uri[len(self._prefix(lang)):]
        english = self.files.get_file_from_path(english_src)
        if english is None or not english.abs_src_path:
            return None
        current = english_hash(Path(english.abs_src_path).read_text("utf-8"))
        if guide_state(recorded_hash(page.meta or {}), current) != "stale":
            return None
        href = escape(relative_url(page.url, english.url))
        text = ui_text(lang)["stale_guide"].format(href=href)
        log.info(f"annotated: {page.file.src_uri} is older than its English guide ({english_src})")
        return f'\n<p class="stale-translation" role="note">{text}</p>\n'

    def _review_digest(self) -> str:
        """Of the review files (carried-over translations): the status page counts them."""
        import hashlib

        root = self.site.translations_dir
        h = hashlib.sha1()
        if root is not None and root.is_dir():
            for path in sorted(root.rglob("*.review.json")):
                h.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        return h.hexdigest()

    def _status_page(self, page: Page, lang: str) -> str:
        """Per language and page, how much is translated: where a contributor can help."""
        from .translations.status import Analyzer, PageStatus, coverage, totals

        if self._coverage is None or self._coverage[0] != self._content_key:
            key = content_key("coverage-2", self._content_key, self.site.languages)
            stored = self.engine.cache.get("status", key)
            if isinstance(stored, list):
                statuses = [PageStatus(**fields) for fields in stored]
            else:
                analyzer = Analyzer(self.site.source_dir, self.site.translations_dir, self.engine.preparer,
                                    self.engine.translator, load=lambda rel: self.engine.source(rel)[1])
                statuses = coverage(self.site.source_dir, self.site.translations_dir, self.site.languages,
                                    default_language=self.site.default_language, analyzer=analyzer)
                self.engine.cache.put("status", key, [asdict(s) for s in statuses])
            self._coverage = (self._content_key, statuses, totals(statuses))
            AnnotatedPlugin._last_coverage = self._coverage
        _, statuses, sums = self._coverage
        sections = []
        for total in sums:
            rows = []
            for status in (s for s in statuses if s.lang == total.lang):
                entry = self.structure.by_url.get(status.url)
                rows.append({"status": status, "title": self._title(entry, lang)[0] if entry else status.source,
                             "href": relative_url(page.url, self._prefix(lang) + status.url)})
            sections.append({"lang": total.lang, "name": language_name(total.lang), "total": total, "rows": rows,
                             "guides": self._guide_rows(page, total.lang)})
        page.meta["template"] = "status.html"
        page.meta["title"] = ui_text(lang)["translation_status"]
        self.views[page.file.src_uri] = {"status": sections, "summary": None, "redirect": None}
        return ""

    def _guide_rows(self, page: Page, lang: str) -> list[dict]:
        """The translated guides of `lang`: current, or stale (the English changed since)."""
        from .translations.guides import guide_statuses

        rows: list[dict] = []
        if self.site.docs_dir is None:
            return rows
        for g in guide_statuses(self.site.docs_dir, [lang]):
            file = self.files.get_file_from_path(f"{lang}/{g.guide}")
            if file is None or not file.abs_src_path:
                continue
            text = Path(file.abs_src_path).read_text("utf-8")
            heading = re.search(r"^#\s+(.+)$", text, re.M)
            rows.append({"title": heading.group(1).strip() if heading else g.guide, "state": g.state,
                         "href": relative_url(page.url, file.url)})
        return rows

    def _title(self, entry: Entry, lang: str) -> tuple[str, str | None]:
        if entry.source is None:
            return (readable_title(entry.folder + "/__init__.py") if entry.folder else "Home"), None
        rendered = self.rendered[(entry.source, lang)]
        return rendered.title, rendered.summary

    def _listing(self, page_url: str, lang: str, everything: bool) -> list[dict]:
        prefix = self._prefix(lang)
        if everything:
            entries = [e for e in self.structure.entries if e.url != "index.html"]
        else:
            folder = self.structure.by_url[page_url[len(prefix):]].folder
            entries = self.structure.children(folder)
        items = []
        for e in entries:
            title, summary = self._title(e, lang)
            depth = e.folder.count("/") + (0 if e.is_index else 1) if e.folder else 0
            items.append({"href": relative_url(page_url, prefix + e.url), "title": title, "summary": summary,
                          "depth": min(depth, 3) if everything else 0, "readme": e.url.endswith("readme.html")})
        return items

    def on_page_context(self, context: dict, page: Page, config: MkDocsConfig, nav) -> dict:
        generated = self.generated.get(page.file.src_uri)
        lang = generated.lang if generated else self._language_of(page.file.src_uri)
        view = self.views.get(page.file.src_uri)
        context["A"] = view
        context["S"] = self._site_view(page, lang, generated, view)
        return context

    def _guides(self, lang: str) -> list[File]:
        """The hand-written pages from docs/ in `lang`, for the footer (reading first, then by name).
        Listed once per build and language: every page's footer asks."""
        if lang not in self._guide_lists:
            order = {"reading": 0, "writing": 1, "translating": 2, "experiments": 3}
            pages = [f for f in self.files.documentation_pages()
                     if f.src_uri not in self.generated and f.src_uri not in self.status_pages
                     and f.page is not None and self._language_of(f.src_uri) == lang]
            self._guide_lists[lang] = sorted(pages, key=lambda f: (order.get(Path(f.src_uri).stem, 9), f.src_uri))
        return self._guide_lists[lang]

    def _language_of(self, src_uri: str) -> str:
        first = src_uri.split("/", 1)[0]
        return first if first in self.site.languages[1:] else self.site.default_language

    def _same_page_in(self, page: Page, lang: str, generated: _Generated | None) -> str | None:
        """The URL of this page in `lang`, when the site has one."""
        if generated is not None:
            return self._prefix(lang) + generated.entry.url
        src = page.file.src_uri
        own = self._language_of(src)
        base_src = src[len(self._prefix(own)):]
        candidate = self._prefix(lang) + base_src
        other = self.files.get_file_from_path(candidate)
        return other.url if other is not None else None

    def _site_view(self, page: Page, lang: str, generated: _Generated | None, view: dict | None) -> dict:
        url = page.url
        text = ui_text(lang)
        home = self._prefix(lang) + "index.html"
        languages, alternates = [], []
        for other in self.site.languages:
            target = self._same_page_in(page, other, generated) or self._prefix(other) + "index.html"
            languages.append({"code": other, "label": language_name(other), "current": other == lang,
                              "href": relative_url(url, target)})
            if self.site.site_url and self._same_page_in(page, other, generated):
                alternates.append({"lang": other, "href": self.site.site_url + target})
        if alternates and self.site.site_url:
            alternates.append({"lang": "x-default",
                               "href": self.site.site_url + (self._same_page_in(page, self.site.default_language,
                                                                                generated) or "index.html")})
        crumbs, prev, nxt = [], None, None
        if generated is not None:

            def link(entry: Entry) -> dict:
                return {"title": self._title(entry, lang)[0], "href": relative_url(url, self._prefix(lang) + entry.url)}

            crumbs = [link(crumb) for crumb in self.structure.breadcrumbs(generated.entry.url)]
            before, after = self.structure.neighbours(generated.entry.url)
            prev, nxt = (link(before) if before else None), (link(after) if after else None)
        elif url != home:
            crumbs.append({"title": text["contents"], "href": relative_url(url, home)})
        base_url = posixpath.relpath(".", posixpath.dirname(url) or ".")
        katex_version = self.engine.math.version
        offline = self.site.offline_assets
        katex_css = f"{base_url}/assets/katex/katex.min.css" if offline else katex_cdn_css(katex_version)
        font_base = katex_css.rsplit("/", 1)[0] + "/fonts/"
        fonts = (view or {}).get("katex_fonts") or (katex_fonts(page.content) if page.content else [])
        return {
            "lang": lang, "title": page.title or "", "site_name": self.config.site_names.get(lang, self.site.site_name),
            "description": (view or {}).get("summary") or (page.meta.get("summary") if page.meta else None),
            "canonical": self.site.site_url + url if self.site.site_url else None,
            "alternates": alternates, "languages": languages, "og_locale": OG_LOCALES.get(lang, lang),
            "root": base_url, "home": relative_url(url, home), "breadcrumbs": crumbs, "prev": prev, "next": nxt,
            "text": text, "search": self.config.search,
            "status_href": relative_url(url, self._prefix(lang) + STATUS_PAGE[:-3] + ".html")
            if self.status_pages else None,
            "guides": [{"title": f.page.title, "href": relative_url(url, f.url)} for f in self._guides(lang)],
            "redirect": (view or {}).get("redirect"),
            "katex_css": katex_css,
            "katex_integrity": None if offline else self.katex_integrity,
            "katex_fonts": [font_base + font for font in fonts],
            "katex_font_specs": [katex_font_spec(font) for font in fonts],
            "font_wait_ms": FONT_WAIT_MS,
        }

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        if page.file.src_uri in self.generated:
            self.ids.setdefault(page.url, set())  # row and note ids were recorded while rendering
        else:
            self.ids[page.url] = ids_in_html(output)
        if page.file.src_uri not in self.generated and page.content:
            source = f"{Path(config.docs_dir).name}/{page.file.src_uri}"
            markdown = page.markdown or ""
            self.links[page.url] = [Link(t, source, _line_in(markdown, t)) for t in link_targets(page.content)]
        return output

    # --- site ------------------------------------------------------------------------------------

    def on_post_build(self, config: MkDocsConfig) -> None:
        if getattr(self, "_old_site", None) is not None:
            self._old_site.join()
        self.engine.cache.max_bytes = self.config.cache_max_mb << 20
        self.engine.cache.trim()
        known = {f.dest_uri for f in self.files}
        for problem in check_links(self.links, known, self.ids):
            log.warning(str(problem))
        self._write_sitemap(Path(config.site_dir))
        if self.config.search:
            site_dir, node_modules = Path(config.site_dir), self.engine.math.node_modules
            if self.serving:
                # The browser reloads at once; the search index follows a moment later.
                thread = threading.Thread(target=_index_quietly, args=(site_dir, node_modules, self._definitions()),
                                          daemon=True)
                AnnotatedPlugin._search_thread = thread
                thread.start()
            else:
                build_search_index(site_dir, node_modules, self._definitions())
        if self.serving:  # what the next save's quick rebuild starts from
            watched = [Path(config.docs_dir), Path(config.config_file_path or "mkdocs.yml"), THEME_DIR,
                       self.site.source_dir, *([self.site.translations_dir] if self.site.translations_dir else [])]
            self._quick = getattr(self, "_quick", None) or QuickRebuild(self, watched)
            self._quick.remember(config, self._nav, self._env)

    def on_shutdown(self) -> None:
        """`mkdocs serve` deletes its site folder next: no indexer may write there afterwards."""
        stop_children()

    def on_nav(self, nav, *, config: MkDocsConfig, files: Files):
        self._nav = nav
        return nav

    def _definitions(self) -> list[dict]:
        """Search records for every class, function and method, on each language's page."""
        records = []
        for (rel, lang), rendered in self.rendered.items():
            entry = next((e for e in self.structure.entries if e.source == rel), None)
            page = self.engine.source(rel)[1]
            if entry is None or page.language != "python":
                continue
            records += search_records(page.text, rendered.rows, "/" + self._prefix(lang) + entry.url, lang,
                                      rendered.title)
        return records

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # (Implementing on_startup also keeps this plugin alive across `mkdocs serve` rebuilds.)
        self.serving = command == "serve"

    def on_env(self, env, *, config: MkDocsConfig, files: Files):
        """Compiled templates survive rebuilds: mkdocs makes a new Jinja environment for each build.
        Our theme escapes every value it prints; only rendered HTML is marked `|safe` in the templates."""
        if config.theme.name == "annotated":
            env.autoescape = True
        env.bytecode_cache = _TEMPLATE_CACHE
        env.filters["figures"] = figures
        self._env = env
        return env

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        if not hasattr(self, "serving"):
            self.serving = False
        # A killed run's half-written files (site/ is also cleaned by mkdocs, but not with --dirty).
        for folder in (Path(config.site_dir), self.site.translations_dir, self.engine.cache.root):
            for path in remove_leftovers(folder) if folder else []:
                log.info(f"annotated: removed {path}, left by an interrupted run")
        if AnnotatedPlugin._search_thread is not None:
            AnnotatedPlugin._search_thread.join()  # never clean site/ under a running indexer
        # The old site is deleted while this one is built (mkdocs would delete it first, file by file).
        self._old_site = None if self.serving else set_aside(Path(config.site_dir))

    def _write_sitemap(self, site_dir: Path) -> None:
        """sitemap.xml with every page and its language alternates (well-formed by construction)."""
        base_url = self.site.site_url or "/"
        sm = "http://www.sitemaps.org/schemas/sitemap/0.9"
        xhtml = "http://www.w3.org/1999/xhtml"
        ET.register_namespace("", sm)
        ET.register_namespace("xhtml", xhtml)
        urlset = ET.Element(f"{{{sm}}}urlset")
        for f in self.files.documentation_pages():
            page = f.page
            if page is None:
                continue
            node = ET.SubElement(urlset, f"{{{sm}}}url")
            ET.SubElement(node, f"{{{sm}}}loc").text = base_url + f.url
            generated = self.generated.get(f.src_uri)
            for lang in self.site.languages if len(self.site.languages) > 1 else []:
                other = self._same_page_in(page, lang, generated)
                if other:
                    ET.SubElement(node, f"{{{xhtml}}}link", rel="alternate", hreflang=lang, href=base_url + other)
        data = ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
        write_atomic(site_dir / "sitemap.xml", data)

    def on_serve(self, server, config: MkDocsConfig, builder):
        """Rebuild on edits to sources, translations and our templates, not only docs/."""
        # mkdocs polls for changes every 0.5 s; the folders below are small, so poll them every 0.1 s
        # and a save shows sooner (watchdog's observer hands its timeout to each new watch).
        observer = getattr(server, "observer", None)
        if isinstance(getattr(observer, "_timeout", None), (int, float)):
            observer._timeout = min(observer._timeout, 0.1)
        server.watch(str(self.site.source_dir))
        if self.site.translations_dir and self.site.translations_dir.is_dir():
            server.watch(str(self.site.translations_dir))
        server.watch(str(THEME_DIR))
        full_build = server.builder

        def builder() -> None:
            """A saved source re-renders only its pages (`quick_rebuild`); anything else, the whole site."""
            quick = getattr(self, "_quick", None)
            try:
                if quick is not None and quick.run():
                    return
            except Exception as e:  # never worse than mkdocs' own rebuild
                log.info(f"annotated: quick rebuild not possible ({e}); rebuilding the site")
            full_build()

        server.builder = builder
        return server


def _render_nothing(page: Page, config: MkDocsConfig, files: Files) -> None:
    """`Page.render` for a generated page: its HTML comes from our template, not from markdown (mkdocs
    would build a new markdown converter for each of them)."""
    page.content = ""
    page.toc = get_toc([])


def _index_quietly(site_dir: Path, node_modules: Path, records: list[dict]) -> None:
    try:
        build_search_index(site_dir, node_modules, records)
    except Exception as e:  # a dev server keeps serving; the next save tries again
        log.warning(f"search index not updated: {e}")


def _line_in(markdown: str, target: str) -> int:
    at = markdown.find(target)
    return markdown.count("\n", 0, at) + 1 if at >= 0 else 0
