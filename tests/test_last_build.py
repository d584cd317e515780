"""A build with nothing to do is skipped: it writes nothing, repeats the last build's warnings (a strict
build still fails on them), and any change to an input, to the site folder or to the generator makes
the next build a full one again (`site_builder/last_build.py`)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from site_builder import cache as cache_module
from site_builder import site_folder

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ("site_name: T\nsite_url: https://t.example.org/\nuse_directory_urls: false\ntheme:\n  name: annotated\n"
          "plugins:\n  - annotated:\n      languages: [en, zh]\n      translations_dir: translations\n")


@pytest.fixture
def project(tmp_path, monkeypatch):
    src = tmp_path / "labml_nn"
    src.mkdir()
    (src / "__init__.py").write_text('"""\n# Home\n"""\n')
    for name in "ab":
        (src / f"{name}.py").write_text(f'"""\n# Page {name.upper()}\n"""\n\n# Note $x_{name}$\n{name} = 1\n')
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text("# Guide\n\nText.\n")
    (tmp_path / "translations" / "zh").mkdir(parents=True)
    (tmp_path / "mkdocs.yml").write_text(CONFIG)
    monkeypatch.setenv("KATEX_NODE_MODULES", str(ROOT / "node_modules"))
    return tmp_path


def skipped(project: Path, monkeypatch) -> bool:
    """Build in this process, after the inputs have aged past the racy window; whether it was skipped."""
    calls = []
    leave_as_is = site_folder.leave_as_is
    monkeypatch.setattr(site_folder, "leave_as_is", lambda d: calls.append(d) or leave_as_is(d))
    time.sleep(0.15)
    build(load_config(str(project / "mkdocs.yml")))
    monkeypatch.setattr(site_folder, "leave_as_is", leave_as_is)
    return bool(calls)


def site_status(project: Path) -> dict[str, tuple[int, int, bytes]]:
    return {str(p): (p.stat().st_mtime_ns, p.stat().st_ctime_ns, p.read_bytes())
            for p in (project / "site").rglob("*") if p.is_file()}


def test_nothing_changed_nothing_written(project, monkeypatch):
    assert not skipped(project, monkeypatch)
    before = site_status(project)
    assert skipped(project, monkeypatch)
    assert site_status(project) == before  # not one file written again, removed or added
    assert skipped(project, monkeypatch)


@pytest.mark.parametrize("change", [
    "source, same size, modification time set back",
    "new docs file", "translation", "custom template", "mkdocs.yml setting", "site file edited",
    "site file deleted", "stray site file", "generator version", "SOURCE_DATE_EPOCH", "linked source",
])
def test_every_input_and_the_site_folder_make_a_full_build(project, monkeypatch, change):
    elsewhere = project / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "c.py").write_text('"""\n# Page C\n"""\n\n# Note\nc = 1\n')
    (project / "labml_nn" / "linked.py").symlink_to(elsewhere / "c.py")  # published: its target is watched
    assert not skipped(project, monkeypatch)
    assert skipped(project, monkeypatch)
    if change.startswith("source"):
        path = project / "labml_nn" / "a.py"
        st = path.stat()
        path.write_text(path.read_text().replace("Note", "Nose"))
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # as `cp -p` or `rsync -t` would leave it
        assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    elif change == "new docs file":
        (project / "docs" / "more.md").write_text("# More\n")
    elif change == "translation":
        (project / "translations" / "zh" / "a.json").write_text("{}")
    elif change == "custom template":
        (project / "overrides").mkdir()
        (project / "mkdocs.yml").write_text(CONFIG.replace("  name: annotated\n",
                                                           "  name: annotated\n  custom_dir: overrides\n"))
        assert not skipped(project, monkeypatch)
        assert skipped(project, monkeypatch)
        (project / "overrides" / "main.html").write_text('{% extends "base.html" %}')
    elif change == "mkdocs.yml setting":
        (project / "mkdocs.yml").write_text(CONFIG + "extra:\n  x: 1\n")
    elif change == "site file edited":
        (project / "site" / "a.html").write_text("edited by hand")
    elif change == "site file deleted":
        (project / "site" / "a.html").unlink()
    elif change == "stray site file":
        (project / "site" / "stray.html").write_text("not from a build")
    elif change == "generator version":
        monkeypatch.setattr(cache_module, "generator_digest", lambda: "an upgraded generator")
        from site_builder import engine
        engine._engines.clear()
    elif change == "linked source":
        (elsewhere / "c.py").write_text('"""\n# Page C\n"""\n\n# Another note\nc = 1\n')
    elif change == "SOURCE_DATE_EPOCH":
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert not skipped(project, monkeypatch)
    assert skipped(project, monkeypatch)
    if change == "linked source":
        assert "Another note" in (project / "site" / "linked.html").read_text()
    elif change.startswith("source"):
        assert "Nose" in (project / "site" / "a.html").read_text()
    if change.startswith("site file"):
        assert "Page A" in (project / "site" / "a.html").read_text()
    if change == "stray site file":
        assert not (project / "site" / "stray.html").exists()


def test_a_build_right_after_an_edit_keeps_no_record(project, monkeypatch):
    build(load_config(str(project / "mkdocs.yml")))  # the sources were written a moment ago: racy
    assert not skipped(project, monkeypatch)
    assert skipped(project, monkeypatch)


def test_another_plugin_or_hooks_always_get_a_full_build(project, monkeypatch):
    (project / "hooks.py").write_text("def on_page_markdown(markdown, **kwargs):\n    return markdown\n")
    (project / "mkdocs.yml").write_text(CONFIG + "hooks:\n  - hooks.py\n")
    assert not skipped(project, monkeypatch)
    assert not skipped(project, monkeypatch)


def test_warnings_are_repeated_and_a_strict_build_still_fails(project):
    (project / "labml_nn" / "a.py").write_text('"""\n# Page A\n"""\n\n# See [the missing page](missing.html).\na = 1\n')
    time.sleep(0.15)
    env = dict(os.environ, KATEX_NODE_MODULES=str(ROOT / "node_modules"))
    runs = []
    for _ in range(3):
        run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=project, env=env,
                             capture_output=True, text=True, timeout=300)
        runs.append(run)
    warnings = [[line for line in run.stderr.splitlines() if line.startswith("WARNING")] for run in runs]
    assert all(run.returncode == 1 for run in runs)
    assert any("missing.html" in line for line in warnings[0])
    assert warnings[1] == warnings[2] == warnings[0]
    assert "nothing changed since the last build" not in runs[0].stderr
    assert all("nothing changed since the last build" in run.stderr for run in runs[1:])
