"""The mkdocs adapter: decides whether a build has anything to do (`last_build`), and maps mkdocs' events
onto a `SiteBuild` (the generated pages, their views, links, sitemap, search index) when it has.

A build with nothing to do imports only what that check needs: it hands mkdocs no files, writes
nothing and repeats the last build's warnings.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from . import site_folder
from .atomic import make_mkdocs_writes_atomic, remove_leftovers
from .cache import build_cache
from .config import SiteConfig
from .last_build import Inputs, LastBuild, Warnings, config_digest, environment_digest
from .node_packages import find_node_modules, katex_version
from .urls import is_web_url

log = logging.getLogger("mkdocs.plugins.annotated")


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
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        if not hasattr(self, "serving"):  # (built from Python, not from the command line)
            self.serving = self.dirty = False
        # Nothing changed since the last build: `skip` holds its warnings, and this build writes nothing.
        self.skip: list[tuple[str, int, str]] | None = None
        self.inputs: Inputs | None = None
        self.build = None
        node_modules = find_node_modules(self.site.project_dir)
        settings = config_digest(config, config.plugins.keys()) if not self.serving else None
        cache = build_cache(self.site.cache_dir, katex_version(node_modules))
        if settings is not None and cache.enabled:
            self.inputs = Inputs.scan(settings, environment_digest(node_modules), self._input_files(config),
                                      skip=[Path(config.site_dir), cache.root])
            self.last_build = LastBuild(cache, config.site_dir)
            self.skip = self.last_build.unchanged(self.inputs)
            if self.skip is not None:
                return
        self.trusted_pages = self.last_build.pages() if self.inputs is not None else {}
        self.warnings = Warnings()
        logging.getLogger("mkdocs").addHandler(self.warnings)
        # A killed run's half-written files. (A clean build deletes what it did not write from site/, and
        # the cache's go when it is trimmed.)
        for folder in (Path(config.site_dir) if self.dirty else None, self.site.translations_dir):
            for path in remove_leftovers(folder) if folder else []:
                log.info(f"annotated: removed {path}, left by an interrupted run")
        from .engine import shared_engine
        from .site_build import SiteBuild, wait_for_search_index

        wait_for_search_index()
        self.engine = shared_engine(self.site)
        self._attach_translations()
        self.build = SiteBuild(self.site, self.engine, self.config, self.serving)

    def _input_files(self, config: MkDocsConfig) -> list[Path]:
        """The folders and files a build reads: docs, sources, translations, the theme (its `custom_dir`
        too) and mkdocs.yml."""
        return [Path(config.docs_dir), self.site.source_dir, *(Path(d) for d in config.theme.dirs),
                *([self.site.translations_dir] if self.site.translations_dir else []),
                *([Path(config.config_file_path)] if config.config_file_path else [])]

    def _attach_translations(self) -> None:
        """The translation store is optional: a site with one language needs none."""
        if len(self.site.languages) > 1 and self.site.translations_dir is not None:
            from .translations.merge import TranslationMerge

            if not isinstance(self.engine.translator, TranslationMerge):
                self.engine.translator = TranslationMerge(self.site.translations_dir,
                                                          int(self.config.translation_file_limit_mb * 2**20))

    # --- mkdocs' events, handed to this build's SiteBuild ---------------------------------------------

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        if self.build is None:  # nothing to do: mkdocs gets no files, and the site folder takes no writes
            site_folder.leave_as_is(config.site_dir)
            config.theme.static_templates.clear()  # (mkdocs writes sitemap.xml.gz itself)
            return Files([])
        return self.build.on_files(files, config)

    def on_nav(self, nav, *, config: MkDocsConfig, files: Files):
        self._nav = nav
        return nav

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        return self.build.on_page_markdown(markdown, page)

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        return self.build.on_page_content(html, page)

    def on_page_context(self, context: dict, page: Page, config: MkDocsConfig, nav) -> dict:
        return self.build.on_page_context(context, page)

    def on_env(self, env, *, config: MkDocsConfig, files: Files):
        if self.build is not None:
            self.build.on_env(env, config, self.trusted_pages)
            self._env = env
        return env

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        return self.build.on_post_page(output, page, config)

    def on_post_build(self, config: MkDocsConfig) -> None:
        if self.build is None:
            site_folder.finish(config.site_dir)
            for name, level, message in self.skip or []:  # (a strict build fails on them again)
                logging.getLogger(name).log(level, message)
            log.info("annotated: nothing changed since the last build; the site folder is as it left it")
            return
        site = self.build.on_post_build(config)
        logging.getLogger("mkdocs").removeHandler(self.warnings)
        if self.inputs is not None:  # (not after a --dirty build: stale files may be left in the site)
            if site is not None:
                self.last_build.save(self.inputs, self.warnings.records, self.build.page_outputs)
            else:
                self.last_build.forget()
        if self.serving:  # what the next save's quick rebuild starts from
            from .quick_rebuild import QuickRebuild

            self._quick = getattr(self, "_quick", None) or QuickRebuild(self._input_files(config))
            self._quick.remember(self.build, config, self._nav, self._env)

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
        # mkdocs watches docs/ and mkdocs.yml; a build also reads these (the theme's `custom_dir` too).
        watched = {str(Path(config.docs_dir)), str(Path(config.config_file_path or "mkdocs.yml"))}
        for path in self._input_files(config):
            if path.exists() and str(path) not in watched:
                server.watch(str(path))
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
