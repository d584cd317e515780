"""The mkdocs adapter: maps mkdocs' events onto the engine (parse → render, cached) and the views
handed to the theme's templates (`site_view`).

On files, one generated page per source file and language is added and every page is rendered; on
each page, its views; after the build, the link check, the sitemap and the search index. Problems
are logged as warnings, which `mkdocs build --strict` turns into a failure.
"""

from __future__ import annotations

import gzip
import logging
import posixpath
import sys
import threading
from functools import partial
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from . import site_folder
from .assets import katex_dist, pygments_css, sri_sha384
from .atomic import make_mkdocs_writes_atomic, remove_leftovers, write_site_file
from .cache import content_key
from .config import SiteConfig
from .engine import Engine, shared_engine
from .last_build import Inputs, LastBuild, Warnings, config_digest, environment_digest
from .links import Link, check_links, ids_in_html, line_of
from .rendered import RenderedPage
from .site_view import STATUS_PAGE, Assets, GeneratedPage, SiteView, language_prefix
from .sitemap import sitemap_xml
from .structure import IMAGE_SUFFIXES, SiteStructure, relative_url
from .templates import STORED, prepare_environment, store_page_output, theme_digest
from .ui_text import ui_text
from .urls import is_web_url

log = logging.getLogger("mkdocs.plugins.annotated")
THEME_DIR = Path(__file__).with_name("theme")


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
    workers = c.Type(int, default=0)  # processes preparing pages on a cold build: 0 one per core, 1 none



