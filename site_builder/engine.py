"""The core build, independent of mkdocs: read sources, parse, render, with caches.

An `Engine` lives for the whole process (mkdocs serve rebuilds reuse it), so a rebuild only
re-renders the pages whose source or translation changed. Caches are keyed by content hashes,
never by timestamps.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import posixpath
import threading
from dataclasses import dataclass
from functools import partial
from urllib.parse import unquote

from .cache import DiskCache, build_cache, content_key, flush
from .config import SiteConfig
from .file_status import Digests
from .image_size import image_size
from .katex import KatexRenderer, MathResult, shared_renderer
from .links import link_folders_to_their_index
from .node_packages import find_node_modules
from .page import SourcePage
from .rendered import RenderedPage, from_records, to_records
from .structure import SiteStructure, page_url, scan_assets

# Parsing, notes, highlighting and rendering (markdown, Pygments, tree-sitter, nh3: a tenth of a second
# to import) are imported when a page is rendered: a build whose pages all come from the cache never
# needs them.

@dataclass
class _Cached:
    digest: str
    value: object


class Engine:
    def __init__(self, config: SiteConfig, math: KatexRenderer | None = None):
        self.config = config
        self.math = math or shared_renderer(find_node_modules(config.project_dir))
        self._preparer = None
        # Rendered pages survive the process: a later build redoes only what changed.
        self.cache = build_cache(config.cache_dir, self.math.version)
        self._sources: dict[str, _Cached] = {}
        self._rendered: dict[tuple[str, str], _Cached] = {}
        self._code: dict[str, list[str]] = {}  # sha1 of a file's text → its highlighted lines
        self._images_seen: tuple[SiteStructure, list[str]] | None = None
        self._inline_code: dict[str, list[str]] = {}  # a file's inline code highlighted by a worker
        self._answers_loaded = False  # Pygments' answers kept in the cache (see `highlight.remembered`)
        self._digests: Digests | None = None
        self._workers_learned = False
        self.translator = None  # set by the translation merge: .digest(lang, rel), .for_page(lang, rel)

    def display_path(self, rel: str) -> str:
        """How messages name a source: relative to the project when possible."""
        path = self.config.source_dir / rel
        try:  # the folder resolved, not the file: it may be a symlink (even one that loops)
            return (path.parent.resolve() / path.name).relative_to(self.config.project_dir.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    @property
    def preparer(self):
        """The note preparer (markdown), made when the first page is rendered."""
        if self._preparer is None:
            from .notes import NotePreparer

            self._preparer = NotePreparer()
        return self._preparer

    def structure(self) -> SiteStructure:
        return SiteStructure.scan(self.config.source_dir)

    def source(self, rel: str) -> tuple[str, SourcePage]:
        """The parsed page and a digest of its bytes (re-parsed only when the bytes change)."""
        path = self.config.source_dir / rel
        data = path.read_bytes()
        digest = hashlib.sha1(data).hexdigest()
        cached = self._sources.get(rel)
        if cached is None or cached.digest != digest:
            from .parser import code_only_page, parse_file

            shown = self.display_path(rel)
            try:
                page = parse_file(path, shown)
            except Exception as e:  # one file the parser cannot handle must not stop the build
                page = code_only_page(data.decode("utf-8", "replace"), shown, getattr(e, "lineno", None) or 1, e)
            cached = _Cached(digest, page)
            self._sources[rel] = cached
        return cached.digest, cached.value  # type: ignore[return-value]

    def render(self, rel: str, lang: str | None = None) -> RenderedPage:
        return self.render_all([rel], lang)[0]

    def render_all(self, rels: list[str], lang: str | None = None,
                   structure: SiteStructure | None = None) -> list[RenderedPage]:
        """Render pages, re-using every page whose inputs are unchanged (in memory, else on disk).

        A page's digest covers its source bytes, its translation file and glossary, the site's page
        URLs (folder links) and images (missing-image reports), and the settings that shape it. All
        pages to render are started first (notes prepared, formulas sent to Node), then finished:
        Node renders math on one core while Python highlights code on the other.
        """
        lang = lang or self.config.default_language
        translating = lang != self.config.default_language and self.translator is not None
        out: dict[str, RenderedPage] = {}
        # Folder links resolve against the site's pages (`structure`: as scanned already this build).
        structure = structure or self.structure()
        urls = {entry.url for entry in structure.entries}
        shared = content_key(sorted(urls), self._images(structure), self._settings(), lang)
        todo: list[tuple[str, str]] = []  # (source, digest) of the pages to render
        source_dir = str(self.config.source_dir)
        if self._digests is None:  # the sources' digests by file status, from earlier builds
            self._digests = Digests(self.cache.get("digests", content_key(source_dir)))
        for rel in rels:
            source_digest, _ = self._digests.digest(os.path.join(source_dir, rel))
            digest = content_key(source_digest, shared, self.translator.digest(lang, rel) if translating else "")
            cached = self._rendered.get((rel, lang))
            if cached is not None and cached.digest == digest:
                out[rel] = cached.value  # type: ignore[assignment]
                continue
            key = content_key(rel, digest)
            stored = self.cache.get("page", key)
            if stored is not None and self.cache.has("rows", key):
                page = from_records(stored, partial(self.cache.get, "rows", key))  # type: ignore[arg-type]
                self._rendered[(rel, lang)] = _Cached(digest, page)
                out[rel] = page
                continue
            todo.append((rel, digest))
        if (digests := self._digests.record()) is not None:
            self.cache.put("digests", content_key(source_dir), digests)
        if not todo:
            return [out[rel] for rel in rels]
        import sys

        from tqdm import tqdm

        from .render import Translate, finish_page

        self._recall_pygments_answers()
        # Two passes over the pages: read (parse, notes, code; formulas sent to Node), then render.
        progress = tqdm(total=len(todo), desc=f"reading pages ({lang})", unit="page", leave=False,
                        disable=len(todo) < 20 or not sys.stderr.isatty())
        started = []
        for rel, digest in self._prepared_in_parallel(todo):
            _, page = self.source(rel)
            translate: Translate | None = self.translator.for_page(lang, rel)[1] if translating else None
            try:
                started.append((rel, digest, translate, self._start(page)))
            except Exception as e:
                started.append((rel, digest, None, self._failed(page, lang, e)))
            progress.update()
        progress.reset()
        progress.set_description(f"rendering pages ({lang})")
        for rel, digest, translate, job in started:
            progress.update()
            if isinstance(job, RenderedPage):  # failed while starting; never cached: the next build tries again
                out[rel] = job
                continue
            try:
                rendered = finish_page(job, lang=lang, translate=translate, image_exists=self._image_check(rel),
                                       image_size=self._image_sizer(rel),
                                       highlighted=self._highlighted(job.page),
                                       rewrite_links=partial(link_folders_to_their_index, page_url=page_url(rel),
                                                             known_urls=urls),
                                       sanitize=self.config.sanitize_notes)
            except Exception as e:
                out[rel] = self._failed(job.page, lang, e)  # never cached, like a failure to start
                continue
            if translate is not None:
                rendered.translation_problems = self.translator.page_problems(lang, rel, rendered.keys)
            self._rendered[(rel, lang)] = _Cached(digest, rendered)
            record, rows = to_records(rendered)
            self.cache.put("rows", content_key(rel, digest), rows)
            self.cache.put("page", content_key(rel, digest), record)
            out[rel] = rendered
        progress.close()
        self._keep_pygments_answers()
        flush()  # (written meanwhile, on the cache's own thread)
        return [out[rel] for rel in rels]

    def _recall_pygments_answers(self) -> None:
        """What Pygments answered in earlier builds (see `highlight.remembered`), once per engine."""
        from . import highlight

        if not self._answers_loaded:
            stored = self.cache.get("highlight", content_key(highlight.pygments_version()))
            highlight.learn(stored if isinstance(stored, dict) else {})
            self._answers_loaded = True

    def _keep_pygments_answers(self) -> None:
        """Every answer, when this process or its workers found new ones."""
        from . import highlight

        if highlight.new_answers() or self._workers_learned:
            self.cache.put("highlight", content_key(highlight.pygments_version()), highlight.all_answers())
            self._workers_learned = False

    def _prepared_in_parallel(self, todo: list[tuple[str, str]]):
        """Yield `todo` back, in order, once each page is parsed, its notes prepared and its code
        highlighted. With many pages, forked workers do that (the CPU-heavy Python half of rendering)
        on the other cores while this process sends each page's formulas to Node as it arrives;
        with few, or one core, it happens here, one page at a time, as each is started."""
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        new = [rel for rel, _ in todo if rel not in self._sources]  # (another language parsed the others)
        workers = min(self.config.workers or os.cpu_count() or 1, len(new) // PAGES_PER_WORKER)
        if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
            yield from todo
            return
        global _forked
        _forked = self
        from . import highlight, render  # noqa: F401  (imported once here, not in every worker)

        assert self.preparer is not None  # made here, so every worker inherits it
        # A pipe only this process writes to: workers exit when it closes, so a build killed with -9
        # leaves none behind (they would wait on the task queue forever).
        lifeline = os.pipe()
        try:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                     initializer=_die_with_the_build, initargs=lifeline) as pool:
                results = pool.map(_prepare_in_worker, new, chunksize=2)
                for rel, digest in todo:
                    if rel not in self._sources and results is not None:  # one of `new`: its result is next
                        try:
                            done = next(results)
                        except BrokenProcessPool:  # a worker died (killed, out of memory): go on here
                            results = done = None
                        if done is not None:  # else the worker failed on it: it is done here, with the error
                            source_digest, page, prepared, highlighted, inline_code, answers = done
                            if answers:
                                highlight.learn(answers)
                                self._workers_learned = True
                            self._sources[rel] = _Cached(source_digest, page)
                            self.preparer.remember(page.rows, prepared)
                            text_key = hashlib.sha1(page.text.encode()).hexdigest()
                            self._inline_code[text_key] = inline_code
                            if page.language == "python":
                                self._code[text_key] = highlighted
                    yield rel, digest
        finally:
            _forked = None
            for end in lifeline:
                os.close(end)

    def _settings(self) -> tuple:
        c = self.config
        return (str(c.source_dir.resolve()), str(c.docs_dir), str(c.translations_dir), c.default_language,
                c.sanitize_notes)

    def _images(self, structure: SiteStructure) -> list[str]:
        """Every image a note could show (beside the sources or in docs_dir), with its size: whether one
        exists changes a page's diagnostics, and its size the page's `<img width height>`. Scanned once per
        scan of the structure (not per language)."""
        if self._images_seen is None or self._images_seen[0] is not structure:
            source = self.config.source_dir
            found = [f"{source}:{rel}:{image_size(source / rel)}" for rel in structure.images]
            docs = self.config.docs_dir
            if docs and docs.is_dir():
                found += [f"{docs}:{rel}:{image_size(docs / rel)}" for rel in scan_assets(docs)]
            self._images_seen = (structure, sorted(found))
        return self._images_seen[1]

    def digest(self, rel: str, lang: str | None = None) -> str | None:
        """The content digest the last rendering of a page was made from (None: never rendered)."""
        cached = self._rendered.get((rel, lang or self.config.default_language))
        return cached.digest if cached else None

    def _highlighted(self, page: SourcePage) -> list[str]:
        """The code column's lines, lexed once per distinct file text (every language shares them)."""
        if page.language != "python":
            return []
        key = hashlib.sha1(page.text.encode()).hexdigest()
        if key not in self._code:
            if len(self._code) > 4096:  # a long `mkdocs serve` session: forget old versions of files
                self._code.clear()
                self._inline_code.clear()
            from .highlight import highlight_file

            self._code[key] = highlight_file(page.text)
        return self._code[key]

    def _start(self, page: SourcePage):
        """Notes prepared, formulas sent to Node; inline code highlighted once per file text (every
        language shares it; a worker may have done it)."""
        from .render import inline_code_html, start_page

        job = start_page(page, self.preparer, _StoredMath(self.math, self.cache))
        key = hashlib.sha1(page.text.encode()).hexdigest()
        if key not in self._inline_code:
            self._inline_code[key] = inline_code_html(job.prepared)
        job.inline_code = self._inline_code[key]
        return job

    def _failed(self, page: SourcePage, lang: str, error: Exception) -> RenderedPage:
        """A page that failed to render (e.g. markdown nested too deeply for python-markdown's recursion):
        the file as code, a note saying why, and a diagnostic at the note that fails on its own."""
        line = 1
        for row in page.rows:
            try:
                self.preparer.prepare(row.note)
            except Exception:
                line = row.note_line
                break
        try:
            highlighted = self._highlighted(page)
        except Exception:  # the highlighter may be what failed: the code is shown plain
            highlighted = []
        from .render import code_only_render

        return code_only_render(page, lang, line, error, highlighted)

    def _image_check(self, rel: str):
        folder = posixpath.dirname(rel)

        def image_exists(src: str) -> bool:
            """Beside the source, or in mkdocs' docs_dir at the page's path (both are published there)."""
            if "://" in src or src.startswith(("data:", "/")):
                return True
            path = posixpath.join(folder, unquote(src.split("#")[0].split("?")[0]))
            return any((root / path).is_file() for root in (self.config.source_dir, self.config.docs_dir) if root)

        return image_exists

    def _image_sizer(self, rel: str):
        folder = posixpath.dirname(rel)

        def size(src: str) -> tuple[int, int] | None:
            """The intrinsic size of a local image (None for a remote or unreadable one)."""
            if "://" in src or src.startswith(("data:", "/")):
                return None
            path = posixpath.join(folder, unquote(src.split("#")[0].split("?")[0]))
            for root in (self.config.source_dir, self.config.docs_dir):
                if root and (root / path).is_file():
                    return image_size(root / path)
            return None

        return size

