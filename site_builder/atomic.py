"""Replace files atomically: write a temporary file beside the target, then rename over it.

A temporary file is named `<name>.<pid>.<random>.tmp`: not a dot-file, so mkdocs' clean removes it from
`site/`; ignored by `.gitignore` (`*.tmp`); and `remove_leftovers` can tell one whose writer is gone
(a killed run) from one being written right now.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from pathlib import Path

# `mkstemp` creates files only the owner can read. The replacement gets the mode of the file it replaces,
# or what `open()` would have given a new file, so a web server can still read the site.
_UMASK = os.umask(0)
os.umask(_UMASK)


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """
    Readers see the old file or the new one, never a half-written one.
    `durable` also flushes the data to disk before the rename, so a crash cannot leave an empty file
    (translations, checkpoints); generated site files, which a rebuild recreates, skip that cost.
    """
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_UMASK
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.{os.getpid()}.", suffix=".tmp")
    except FileNotFoundError:  # the folder is new (trying first saves a system call per file written)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.{os.getpid()}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


_TEMP = re.compile(r".+\.(\d+)\.[A-Za-z0-9_]+\.tmp")


def remove_leftovers(folder: Path) -> list[Path]:
    """Delete the temporary files under `folder` whose writing process no longer exists."""
    removed = []
    for path in folder.rglob("*.tmp") if folder.is_dir() else []:
        match = _TEMP.fullmatch(path.name)
        if match and not _alive(int(match.group(1))):
            try:
                path.unlink()
                removed.append(path)
            except FileNotFoundError:
                pass
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def write_site_file(content: bytes, output_path: str) -> None:
    """`mkdocs.utils.write_file`, made atomic: mkdocs writes every page through it. During a build,
    a page whose bytes did not change is not written again (`site_folder`)."""
    from .site_folder import folder_of

    folder = folder_of(output_path)
    if folder is not None:
        folder.write(Path(output_path), content)
    else:
        write_atomic(Path(output_path), content, durable=False)


def copy_site_file(source_path: str, output_path: str) -> None:
    """`mkdocs.utils.copy_file` (static files: CSS, images, fonts), made atomic."""
    target = Path(output_path)
    if target.is_dir():
        target = target / Path(source_path).name
    write_site_file(Path(source_path).read_bytes(), str(target))


def make_mkdocs_writes_atomic() -> None:
    """
    mkdocs writes pages and copies static files in place, so a reader (or `mkdocs serve`) can see a
    half-written file; and it empties the site folder before each build, file by file. Its build
    calls these functions through the `mkdocs.utils` module, so replacing them there makes every
    file of the site appear whole, and leaves unchanged files alone (`site_folder`).
    """
    from mkdocs import utils

    from .site_folder import begin

    utils.write_file = write_site_file
    utils.copy_file = copy_site_file
    utils.clean_directory = begin