class AnnotatedPlugin(BasePlugin[AnnotatedConfig]):
    supports_multiple_instances = False
    # mkdocs serve makes a new plugin for every rebuild; this lives for the whole process.
    _search_thread: threading.Thread | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # (Implementing on_startup also keeps this plugin alive across `mkdocs serve` rebuilds.)
        self.serving = command == "serve"
        self.dirty = dirty

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
            workers=self.config.workers,
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

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        if not hasattr(self, "serving"):  # (built from Python, not from the command line)
            self.serving = self.dirty = False
        # Nothing changed since the last build: `skip` holds its warnings, and this build writes nothing.
        self.skip: list[tuple[str, int, str]] | None = None
        self.inputs: Inputs | None = None
        settings = config_digest(config, config.plugins.keys()) if not self.serving else None
        if settings is not None and self.engine.cache.enabled:
            theme_dirs = [Path(d) for d in config.theme.dirs]
            roots = [Path(config.docs_dir), self.site.source_dir, *theme_dirs,
                     *([self.site.translations_dir] if self.site.translations_dir else []),
                     *([Path(config.config_file_path)] if config.config_file_path else [])]
            self.inputs = Inputs.scan(settings, environment_digest(self.engine.math.node_modules), roots,
                                      skip=[Path(config.site_dir), self.engine.cache.root])
            self.last_build = LastBuild(self.engine.cache, config.site_dir)
            self.skip = self.last_build.unchanged(self.inputs)
            if self.skip is not None:
                return
        self.warnings = Warnings()
        logging.getLogger("mkdocs").addHandler(self.warnings)
        # A killed run's half-written files. (A clean build deletes what it did not write from site/, and
        # the cache's go when it is trimmed.)
        for folder in (Path(config.site_dir) if self.dirty else None, self.site.translations_dir):
            for path in remove_leftovers(folder) if folder else []:
                log.info(f"annotated: removed {path}, left by an interrupted run")
        if AnnotatedPlugin._search_thread is not None:
            AnnotatedPlugin._search_thread.join()  # never clean site/ under a running indexer

    # --- files ------------------------------------------------------------------------------------

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        if self.skip is not None:  # mkdocs gets no files, and the site folder takes no writes
            site_folder.leave_as_is(config.site_dir)
            config.theme.static_templates.clear()  # (mkdocs writes sitemap.xml.gz itself)
            return Files([])
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
        files.append(File.generated(config, "assets/pygments.css", content=pygments_css()))
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
                             site_names=self.config.site_names, search=self.config.search,
                             status_pages=self.status_pages)
        if self.status_pages:  # counted again when the sources, translations or reviews change
            from .translations.status_page import StatusPage, review_digest

            self.status = StatusPage(self.engine, tuple(self.engine.digest(rel, lang) for rel in sources
                                                        for lang in self.site.languages)
                                     + (review_digest(self.site.translations_dir),))
        return files

    def _docs_images(self, files: Files) -> list[File]:
        """Images of docs_dir in a folder that has generated pages (not under a language prefix)."""
        folders = {e.folder for e in self.structure.entries}
        return [f for f in files if f.abs_src_path and Path(f.src_uri).suffix.lower() in IMAGE_SUFFIXES
                and posixpath.dirname(f.src_uri) in folders and not f.generated_by
                and not f.src_uri.startswith(tuple(f"{lang}/" for lang in self.site.languages[1:]))]

    # --- pages ------------------------------------------------------------------------------------

    def on_nav(self, nav, *, config: MkDocsConfig, files: Files):
        self._nav = nav
        return nav

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
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

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
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

    def on_page_context(self, context: dict, page: Page, config: MkDocsConfig, nav) -> dict:
        view = self.views.get(page.file.src_uri)
        context["A"] = view
        context["S"] = self.view.surroundings(page, view)
        generated = self.generated.get(page.file.src_uri)
        if generated is not None:  # the page's HTML is a function of these (and the templates) only
            rows = self.engine.digest(generated.entry.source, generated.lang) if generated.entry.source else ""
            if rows is not None:  # (None: a page that failed to render, which is never cached)
                # (S's interface text is a function of its language, and of the generator's version, which
                # the cache folder is keyed by)
                context["html_key"] = content_key(self._theme_digest, rows,
                                                  {k: v for k, v in context["S"].items() if k != "text"},
                                                  {k: v for k, v in view.items() if k != "rows"})
        return context

    def on_env(self, env, *, config: MkDocsConfig, files: Files):
        if self.skip is not None:
            return env
        self._env = prepare_environment(env, config.theme.name == "annotated", self.engine.cache)
        store_page_output(env, self.engine.cache)
        # mkdocs.yml too: a template overridden in custom_dir may show any setting.
        config_file = Path(config.config_file_path) if config.config_file_path else None
        self._theme_digest = content_key(theme_digest(config.theme.dirs),
                                         config_file.read_bytes() if config_file and config_file.is_file() else b"")
        return env

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

    def on_post_build(self, config: MkDocsConfig) -> None:
        if self.skip is not None:
            site_folder.finish(config.site_dir)
            for name, level, message in self.skip:  # (a strict build fails on them again)
                logging.getLogger(name).log(level, message)
            log.info("annotated: nothing changed since the last build; the site folder is as it left it")
            return
        self._write_sitemap(Path(config.site_dir))
        site = site_folder.finish(config.site_dir)  # the files of pages that are gone, and so on
        if site is not None and site.removed:
            log.info(f"annotated: removed {len(site.removed)} files of the last build that this one did not write "
                     "(pages that are gone, the old search index)")
        self.engine.cache.max_bytes = self.config.cache_max_mb << 20
        self.engine.cache.trim()
        known = {f.dest_uri for f in self.files}
        for problem in check_links(self.links, known, self.ids):
            log.warning(str(problem))
        if self.config.search:
            from .code_index import site_records

            site_dir, node_modules = Path(config.site_dir), self.engine.math.node_modules
            records = site_records(self.rendered, self.structure, lambda rel: self.engine.source(rel)[1],
                                   partial(language_prefix, self.site))
            if self.serving:
                # The browser reloads at once; the search index follows a moment later.
                thread = threading.Thread(target=_index_quietly, args=(site_dir, node_modules, records), daemon=True)
                AnnotatedPlugin._search_thread = thread
                thread.start()
            else:
                from .search import build_search_index

                build_search_index(site_dir, node_modules, records)
        logging.getLogger("mkdocs").removeHandler(self.warnings)
        if self.inputs is not None:  # (not after a --dirty build: stale files may be left in the site)
            if site is not None:
                self.last_build.save(self.inputs, self.warnings.records)
            else:
                self.last_build.forget()
        if self.serving:  # what the next save's quick rebuild starts from
            watched = [Path(config.docs_dir), Path(config.config_file_path or "mkdocs.yml"), THEME_DIR,
                       self.site.source_dir, *([self.site.translations_dir] if self.site.translations_dir else [])]
            from .quick_rebuild import QuickRebuild

            self._quick = getattr(self, "_quick", None) or QuickRebuild(self, watched)
            self._quick.remember(config, self._nav, self._env)

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

    def on_build_error(self, *, error: Exception) -> None:
        if getattr(self, "warnings", None) is not None:
            logging.getLogger("mkdocs").removeHandler(self.warnings)

    def on_shutdown(self) -> None:
        """`mkdocs serve` deletes its site folder next: no indexer may write there afterwards."""
        children = sys.modules.get(f"{__package__}.children")  # (not imported: none was started)
        if children is not None:
            children.stop_children()

    def on_serve(self, server, config: MkDocsConfig, builder):
        """Rebuild on edits to sources, translations and our templates, not only docs/."""
        # mkdocs polls for changes every 0.5 s. A poll of this project's watched folders takes about
        # 1 ms of CPU, so poll every 0.05 s and a save shows sooner (watchdog's observer hands its
        # timeout to each new watch; the ones mkdocs made before this are set below).
        observer = getattr(server, "observer", None)
        if isinstance(getattr(observer, "_timeout", None), (int, float)):
            observer._timeout = min(observer._timeout, 0.05)
            for emitter in getattr(observer, "emitters", ()):
                if isinstance(getattr(emitter, "_timeout", None), (int, float)):
                    emitter._timeout = min(emitter._timeout, 0.05)
        # After a change mkdocs waits until nothing has changed for 0.1 s. An editor's save is over
        # within milliseconds (write, or write and rename): 0.03 s of quiet is enough.
        if isinstance(getattr(server, "build_delay", None), (int, float)):
            server.build_delay = min(server.build_delay, 0.03)
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
    from .search import build_search_index

    try:
        build_search_index(site_dir, node_modules, records)
    except Exception as e:  # a dev server keeps serving; the next save tries again
        log.warning(f"search index not updated: {e}")
