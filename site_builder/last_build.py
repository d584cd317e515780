"""A build that would change nothing is skipped.

After each full `mkdocs build` the plugin records what the build read and wrote: a digest of its
inputs (the configuration, every file of the docs, source, translation and theme folders, the generator
and the packages it runs on) and the status of every file it left in the site folder, with the warnings
it logged. A later build whose inputs and site folder are exactly as recorded has nothing to do: it
repeats those warnings (a strict build still fails on them) and leaves the site folder as it is.

Files are compared by their status (`file_status`); an input changed within a clock tick of the scan
is not trusted, so the next build is a full one. Anything the check cannot describe (another plugin,
hooks, a `--dirty` build) means a full build too.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .cache import DiskCache, content_key
from .file_status import RACY_NS, tree_status

_NAMESPACE = "last-build"


def config_digest(config: Mapping, plugin_names: Iterable[str]) -> str | None:
    """Every setting of the validated configuration, with the plugins' own; None when the build runs
    code this check knows nothing of (another plugin, hooks)."""
    if set(plugin_names) != {"annotated"} or config.get("hooks"):
        return None
    settings = {key: _plain(value) for key, value in config.items() if key not in ("plugins", "hooks")}
    settings["plugins"] = {name: _plain(dict(plugin.config)) for name, plugin in config["plugins"].items()}
    return content_key(settings)


def _plain(value: object) -> object:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(repr(_plain(v)) for v in value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "dirs") and hasattr(value, "static_templates"):  # mkdocs' Theme
        return {"dirs": list(value.dirs), "static_templates": sorted(value.static_templates),
                "vars": _plain(dict(value.items()))}
    return f"{type(value).__qualname__}:{value}"


def environment_digest(node_modules: Path | None) -> str:
    """What the generator runs on: Python, the installed packages (their metadata folders carry their
    versions) and the Node packages (KaTeX, pagefind)."""
    packages = []
    for entry in sys.path:
        if entry.endswith("site-packages") and os.path.isdir(entry):
            packages += [name for name in os.listdir(entry) if name.endswith((".dist-info", ".egg-info"))]
    lock = node_modules / ".package-lock.json" if node_modules else None
    lock_status = tree_status([lock]) if lock and lock.is_file() else {}
    return content_key(sys.version, sorted(packages), lock_status, os.environ.get("SOURCE_DATE_EPOCH"))


@dataclass
class Inputs:
    """What a build reads, scanned before it starts."""

    digest: str
    racy: bool  # some input changed too recently to be told apart from a later change

    @classmethod
    def scan(cls, settings: str, environment: str, roots: Iterable[Path], skip: Iterable[Path] = ()) -> Inputs:
        started = time.time_ns()
        files = tree_status(roots, skip)
        racy = any(status[3] > started - RACY_NS for status in files.values())
        return cls(content_key(settings, environment, sorted(files.items())), racy)


class Warnings(logging.Handler):
    """Collects the warnings mkdocs and the plugins log during a build (to repeat them when a later
    build is skipped)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


class LastBuild:
    """The record of the last full build into one site folder, kept in the build cache (a new version of
    the generator starts a new cache, so its first build is full). The site folder is taken as the
    build left it, after its last write."""

    def __init__(self, cache: DiskCache, site_dir: str | Path):
        self.cache, self.site_dir = cache, os.path.abspath(site_dir)
        self.key = content_key(self.site_dir)
        record = cache.get(_NAMESPACE, self.key)
        self.record: dict = record if isinstance(record, dict) else {}

    def unchanged(self, inputs: Inputs) -> list[tuple[str, int, str]] | None:
        """The warnings of the last build when neither its inputs nor the site folder it left changed
        since; else None."""
        if inputs.racy or self.record.get("inputs") != inputs.digest:
            return None
        if self.record.get("site") != tree_status([Path(self.site_dir)]):
            return None
        return [tuple(w) for w in self.record.get("warnings", [])]  # type: ignore[misc]

    def pages(self) -> dict[str, str]:
        """Page file → the key of the template output the last build left in it, for the files untouched
        since (and not written within a clock tick of that build's end, which could hide a later write)."""
        recorded, pages = self.record.get("site", {}), self.record.get("pages", {})
        if not pages:
            return {}
        now = tree_status([Path(self.site_dir)])
        trusted_before = self.record.get("scanned_ns", 0) - RACY_NS
        return {dest: key for dest, key in pages.items()
                if (status := recorded.get(dest)) is not None and now.get(dest) == status
                and status[3] < trusted_before}

    def save(self, inputs: Inputs, warnings: list[tuple[str, int, str]], pages: dict[str, str]) -> None:
        """After a full build: what it was made from (unless that was racy) and what it left: the status of
        every file and the output key of every page (see `templates`)."""
        scanned = time.time_ns()
        self.record = {"inputs": None if inputs.racy else inputs.digest, "site": tree_status([Path(self.site_dir)]),
                       "scanned_ns": scanned, "warnings": warnings, "pages": pages}
        self.cache.put(_NAMESPACE, self.key, self.record)

    def forget(self) -> None:
        self.record = {}
        self.cache.put(_NAMESPACE, self.key, None)
