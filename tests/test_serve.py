"""`mkdocs serve` on a copy of this project: after a burst of saves, the last one shows within 0.5 s.

A full rebuild of this site takes seconds; a save of a source re-renders only its pages (and, for a new
title, the pages that show it), so the browser reloads onto the latest save almost at once.
"""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from browser_helpers import copy_project

ROOT = Path(__file__).resolve().parent.parent
PAGE = "conv_mixer/__init__.py"


def _fetch(url: str) -> str:
    try:
        return urllib.request.urlopen(url, timeout=5).read().decode()
    except OSError:
        return ""


def _shown_after(url: str, text: str, since: float, limit: float = 20) -> float:
    """Seconds from `since` until the page at `url` contains `text`."""
    while text not in _fetch(url):
        assert time.perf_counter() - since < limit, f"{text!r} never showed at {url}"
        time.sleep(0.01)
    return time.perf_counter() - since


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("serve"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, KATEX_NODE_MODULES=str(ROOT / "node_modules"), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--livereload", "-a", f"127.0.0.1:{port}"],
                            cwd=project, env=env, stderr=subprocess.PIPE, text=True)
    log: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in proc.stderr:
            log.append(line)
            if "Serving on" in line:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        assert ready.wait(300), "mkdocs serve did not start:\n" + "".join(log[-20:])
        time.sleep(1.0)
        yield project, f"http://127.0.0.1:{port}/", log
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_last_of_a_burst_of_saves_shows_within_half_a_second(server):
    project, url, log = server
    source = project / "labml_nn" / PAGE
    original = source.read_text()
    latencies = []
    for burst in range(3):
        for i in range(20):
            source.write_text(original + f"\n# Burst {burst} save {i}.\n")
            last = time.perf_counter()
            time.sleep(0.04)
        latencies.append(_shown_after(url + "conv_mixer/index.html", f"Burst {burst} save 19.", last))
        # Every language shows it (as an English note until translated).
        assert f"Burst {burst} save 19." in _fetch(url + "zh/conv_mixer/index.html")
        time.sleep(0.5)
    assert statistics.median(latencies) < 0.5, f"last save shown after {latencies} s"


def test_a_new_title_reaches_the_listings_at_once(server):
    project, url, log = server
    source = project / "labml_nn" / PAGE
    text = source.read_text()
    title = re.search(r"^title: (.+)$", text, re.M)
    new = "Patches are all you need, retitled"
    source.write_text(text.replace(title.group(0), f"title: {new}") if title else
                      re.sub(r"^# .+$", f"# {new}", text, count=1, flags=re.M))
    since = time.perf_counter()
    assert _shown_after(url + "index.html", new, since) < 2.0  # the home listing
    assert not any("Error" in line or "Traceback" in line for line in log), "".join(log[-20:])
