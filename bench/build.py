"""Build speed on a corpus of the genre: cold against pycco, a persistent cache, one-file edits, serve.

    python bench/build.py [--files 222] [--rounds 3] [--no-serve] [--scale]

The corpus is `bench/genre_corpus.py` (every file distinct: long files, non-raw docstrings, ~15
formulas a page), built in English (pycco has no other language). Each measurement is a fresh
process (`mkdocs build` as a user runs it), interleaved round by round so that drift in machine
speed hits every kind alike (the short builds three times a round); medians are printed with the
targets beside them:

- cold: no cache (`.cache/` removed), every formula rendered: files/s against pycco (>= 4x); also
  in one process (`workers: 1`), to show what the workers give;
- no change: the same build again, cache warm (>= 15x faster than cold); the engine alone, in one
  process, from the disk cache into a new engine (>= 100x);
- one-file edit: a comment changed in one file, cache warm (>= 8x faster than cold);
- mkdocs' start-up: Python starting, importing mkdocs' build command and loading a configuration
  with no plugin; the floor under any fresh-process `mkdocs build`, which no cache can lower;
- serve: `mkdocs serve` on a copy of this project, save → "Reloading browsers" (<= 0.2 s median);
- --scale: the corpus at 10x the files, cold, against the 1x cold build (<= 10.5x), peak RSS.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

# Child processes keep Python's compiled byte code, as a user's Python does (some sandboxes set
# PYTHONDONTWRITEBYTECODE, which makes every process compile every module from source again).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["KATEX_NODE_MODULES"] = str(ROOT / "node_modules")


def reset_process_caches() -> None:
    """Forget every in-process cache so the next build is cold (a new engine, a new KaTeX worker)."""
    from site_builder import engine, highlight, katex

    for worker in katex._shared.values():
        worker.close()
    katex._shared.clear()
    engine._engines.clear()
    highlight.forget()


def english_corpus(dest: Path, files: int) -> list[Path]:
    from genre_corpus import make_genre_corpus

    make_genre_corpus(dest, files, languages=())
    return sorted((dest / "labml_nn").rglob("*.py"))


QUICK_REPEATS = 3  # no-change, edit and start-up measurements per round
CPU: dict[str, list[float]] = {}  # CPU seconds (process and its children, Node included) per kind


def timed(*command: str, cwd: Path) -> tuple[float, float, int]:
    """Wall and CPU seconds of a fresh process (with its children: Node), and the peak RSS (KiB) of
    the largest child so far. CPU time is what a busy machine distorts least."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=ENV, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss


def mkdocs_build(project: Path, kind: str, cold: bool = False, config: str = "mkdocs.yml") -> float:
    if cold:
        shutil.rmtree(project / ".cache", ignore_errors=True)
    wall, cpu, _ = timed(sys.executable, "-m", "mkdocs", "build", "-q", "-f", config, cwd=project)
    CPU.setdefault(kind, []).append(cpu)
    return wall


def mkdocs_startup(project: Path) -> float:
    code = "from mkdocs.commands.build import build; from mkdocs.config import load_config; load_config()"
    wall, cpu, _ = timed(sys.executable, "-c", code, cwd=project)
    CPU.setdefault("startup", []).append(cpu)
    return wall


def pycco_build(project: Path, files: list[Path]) -> float:
    code = ("import sys; from pycco.main import process; "
            "process(sys.argv[1:], outdir='pycco', preserve_paths=True)")
    wall, cpu, _ = timed(sys.executable, "-c", code, *[str(f.relative_to(project)) for f in files], cwd=project)
    CPU.setdefault("pycco", []).append(cpu)
    return wall


def engine_from_disk(project: Path) -> tuple[float, float]:
    """Engine alone: every page rendered cold (empty cache), then into a new engine from the disk cache."""
    from site_builder.config import SiteConfig
    from site_builder.engine import Engine

    def render(cache_dir: Path) -> float:
        reset_process_caches()
        engine = Engine(SiteConfig(source_dir=project / "labml_nn", project_dir=ROOT, cache_dir=cache_dir))
        rels = [entry.source for entry in engine.structure().entries if entry.source]
        start = time.perf_counter()
        engine.render_all(rels)
        return time.perf_counter() - start

    cache_dir = project / ".cache" / "engine-bench"
    shutil.rmtree(cache_dir, ignore_errors=True)
    return render(cache_dir), render(cache_dir)


def edit_one_file(files: list[Path], n: int) -> None:
    target = files[n % len(files)]
    target.write_text(target.read_text() + f"\n# An edit made by the benchmark ({n}).\nz = {n}\n")
    # As when a person saves, then builds: a file changed within 0.1 s of a build's scan is not
    # trusted by its status, and that build keeps no record for the next one (`last_build`).
    time.sleep(0.2)


