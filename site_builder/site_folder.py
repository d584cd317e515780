"""The site folder updated in place: a file whose bytes did not change is not written again.

mkdocs empties `site/` before every build, file by file, then writes every file anew. On a disk mounted
with `discard` each file removed or replaced costs about 3 ms: over a second for a few hundred pages,
most of a build whose pages all come from the cache. Instead, mkdocs' clean only starts bookkeeping
(`begin`): during the build a file with the same bytes as before is left alone and a changed one is
replaced atomically; at the end (`finish`) every file this build did not produce is deleted, with the
folders it leaves empty. Files that something else wrote during the build (newer than its start) are
kept: a plugin may write without going through mkdocs.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from .atomic import write_atomic

_MARGIN_NS = 50_000_000  # file times may be rounded down to the kernel's tick


class SiteFolder:
    def __init__(self, root: Path):
        self.root = root
        self.started_ns = time.time_ns()
        self.produced: set[str] = set()
        self.unchanged = 0  # files left alone: their bytes were already right
        self.removed: list[Path] = []
        self.frozen = False  # a build with nothing to do: nothing is written or removed
        self._on_disk: dict[str, bytes] = {}  # a file's bytes, just read back by the build

    def write(self, path: Path, data: bytes) -> None:
        """`path` holds `data` afterwards; written (atomically) only when its bytes differ."""
        if self.frozen:
            return
        key = os.path.abspath(path)
        self.produced.add(key)
        if self._on_disk.pop(key, None) == data:
            self.unchanged += 1
            return
        try:
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                self.unchanged += 1
                return
        except OSError:  # missing, or a folder in the way: write_atomic reports what is wrong
            pass
        write_atomic(path, data, durable=False)

    def read_back(self, path: Path) -> bytes:
        """A file of the last build, read to be written again: its next write compares in memory."""
        data = path.read_bytes()
        self._on_disk[os.path.abspath(path)] = data
        return data

    def finish(self) -> list[Path]:
        """Delete what the build did not produce and nobody wrote since it started; returns the files."""
        removed = self.removed
        if self.frozen:
            return removed
        before = self.started_ns - _MARGIN_NS
        for folder, _dirs, names in os.walk(self.root, topdown=False):
            for name in names:
                path = os.path.join(folder, name)
                if path in self.produced:
                    continue
                try:
                    if os.lstat(path).st_mtime_ns < before:
                        os.unlink(path)
                        removed.append(Path(path))
                except FileNotFoundError:
                    pass
            if folder != str(self.root):
                try:
                    os.rmdir(folder)  # only when empty
                except OSError:
                    pass
        return removed


_active: dict[str, SiteFolder] = {}


def begin(directory: str | Path) -> SiteFolder:
    """In place of `mkdocs.utils.clean_directory`: the build about to run writes into `directory`."""
    folder = SiteFolder(Path(os.path.abspath(directory)))
    _active[str(folder.root)] = folder
    return folder


def folder_of(path: str | Path) -> SiteFolder | None:
    """The folder being built that `path` is in, if any."""
    path = os.path.abspath(path)
    for root, folder in _active.items():
        if path.startswith(root + os.sep):
            return folder
    return None


def leave_as_is(directory: str | Path) -> None:
    """The build of `directory` has nothing to do: what it would write is dropped, nothing is removed."""
    folder = _active.get(os.path.abspath(directory))
    if folder is not None:
        folder.frozen = True


def finish(directory: str | Path) -> SiteFolder | None:
    """End the bookkeeping of `directory` (None if its build never cleaned it: `mkdocs build --dirty`)."""
    folder = _active.pop(os.path.abspath(directory), None)
    if folder is not None:
        folder.finish()
    return folder
