"""The reader's experience in a real browser: layout, math, permalinks, languages, search, highlighting, dark mode.

The site is built once per session (strict, as in CI) into a temporary folder and served on 127.0.0.1;
one Chromium (Debian's, via Playwright) drives every test. See tests/browser_helpers.py.
Run only these: `.venv/bin/python -m pytest -m browser`.
"""

from __future__ import annotations

import re

import pytest
from browser_helpers import *  # noqa: F403 - the fixtures
from browser_helpers import DESKTOP, PHONE, is_local

pytestmark = pytest.mark.browser

PAGE = "conv_mixer/index.html"      # a page with math, docstrings, comments and inline code
OTHER = "transformers/mha.html"     # another page with code, to navigate to


def url_of(site_url: str, path: str, lang: str = "en") -> str:
    return site_url + ("" if lang == "en" else f"{lang}/") + path


def rects(page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(selector, """els => els.map(e => {
        const r = e.getBoundingClientRect();
        return {top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right,
                width: r.width, height: r.height, id: e.closest('[id]') && e.closest('[id]').id};
    })""")


def settle(page) -> None:
    """Wait until the page, its fonts and its images are loaded."""
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")


def assert_clean(page) -> None:
    assert not page.errors, f"script errors on {page.url}: {page.errors}"
    assert not page.failures, f"failed requests on {page.url}: {page.failures}"


# --- layout ---------------------------------------------------------------------------------------------

def test_rows_side_by_side_on_desktop(site_url, new_page):
    page = new_page("desktop")
    page.goto(url_of(site_url, PAGE))
    settle(page)
    rows = page.eval_on_selector_all("section.row", """rows => rows.filter(r => r.querySelector(':scope > .code'))
        .map(r => {
            const n = r.querySelector(':scope > .note').getBoundingClientRect();
            const c = r.querySelector(':scope > .code').getBoundingClientRect();
            return {id: r.id, nTop: n.top, cTop: c.top, nLeft: n.left, nRight: n.right, cLeft: c.left,
                    nWidth: n.width, cWidth: c.width};
        })""")
    assert len(rows) >= 10
    for r in rows:
        assert abs(r["nTop"] - r["cTop"]) < 1, f"row {r['id']}: note and code not on one line: {r}"
        assert r["nRight"] <= r["cLeft"] + 1, f"row {r['id']}: note is not left of the code: {r}"
        assert r["nWidth"] > 300 and r["cWidth"] > 500, f"row {r['id']}: a column is squeezed: {r}"
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    assert_clean(page)


@pytest.mark.parametrize("width", [PHONE["width"], 360])
def test_rows_stacked_on_phone(site_url, new_page, width):
    page = new_page({"width": width, "height": PHONE["height"]}, is_mobile=True, has_touch=True,
                    device_scale_factor=2)
    for lang in ("en", "zh", "ja"):
        page.goto(url_of(site_url, PAGE, lang))
        settle(page)
        rows = page.eval_on_selector_all("section.row", """rows => rows.filter(r => r.querySelector(':scope > .code'))
            .map(r => {
                const n = r.querySelector(':scope > .note').getBoundingClientRect();
                const c = r.querySelector(':scope > .code').getBoundingClientRect();
                return {id: r.id, nBottom: n.bottom, cTop: c.top, nWidth: n.width, cWidth: c.width};
            })""")
        assert len(rows) >= 10
        for r in rows:
            assert r["nBottom"] <= r["cTop"] + 1, f"{lang} row {r['id']}: the note is not above its code: {r}"
            assert r["nWidth"] >= width - 2 and r["cWidth"] >= width - 2, f"{lang} row {r['id']}: {r}"
        # Code scrolls inside its box, long formulas inside theirs: the page itself never scrolls sideways.
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{lang}: the page is {scroll_width}px wide on a {width}px screen"
        # The header stays usable: search box, languages and the theme toggle are all on screen.
        for sel in ("#search input", ".languages", ".theme-toggle", ".brand"):
            box = page.locator(sel).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, f"{lang} {sel}: {box}"
        assert_clean(page)


# --- math -----------------------------------------------------------------------------------------------

def math_pages(site_dir) -> list[str]:
    pages = sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html")
                   if 'class="katex"' in p.read_text(encoding="utf-8"))
    return pages


