"""The old site is set aside and deleted in the background, never left behind."""

from __future__ import annotations

import os

from site_builder.site_folder import set_aside


def test_the_old_site_is_renamed_aside_and_deleted(tmp_path):
    site = tmp_path / "site"
    (site / "a" / "b").mkdir(parents=True)
    (site / "a" / "b" / "page.html").write_text("old")
    stale = tmp_path / ".site.999999999.old"  # set aside by a build that was killed
    (stale / "x").mkdir(parents=True)
    thread = set_aside(site)
    assert thread is not None and site.is_dir() and not any(site.iterdir())
    thread.join()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_folder_that_cannot_simply_be_renamed_is_left_to_mkdocs(tmp_path):
    assert set_aside(tmp_path / "missing") is None
    (tmp_path / "empty").mkdir()
    assert set_aside(tmp_path / "empty") is None
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "f").write_text("x")
    os.symlink(tmp_path / "real", tmp_path / "link")
    assert set_aside(tmp_path / "link") is None and (tmp_path / "real" / "f").exists()
