"""Killed runs leave nothing that gets deployed or committed, and pagefind never outlives the build.

Each test kills a real process with SIGKILL at the worst moment: a writer between creating its temporary
file and renaming it into place, and a parent while its child (with a grandchild, as pagefind's Node
launcher has) is running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from test_build import TINY, mkdocs_build, write_project

ROOT = Path(__file__).resolve().parent.parent

# A writer that stops for good just before its temporary file would be renamed into place.
STUCK_WRITER = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from site_builder import atomic
    def stuck(fd):
        print("writing", flush=True)
        time.sleep(600)
    os.fsync = stuck
    atomic.write_atomic(Path(sys.argv[1]), b"half")
""")


def _kill_mid_write(target: Path) -> Path:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", STUCK_WRITER, str(target)], stdout=subprocess.PIPE, text=True,
                            env=env)
    try:
        assert proc.stdout.readline() == "writing\n"
    finally:
        proc.kill()
        proc.wait()
    [leftover] = [p for p in target.parent.iterdir() if p.name != target.name and target.name in p.name]
    return leftover


def test_a_killed_writer_leaves_a_file_the_next_build_removes(tmp_path):
    project = write_project(tmp_path, TINY, plugin_extra="      languages: [en, zh]\n"
                                                         "      translations_dir: translations")
    (project / "translations" / "zh").mkdir(parents=True)
    assert mkdocs_build(project).returncode == 0
    leftovers = [_kill_mid_write(project / "site" / "algo" / "solver.html"),
                 _kill_mid_write(project / "translations" / "zh" / "__init__.json")]
    for leftover in leftovers:
        # Not a dot-file (mkdocs' clean skips those) and ignored by git wherever it lies.
        assert not leftover.name.startswith("."), leftover.name
        rel = leftover.relative_to(project).as_posix()
        ignored = subprocess.run(["git", "check-ignore", "--no-index", "-q", rel], cwd=ROOT)
        assert ignored.returncode == 0, f"{rel} is not git-ignored"
    result = mkdocs_build(project, "--dirty")  # --dirty: mkdocs' own clean does not run
    assert result.returncode == 0, result.stderr
    assert not [p for p in leftovers if p.exists()], "a killed run's temporary file survived the build"
    assert "left by an interrupted run" in result.stderr


GRANDPARENT = textwrap.dedent("""
    import sys
    from site_builder.children import run_child
    # sh starts a grandchild in the background, as pagefind's launcher starts its binary.
    run_child(["sh", "-c", "sleep 300 & echo $$ $! > " + sys.argv[1] + "; wait"])
""")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"  # a zombie has exited
    except (FileNotFoundError, ProcessLookupError):  # (gone before, or between opening and reading)
        return False


def _survivors(pids: list[int], within: float) -> list[int]:
    """The processes still alive after waiting up to `within` seconds for them to exit; they are killed
    (so a failing test leaves nothing behind) and returned."""
    deadline = time.monotonic() + within
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.02)
    survivors = [p for p in pids if _alive(p)]
    for p in survivors:
        os.kill(p, signal.SIGKILL)
    return survivors


def test_a_child_and_its_children_die_with_a_killed_parent(tmp_path):
    pids_file = tmp_path / "pids"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    parent = subprocess.Popen([sys.executable, "-c", GRANDPARENT, str(pids_file)], env=env,
                              start_new_session=True)
    deadline = time.monotonic() + 30
    while not (pids_file.exists() and pids_file.read_text().endswith("\n")):
        assert time.monotonic() < deadline and parent.poll() is None, "the child never started"
        time.sleep(0.02)
    pids = [int(p) for p in pids_file.read_text().split()]
    assert all(_alive(p) for p in pids)
    os.killpg(parent.pid, signal.SIGKILL)  # the build and everything in its process group, at once
    parent.wait()
    assert not _survivors(pids, within=5), "the child outlived its parent"