def test_formulas_render_before_any_script(site_dir, site_url, new_page):
    pages = math_pages(site_dir)
    assert PAGE in pages and any(p.startswith("zh/") for p in pages) and any(p.startswith("ja/") for p in pages)
    page = new_page("desktop", java_script_enabled=False)
    for path in pages:
        page.goto(site_url + path)
        settle(page)
        state = page.evaluate("""() => ({
            katex: document.querySelectorAll('.katex').length,
            errors: [...document.querySelectorAll('.katex-error')].map(e => e.textContent.slice(0, 80)),
            mathml: document.querySelectorAll('.katex .katex-mathml math').length,
            html: document.querySelectorAll('.katex .katex-html').length,
            katexFonts: [...document.fonts].filter(f => f.family.replace(/"/g, '').startsWith('KaTeX_'))
                .reduce((a, f) => (a[f.status] = (a[f.status] || 0) + 1, a), {}),
            katexCss: getComputedStyle(document.querySelector('.katex')).fontFamily,
        })""")
        assert state["katex"] > 0, f"{path}: no rendered formula"
        assert not state["errors"], f"{path}: KaTeX errors {state['errors']}"
        assert state["mathml"] == state["katex"] == state["html"], f"{path}: MathML missing for some formulas {state}"
        assert "KaTeX_Main" in state["katexCss"], f"{path}: the KaTeX stylesheet is not applied: {state}"
        fonts = state["katexFonts"]
        assert fonts.get("loaded") and not fonts.get("error"), f"{path}: KaTeX fonts did not load: {fonts}"
        assert_clean(page)



def test_screen_readers_get_every_formula_as_mathml(site_url, new_page):
    """KaTeX's MathML copy is what a screen reader reads: every formula, on screen or far below, is in the
    accessibility tree as math (hiding the copy to speed up layout would silently drop it)."""
    page = new_page("desktop")
    page.goto(url_of(site_url, PAGE))
    settle(page)
    formulas = page.evaluate("document.querySelectorAll('.katex').length")
    below = page.evaluate("[...document.querySelectorAll('.katex')].pop().getBoundingClientRect().top")
    assert below > 3 * page.viewport_size["height"], "the page has no formula far below the screen"
    tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    math = [n for n in tree if n.get("role", {}).get("value") == "MathMLMath" and not n.get("ignored")]
    assert len(math) == formulas > 10, f"{len(math)} formulas of {formulas} reach the accessibility tree"


