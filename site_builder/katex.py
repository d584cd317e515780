"""Math at build time: one long-lived Node process running the pinned KaTeX, fed in batches.

Results are cached by (display, TeX) for the life of the process, so a rebuild under `mkdocs serve`
only sends formulas it has not seen. A formula KaTeX rejects comes back as an error message.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from .node_packages import KatexUnavailable, katex_version

_WORKER = Path(__file__).with_name("katex_worker.mjs")


@dataclass(frozen=True)
class MathResult:
    html: str | None
    error: str | None


class KatexRenderer:
    """Talks to `katex_worker.mjs`. Requests are written as they come; a reader thread collects the
    answers in order, so Node works on one core while Python goes on with the other."""

    def __init__(self, node_modules: Path):
        node = shutil.which("node")
        if node is None:
            raise KatexUnavailable("Node.js (`node`) is not on PATH; it is needed to render math")
        self.node_modules = node_modules = node_modules.resolve()
        self.version = katex_version(node_modules)
        self._cache: dict[tuple[bool, str], MathResult] = {}
        self._in_flight: dict[tuple[bool, str], Future] = {}
        self._answers: deque[tuple[list[tuple[bool, str]], Future]] = deque()
        self._lock = threading.Lock()
        self._node = node
        self._proc: subprocess.Popen | None = None  # started with the first formula to render

    def _start(self) -> subprocess.Popen:
        """Node starts when a formula first needs it: a build whose pages all come from the cache
        never pays for it."""
        if self._proc is None:
            env = dict(os.environ, KATEX_MODULE_DIR=str(self.node_modules / "katex"))
            proc = subprocess.Popen(
                [self._node, str(_WORKER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                env=env, text=True, encoding="utf-8", bufsize=1,
            )
            if not proc.stdout.readline():  # type: ignore[union-attr]
                raise KatexUnavailable("the KaTeX worker exited at start-up")
            self._proc = proc
            threading.Thread(target=self._read_answers, name="katex-reader", daemon=True).start()
            atexit.register(self.close)
        return self._proc

    def _read_answers(self) -> None:
        for line in self._proc.stdout:  # type: ignore[union-attr]
            results = json.loads(line)["results"]
            with self._lock:
                keys, done = self._answers.popleft()
                answer = {key: MathResult(r.get("html"), r.get("error")) for key, r in zip(keys, results, strict=True)}
                self._cache.update(answer)
                for key in keys:
                    self._in_flight.pop(key, None)
            done.set_result(answer)
        with self._lock:  # the worker is gone: wake up everyone still waiting
            while self._answers:
                self._answers.popleft()[1].set_exception(KatexUnavailable("the KaTeX worker stopped"))

    def render_many(self, items: list[tuple[str, bool]]) -> list[MathResult]:
        """Render (tex, display) pairs, sending only uncached ones."""
        return self.submit(items)()

    def submit(self, items: list[tuple[str, bool]]) -> Callable[[], list[MathResult]]:
        """Send the formulas now; the returned function waits for and returns their results."""
        keys = [(display, tex) for tex, display in items]
        # Each key's result is already known, or comes with the answer to a request in flight.
        known: dict[tuple[bool, str], MathResult | Future] = {}
        with self._lock:
            todo = []
            for key in dict.fromkeys(keys):
                if key in self._cache:
                    known[key] = self._cache[key]
                elif key in self._in_flight:
                    known[key] = self._in_flight[key]
                else:
                    todo.append(key)
            if todo:
                done: Future = Future()
                for key in todo:
                    self._in_flight[key] = known[key] = done
                self._answers.append((todo, done))
                request = {"items": [{"tex": t, "display": d} for d, t in todo]}
                proc = self._start()
                proc.stdin.write(json.dumps(request) + "\n")  # type: ignore[union-attr]
                proc.stdin.flush()  # type: ignore[union-attr]

        def collect() -> list[MathResult]:
            return [v.result()[k] if isinstance(v, Future) else v for k, v in ((k, known[k]) for k in keys)]

        return collect

    def forget(self) -> None:
        with self._lock:
            self._cache.clear()

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.stdin.close()  # type: ignore[union-attr]
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()


_shared: dict[Path, KatexRenderer] = {}


def shared_renderer(node_modules: Path) -> KatexRenderer:
    """One worker per node_modules for the whole process (mkdocs serve rebuilds reuse it)."""
    if node_modules not in _shared:
        _shared[node_modules] = KatexRenderer(node_modules)
    return _shared[node_modules]
