"""Which pages the site has, their URLs and their order.

Source paths are POSIX paths relative to the source folder. URLs are relative to the site root of
one language: `x.py → x.html`, `__init__.py → index.html`, `readme.md → readme.html`. Every
folder has an index page: its `__init__.py`, or a listing made for it.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .diagnostics import Diagnostic

_SKIP_DIRS = {"__pycache__", "node_modules"}
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f\"'<>`]")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}


def page_url(rel: str) -> str:
    folder, name = posixpath.split(rel)
    if name == "__init__.py":
        name = "index.html"
    elif name.lower() == "readme.md":
        name = "readme.html"
    else:
        name = posixpath.splitext(name)[0] + ".html"
    return posixpath.join(folder, name) if folder else name


def is_source(path: str | Path) -> bool:
    """A file that becomes a page: Python, or a folder's readme."""
    name = os.path.basename(path)
    return name.endswith(".py") or name.lower() == "readme.md"


def _walk(source_dir: Path, suffixes: set[str] | None, problems: list[Diagnostic] | None = None,
          images: list[str] | None = None) -> list[str]:
    """Files under `source_dir` (sources when `suffixes` is None; their neighbouring images go to
    `images` when given). Symlinks that loop or lead nowhere, and source names that HTML or URLs treat
    specially, are added to `problems`. Symlinked folders are not entered (as `Path.rglob`)."""
    found = []
    folders = [(str(source_dir), "")]
    while folders:
        folder, prefix = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:  # unreadable: skipped, as os.walk does
            continue
        for entry in entries:
            name = entry.name
            if name in _SKIP_DIRS or name.startswith("."):
                continue
            rel = prefix + name
            if entry.is_symlink():
                if problems is not None and (why := _bad_link(Path(entry.path))):
                    problems.append(Diagnostic(rel, 0, f"{why}; skipped"))
                if not os.path.isfile(entry.path):  # a linked folder is not entered (nor a loop followed)
                    continue
            elif entry.is_dir(follow_symlinks=False):
                folders.append((entry.path, rel + "/"))
                continue
            elif not entry.is_file(follow_symlinks=False):
                continue
            suffix = os.path.splitext(name)[1].lower()
            if images is not None and suffix in IMAGE_SUFFIXES:
                images.append(rel)
            if (suffixes is None and is_source(name)) or (suffixes and suffix in suffixes):
                found.append(rel)
                if problems is not None and _UNSAFE_NAME.search(rel):
                    problems.append(Diagnostic(rel, 0, "file name has characters that HTML or URLs treat "
                                                       "specially (quotes, <, >, controls); rename it"))
    return found


def _bad_link(path: Path) -> str | None:
    """Why a symlink cannot be followed (rglob skips it silently), or None when it is fine."""
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return "broken symlink"
    except (OSError, RuntimeError):  # ELOOP
        return "symlink loop"
    if target.is_dir() and path.parent.resolve().is_relative_to(target):
        return "symlink to a folder above it (a loop)"
    return None


def scan_assets(source_dir: Path) -> list[str]:
    """Images next to the sources, copied into the site so notes can show them."""
    return sorted(_walk(source_dir, IMAGE_SUFFIXES))


def relative_url(from_url: str, to_url: str) -> str:
    """The link from one page URL to another, both relative to the site root (every page links to its
    neighbours, breadcrumbs and languages: this runs thousands of times per build)."""
    start, target = from_url.split("/")[:-1], to_url.split("/")
    if any(part in ("", ".", "..") for part in (*start, *target)):
        return posixpath.relpath(to_url, posixpath.dirname(from_url) or ".")
    common = 0
    while common < len(start) and common < len(target) - 1 and start[common] == target[common]:
        common += 1
    return "/".join([".."] * (len(start) - common) + target[common:])