LAYOUT_PROBE = """
window.__shifts = [];
new PerformanceObserver(list => {
    for (const e of list.getEntries()) window.__shifts.push({
        value: e.value,
        math: e.sources.some(s => s.node && s.node.nodeType === 1 ? !!s.node.closest('.katex')
                                 : !!(s.node && s.node.parentElement && s.node.parentElement.closest('.katex'))),
        sources: e.sources.map(s => s.node ? (s.node.className || s.node.nodeName) : '?'),
    });
}).observe({type: 'layout-shift', buffered: true});
"""


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("path", [PAGE, "normalization/batch_norm/index.html"])
def test_no_layout_shift_from_math(site_url, new_page, viewport, path):
    positions = "[...document.querySelectorAll('section.row')].map(r => r.getBoundingClientRect().top + scrollY)"
    off = new_page(viewport, java_script_enabled=False)
    off.goto(url_of(site_url, path))
    settle(off)
    without_js = off.evaluate(positions)

    on = new_page(viewport)
    on.add_init_script(LAYOUT_PROBE)
    # Measure a second visit: the fonts are cached, so what is tested is our markup, not whether the
    # fonts beat the first paint on a busy machine (bench/page_weight.py reports cold loads).
    on.goto(url_of(site_url, path))
    settle(on)
    on.goto(url_of(site_url, path))
    settle(on)
    on.wait_for_timeout(300)
    with_js = on.evaluate(positions)
    shifts = on.evaluate("window.__shifts")

    assert len(with_js) == len(without_js) > 5
    # The rows sit where they did without any script (the script changes nothing on screen) ...
    moved = [(i, a, b) for i, (a, b) in enumerate(zip(without_js, with_js, strict=True)) if abs(a - b) > 1]
    assert not moved, f"rows moved when scripts ran (index, without JS, with JS): {moved[:5]}"
    # Nothing moves on screen after the first paint (the browser reports every shift it paints;
    # positions read at DOMContentLoaded are not compared, since the browser may not have painted them).
    # Formulas are laid out with their final metrics: nothing inside a formula moves when KaTeX's fonts arrive.
    math = [s for s in shifts if s["math"]]
    assert not math, f"layout shifts from math: {math}"
    cls = sum(s["value"] for s in shifts)
    assert cls < 0.01, f"cumulative layout shift {cls:.4f}: {shifts}"
    assert_clean(on)


# --- permalinks -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_permalink_scrolls_its_row_to_the_top(site_url, new_page, viewport):
    page = new_page(viewport)
    page.goto(url_of(site_url, PAGE))
    settle(page)
    row_id = "ConvMixer.forward"
    link = page.locator(f'section.row[id="{row_id}"] > .note > a.permalink')
    assert link.get_attribute("aria-label"), "the permalink has no label"
    link.scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, 0)")
    link.click(force=True) if viewport == "phone" else link.click()
    page.wait_for_function(f"location.hash === '#{row_id}'")
    page.wait_for_timeout(100)
    assert page.url.endswith(f"#{row_id}")
    height = page.viewport_size["height"]

    def check(when):
        # The visible area starts below the header when it is sticky (and still on screen).
        header_bottom = page.evaluate("document.querySelector('.site-header').getBoundingClientRect().bottom")
        row_top = page.evaluate(f"document.getElementById('{row_id}').getBoundingClientRect().top")
        top = max(header_bottom, 0)
        # The row starts at the top area of the screen, not hidden under the header.
        assert top - 1 <= row_top <= top + 0.25 * height, \
            f"{when}: row top at {row_top}px, header ends at {header_bottom}px, viewport {height}px"

    check("after the click")
    # Loading the link afresh lands in the same place.
    page.goto(url_of(site_url, PAGE) + f"#{row_id}")
    settle(page)
    check("on load")
    assert_clean(page)


# --- languages ------------------------------------------------------------------------------------------

def test_language_switcher_keeps_the_page(site_url, new_page):
    page = new_page("desktop")
    page.goto(url_of(site_url, PAGE))
    steps = [("zh", "zh"), ("ja", "ja"), ("en", "en"), ("ja", "ja"), ("zh", "zh"), ("en", "en")]
    for target, lang in steps:
        page.locator(f'.languages a[hreflang="{target}"]').click()
        page.wait_for_load_state("load")
        expected = url_of(site_url, PAGE, target)
        assert page.url == expected, f"switching to {target} went to {page.url}, not {expected}"
        assert page.evaluate("document.documentElement.lang") == lang
        current = page.locator(".languages .current")
        assert current.get_attribute("lang") == target
        assert page.locator(f'.languages a[hreflang="{target}"]').count() == 0
    assert_clean(page)


def test_untranslated_notes_are_marked_english(site_url, new_page):
    page = new_page("desktop")
    for lang in ("zh", "ja"):
        page.goto(url_of(site_url, PAGE, lang))
        bad = page.evaluate("""() => [...document.querySelectorAll('.note[data-fallback]')]
            .filter(n => n.getAttribute('lang') !== 'en').length""")
        assert bad == 0, f"{lang}: fallback notes without lang=en"


