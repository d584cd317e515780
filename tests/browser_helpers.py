"""Shared pieces of the browser tests and the page-weight bench: build the site, serve it, drive Chromium.

The browser is Debian's `/usr/bin/chromium` driven by Playwright (never `playwright install`). When it is
missing the tests fail with a message saying how to install it: CI must run them, not skip them.

Fixtures (import them into a test module with `from browser_helpers import *`):
  site_dir      the site built once per session with `mkdocs build --strict` into a temporary folder
  site_url      that site served from a thread on 127.0.0.1 (port chosen by the OS)
  browser       one Chromium for the whole session
  artifacts     test-artifacts/ (git-ignored) for screenshots a person can look at
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
ARTIFACTS = ROOT / "test-artifacts"

# What the project copy for a separate build needs (the XSS test edits translations in such a copy).
PROJECT_PARTS = ("labml_nn", "docs", "translations", "mkdocs.yml")


class BuildError(RuntimeError):
    pass


def build_env() -> dict[str, str]:
    return dict(os.environ, KATEX_NODE_MODULES=str(ROOT / "node_modules"))


def build_site(site_dir: Path, *, project: Path = ROOT, strict: bool = True) -> str:
    """Run `mkdocs build` for `project` into `site_dir`; returns its log, raises BuildError on failure."""
    cmd = [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(site_dir),
           "--config-file", str(project / "mkdocs.yml")]
    if strict:
        cmd.insert(4, "--strict")
    result = subprocess.run(cmd, cwd=project, env=build_env(), capture_output=True, text=True, timeout=900)
    log = result.stdout + result.stderr
    if result.returncode != 0:
        raise BuildError(f"`{' '.join(cmd[1:])}` failed ({result.returncode}):\n{log[-4000:]}")
    if not (site_dir / "pagefind" / "pagefind.js").is_file():
        raise BuildError(f"the build made no search index (site/pagefind/pagefind.js):\n{log[-4000:]}")
    return log


def copy_project(dest: Path) -> Path:
    """A copy of the site's sources (sources, docs, translations, config) to build with edits."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(src, dest / part)
    return dest


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm",
        ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".svg": "image/svg+xml",
    }

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


class _SlowHandler(_QuietHandler):
    delays: dict[str, float] = {}
    pauses: dict[str, tuple[str, float]] = {}

    def do_GET(self):  # noqa: N802 - the base class's name
        for suffix, seconds in self.delays.items():
            if urlsplit(self.path).path.endswith(suffix):
                time.sleep(seconds)
        super().do_GET()

    def copyfile(self, source, outputfile):
        for suffix, (marker, seconds) in self.pauses.items():
            if urlsplit(self.path).path.endswith(suffix):
                body = source.read()
                cut = body.index(marker.encode())
                outputfile.write(body[:cut])
                outputfile.flush()
                time.sleep(seconds)
                outputfile.write(body[cut:])
                return
        super().copyfile(source, outputfile)


@contextlib.contextmanager
def serve(directory: Path, delays: dict[str, float] | None = None,
          pauses: dict[str, tuple[str, float]] | None = None) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 from a thread; yields the base URL (ending in '/'). `delays` holds back
    the responses for paths ending in a suffix ({".woff2": 0.5}: fonts arrive half a second late); `pauses`
    sends such a response up to the first `marker` in it, then the rest `seconds` later (a page that arrives in
    two parts). Each request has a thread of its own, so a held-back response delays nothing else."""
    slow = {"delays": dict(delays or {}), "pauses": dict(pauses or {})}
    base = type("Handler", (_SlowHandler,), slow) if delays or pauses else _QuietHandler
    handler = functools.partial(base, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium. Install it with "
            "`apt-get install chromium fonts-noto-cjk` (never `playwright install`), or point $CHROMIUM at one.",
            pytrace=False,
        )


def launch(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1"


# --- fixtures -------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def site_dir(tmp_path_factory) -> Path:
    """The whole site, built once per session with the strict build CI uses."""
    out = tmp_path_factory.mktemp("site")
    try:
        build_site(out, strict=os.environ.get("BROWSER_TESTS_STRICT", "1") != "0")
    except BuildError as error:
        pytest.fail(str(error), pytrace=False)
    return out


@pytest.fixture(scope="session")
def site_url(site_dir) -> Iterator[str]:
    with serve(site_dir) as url:
        yield url


_playwright: list = []  # [the one Playwright of this process, how many modules use it]


@pytest.fixture(scope="session")
def playwright_instance():
    """One Playwright per process, whichever modules import this fixture: the sync API refuses a
    second one while the first is running."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    if not _playwright:
        _playwright[:] = [sync_playwright().start(), 0]
    _playwright[1] += 1
    yield _playwright[0]
    _playwright[1] -= 1
    if not _playwright[1]:
        _playwright.pop(0).stop()
        _playwright.clear()


@pytest.fixture(scope="session")
def browser(playwright_instance):
    b = launch(playwright_instance)
    yield b
    b.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def new_page(browser):
    """`new_page(viewport="desktop"|"phone"|dict, **context_options)` → a page in a fresh context.

    Every page records the requests it makes (`page.requests`), failed responses (`page.failures`),
    script errors (`page.errors`) and dialogs (`page.dialogs`, dismissed at once).
    """
    contexts = []

    def make(viewport="desktop", **options):
        size = VIEWPORTS[viewport] if isinstance(viewport, str) else viewport
        context = browser.new_context(viewport=size, **options)
        contexts.append(context)
        page = context.new_page()
        page.requests, page.failures, page.errors, page.dialogs = [], [], [], []
        page.on("request", lambda r: page.requests.append(r.url))
        page.on("response", lambda r: r.status >= 400 and page.failures.append(f"{r.status} {r.url}"))
        page.on("pageerror", lambda e: page.errors.append(str(e)))

        def on_dialog(dialog):
            page.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        return page

    yield make
    for context in contexts:
        context.close()


__all__ = [
    "ARTIFACTS", "CHROMIUM", "DESKTOP", "PHONE", "ROOT", "VIEWPORTS", "BuildError", "build_site",
    "copy_project", "is_local", "launch", "require_chromium", "serve",
    "site_dir", "site_url", "playwright_instance", "browser", "artifacts", "new_page",
]
