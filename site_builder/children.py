"""Child processes that die with the build: pagefind must never outlive `mkdocs build` or `serve`.

A plain `subprocess.run` child keeps running when its parent is killed (`kill -9`, a closed terminal),
and pagefind kept writing into `site/` after the build was gone. Here a small guard process sits
between us and the command, each in a session of its own: the guard kills the command's whole process
group (pagefind's own children included) as soon as a pipe that only we hold open reaches end of file,
which the kernel does when we exit, however we exit (or when the guard is told to stop).

    python -m site_builder.children FD COMMAND...     (the guard; FD is the read end of that pipe)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

_running: dict[int, tuple[subprocess.Popen, list[int]]] = {}  # guard pid → (guard, [write end or -1])
_lock = threading.Lock()


def run_child(cmd: list[str], *, timeout: float | None = None) -> subprocess.CompletedProcess:
    """`subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)`, tied to our lifetime."""
    if os.name != "posix":  # no fd passing: a plain child
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    read_end, write_end = os.pipe()  # not inherited by anything else we start (PEP 446)
    pipe = [write_end]
    try:
        guard = subprocess.Popen([sys.executable, "-m", "site_builder.children", str(read_end), *cmd],
                                 pass_fds=(read_end,), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True,
                                 start_new_session=True)  # `kill -9 -PGID` of the build spares it
    finally:
        os.close(read_end)
    with _lock:
        _running[guard.pid] = (guard, pipe)
    try:
        try:
            out, err = guard.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _close(pipe)  # the guard kills the command's group and exits
            out, err = guard.communicate()
            raise subprocess.TimeoutExpired(cmd, timeout or 0, out, err) from None
        return subprocess.CompletedProcess(cmd, guard.returncode, out, err)
    finally:
        with _lock:
            _running.pop(guard.pid, None)
        _close(pipe)


def stop_children(timeout: float = 10) -> None:
    """Stop every command `run_child` is running, and wait until they are gone (`mkdocs serve` calls
    this before it deletes its site folder, so nothing writes there afterwards)."""
    with _lock:
        running = list(_running.values())
    for _, pipe in running:
        _close(pipe)
    for guard, _ in running:
        try:
            guard.wait(timeout)
        except subprocess.TimeoutExpired:
            pass


def _close(pipe: list[int]) -> None:
    with _lock:
        fd, pipe[0] = pipe[0], -1
    if fd >= 0:
        os.close(fd)


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _guard(fd: int, cmd: list[str]) -> int:
    child = subprocess.Popen(cmd, start_new_session=True)  # its own group: killed as one

    def stop(*_) -> None:
        _kill_group(child.pid)
        os._exit(1)

    def watch_parent() -> None:
        while os.read(fd, 1):  # only end of file matters: the parent has exited
            pass
        stop()

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, stop)
    threading.Thread(target=watch_parent, daemon=True).start()
    code = child.wait()
    _kill_group(child.pid)  # anything the command left running
    return code


if __name__ == "__main__":
    sys.exit(_guard(int(sys.argv[1]), sys.argv[2:]))
