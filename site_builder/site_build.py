"""What a build with something to do does: a generated page per source file and language, every page
rendered (by the engine, cached), the views handed to the theme's templates (`site_view`), and after
the pages, the link check, the sitemap and the search index. The plugin makes one `SiteBuild` per
build and maps mkdocs' events onto it; a build with nothing to do (`last_build`) never imports this.
Problems are logged as warnings, which `mkdocs build --strict` turns into a failure.
"""

from __future__ import annotations

import gzip
import logging
import posixpath
import threading
from functools import partial
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from . import site_folder
from .assets import katex_dist, pygments_css, sri_sha384
from .atomic import write_site_file
from .cache import content_key
from .code_index import site_records
from .config import SiteConfig
from .engine import Engine
from .links import Link, check_links, ids_in_html, line_of
from .rendered import RenderedPage
from .search import build_search_index
from .site_view import STATUS_PAGE, Assets, GeneratedPage, SiteView, language_prefix
from .sitemap import sitemap_xml
from .structure import IMAGE_SUFFIXES, SiteStructure, relative_url
from .templates import STORED, prepare_environment, store_page_output, theme_digest
from .ui_text import ui_text

log = logging.getLogger("mkdocs.plugins.annotated")
_search_thread: threading.Thread | None = None  # `mkdocs serve`'s indexer, which outlives its build


def wait_for_search_index() -> None:
    """Never clean site/ under a running indexer."""
    if _search_thread is not None:
        _search_thread.join()


