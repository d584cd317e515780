"""Atomic replacement of the files we write (site pages, static files, sitemap, translation JSON)."""

from __future__ import annotations

import os
import stat

from site_builder.atomic import copy_site_file, write_atomic


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_gets_the_mode_open_would_give(tmp_path):
    umask = os.umask(0)
    os.umask(umask)
    write_atomic(tmp_path / "page.html", b"<p>hi</p>", durable=False)
    assert mode(tmp_path / "page.html") == 0o666 & ~umask  # a web server running as another user can read it


def test_replacement_keeps_the_mode_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "zh.json"
    path.write_bytes(b"{}\n")
    path.chmod(0o640)
    write_atomic(path, b'{"a": "b"}\n')
    assert path.read_bytes() == b'{"a": "b"}\n' and mode(path) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["zh.json"]


def test_static_files_are_copied_whole(tmp_path):
    source, folder = tmp_path / "logo.svg", tmp_path / "site/img"
    source.write_bytes(b"<svg>new</svg>")
    folder.mkdir(parents=True)
    (folder / "logo.svg").write_bytes(b"<svg>old</svg>")
    with (folder / "logo.svg").open("rb") as old:
        copy_site_file(str(source), str(folder))  # mkdocs may pass the folder as the target
        assert old.read() == b"<svg>old</svg>"
    assert (folder / "logo.svg").read_bytes() == b"<svg>new</svg>"
    assert [p.name for p in folder.iterdir()] == ["logo.svg"]
