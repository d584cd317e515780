"""Files compared by their status, as git's index does: size, inode, and modification and change times.

Any write to a file or rename onto it changes its change time, which no tool can set back (`cp -p` and
`rsync -t` restore the modification time only). A file written within a clock tick of the moment its
status was taken could still look unchanged afterwards (git's "racily clean" entries), so a status
that recent is never trusted: the file is read again.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable
from pathlib import Path

RACY_NS = 100_000_000  # a status taken this soon after the file's last change is not trusted
Status = tuple[int, int, int, int]  # size, inode, modification and change time (ns)


def tree_status(roots: Iterable[Path], skip: Iterable[Path] = ()) -> dict[str, Status]:
    """Every file under `roots` (files may be roots too) but not under `skip`, by absolute path;
    Python's byte-code caches are left out (importing a source writes them)."""
    found: dict[str, Status] = {}
    skipped = {os.path.abspath(path) for path in skip}
    folders = []
    for root in roots:
        root = os.path.abspath(root)
        if os.path.isdir(root):
            folders.append(root)
        elif os.path.lexists(root):
            found[root] = _status(root)
    seen = set()  # folders by device and inode: a linked folder is walked, a loop of links only once
    while folders:
        folder = folders.pop()
        st = os.stat(folder)
        if (st.st_dev, st.st_ino) in seen:
            continue
        seen.add((st.st_dev, st.st_ino))
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False) or (entry.is_symlink() and os.path.isdir(entry.path)):
                    if entry.name != "__pycache__" and entry.path not in skipped:
                        folders.append(entry.path)
                else:
                    found[entry.path] = _status(entry)
    return found


def _status(entry: os.DirEntry | str) -> Status:
    try:
        st = entry.stat() if isinstance(entry, os.DirEntry) else os.stat(entry)
    except OSError:  # gone meanwhile, or a dangling link: part of the status all the same
        return (-1, 0, 0, 0)
    return (st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)


class Digests:
    """The sha1 of files' bytes, kept between builds by status: an unchanged file is not read again.
    `record()` is what to keep (None when nothing changed); `Digests(record)` takes it back."""

    def __init__(self, record: object = None):
        ok = isinstance(record, dict) and isinstance(record.get("files"), dict)
        self._files: dict[str, tuple[Status, str]] = record["files"] if ok else {}  # type: ignore[index]
        self._taken_ns: int = record.get("taken_ns", 0) if ok else 0  # type: ignore[union-attr]
        self._changed = False

    def digest(self, path: str) -> tuple[str, bytes | None]:
        """The file's sha1, and its bytes when they had to be read."""
        known = self._files.get(path)
        if known is not None:
            status = _status(path)
            if status == known[0] and status[3] < self._taken_ns - RACY_NS:
                return known[1], None
        status = _status(path)
        with open(path, "rb") as f:
            data = f.read()
        digest = hashlib.sha1(data).hexdigest()
        self._files[path] = (status, digest)
        self._changed = True
        return digest, data

    def record(self) -> dict | None:
        if not self._changed:
            return None
        self._changed = False
        self._taken_ns = time.time_ns()
        return {"files": self._files, "taken_ns": self._taken_ns}