def serve_latency(repeats: int = 3) -> tuple[list[float], list[float]]:
    """Seconds from saving a .py file to mkdocs serve's "Reloading browsers", on a copy of the project;
    and of each, the seconds the quick rebuild itself took (the rest is noticing the save)."""
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
            rebuilds = [float(m.group(1)) for line in lines if (m := re.search(r"rebuilt .* in ([\d.]+) s", line))]
            return latencies, rebuilds
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=222, help="source files of the corpus (readmes come on top)")
    parser.add_argument("--rounds", type=int, default=3, help="measurements of each kind; medians are shown")
    parser.add_argument("--no-serve", action="store_true", help="skip the mkdocs serve measurement")
    parser.add_argument("--scale", action="store_true", help="also build a corpus of 10x the files")
    parser.add_argument("--serve-edits", type=int, default=7, help="saves timed under mkdocs serve")
    args = parser.parse_args()
    times: dict[str, list[float]] = {k: [] for k in ("cold", "serial", "warm", "edit", "pycco", "engine_cold",
                                                     "engine_warm", "startup")}
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        files = english_corpus(project, args.files)
        n = len(files)
        config = (project / "mkdocs.yml").read_text()
        (project / "serial.yml").write_text(config.replace("  - annotated:\n", "  - annotated:\n      workers: 1\n"))
        floor = project / "floor"
        (floor / "docs").mkdir(parents=True)
        (floor / "mkdocs.yml").write_text("site_name: Floor\nplugins: []\n")
        for r in tqdm(range(args.rounds), desc="rounds", leave=False):
            times["serial"].append(mkdocs_build(project, "serial", cold=True, config="serial.yml"))
            times["cold"].append(mkdocs_build(project, "cold", cold=True))
            for i in range(QUICK_REPEATS):  # short builds, so more of them: their medians are steadier
                times["warm"].append(mkdocs_build(project, "warm"))
                edit_one_file(files, r * QUICK_REPEATS + i)
                times["edit"].append(mkdocs_build(project, "edit"))
                times["startup"].append(mkdocs_startup(floor))
            times["pycco"].append(pycco_build(project, files))
            cold, warm = engine_from_disk(project)
            times["engine_cold"].append(cold)
            times["engine_warm"].append(warm)
        formulas = sum(p.read_text().count('class="katex"') for p in (project / "site").rglob("*.html"))
        pages = sum(1 for _ in (project / "site").rglob("*.html"))
    t = {k: statistics.median(v) for k, v in times.items()}
    c = {k: statistics.median(v) for k, v in CPU.items()}
    print(f"corpus: {n} annotated .py files, {pages} pages, {formulas} formulas rendered by KaTeX; "
          f"medians of {args.rounds} rounds, each build a fresh process")
    print(f"ours, cold:           {t['cold']:7.2f} s  {n / t['cold']:8.1f} files/s")
    print(f"pycco (no math):      {t['pycco']:7.2f} s  {n / t['pycco']:8.1f} files/s")
    print(f"ratio vs pycco (files/s):             {t['pycco'] / t['cold']:6.2f}x  (target >= 4x)")
    print(f"  CPU seconds: ours {c['cold']:.2f} (Node included), pycco {c['pycco']:.2f}; "
          f"files per CPU-second ratio {c['pycco'] / c['cold']:.2f}x")
    print(f"  in one process (workers: 1): {t['serial']:.2f} s, CPU {c['serial']:.2f} s; "
          f"the workers make a cold build {t['serial'] / t['cold']:.2f}x faster")
    print(f"no change, cache warm: {t['warm']:6.2f} s, cold / no change: {t['cold'] / t['warm']:6.2f}x  "
          f"(target >= 15x; CPU {c['cold'] / c['warm']:.2f}x)")
    print(f"one-file edit:         {t['edit']:6.2f} s, cold / edit:      {t['cold'] / t['edit']:6.2f}x  "
          f"(target >= 8x; CPU {c['cold'] / c['edit']:.2f}x)")
    print(f"  mkdocs' start-up (imports, configuration): {t['startup']:.2f} s; cold / start-up "
          f"{t['cold'] / t['startup']:.1f}x is the most any fresh-process build could reach; above it, "
          f"no change {1000 * (t['warm'] - t['startup']):.0f} ms, edit {1000 * (t['edit'] - t['startup']):.0f} ms")
    print(f"engine alone: cold {t['engine_cold']:.2f} s, from the disk cache {t['engine_warm']:.3f} s, "
          f"ratio {t['engine_cold'] / t['engine_warm']:6.1f}x  (target >= 100x)")
    if args.scale:
        with tempfile.TemporaryDirectory() as tmp:
            big = Path(tmp)
            english_corpus(big, args.files * 10)
            seconds, _, rss = timed(sys.executable, "-m", "mkdocs", "build", "-q", cwd=big)
        print(f"10x corpus, cold: {seconds:.2f} s = {seconds / t['cold']:.2f}x the 1x cold build "
              f"(target <= 10.5x); peak RSS {rss / 1024:.0f} MiB")
    if not args.no_serve:
        lat, rebuilds = serve_latency(args.serve_edits)
        print("mkdocs serve, edit → reload: " + ", ".join(f"{x:.2f} s" for x in lat)
              + f"  (median {statistics.median(lat):.2f} s; target <= 0.2 s); of which the rebuild: median "
              + (f"{statistics.median(rebuilds):.3f} s" if rebuilds else "n/a"))


if __name__ == "__main__":
    main()
