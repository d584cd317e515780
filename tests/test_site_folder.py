"""The site folder is updated in place: unchanged files are left alone, stale ones removed, and files
other writers put there during the build are kept."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from site_builder import site_folder
from site_builder.atomic import write_site_file

ROOT = Path(__file__).resolve().parent.parent


def _old(path: Path) -> None:
    """As if written by an earlier build, a minute ago."""
    past = time.time() - 60
    os.utime(path, (past, past))


def test_unchanged_files_are_not_rewritten_and_stale_ones_go(tmp_path):
    site = tmp_path / "site"
    (site / "gone" / "deep").mkdir(parents=True)
    for name, text in {"same.html": "same", "changed.html": "before", "gone/deep/page.html": "old"}.items():
        (site / name).write_text(text)
        _old(site / name)
    same_inode = (site / "same.html").stat().st_ino

    site_folder.begin(site)
    write_site_file(b"same", str(site / "same.html"))
    write_site_file(b"after", str(site / "changed.html"))
    write_site_file(b"new", str(site / "new" / "page.html"))
    (site / "by-another-plugin.json").write_text("{}")  # written during the build, not through mkdocs
    folder = site_folder.finish(site)

    assert folder.unchanged == 1 and (site / "same.html").stat().st_ino == same_inode
    assert (site / "changed.html").read_text() == "after" and (site / "new" / "page.html").read_text() == "new"
    assert folder.removed == [site / "gone" / "deep" / "page.html"]
    assert not (site / "gone").exists()  # folders left empty go too
    assert (site / "by-another-plugin.json").exists()
    assert site_folder.folder_of(site / "x.html") is None  # the bookkeeping ended with the build


def test_a_build_removes_the_page_of_a_deleted_source_and_keeps_the_rest(tmp_path):
    src = tmp_path / "labml_nn"
    src.mkdir()
    (src / "__init__.py").write_text('"""\n# Home\n"""\n')
    (src / "a.py").write_text("# A\nx = 1\n")
    (src / "b.py").write_text("# B\ny = 2\n")
    (src / "c.py").write_text("# C\nz = 3\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: T\nuse_directory_urls: false\ntheme:\n  name: annotated\n"
                                         "plugins:\n  - annotated\n")
    env = dict(os.environ, KATEX_NODE_MODULES=str(ROOT / "node_modules"))

    def build() -> None:
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q"], cwd=tmp_path, env=env, check=True)

    build()
    site = tmp_path / "site"
    inode = (site / "a.html").stat().st_ino
    (src / "c.py").unlink()
    build()
    assert not (site / "c.html").exists()
    assert (site / "a.html").stat().st_ino == inode  # same bytes (c was not its neighbour): not written again
    assert "c.html" not in (site / "index.html").read_text() and "a.html" in (site / "sitemap.xml").read_text()