class SiteBuild:
    def __init__(self, site: SiteConfig, engine: Engine, options, serving: bool):
        """`options`: the plugin's settings (site_names, search, cache_max_mb)."""
        self.site, self.engine, self.options, self.serving = site, engine, options, serving

    # --- files ------------------------------------------------------------------------------------

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        self.structure: SiteStructure = self.engine.structure()
        for problem in self.structure.problems:  # symlink loops, file names that need escaping
            log.warning(f"{self.engine.display_path(problem.path)}: {problem.message}")
        self.generated: dict[str, GeneratedPage] = {}
        self.views: dict[str, dict] = {}
        self.links: dict[str, list[Link]] = {}
        self.ids: dict[str, set[str]] = {}
        assets = self.structure.images
        for lang in self.site.languages:
            prefix = language_prefix(self.site, lang)
            for entry in self.structure.entries:
                src_uri = prefix + entry.url[: -len(".html")] + ".md"
                if files.get_file_from_path(src_uri) is not None:
                    log.warning(f"docs/{src_uri}: clashes with the page generated for "
                                f"{entry.source or entry.folder + '/'}; rename one of them")
                    continue
                files.append(File.generated(config, src_uri, content=""))
                self.generated[src_uri] = GeneratedPage(entry, lang)
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
                src_uri = language_prefix(self.site, lang) + STATUS_PAGE
                files.append(File.generated(config, src_uri, content=""))
                self.status_pages[src_uri] = lang
        files.append(File.generated(config, "assets/pygments.css", content=self._pygments_css()))
        dist = katex_dist(self.engine.math.node_modules)
        if self.site.offline_assets:
            files.append(File.generated(config, "assets/katex/katex.min.css",
                                        abs_src_path=str(dist / "katex.min.css")))
            for font in sorted((dist / "fonts").glob("*.woff2")):
                files.append(File.generated(config, f"assets/katex/fonts/{font.name}", abs_src_path=str(font)))
        self.files = files
        sources = [e.source for e in self.structure.entries if e.source]
        self.rendered: dict[tuple[str, str], RenderedPage] = {}
        for lang in self.site.languages:
            for rel, page in zip(sources, self.engine.render_all(sources, lang, self.structure), strict=True):
                self.rendered[(rel, lang)] = page
        self.view = SiteView(self.site, self.structure, files, self.generated, self.rendered,
                             Assets(self.engine.math.version, sri_sha384(dist / "katex.min.css"),
                                    self.site.offline_assets),
                             site_names=self.options.site_names, search=self.options.search,
                             status_pages=self.status_pages)
        if self.status_pages:  # counted again when the sources, translations or reviews change
            from .translations.status_page import StatusPage, review_digest

            self.status = StatusPage(self.engine, tuple(self.engine.digest(rel, lang) for rel in sources
                                                        for lang in self.site.languages)
                                     + (review_digest(self.site.translations_dir),))
        return files

    def _pygments_css(self) -> str:
        """Made once per Pygments version (importing its formatter and styles costs a build 5 ms)."""
        from .highlight import pygments_version

        key = content_key(pygments_version())
        css = self.engine.cache.get("assets", key)
        if not isinstance(css, str):
            css = pygments_css()
            self.engine.cache.put("assets", key, css)
        return css

    def _docs_images(self, files: Files) -> list[File]:
        """Images of docs_dir in a folder that has generated pages (not under a language prefix)."""
        folders = {e.folder for e in self.structure.entries}
        return [f for f in files if f.abs_src_path and Path(f.src_uri).suffix.lower() in IMAGE_SUFFIXES
                and posixpath.dirname(f.src_uri) in folders and not f.generated_by
                and not f.src_uri.startswith(tuple(f"{lang}/" for lang in self.site.languages[1:]))]

    # --- pages ------------------------------------------------------------------------------------

    def on_page_markdown(self, markdown: str, page: Page) -> str:
        src_uri = page.file.src_uri
        if src_uri in self.status_pages:
            lang = self.status_pages[src_uri]
            page.meta["template"] = "status.html"
            page.meta["title"] = ui_text(lang)["translation_status"]
            self.views[src_uri] = {"status": self.status.sections(self.view, page.url, lang), "summary": None,
                                   "redirect": None}
            return ""
        generated = self.generated.get(src_uri)
        if generated is None:
            return markdown
        page.render = partial(_render_nothing, page)  # no markdown to convert: skip mkdocs' converter
        page.meta["template"] = "annotated.html" + STORED  # unchanged views: the HTML of the last build
        page.meta["title"], self.views[src_uri] = self.view.annotated(generated, page.url)
        entry, lang = generated.entry, generated.lang
        if entry.source is not None:
            rendered = self.rendered[(entry.source, lang)]
            english = lang == self.site.default_language
            for problem in rendered.diagnostics if english else rendered.translation_problems:
                log.warning(str(problem))
            self.ids[page.url] = rendered.ids
            if english:
                self.links[page.url] = [Link(target, rendered.source, line) for target, line in rendered.links]
        return ""

    def on_page_content(self, html: str, page: Page) -> str:
        """Translated guides: no stray spaces from line breaks inside Chinese or Japanese text (code
        blocks keep theirs), and a visible note when the English guide changed since the translation."""
        lang = self.view.language_of(page.file.src_uri)
        if page.file.src_uri in self.generated or lang == self.site.default_language:
            return html
        from .translations.cjk import join_cjk_lines
        from .translations.guides import stale_guide_note

        html = join_cjk_lines(html)
        english_src = page.file.src_uri[len(self.view.prefix(lang)):]
        english = self.files.get_file_from_path(english_src)
        if english is None or not english.abs_src_path:
            return html
        note = stale_guide_note(lang, Path(english.abs_src_path).read_text("utf-8"), page.meta or {},
                                relative_url(page.url, english.url))
        if note:
            log.info(f"annotated: {page.file.src_uri} is older than its English guide ({english_src})")
            at = html.find("</h1>")
            at = at + len("</h1>") if at >= 0 else 0
            html = html[:at] + note + html[at:]
        return html

    def on_page_context(self, context: dict, page: Page) -> dict:
        view = self.views.get(page.file.src_uri)
        context["A"] = view
        generated = self.generated.get(page.file.src_uri)
        rows = None
        if generated is not None:
            rows = self.engine.digest(generated.entry.source, generated.lang) if generated.entry.source else ""
        if rows is None:  # a page of docs/, or one that failed to render (which is never cached)
            context["S"] = self.view.surroundings(page, view)
            return context
        # The page's HTML is a function of its rows, its own view, its place and title, the site's shape
        # (all that its surroundings S are made of) and the templates; S itself is made only if the page
        # is rendered. (S's interface text is a function of the page's language, and of the generator's
        # version, which the cache folder is keyed by.)
        context["html_key"] = content_key(self._theme_digest, rows, self.view.shape(), page.file.src_uri, page.url,
                                          page.title, {k: v for k, v in view.items() if k != "rows"})
        context["S"] = partial(self.view.surroundings, page, view)
        return context

    def on_env(self, env, config: MkDocsConfig, trusted_pages: dict[str, str]):
        prepare_environment(env, config.theme.name == "annotated", self.engine.cache)
        self.page_outputs = store_page_output(env, self.engine.cache, trusted_pages)
        # mkdocs.yml too: a template overridden in custom_dir may show any setting.
        config_file = Path(config.config_file_path) if config.config_file_path else None
        self._theme_digest = content_key(theme_digest(config.theme.dirs),
                                         config_file.read_bytes() if config_file and config_file.is_file() else b"")

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        if page.file.src_uri in self.generated:
            self.ids.setdefault(page.url, set())  # row and note ids were recorded while rendering
            return output
        self.ids[page.url] = ids_in_html(output)
        if page.content:
            from .notes import link_targets

            source = f"{Path(config.docs_dir).name}/{page.file.src_uri}"
            markdown = page.markdown or ""
            self.links[page.url] = [Link(t, source, line_of(markdown, t)) for t in link_targets(page.content)]
        return output

    # --- site ------------------------------------------------------------------------------------

    def on_post_build(self, config: MkDocsConfig) -> site_folder.SiteFolder | None:
        """The sitemap, stale files removed, the cache trimmed, links checked, the search index; returns
        the site folder's bookkeeping (None after a --dirty build)."""
        global _search_thread
        self._write_sitemap(Path(config.site_dir))
        site = site_folder.finish(config.site_dir)  # the files of pages that are gone, and so on
        if site is not None and site.removed:
            log.info(f"annotated: removed {len(site.removed)} files of the last build that this one did not write "
                     "(pages that are gone, the old search index)")
        self.engine.cache.max_bytes = self.options.cache_max_mb << 20
        self.engine.cache.trim()
        known = {f.dest_uri for f in self.files}
        for problem in check_links(self.links, known, self.ids):
            log.warning(str(problem))
        if self.options.search:
            site_dir, node_modules = Path(config.site_dir), self.engine.math.node_modules
            records = site_records(self.rendered, self.structure, lambda rel: self.engine.source(rel)[1],
                                   partial(language_prefix, self.site))
            if self.serving:
                # The browser reloads at once; the search index follows a moment later.
                thread = threading.Thread(target=_index_quietly, args=(site_dir, node_modules, records), daemon=True)
                _search_thread = thread
                thread.start()
            else:
                build_search_index(site_dir, node_modules, records)
        return site

    def _write_sitemap(self, site_dir: Path) -> None:
        languages = self.site.languages if len(self.site.languages) > 1 else []
        pages = []
        for f in self.files.documentation_pages():
            if f.page is not None:
                alternates = [(lang, url) for lang in languages if (url := self.view.same_page_in(f.page, lang))]
                pages.append((f.url, alternates))
        xml = sitemap_xml(self.site.site_url or "/", pages)
        write_site_file(xml, str(site_dir / "sitemap.xml"))
        # mkdocs wrote its own sitemap.xml.gz, without the language alternates; the same bytes every build
        write_site_file(gzip.compress(xml, mtime=0), str(site_dir / "sitemap.xml.gz"))


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