# --- search ---------------------------------------------------------------------------------------------

# English: a word of the ConvMixer introduction. Chinese and Japanese: the glossary's rendering of
# "convolution" (translations/*/glossary.json), which the translated ConvMixer notes use.
SEARCHES = [
    ("en", "isotropic", PAGE),
    ("zh", "卷积", "zh/" + PAGE),       # "convolution"
    ("zh", "通道", "zh/" + PAGE),       # "channel"
    ("ja", "畳み込み", "ja/" + PAGE),   # "convolution"
]


@pytest.mark.parametrize(("lang", "term", "expected"), SEARCHES, ids=[f"{s[0]}-{s[1]}" for s in SEARCHES])
def test_search_finds_the_page_and_row(site_url, new_page, lang, term, expected):
    page = new_page("desktop")
    page.goto(url_of(site_url, PAGE, lang))
    settle(page)
    if lang != "en":
        translated = page.evaluate("""term => [...document.querySelectorAll('.note:not([data-fallback])')]
            .some(n => n.textContent.includes(term))""", term)
        assert translated, (f"no translated note of {expected} contains {term!r}: the {lang} translation of "
                            f"translations/{lang}/conv_mixer/__init__.json has not landed (or does not use the "
                            "glossary term)")
    page.fill("#search input", term)
    links = page.locator(".search-results a")
    links.first.wait_for(timeout=10_000)
    page.wait_for_timeout(400)  # debounced: let the last query's results settle
    hrefs = [a.get_attribute("href") for a in links.all()]
    paths = [re.sub(r"#.*", "", h).lstrip("/") for h in hrefs]
    assert expected in paths, f"searching {term!r} gave {hrefs}"
    # Results stay in the page's language.
    prefix = "" if lang == "en" else f"{lang}/"
    assert all(p.startswith(prefix) and not re.match(r"(zh|ja)/", p[len(prefix):]) for p in paths), paths
    # The result opens the row that holds the match.
    href = hrefs[paths.index(expected)]
    assert "#" in href, f"the result {href} does not point at a row"
    page.locator(f'.search-results a[href="{href}"]').click()
    page.wait_for_load_state("load")
    row_id = href.split("#", 1)[1]
    assert page.url.endswith(expected + "#" + row_id)
    text = page.evaluate("id => document.getElementById(decodeURIComponent(id)).querySelector('.note').textContent",
                         row_id)
    assert term.lower() in text.lower(), f"row {row_id} does not contain {term!r}"
    assert_clean(page)


# --- identifier highlighting ----------------------------------------------------------------------------

COUNT_NAMES = """text => [...document.querySelectorAll('.code pre span, .note code.highlight span')]
    .filter(s => s.textContent === text && /^(n\\w*|bp|fm|vm|py)$/.test(s.className.replace(/\\s*marked/, '')))
    .length"""
MARKED = "[...document.querySelectorAll('.marked')].map(e => e.textContent)"


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_clicking_a_name_marks_every_occurrence(site_url, new_page, viewport):
    page = new_page(viewport)
    page.goto(url_of(site_url, PAGE))
    settle(page)
    # A name used in several rows.
    name = page.evaluate("""() => {
        const counts = {};
        for (const s of document.querySelectorAll('.code pre span.n'))
            counts[s.textContent] = (counts[s.textContent] || 0) + 1;
        return Object.keys(counts).sort((a, b) => counts[b] - counts[a]).find(k => k.length > 2);
    }""")
    expected = page.evaluate(COUNT_NAMES, name)
    assert expected >= 3
    target = page.locator(".code pre span.n", has_text=re.compile(f"^{re.escape(name)}$")).nth(1)
    target.scroll_into_view_if_needed()
    target.click()
    marked = page.evaluate(MARKED)
    assert marked == [name] * expected, f"clicking {name!r} marked {len(marked)} of {expected}: {set(marked)}"
    rows = page.evaluate("new Set([...document.querySelectorAll('.marked')].map(e => e.closest('section').id)).size")
    assert rows > 1
    colours = page.evaluate("""() => {
        const m = document.querySelector('.marked');
        const u = [...document.querySelectorAll('.code pre span.n')].find(e => !e.classList.contains('marked'));
        return [getComputedStyle(m).backgroundColor, getComputedStyle(u).backgroundColor];
    }""")
    assert colours[0] != colours[1], f"marked names look like the others: {colours}"
    # Clicking another occurrence of the same name clears the marks.
    page.locator(".marked").last.click()
    assert page.evaluate(MARKED) == []
    assert_clean(page)


