"""Script injection from the source side: front matter, file names and (with `sanitize_notes`) notes.

Each vector calls `alert` if it ever runs. A small project plants all of them; it builds in normal mode
(warning about each refused URL, with file:line) and fails in strict mode; Chromium opens every page,
follows the links the vectors would have made, and checks that nothing ran.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_helpers import *  # noqa: F403 - fixtures
from browser_helpers import serve
from test_build import mkdocs_build, write_project

from site_builder.frontmatter import split_front_matter
from site_builder.parser import parse_python
from site_builder.render import render_page

EVIL_NAME = '"><img src=x onerror=alert(1)>'
SENTINEL = """
window.__xss = [];
for (const name of ['alert', 'confirm', 'prompt'])
    window[name] = (...args) => { window.__xss.push(name + ':' + String(args[0])); };
"""
SOURCES = {
    "code/__init__.py": '"""\n# Home\n\nThe pages below carry the vectors.\n"""\n',
    "code/paper_tag.py": '"""\n---\ntitle: Tag\npaper: \'"><img src=x onerror=alert(1)>\'\n---\nA page.\n"""\nx = 1\n',
    "code/paper_js.py": ('"""\n---\ntitle: Script URL\npaper: \'javascript://%0aalert(7)\'\nredirect: '
                         '\'javascript:alert(8)\'\n---\nA page.\n"""\ny = 2\n'),
    f"code/{EVIL_NAME}.py": '"""\nA page whose file name is a vector.\n"""\nz = 3\n',
    "code/notes.py": ('"""\nNotes a stranger might send.\n"""\n\n# <script>alert(2)</script>\n'
                      '# [click](javascript:alert(4))\nx = 1\n\n\ndef f():\n    """\n    <svg onload=alert(3)></svg>\n'
                      '    ![i](javascript:alert(5))\n    """\n    return 1\n'),
}


def test_only_web_urls_and_arxiv_ids():
    from site_builder.urls import is_web_url, paper_url

    assert paper_url("1706.03762") == "https://arxiv.org/abs/1706.03762"
    assert paper_url("hep-th/9901001v2") == "https://arxiv.org/abs/hep-th/9901001v2"
    assert paper_url("https://openreview.net/forum?id=x") == "https://openreview.net/forum?id=x"
    for bad in ("javascript://%0aalert(7)", EVIL_NAME, "data:text/html,x", "//evil.example", "http://",
                'https://x.org/"onmouseover=alert(1)', "https://x.org/ a", "file:///etc/passwd"):
        assert paper_url(bad) is None and not is_web_url(bad), bad


def test_refused_front_matter_urls_are_reported_on_their_line():
    text = "---\ntitle: T\npaper: 'javascript://%0aalert(7)'\nredirect: 'javascript:alert(8)'\n---\nBody\n"
    meta, _, _, problems = split_front_matter(text, "p.py", 2)
    assert meta.paper is None and meta.redirect is None and meta.title == "T"
    assert [str(p).split(" must")[0] for p in problems] == ["p.py:4: front matter 'paper'",
                                                           "p.py:5: front matter 'redirect'"]


def test_notes_are_trusted_html_unless_sanitized(preparer, math):
    page = parse_python(SOURCES["code/notes.py"], "notes.py")
    trusted = "".join(r.note_html for r in render_page(page, preparer, math).rows)
    assert "<script>alert(2)</script>" in trusted and "<svg onload" in trusted  # the documented default
    clean = "".join(r.note_html for r in render_page(page, preparer, math, sanitize=True).rows)
    assert "script" not in clean and "<svg" not in clean and "javascript:" not in clean, clean
    assert "Notes a stranger might send." in clean and ">click</a>" in clean


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    project = write_project(tmp_path_factory.mktemp("hostile"), {},
                            plugin_extra="      sanitize_notes: true")
    for name, text in SOURCES.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    normal = mkdocs_build(project)
    assert normal.returncode == 0, normal.stderr[-3000:]
    strict = mkdocs_build(project, "--strict", "--site-dir", str(project / "strict-site"))
    return project, normal.stderr, strict


def test_hostile_sources_fail_strict_builds_and_are_reported(hostile_site):
    _, log, strict = hostile_site
    assert "code/paper_tag.py:4: front matter 'paper' must be an arXiv id" in log
    assert "code/paper_js.py:4: front matter 'paper'" in log
    assert "code/paper_js.py:5: front matter 'redirect' must be an http(s) URL" in log
    assert re.search(r'code/"><img src=x onerror=alert\(1\)>\.py: file name has characters', log), log
    assert strict.returncode != 0 and "Aborted with" in strict.stdout + strict.stderr


def test_hostile_sources_run_nothing_in_chromium(hostile_site, new_page):
    project, _, _ = hostile_site
    site = project / "site"
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if p.parent == site)
    assert f"{EVIL_NAME}.html" in pages and "paper_js.html" in pages
    with serve(site) as url:
        page = new_page()
        page.add_init_script(SENTINEL)
        for path in pages:
            page.goto(url + path)
            page.wait_for_load_state("load")
            for link in page.locator("a[href]").all():  # the paper, source, pager and listing links
                href = link.get_attribute("href") or ""
                assert not re.match(r"\s*(javascript|data|vbscript):", href, re.I), f"{path}: {href}"
            state = page.evaluate("""() => ({
                xss: window.__xss,
                handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
                    .filter(a => /^on/i.test(a.name)).map(a => e.tagName + ' ' + a.name)),
                injected: document.querySelectorAll('body img[src="x"], body svg, main script').length,
                refresh: document.querySelectorAll('meta[http-equiv="refresh"]').length,
            })""")
            assert state == {"xss": [], "handlers": [], "injected": 0, "refresh": 0}, f"{path}: {state}"
            for selector in ("a.paper", "a.prev", "a.next"):  # click what a reader would click
                if page.locator(selector).count():
                    page.locator(selector).first.click()
                    page.wait_for_load_state("load")
                    assert page.evaluate("window.__xss") == [], f"{path}: {selector}"
            assert page.dialogs == [], path
        # The file named like a tag is listed on the home page by its name, as text.
        page.goto(url + "index.html")
        assert EVIL_NAME in page.locator(".listing").inner_text()
    assert Path(site / f"{EVIL_NAME}.html").is_file()
