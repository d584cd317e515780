"""Files compared by status, as git's index does (`site_builder/file_status.py`): a change is seen
even when the file keeps its size and modification time, and a status taken too soon after a change
is not trusted."""

from __future__ import annotations

import hashlib
import os
import time

from site_builder.file_status import Digests, tree_status


def test_a_change_that_keeps_size_and_modification_time_is_seen(tmp_path):
    path = tmp_path / "a.py"
    path.write_text("x = 1\n")
    time.sleep(0.15)
    digests = Digests()
    digests.digest(str(path))  # status taken now; the file then changes before the record is kept
    st = path.stat()
    path.write_text("x = 2\n")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    time.sleep(0.15)
    later = Digests(digests.record())
    digest, data = later.digest(str(path))
    assert data == b"x = 2\n" and digest == hashlib.sha1(b"x = 2\n").hexdigest()


def test_an_unchanged_file_is_not_read_unless_its_status_was_racy(tmp_path):
    old, new = tmp_path / "old.py", tmp_path / "new.py"
    old.write_text("a = 1\n")
    time.sleep(0.15)
    new.write_text("b = 2\n")  # written just before the record is kept: not trusted
    digests = Digests()
    for path in (old, new):
        digests.digest(str(path))
    later = Digests(digests.record())
    assert later.digest(str(old)) == (hashlib.sha1(b"a = 1\n").hexdigest(), None)
    assert later.digest(str(new))[1] == b"b = 2\n"


def test_tree_status_follows_linked_folders_once_and_skips_byte_code(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.py").write_text("1")
    (tmp_path / "a" / "__pycache__").mkdir()
    (tmp_path / "a" / "__pycache__" / "x.pyc").write_bytes(b"")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "a" / "up").symlink_to(tmp_path, target_is_directory=True)
    found = {os.path.relpath(p, tmp_path): status for p, status in tree_status([tmp_path]).items()}
    assert set(found) == {"a/x.py", "loop"} and found["loop"][0] == -1
