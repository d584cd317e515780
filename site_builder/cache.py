"""A cache on disk for rendered pages and other build results, so a build in a fresh process redoes
only what changed.

Entries are keyed by a content hash the caller computes from every input (source bytes, translation
file and glossary bytes, site structure, settings); the folder is further keyed by the generator
itself: a digest of the `site_builder` code and the KaTeX version, so an upgrade (or an edit to the
generator) never serves stale HTML. Entries are plain data (tuples, lists, dicts, strings, numbers)
stored with `marshal`, which loads several times faster than pickled objects; they are written
atomically, and an unreadable one is a miss. The cache is bounded: the least recently used entries
go when it grows past its limit. Deleting the folder is always safe.
"""

from __future__ import annotations

import atexit
import hashlib
import marshal
import os
import queue
import shutil
import threading
import time
from functools import cache
from pathlib import Path

from .atomic import remove_leftovers, write_atomic

FORMAT = 3  # bump when what is stored changes shape
# An entry's time is its last use, to the hour: refreshing it on every read cost half of a build
# whose pages all come from the cache.
_TOUCH_AFTER = 3600


@cache
def generator_digest() -> str:
    """The generator's own code: any change to it is a new cache."""
    root = os.path.dirname(os.path.abspath(__file__))
    paths = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        paths += [os.path.join(folder, n) for n in names if n.endswith((".py", ".mjs"))]
    h = hashlib.sha1(f"format {FORMAT}".encode())
    for path in sorted(paths):
        h.update(os.path.relpath(path, root).replace(os.sep, "/").encode())
        with open(path, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


class _Writer:
    """Writes cache entries on a thread of their own. A write is mostly the file system's time (0.1 to
    0.7 ms on this project's machines, a thousand of them in a cold build), during which the build goes
    on with its Python work. An entry not yet on disk is read from memory; `flush` waits for every
    write and raises the first that failed. A forked build worker writes for itself."""

    def __init__(self) -> None:
        self.pending: dict[str, bytes] = {}
        self.lock = threading.Lock()
        # At most this many entries wait: a build that outruns the disk waits for it rather than
        # holding a whole site's entries in memory.
        self.queue: queue.Queue[tuple[str, bytes]] = queue.Queue(maxsize=64)
        self.error: BaseException | None = None
        self.pid: int | None = None

    def write(self, path: str, data: bytes) -> None:
        if self.pid is None:
            self.pid = os.getpid()
            threading.Thread(target=self._run, name="cache writer", daemon=True).start()
            atexit.register(self.flush)
        if os.getpid() != self.pid:  # a forked worker: the thread was not forked with it
            write_atomic(Path(path), data, durable=False)
            return
        with self.lock:
            self.pending[path] = data
        self.queue.put((path, data))

    def read(self, path: str) -> bytes | None:
        if os.getpid() != self.pid:  # (a forked worker: the lock may have been held as it was forked)
            return None
        with self.lock:
            return self.pending.get(path)

    def flush(self) -> None:
        if self.pid == os.getpid():
            self.queue.join()
        error, self.error = self.error, None
        if error is not None:
            raise error

    def _run(self) -> None:
        while True:
            path, data = self.queue.get()
            try:
                write_atomic(Path(path), data, durable=False)
            except BaseException as e:  # reported by the next flush
                self.error = self.error or OSError(f"the build cache could not write {path}: {e}")
            finally:
                with self.lock:
                    if self.pending.get(path) is data:
                        del self.pending[path]
                self.queue.task_done()


_WRITER = _Writer()


class DiskCache:
    def __init__(self, folder: Path | None, *, salt: str = "", max_bytes: int = 512 << 20):
        """`folder` None: a cache that never hits. `salt`: what else invalidates every entry (e.g. the
        KaTeX version)."""
        self.root = folder
        self.max_bytes = max_bytes
        self.hits = self.misses = self.writes = self.written_bytes = 0
        version = hashlib.sha1(f"{generator_digest()}:{salt}".encode()).hexdigest()[:16]
        self.folder = folder / version if folder else None

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def _path(self, namespace: str, key: str) -> str:
        return f"{self.folder}/{namespace}/{key[:2]}/{key}.bin"  # (not pathlib: a build asks this a thousand times)

    def get(self, namespace: str, key: str) -> object | None:
        if self.folder is None:
            return None
        path = self._path(namespace, key)
        pending = _WRITER.read(path)
        if pending is not None:
            self.hits += 1
            return marshal.loads(pending)
        try:
            with open(path, "rb") as f:
                data = f.read()
                stamped = os.fstat(f.fileno()).st_mtime
            value = marshal.loads(data)
            if time.time() - stamped > _TOUCH_AFTER:  # recently used: kept longest when the cache is trimmed
                os.utime(path)
        except FileNotFoundError:
            self.misses += 1
            return None
        except (EOFError, ValueError, TypeError):  # damaged or from another Python: a miss, and gone
            Path(path).unlink(missing_ok=True)
            self.misses += 1
            return None
        self.hits += 1
        return value

    def has(self, namespace: str, key: str) -> bool:
        """Whether an entry is stored (not read, not counted)."""
        if self.folder is None:
            return False
        path = self._path(namespace, key)
        return _WRITER.read(path) is not None or os.path.exists(path)

    def put(self, namespace: str, key: str, value: object) -> None:
        """`value`: plain data only (marshal refuses objects)."""
        if self.folder is None:
            return
        data = marshal.dumps(value)
        _WRITER.write(self._path(namespace, key), data)
        self.writes += 1
        self.written_bytes += len(data)

    def trim(self) -> None:
        """Drop other generator versions' folders, leftovers of killed writers, then the least recently
        used entries beyond the size limit. Listing the cache costs about a tenth of a second per 1,000
        entries, so it happens only after a build that wrote, at most hourly unless that build wrote
        more than a sixteenth of the limit."""
        flush()
        if self.folder is None or not self.root or not self.root.is_dir() or not self.writes:
            return
        stamp = self.folder / "trimmed"
        try:
            recent = time.time() - stamp.stat().st_mtime < _TOUCH_AFTER
        except FileNotFoundError:
            recent = False
        if recent and self.written_bytes * 16 < self.max_bytes:
            return
        for other in self.root.iterdir():
            if other.is_dir() and other != self.folder:
                shutil.rmtree(other, ignore_errors=True)
        if not self.folder.is_dir():
            return
        remove_leftovers(self.folder)
        entries = []
        for path in self.folder.rglob("*.bin"):
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            entries.append((st.st_mtime, st.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
        stamp.touch()
        self.written_bytes = 0


def flush() -> None:
    """Wait until every entry put so far is on disk (raising the first write that failed)."""
    _WRITER.flush()


def build_cache(cache_dir: Path | None, katex_version: str) -> DiskCache:
    """A site's build cache: rendered math depends on the KaTeX version too."""
    return DiskCache(cache_dir, salt=f"katex {katex_version}")


def content_key(*parts: object) -> str:
    """One hash of everything an entry depends on."""
    h = hashlib.sha1()
    for part in parts:
        h.update(repr(part).encode())
        h.update(b"\0")
    return h.hexdigest()
