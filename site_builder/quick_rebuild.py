"""`mkdocs serve`: a saved source shows in a fraction of a second, however long a full build takes.

mkdocs rebuilds the whole site on every change (every page of every language through the templates,
the guides through markdown, the status page, the search index): seconds for this site, so a burst of
saves left the last one on screen 1.3-1.8 s later. When the only change since the last build is the
text of existing sources, and their titles and summaries (shown on other pages) are unchanged, only
their pages are rendered again, with the last build's configuration, navigation and templates, and
written in place. Anything else (a new or removed file, a title, an image, a translation, a guide, a
template, mkdocs.yml) gets the full build, which also brings the search index, the translation status
page and the other pages' link checks up to date.

This calls two functions of `mkdocs.commands.build` that mkdocs does not document (pinned in
constraints.txt); if they fail, the full build runs.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.commands import build as mkdocs_build

from .file_status import Status, tree_status
from .links import check_links
from .structure import is_source

log = logging.getLogger("mkdocs.plugins.annotated")


@dataclass
class _LastBuild:
    config: object
    nav: object
    env: object
    others: dict[str, Status]  # every watched file that is not a source
    sources: dict[str, str] = field(default_factory=dict)  # source → digest of its bytes


class QuickRebuild:
    def __init__(self, watched: list[Path]):
        self.watched = watched
        self.build = None  # the last full build (a `SiteBuild`)
        self.last: _LastBuild | None = None

    def remember(self, build, config, nav, env) -> None:
        """After a full build: what it was built from."""
        self.build = build
        sources = {e.source: build.engine.source(e.source)[0] for e in build.structure.entries if e.source}
        self.last = _LastBuild(config, nav, env, self._others(), sources)

    def run(self) -> bool:
        """Rebuild the pages of changed sources only; False when a full build is needed."""
        last, build = self.last, self.build
        if last is None:
            return False
        others = self._others()
        if others != last.others:
            moved = sorted(set(others.items()) ^ set(last.others.items()))
            log.info(f"annotated: {Path(moved[0][0]).name} changed: rebuilding the whole site")
            return False
        structure = build.engine.structure()
        if [(e.url, e.source) for e in structure.entries] != [(e.url, e.source) for e in build.structure.entries]:
            return False
        now = {rel: build.engine.source(rel)[0] for rel in last.sources}
        changed = [rel for rel, digest in last.sources.items() if now[rel] != digest]
        if not changed:
            return True  # e.g. a temporary file came and went
        start = time.perf_counter()
        retitled = set()
        for lang in build.site.languages:
            for rel, page in zip(changed, build.engine.render_all(changed, lang, structure), strict=True):
                before = build.rendered[(rel, lang)]
                if (page.title, page.summary) != (before.title, before.summary):
                    retitled.add(rel)
                build.rendered[(rel, lang)] = page
        urls = {e.url for e in structure.entries if e.source in changed}
        for entry in structure.entries:
            if entry.source in retitled:  # other pages show its title: listings, breadcrumbs, pager
                urls.update(crumb.url for crumb in structure.breadcrumbs(entry.url))  # the listings above it
                urls.update(e.url for e in structure.neighbours(entry.url) if e)
                if entry.is_index:
                    urls.update(e.url for e in structure.entries if e.folder == entry.folder or
                                e.folder.startswith(entry.folder + "/"))
        files = build.files
        doc_files = files.documentation_pages()
        pages = [files.get_file_from_path(src_uri).page for src_uri, generated in build.generated.items()
                 if generated.entry.url in urls]
        if retitled:
            pages += [files.get_file_from_path(src_uri).page for src_uri in build.status_pages]
        for page in pages:
            mkdocs_build._populate_page(page, last.config, files)
            mkdocs_build._build_page(page, last.config, doc_files, last.nav, last.env)
        for rel in changed:  # as read before rendering: a save since then is seen by the next run
            last.sources[rel] = now[rel]
        known = {f.dest_uri for f in files}
        for problem in check_links({p.url: build.links.get(p.url, []) for p in pages}, known, build.ids):
            log.warning(str(problem))
        log.info(f"annotated: rebuilt {', '.join(changed)} in {time.perf_counter() - start:.2f} s "
                 "(the search index and status page follow at the next full build)")
        return True

    def _others(self) -> dict[str, Status]:
        """Every watched file that is not a source, by status (temporary files of atomic writes left out)."""
        source_dir = str(self.build.site.source_dir) + os.sep
        return {path: status for path, status in tree_status(self.watched).items()
                if not path.endswith(".tmp") and not (path.startswith(source_dir) and is_source(path))}