def test_inline_code_in_a_note_marks_the_code(site_url, new_page, site_dir):
    page = new_page("desktop")
    page.goto(url_of(site_url, PAGE))
    settle(page)
    name = page.evaluate("""() => {
        const inCode = new Set([...document.querySelectorAll('.code pre span.n')].map(s => s.textContent));
        const s = [...document.querySelectorAll('.note code.highlight span.n')].find(s => inCode.has(s.textContent));
        return s && s.textContent;
    }""")
    assert name, "no inline code in the notes names something in the code"
    page.locator(".note code.highlight span.n", has_text=re.compile(f"^{re.escape(name)}$")).first.click()
    marked = page.evaluate(MARKED)
    assert marked == [name] * page.evaluate(COUNT_NAMES, name)
    assert page.evaluate("document.querySelectorAll('.code .marked').length") > 0
    page.keyboard.press("Escape")
    assert page.evaluate(MARKED) == []


def test_keyboard_marks_names(site_url, new_page):
    page = new_page("desktop")
    page.goto(url_of(site_url, PAGE))
    settle(page)
    pre = page.locator(".code pre").nth(2)
    pre.focus()
    assert pre.get_attribute("tabindex") == "0" and pre.get_attribute("aria-label")
    page.keyboard.press("ArrowRight")
    focused = page.evaluate("[document.activeElement.tagName, document.activeElement.className, "
                            "document.activeElement.textContent]")
    assert focused[0] == "SPAN" and focused[1].startswith("n") or focused[1] in ("bp", "fm", "vm", "py"), focused
    page.keyboard.press("ArrowRight")
    second = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    marked = page.evaluate(MARKED)
    assert marked and set(marked) == {second}
    assert len(marked) == page.evaluate(COUNT_NAMES, second)
    assert page.evaluate("document.getElementById('ident-status').textContent").endswith(second)
    page.keyboard.press("Enter")
    assert page.evaluate(MARKED) == []
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    assert page.evaluate(MARKED) == []
    assert_clean(page)


# --- dark mode ------------------------------------------------------------------------------------------

BACKGROUND = """() => {
    const m = getComputedStyle(document.body).backgroundColor.match(/\\d+(\\.\\d+)?/g).map(Number);
    const [r, g, b] = m.map(v => v / 255);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}"""


def test_dark_toggle_persists_across_pages(site_url, new_page):
    page = new_page("desktop", color_scheme="light")
    page.goto(url_of(site_url, PAGE))
    settle(page)
    assert page.evaluate(BACKGROUND) > 0.8
    toggle = page.locator(".theme-toggle")
    assert toggle.get_attribute("aria-label")
    toggle.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert toggle.get_attribute("aria-pressed") == "true"
    assert page.evaluate(BACKGROUND) < 0.1
    for path, lang in ((OTHER, "en"), (PAGE, "zh"), ("index.html", "ja")):
        page.goto(url_of(site_url, path, lang))
        settle(page)
        assert page.evaluate("document.documentElement.dataset.theme") == "dark", path
        assert page.evaluate(BACKGROUND) < 0.1, f"{lang}/{path}: background is not dark"
        code_bg = page.evaluate("getComputedStyle(document.querySelector('.code, .note')).backgroundColor")
        assert code_bg != "rgb(246, 248, 250)", f"{lang}/{path}: code stays light in dark mode"
    # Back to light, remembered too.
    page.locator(".theme-toggle").click()
    page.goto(url_of(site_url, PAGE))
    settle(page)
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    assert page.evaluate(BACKGROUND) > 0.8
    assert_clean(page)