@dataclass
class Entry:
    """One page of the site. `source` is None for a folder listing generated for a folder."""

    url: str
    source: str | None
    folder: str  # "" for the root

    @property
    def is_index(self) -> bool:
        return posixpath.basename(self.url) == "index.html"


@dataclass
class SiteStructure:
    entries: list[Entry]  # reading order: index, readme, files, then sub-folders
    by_url: dict[str, Entry] = field(init=False)
    problems: list[Diagnostic] = field(default_factory=list)  # paths relative to the source folder
    images: list[str] = field(default_factory=list)  # beside the sources (as `scan_assets` finds them)
    _children: dict[str, list[Entry]] = field(init=False, repr=False)
    _position: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.by_url = {e.url: e for e in self.entries}
        self._position = {e.url: i for i, e in enumerate(self.entries)}
        self._children: dict[str, list[Entry]] = {}
        for e in self.entries:
            if e.is_index and e.folder:
                self._children.setdefault(posixpath.dirname(e.folder), []).append(e)
            elif not e.is_index:
                self._children.setdefault(e.folder, []).append(e)

    @classmethod
    def scan(cls, source_dir: Path) -> SiteStructure:
        problems: list[Diagnostic] = []
        images: list[str] = []
        structure = cls.from_sources(_walk(source_dir, None, problems, images))
        structure.problems = problems
        structure.images = sorted(images)
        return structure

    @classmethod
    def from_sources(cls, sources: list[str]) -> SiteStructure:
        folders: set[str] = {""}
        for rel in sources:
            parent = posixpath.dirname(rel)
            while parent:
                folders.add(parent)
                parent = posixpath.dirname(parent)
        by_folder: dict[str, list[str]] = {f: [] for f in folders}
        for rel in sources:
            by_folder[posixpath.dirname(rel)].append(rel)
        subfolders: dict[str, list[str]] = {f: [] for f in folders}
        for f in sorted(folders - {""}):
            subfolders[posixpath.dirname(f)].append(f)

        def order(rel: str) -> tuple[int, str]:
            name = posixpath.basename(rel)
            return (0 if name == "__init__.py" else 1 if name.lower() == "readme.md" else 2, name)

        entries: list[Entry] = []

        def visit(folder: str) -> None:
            files = sorted(by_folder[folder], key=order)
            if not any(posixpath.basename(f) == "__init__.py" for f in files):
                entries.append(Entry(posixpath.join(folder, "index.html") if folder else "index.html",
                                     None, folder))
            entries.extend(Entry(page_url(f), f, folder) for f in files)
            for child in subfolders[folder]:
                visit(child)

        visit("")
        return cls(entries)

    def neighbours(self, url: str) -> tuple[Entry | None, Entry | None]:
        i = self._position[url]
        prev = self.entries[i - 1] if i > 0 else None
        nxt = self.entries[i + 1] if i + 1 < len(self.entries) else None
        return prev, nxt

    def breadcrumbs(self, url: str) -> list[Entry]:
        """Index pages of the folders above `url`, home first (the page itself excluded)."""
        entry = self.by_url[url]
        folder = entry.folder
        chain = []
        if entry.is_index:
            folder = posixpath.dirname(folder) if folder else None
        while folder is not None:
            chain.append(self.by_url[posixpath.join(folder, "index.html") if folder else "index.html"])
            folder = posixpath.dirname(folder) if folder else None
        return list(reversed(chain))

    def children(self, folder: str) -> list[Entry]:
        """Pages directly in `folder` (not its index) and the index pages of its sub-folders."""
        return list(self._children.get(folder, []))


def readable_title(path: str) -> str:
    """`transformers/mlp_mixer/__init__.py` → "Mlp mixer"; `x/experiment.py` → "Experiment"."""
    p = PurePosixPath(path)
    name = p.parent.name if p.stem in ("__init__", "readme", "README") else p.stem
    name = (name or "home").replace("_", " ").replace("-", " ").strip()
    return name[:1].upper() + name[1:]