def _descendants(pid: int) -> dict[int, str]:
    """Every process below `pid` (from /proc), with its command line."""
    children: dict[int, list[int]] = {}
    commands: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            commands[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        children.setdefault(int(stat.rsplit(") ", 1)[1].split()[1]), []).append(int(entry.name))
    found, todo = {}, [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found[child] = commands.get(child, "")
            todo.append(child)
    return found


def test_pagefind_dies_with_a_killed_build(tmp_path):
    from browser_helpers import build_env, copy_project

    project = copy_project(tmp_path / "project")
    build = subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "--site-dir", str(tmp_path / "site")],
                             cwd=project, env=build_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    indexers: dict[int, str] = {}
    deadline = time.monotonic() + 300
    while not indexers and build.poll() is None and time.monotonic() < deadline:
        indexers = {p: c for p, c in _descendants(build.pid).items() if "pagefind" in c.split(" ", 1)[0]}
        time.sleep(0.005)
    assert indexers, "pagefind was never seen running (the build finished first?)"
    build.kill()  # kill -9 of the build alone, as a terminal or CI runner would
    build.wait()
    time.sleep(0.5)
    survivors = [p for p in indexers if _alive(p)]
    written = _listing(tmp_path / "site" / "pagefind")
    time.sleep(3.5)  # pagefind takes seconds on this site: an orphan would still be writing its index
    later = _listing(tmp_path / "site" / "pagefind")
    for p in survivors:
        if _alive(p):
            os.kill(p, signal.SIGKILL)
    assert not survivors, f"pagefind outlived the build: {[indexers[p][:80] for p in survivors]}"
    assert later == written, "something wrote into site/pagefind after the build was killed"


def test_workers_die_with_a_killed_build(tmp_path):
    """A cold build of many pages forks workers; `kill -9` of the build must not leave them behind."""
    from browser_helpers import build_env

    src = tmp_path / "src"
    src.mkdir()
    body = "".join(f"# Note {i} on $x_{{{i}}}$ with `code_{i}`\nvalue_{i} = [{i}] * {i}\n\n" for i in range(400))
    for n in range(48):
        (src / f"page_{n}.py").write_text(f'"""\n# Page {n}\n"""\n\n' + body)
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: T\nuse_directory_urls: false\ntheme:\n  name: annotated\n"
                                         "plugins:\n  - annotated:\n      source_dir: src\n      workers: 2\n")
    build = subprocess.Popen([sys.executable, "-m", "mkdocs", "build"], cwd=tmp_path, env=build_env(),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    workers: list[int] = []
    deadline = time.monotonic() + 120
    while not workers and build.poll() is None and time.monotonic() < deadline:
        workers = [p for p, c in _descendants(build.pid).items() if "mkdocs build" in c]  # forked: same command
        time.sleep(0.005)
    assert workers, "no worker was seen (the pages were prepared in the build process?)"
    build.kill()
    build.wait()
    assert not _survivors(workers, within=5), "a worker outlived the build"


def _listing(folder: Path) -> dict[str, int]:
    return {p.as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*")} if folder.is_dir() else {}


STOPPING_PARENT = textwrap.dedent("""
    import sys, threading, time
    from pathlib import Path
    from site_builder.children import run_child, stop_children
    pids = Path(sys.argv[1])
    threading.Thread(target=run_child, args=(["sh", "-c", "sleep 300 & echo $$ $! > " + str(pids) + "; wait"],),
                     daemon=True).start()
    while not pids.exists() or not pids.read_text().endswith("\\n"):
        time.sleep(0.01)
    stop_children()  # what `mkdocs serve` does on Ctrl-C before deleting its site folder
    print("stopped", flush=True)
    time.sleep(300)
""")


def test_serve_stops_its_children_before_it_deletes_the_site(tmp_path):
    pids_file = tmp_path / "pids"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    parent = subprocess.Popen([sys.executable, "-c", STOPPING_PARENT, str(pids_file)], env=env,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout.readline() == "stopped\n"
        pids = [int(p) for p in pids_file.read_text().split()]
        assert not _survivors(pids, within=1), "a child kept running after stop_children() returned"
    finally:
        parent.kill()
        parent.wait()