def test_dark_by_default_when_the_system_is_dark(site_url, new_page):
    page = new_page("desktop", color_scheme="dark")
    page.goto(url_of(site_url, PAGE))
    settle(page)
    assert page.evaluate(BACKGROUND) < 0.1
    page.locator(".theme-toggle").click()  # the opposite of what is shown
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    assert page.evaluate(BACKGROUND) > 0.8


# --- no third-party hosts, screenshots ------------------------------------------------------------------

def test_pages_need_no_third_party_host(site_url, new_page):
    page = new_page("desktop")
    for lang in ("en", "zh", "ja"):
        for path in (PAGE, "index.html", "guide/reading.html", "transformers/mlp_mixer/index.html"):
            page.goto(url_of(site_url, path, lang) if not path.startswith("guide") or lang == "en"
                      else url_of(site_url, path))
            settle(page)
        page.fill("#search input", "mixer")
        page.locator(".search-results a").first.wait_for(timeout=10_000)
    assert page.requests
    foreign = sorted({r for r in page.requests if not is_local(r)})
    assert not foreign, f"requests to other hosts: {foreign}"
    assert any("katex" in r and r.endswith(".woff2") for r in page.requests), "KaTeX fonts not served locally"
    assert_clean(page)


def test_screenshots(site_url, new_page, artifacts):
    """Desktop and phone views of one page per language, for a person to look at."""
    saved = []
    for viewport in ("desktop", "phone"):
        page = new_page(viewport, color_scheme="light", device_scale_factor=1 if viewport == "desktop" else 2)
        for lang in ("en", "zh", "ja"):
            page.goto(url_of(site_url, PAGE, lang))
            settle(page)
            for where, anchor in (("top", ""), ("layer", "#ConvMixerLayer")):
                if anchor:
                    page.goto(url_of(site_url, PAGE, lang) + anchor)
                    settle(page)
                path = artifacts / f"conv_mixer-{lang}-{viewport}-{where}.png"
                page.screenshot(path=str(path))
                saved.append(path)
    for path in saved:
        assert path.stat().st_size > 10_000, f"{path} looks empty"
    print(f"\nscreenshots saved in {artifacts}/")


# --- script injection through translations --------------------------------------------------------------

XSS_SENTINEL = """
window.__xss = undefined;
for (const name of ['alert', 'confirm', 'prompt', 'print'])
    window[name] = (...args) => { window.__xss = (window.__xss || []).concat([name + ':' + String(args[0])]); };
"""
XSS_FILES = ["conv_mixer/__init__", "transformers/mlp_mixer/__init__", "transformers/vit/__init__",
             "transformers/mha", "experiments/trainer"]


def _xss_values(key: str, vector: str) -> list[str]:
    """Two ways a vector can arrive: alone, and inside an otherwise faithful translation of the key."""
    inside = key.replace("</p>", vector + "</p>", 1) if "</p>" in key else key + vector
    return [vector, inside]


