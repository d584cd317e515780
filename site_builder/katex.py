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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_WORKER = Path(__file__).with_name("katex_worker.mjs")


class KatexUnavailable(RuntimeError):
    """Node or the `katex` npm package cannot be found."""


@dataclass(frozen=True)
class MathResult:
    html: str | None
    error: str | None


def find_node_modules(start: Path) -> Path:
    """The nearest `node_modules` holding `katex`, looking up from `start` (or $KATEX_NODE_MODULES)."""
    if env := os.environ.get("KATEX_NODE_MODULES"):
        return Path(env)
    for folder in [start, *start.parents]:
        if (folder / "node_modules" / "katex" / "package.json").is_file():
            return folder / "node_modules"
    raise KatexUnavailable(
        f"the katex npm package was not found above {start}; run `npm ci` in the project folder"
    )


class KatexRenderer:
    """Talks to `katex_worker.mjs`. Thread-safe; one request in flight at a time."""

    def __init__(self, node_modules: Path):
        node = shutil.which("node")
        if node is None:
            raise KatexUnavailable("Node.js (`node`) is not on PATH; it is needed to render math")
        self.node_modules = node_modules = node_modules.resolve()
        self.version = json.loads((node_modules / "katex" / "package.json").read_text())["version"]
        self._cache: dict[tuple[bool, str], MathResult] = {}
        self._lock = threading.Lock()
        env = dict(os.environ, KATEX_MODULE_DIR=str(node_modules / "katex"))
        self._proc = subprocess.Popen(
            [node, str(_WORKER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            env=env, text=True, encoding="utf-8", bufsize=1,
        )
        hello = self._proc.stdout.readline()  # type: ignore[union-attr]
        if not hello:
            raise KatexUnavailable("the KaTeX worker exited at start-up")
        atexit.register(self.close)

    def render_many(self, items: list[tuple[str, bool]]) -> list[MathResult]:
        """Render (tex, display) pairs, sending only uncached ones, in one round trip."""
        return self.submit(items)()

    def submit(self, items: list[tuple[str, bool]]) -> Callable[[], list[MathResult]]:
        """Send the formulas now, collect later: Node renders on the other core while Python goes on
        (highlighting, markdown). Collect before the next submit; one request is in flight at most."""
        with self._lock:
            todo = list(dict.fromkeys((d, t) for t, d in items if (d, t) not in self._cache))
            if todo:
                request = {"items": [{"tex": t, "display": d} for d, t in todo]}
                self._proc.stdin.write(json.dumps(request) + "\n")  # type: ignore[union-attr]
                self._proc.stdin.flush()  # type: ignore[union-attr]

        def collect() -> list[MathResult]:
            with self._lock:
                if todo:
                    answer = self._proc.stdout.readline()  # type: ignore[union-attr]
                    if not answer:
                        raise KatexUnavailable("the KaTeX worker stopped unexpectedly")
                    for key, result in zip(todo, json.loads(answer)["results"], strict=True):
                        self._cache[key] = MathResult(result.get("html"), result.get("error"))
                return [self._cache[(d, t)] for t, d in items]

        return collect

    def close(self) -> None:
        if self._proc.poll() is None:
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
