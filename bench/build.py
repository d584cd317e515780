"""Build throughput against pycco, rebuild speed, and `mkdocs serve` edit-to-reload latency.

    python bench/build.py [--copies N]

1. Makes a corpus of >= 200 annotated files by copying labml_nn/ under renamed folders.
2. Cold: builds the corpus with mkdocs (fresh engine, fresh KaTeX worker, all math rendered) and, in
   the same process, runs pycco (pinned in pyproject) over the same .py files. Prints files/second
   of each and the ratio (target: >= 2x pycco), twice:
   - "copies": the corpus as it is. Copies repeat the same notes and formulas, so the content-hash
     caches (DESIGN.md: KaTeX results are cached by content) render each distinct one once;
   - "distinct": the caches of notes, formulas and inline code are emptied before each file, so every
     file costs what a file with all-new notes and formulas would.
3. Warm: builds the corpus again with nothing changed, in the same process (target: >= 10x faster
   than cold). Reported for the engine alone (parse + render of every page) and for the whole
   mkdocs build, whose own fixed costs (emptying site/, writing every file) the engine cannot skip.
4. Serve: starts `mkdocs serve` on a copy of this project, edits one .py file and times the edit
   until the server reports the reload (target: well under a second).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_corpus(dest: Path, minimum: int) -> list[Path]:
    sources = sorted(p for p in (ROOT / "labml_nn").rglob("*.py") if "__pycache__" not in p.parts)
    copies = -(-minimum // len(sources))
    files = []
    for k in range(copies):
        for src in sources:
            rel = src.relative_to(ROOT / "labml_nn")
            out = dest / "src" / f"copy_{k:02d}" / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, out)
            files.append(out)
    (dest / "docs").mkdir(exist_ok=True)
    (dest / "mkdocs.yml").write_text(
        "site_name: Bench\nsite_url: https://bench.example.org/\ntheme:\n  name: annotated\n"
        "plugins:\n  - annotated:\n      source_dir: src\n"
    )
    return files


def reset_process_caches() -> None:
    """Forget every cache so the next build is cold (a new engine, a new KaTeX worker)."""
    from site_builder import engine, katex

    for worker in katex._shared.values():
        worker.close()
    katex._shared.clear()
    engine._engines.clear()


class every_file_distinct:
    """Within the block, each new page is rendered with empty fragment caches."""

    def __enter__(self):
        from site_builder.engine import Engine

        self.original = original = Engine._start

        def start(engine, page):
            engine.forget_fragments()
            return original(engine, page)

        Engine._start = start
        return self

    def __exit__(self, *exc):
        from site_builder.engine import Engine

        Engine._start = self.original


def engine_render_all(project: Path) -> float:
    """Parse and render every page with the engine alone (no mkdocs), as a rebuild does."""
    from site_builder.config import SiteConfig
    from site_builder.engine import shared_engine

    engine = shared_engine(SiteConfig(source_dir=project / "src", project_dir=project))
    start = time.perf_counter()
    engine.render_all([entry.source for entry in engine.structure().entries if entry.source])
    return time.perf_counter() - start


def mkdocs_build(project: Path) -> float:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    start = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):
        build(load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site")))
    return time.perf_counter() - start


def pycco_build(files: list[Path], out: Path) -> float:
    from pycco.main import process

    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        process([str(f) for f in files], outdir=str(out), preserve_paths=True)
    return time.perf_counter() - start


def serve_latency(repeats: int = 3) -> list[float]:
    """Seconds from saving a .py file to mkdocs serve's "Reloading browsers", on a copy of the project."""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        for name in ("labml_nn", "docs", "translations"):
            if (ROOT / name).exists():
                shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = dict(os.environ, KATEX_NODE_MODULES=str(ROOT / "node_modules"), PYTHONUNBUFFERED="1")
        proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--livereload",
                                 "-a", f"127.0.0.1:{port}"], cwd=project, env=env, stderr=subprocess.PIPE, text=True)
        lines: list[str] = []

        def wait_for(pattern: str, timeout: float = 120) -> float:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                line = proc.stderr.readline()
                if not line:
                    break
                lines.append(line)
                if re.search(pattern, line):
                    return time.perf_counter()
            raise RuntimeError("mkdocs serve did not report:\n" + "".join(lines[-20:]))

        try:
            wait_for(r"Serving on")
            target = project / "labml_nn" / "conv_mixer" / "__init__.py"
            latencies = []
            for i in range(repeats):
                time.sleep(3.0)  # an author's pace; the previous save's search index finishes meanwhile
                start = time.perf_counter()
                with target.open("a") as f:
                    f.write(f"\n# An edit made by the benchmark ({i}).\n")
                latencies.append(wait_for(r"Reloading browsers") - start)
            return latencies
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=200, help="minimum corpus size (default 200)")
    parser.add_argument("--rounds", type=int, default=3, help="measurements of each kind; medians are shown")
    parser.add_argument("--no-serve", action="store_true", help="skip the mkdocs serve measurement")
    args = parser.parse_args()
    os.environ.setdefault("KATEX_NODE_MODULES", str(ROOT / "node_modules"))
    times: dict[str, list[float]] = {k: [] for k in ("core_cold", "core_warm", "cold", "warm", "copies", "pycco")}
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        files = make_corpus(project, args.files)
        n = len(files)
        for _ in tqdm(range(args.rounds), desc="rounds", leave=False):  # interleaved: drift hits all alike
            reset_process_caches()
            with every_file_distinct():
                times["core_cold"].append(engine_render_all(project))
            times["core_warm"].append(engine_render_all(project))
            reset_process_caches()
            with every_file_distinct():
                times["cold"].append(mkdocs_build(project))
            times["warm"].append(mkdocs_build(project))
            reset_process_caches()
            times["copies"].append(mkdocs_build(project))
            times["pycco"].append(pycco_build(files, project / "pycco"))
        formulas = sum(p.read_text().count('class="katex"') for p in (project / "site").rglob("*.html"))
    t = {k: statistics.median(v) for k, v in times.items()}
    print(f"corpus: {n} annotated .py files, {formulas} formulas rendered by KaTeX; medians of {args.rounds} rounds")
    print(f"ours, cold, copies:   {t['copies']:7.2f} s  {n / t['copies']:8.1f} files/s")
    print(f"ours, cold, distinct: {t['cold']:7.2f} s  {n / t['cold']:8.1f} files/s")
    print(f"ours, no change:      {t['warm']:7.2f} s  {n / t['warm']:8.1f} files/s")
    print(f"pycco (no math):      {t['pycco']:7.2f} s  {n / t['pycco']:8.1f} files/s")
    print(f"ratio vs pycco (files/s): copies {t['pycco'] / t['copies']:5.2f}x, "
          f"distinct {t['pycco'] / t['cold']:5.2f}x  (target >= 2x)")
    print(f"ratio cold vs unchanged rebuild, mkdocs build: {t['cold'] / t['warm']:5.2f}x")
    print(f"engine alone: cold {t['core_cold']:.2f} s, unchanged {t['core_warm']:.3f} s, "
          f"ratio {t['core_cold'] / t['core_warm']:5.1f}x  (target >= 10x)")
    if not args.no_serve:
        lat = serve_latency()
        print("mkdocs serve, edit → reload: " + ", ".join(f"{x:.2f} s" for x in lat)
              + f"  (median {statistics.median(lat):.2f} s; target well under 1 s)")


if __name__ == "__main__":
    main()