@pytest.fixture(scope="session")
def xss_site(tmp_path_factory):
    """A copy of the project whose zh translations carry every XSS vector, built in normal (lenient) mode."""
    import json
    import subprocess
    import sys

    from browser_helpers import BuildError, build_env, build_site, copy_project
    from xss_vectors import XSS_VECTORS

    project = copy_project(tmp_path_factory.mktemp("xss-project"))
    # Every key of the current notes, and none that matches no note any more (stale keys are not on a page).
    for command in ("extract", "prune"):
        run = subprocess.run(
            [sys.executable, "-m", "site_builder", "translations", command, "--lang", "zh",
             "--config", str(project / "mkdocs.yml")],
            cwd=project, env=build_env(), capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, f"translations {command}: {run.stdout}{run.stderr}"
    pending = [v for vector in XSS_VECTORS for v in (("alone", vector), ("inside", vector))]
    planted: dict[str, int] = {}
    for name in XSS_FILES:
        path = project / "translations" / "zh" / f"{name}.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        keys = sorted(k for k in data if k.lstrip().startswith("<"))  # notes, not the plain-text title/summary
        for key in keys:
            if not pending:
                break
            how, vector = pending.pop()
            data[key] = _xss_values(key, vector)[how == "inside"]
            planted[name] = planted.get(name, 0) + 1
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    assert not pending, f"{len(pending)} vectors left over: add files to XSS_FILES"
    out = tmp_path_factory.mktemp("xss-site")
    try:
        log = build_site(out, project=project, strict=False)
    except BuildError as error:
        pytest.fail(f"the site with hostile translations did not build: {error}", pytrace=False)
    with serve(out) as url:  # noqa: F405 - from browser_helpers
        yield url, planted, log


def test_xss_vectors_in_translations_do_not_run(xss_site, new_page):
    url, planted, log = xss_site
    # The build names every rejected value (file:line and why); each one falls back to English.
    rejected = len(re.findall(r"translations/zh/\S+\.json:\d+: invalid translation", log))
    assert rejected >= sum(planted.values()), \
        f"the build reported {rejected} invalid translations of {sum(planted.values())} planted:\n" + log[-2000:]
    for viewport in ("desktop", "phone"):
        page = new_page(viewport)
        page.add_init_script(XSS_SENTINEL)
        for name, count in planted.items():
            path = name[:-len("__init__")] + "index.html" if name.endswith("__init__") else name + ".html"
            page.goto(url + "zh/" + path)
            settle(page)
            # Hover, focus and click every note: event-handler vectors would fire now.
            if viewport == "desktop":
                for note in page.locator(".note").all()[:25]:
                    note.hover()
            page.keyboard.press("Tab")
            page.wait_for_timeout(200)
            state = page.evaluate("""() => ({
                xss: window.__xss === undefined ? null : window.__xss,
                scripts: [...document.querySelectorAll(`main script, main iframe, main object, main embed,
                    main base, main meta, main form, main style, main link`)].map(e => e.outerHTML.slice(0, 80)),
                handlers: [...document.querySelectorAll('main *')].flatMap(e => [...e.attributes]
                    .filter(a => /^on/i.test(a.name) || /^\\s*(javascript|vbscript|data):/i.test(a.value))
                    .map(a => e.tagName + ' ' + a.name + '=' + a.value.slice(0, 40))),
                alertText: document.querySelector('main').innerHTML.includes('alert('),
                fallback: document.querySelectorAll('.note[data-fallback][lang="en"]').length,
            })""")
            where = f"zh/{path} ({viewport})"
            assert page.dialogs == [], f"{where}: dialogs opened: {page.dialogs}"
            assert state["xss"] is None, f"{where}: injected script ran: {state['xss']}"
            assert not state["scripts"], f"{where}: injected elements in the page: {state['scripts']}"
            assert not state["handlers"], f"{where}: injected handlers or script URLs: {state['handlers']}"
            assert not state["alertText"], f"{where}: a vector reached the page (even as text)"
            # Every planted note falls back to English, marked as such.
            assert state["fallback"] >= count, f"{where}: {state['fallback']} English fallbacks for {count} bad values"
            foreign = sorted({r for r in page.requests if not is_local(r)})
            assert not foreign, f"{where}: requests to other hosts: {foreign}"
            assert not page.errors, f"{where}: script errors: {page.errors}"