PAGES_PER_WORKER = 16  # below this many pages per worker, forking costs more than it saves
_forked: Engine | None = None  # the engine a forked worker inherits


def _die_with_the_build(read_end: int, write_end: int) -> None:
    """A worker's first step: exit as soon as the build's end of the lifeline closes."""
    os.close(write_end)

    def wait() -> None:
        try:
            os.read(read_end, 1)
        finally:
            os._exit(1)

    threading.Thread(target=wait, name="lifeline", daemon=True).start()


def _prepare_in_worker(rel: str):
    """In a worker: the digest of the source's bytes, the parsed page, its prepared notes, highlighted
    code and inline code (None when anything fails: the main process then renders the page itself,
    reporting the failure)."""
    engine = _forked
    try:
        digest, page = engine.source(rel)
        prepared = [engine.preparer.prepare(row.note) for row in page.rows]
        from . import highlight
        from .render import inline_code_html

        highlighted, inline_code = engine._highlighted(page), inline_code_html(prepared)
        return digest, page, prepared, highlighted, inline_code, highlight.new_answers()
    except Exception:
        return None


class _StoredMath:
    """A page's formulas from the disk cache when that list of formulas was rendered before (an edit
    to a comment re-renders the page without starting Node), else from KaTeX, then stored."""

    def __init__(self, math: KatexRenderer, cache: DiskCache):
        self.math, self.cache = math, cache

    def submit(self, items: list[tuple[str, bool]]):
        key = content_key(items)
        stored = self.cache.get("math", key)
        if stored is not None:
            results = [MathResult(html, error) for html, error in stored]  # type: ignore[union-attr]
            return lambda: results
        collect = self.math.submit(items)

        def collect_and_store() -> list[MathResult]:
            results = collect()
            self.cache.put("math", key, [(r.html, r.error) for r in results])
            return results

        return collect_and_store


_engines: dict[tuple, Engine] = {}


def shared_engine(config: SiteConfig) -> Engine:
    """One engine per configuration for the life of the process."""
    key = (str(config.source_dir.resolve()), str(config.project_dir.resolve()), tuple(config.languages),
           str(config.translations_dir), str(config.cache_dir))
    engine = _engines.get(key)
    if engine is None:
        engine = _engines[key] = Engine(config)
    engine.config = config
    return engine
