"""The reader's experience in a real browser: layout, math, permalinks, languages, search, highlighting, dark mode.

The site is built once per session (strict, as in CI) into a temporary folder and served on 127.0.0.1;
one Chromium (Debian's, via Playwright) drives every test. See tests/browser_helpers.py.
Run only these: `.venv/bin/python -m pytest -m browser`.
"""

from __future__ import annotations

import re

import pytest
from browser_helpers import *  # noqa: F403 - the fixtures
from browser_helpers import DESKTOP, PHONE, is_local, serve

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
    """Wait until the page, its fonts and its images are loaded, and the article is shown (a page with
    formulas holds it back until their fonts are in)."""
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_function("!document.documentElement.classList.contains('fonts-wait')")


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
                const note = r.querySelector(':scope > .note'), link = note.querySelector('.permalink');
                const n = note.getBoundingClientRect();
                const c = r.querySelector(':scope > .code').getBoundingClientRect();
                const p = link.getBoundingClientRect();
                return {id: r.id, nBottom: n.bottom, cTop: c.top, nWidth: n.width, cWidth: c.width,
                        shown: getComputedStyle(note).display !== 'none', linkBottom: p.bottom, linkShown: p.height > 0,
                        empty: !note.querySelector(':scope > :not(.permalink)')};
            })""")
        assert len(rows) >= 10
        for r in rows:
            if not r["shown"]:  # an empty note (a lone `#` detached the code) is not shown on a phone
                assert r["empty"] and not r["linkShown"], f"{lang} row {r['id']}: a note with text is hidden: {r}"
                continue
            assert r["nBottom"] <= r["cTop"] + 1, f"{lang} row {r['id']}: the note is not above its code: {r}"
            assert r["linkBottom"] <= r["cTop"] + 1, f"{lang} row {r['id']}: the permalink hangs over the code: {r}"
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


FONT_DELAY_S = 1.5  # KaTeX's fonts held back this long: after the first paint even on a busy machine (checked)
COLD_LOAD = """() => ({
    shifts: window.__shifts,
    fcp: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime,
    fontsEnd: Math.max(0, ...performance.getEntriesByType('resource').filter(r => r.name.endsWith('.woff2'))
                                .map(r => r.responseEnd)),
})"""


@pytest.fixture(scope="module")
def late_fonts_url(site_dir):
    with serve(site_dir, delays={".woff2": FONT_DELAY_S}) as url:
        yield url


def _cold_load(new_page, url: str, viewport: str, *, wait_for_fonts: bool = True) -> dict:
    page = new_page(viewport)  # a fresh context: nothing cached
    page.add_init_script(LAYOUT_PROBE)
    if not wait_for_fonts:  # the control: the page no longer waits for its fonts before showing the article
        page.add_init_script("FontFaceSet.prototype.load = function () { return Promise.resolve([]); };")
    page.goto(url)
    settle(page)
    page.wait_for_timeout(300)
    result = page.evaluate(COLD_LOAD)
    assert_clean(page)
    return result


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("path", [PAGE, "transformers/vit/index.html"])
def test_fonts_arriving_after_the_first_paint_move_nothing(late_fonts_url, new_page, viewport, path):
    """Item 17: on a cold load whose KaTeX fonts arrive after the first paint, nothing on screen moves: the
    article is laid out, then shown once the fonts are in (formulas laid out with a fallback font are
    narrower or wider, and the text after them moves when their own font arrives)."""
    result = _cold_load(new_page, late_fonts_url + path, viewport)
    assert result["fcp"] and result["fontsEnd"] > result["fcp"], f"the fonts were not late: {result}"
    assert not result["shifts"], f"layout shifts on a cold load with late fonts: {result['shifts']}"


HALF_PAGE = "normalization/layer_norm/index.html"


HALF_HEADER = "conv_mixer/experiment.html"  # a page without formulas


@pytest.fixture(scope="module")
def half_page_url(site_dir):
    """Pages that arrive in two parts, 1.5 s apart: layer norm's cut inside its first numbered display formula,
    the ConvMixer experiment's inside the header."""
    with serve(site_dir, pauses={HALF_PAGE: ('<span class="katex-tag">', 1.5),
                                 HALF_HEADER: ('<nav class="breadcrumbs"', 1.5)}) as url:
        yield url


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("path", [HALF_PAGE, HALF_HEADER])
def test_a_page_painted_half_parsed_moves_nothing_when_the_rest_arrives(half_page_url, new_page, viewport, path):
    """Item 17: the article is shown once it is parsed to the end (and its fonts are in), and nothing is painted
    before the header is whole. A centred display formula painted with only part of it parsed grows from its
    middle when the rest arrives (the fonts, from a fast server, are usually in long before the page is parsed);
    a header painted with only the site's name centres it in a shorter bar."""
    page = new_page(viewport)
    page.add_init_script(LAYOUT_PROBE)
    page.goto(half_page_url + path)
    settle(page)
    page.wait_for_timeout(300)
    timing = page.evaluate("""() => ({fcp: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime,
        parsed: performance.getEntriesByType('navigation')[0].domContentLoadedEventStart})""")
    if path == HALF_PAGE:
        assert timing["fcp"] and timing["fcp"] < timing["parsed"] - 1000, f"nothing painted half parsed: {timing}"
    shifts = page.evaluate("window.__shifts")
    assert not shifts, f"layout shifts once the rest of the page arrived: {shifts}"
    assert_clean(page)


def test_late_fonts_do_shift_a_page_that_does_not_wait_for_them(late_fonts_url, new_page):
    """The control for the test above: the same late fonts move the text around the formulas when the page
    shows its article at once, so the test above would see a shift."""
    result = _cold_load(new_page, late_fonts_url + PAGE, "desktop", wait_for_fonts=False)
    assert result["fontsEnd"] > result["fcp"], f"the fonts were not late: {result}"
    assert any(s["math"] for s in result["shifts"]), f"no shift from late fonts without the wait: {result}"


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
    # Dark mode, at the ConvMixer layer and at the architecture figure; and the ViT equations (numbered).
    for viewport in ("desktop", "phone"):
        page = new_page(viewport, color_scheme="dark", device_scale_factor=1 if viewport == "desktop" else 2)
        for where, anchor in (("layer", "#ConvMixerLayer"), ("figure", "#top-1")):
            page.goto(url_of(site_url, PAGE) + anchor)
            settle(page)
            path = artifacts / f"conv_mixer-en-{viewport}-dark-{where}.png"
            page.screenshot(path=str(path))
            saved.append(path)
    for viewport in ("desktop", "phone"):
        page = new_page({"width": 1440, "height": 900} if viewport == "desktop" else viewport, color_scheme="light",
                        device_scale_factor=1 if viewport == "desktop" else 2)
        page.goto(url_of(site_url, "transformers/vit/index.html"))
        settle(page)
        page.evaluate("document.querySelector('.katex-display .katex-tag, .katex-display .tag')"
                      ".closest('.katex-display').scrollIntoView({block: 'center'})")
        path = artifacts / f"vit-equations-{viewport}.png"
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


# --- the reader's page, second pass (issue 11) ----------------------------------------------------------

def _first_text_top(page, row_selector: str) -> list:
    """Per row with code: (id, the top of the note's first line of text, the top of the code's first line)."""
    return page.evaluate("""sel => {
        function first(root, skip) {
            const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {acceptNode: t =>
                t.data.trim() && !(skip && t.parentElement.closest(skip)) ? 1 : 3});
            const t = w.nextNode();
            if (!t) return null;
            const r = document.createRange();
            r.selectNodeContents(t);
            return r.getClientRects()[0];
        }
        return [...document.querySelectorAll(sel)].filter(r => r.querySelector(':scope > .code')).map(r => {
            const a = first(r.querySelector(':scope > .note'), '.permalink, .katex');
            const b = first(r.querySelector(':scope > .code'));
            return a && b ? [r.id, a.top, b.top] : null;
        }).filter(x => x);
    }""", row_selector)


@pytest.mark.parametrize("path", [PAGE, "transformers/mlp_mixer/index.html"])
def test_notes_start_level_with_their_code(site_url, new_page, path):
    """Item 7: a note's first line sits beside the first line of the code it explains (within 2 px)."""
    page = new_page("desktop")
    page.goto(url_of(site_url, path))
    settle(page)
    rows = _first_text_top(page, "section.row")
    assert len(rows) > 10
    off = [(i, round(a - b, 1)) for i, a, b in rows if abs(a - b) > 2]
    assert not off, f"notes not level with their code (row, note top - code top in px): {off}"


def _source_lines(path: str) -> list[str]:
    return (ROOT / "labml_nn" / path).read_text(encoding="utf-8").split("\n")  # noqa: F405


def test_code_shows_each_lines_original_number(site_url, new_page):
    """Item 8: every code line carries its source line number, drawn beside it but never selected,
    copied or read by a screen reader."""
    page = new_page("desktop")
    page.goto(url_of(site_url, PAGE))
    settle(page)
    lines = page.evaluate("""() => [...document.querySelectorAll('.code .line')].map(l => ({
        n: l.dataset.n, text: l.textContent,
        before: getComputedStyle(l, '::before').content,
        width: parseFloat(getComputedStyle(l, '::before').width) || 0}))""")
    source = _source_lines("conv_mixer/__init__.py")
    assert len(lines) > 50, "the code column has no per-line blocks"
    for line in lines:
        assert line["n"] and line["n"].isdigit(), f"a code line has no number: {line}"
        n = int(line["n"])
        assert line["text"].rstrip("\n") == source[n - 1], \
            f"line {n} shows {line['text']!r}, the source has {source[n - 1]!r}"
        assert line["before"] not in ("none", "normal", '""') and line["width"] > 0, f"line {n}: no visible number"
    numbers = [int(line["n"]) for line in lines]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    # Copying a whole code block gives the code exactly, without the numbers.
    copied = page.evaluate("""() => {
        const pre = document.getElementById('ConvMixerLayer.forward').querySelector('.code pre');
        const range = document.createRange();
        range.selectNodeContents(pre);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        return [getSelection().toString(), [...pre.querySelectorAll('.line')].map(l => +l.dataset.n)];
    }""")
    text, ns = copied
    assert text.rstrip("\n") == "\n".join(source[n - 1] for n in ns), f"copied text differs from the code: {text!r}"
    # The accessibility tree has the code once, and no line numbers.
    tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    texts = {n.get("name", {}).get("value") for n in tree if n.get("role", {}).get("value") in ("StaticText", "text")}
    code_text = "\n".join(line["text"] for line in lines)
    spoken = sorted(str(n) for n in numbers if n >= 40 and str(n) in texts and str(n) not in code_text)
    assert not spoken, f"screen readers would hear line numbers: {spoken[:10]}"
    assert_clean(page)


@pytest.mark.parametrize("width", [390, 1440])
def test_long_code_lines_wrap_under_their_indent(site_url, new_page, width):
    """Item 8: nothing in the code column is cut off or scrolls sideways; a wrapped line continues
    under its own indent, to the right of where the line's code starts."""
    page = new_page({"width": width, "height": 900})
    for path in (PAGE, "transformers/mlp_mixer/index.html", "experiments/trainer.html"):
        page.goto(url_of(site_url, path))
        settle(page)
        state = page.evaluate("""() => {
            const cut = [...document.querySelectorAll('.code pre')].filter(p => p.scrollWidth > p.clientWidth + 1)
                .map(p => p.closest('section').id);
            const wrapped = [];
            for (const l of document.querySelectorAll('.code .line')) {
                const r = document.createRange();
                r.selectNodeContents(l);
                const rects = [...r.getClientRects()].filter(x => x.width > 0);
                const rows = [...new Set(rects.map(x => Math.round(x.top)))];
                if (rows.length < 2) continue;
                const lead = l.textContent.match(/^ */)[0].length;
                const ch = rects[0].width / Math.max(1, l.textContent.replace(/\\n$/, '').length);
                const start = Math.min(...rects.filter(x => Math.round(x.top) === rows[0]).map(x => x.left));
                const cont = Math.min(...rects.filter(x => Math.round(x.top) !== rows[0]).map(x => x.left));
                wrapped.push({n: l.dataset.n, lead, start, cont});
            }
            // Each block's line numbers fit inside the block (the gutter is part of the code column).
            const gutters = [...document.querySelectorAll('.code pre')].map(p => {
                const l = p.querySelector('.line[data-n]');
                const before = getComputedStyle(l, '::before');
                const room = l.getBoundingClientRect().left - p.getBoundingClientRect().left;
                const need = parseFloat(before.width) + parseFloat(before.marginRight);
                return room + 0.5 >= need && p.getBoundingClientRect().left >= 0 ? null : [l.dataset.n, room, need];
            }).filter(x => x);
            return {cut, wrapped, gutters, pageWidth: document.documentElement.scrollWidth};
        }""")
        assert not state["cut"], f"{path} at {width}px: code rows scroll sideways: {state['cut'][:5]}"
        assert state["pageWidth"] <= width, f"{path} at {width}px: the page is {state['pageWidth']}px wide"
        assert not state["gutters"], f"{path} at {width}px: line numbers cut off (line, room, needed px): " \
            f"{state['gutters'][:5]}"
        if width == 390 and path == PAGE:
            assert state["wrapped"], "no line wraps on a phone (expected some long lines to)"
        for w in state["wrapped"]:
            # The hanging indent is the line's own indent plus four columns, at most 40% of the screen.
            indent_left = w["start"] + min(w["lead"] * 7.0, 0.4 * width - 8)
            assert w["cont"] >= indent_left, f"{path} line {w['n']}: wrapped text starts left of its indent: {w}"
    assert_clean(page)


EQUATION_PAGES = [("transformers/vit/index.html", "desktop"), ("transformers/vit/index.html", "phone"),
                  (PAGE, "phone"), ("transformers/mlp_mixer/index.html", "phone"),
                  ("normalization/batch_norm/index.html", "phone"), ("normalization/layer_norm/index.html", "phone")]


@pytest.mark.parametrize(("path", "viewport"), EQUATION_PAGES)
def test_equation_numbers_are_in_view_beside_their_formula(site_url, new_page, path, viewport):
    """Items 2 and 17's follow-up: a display equation's number `(1)` is never drawn over the formula, and it is
    in view beside it without scrolling (at 1440 px and on a 390 px phone), even when the formula itself is
    too wide and scrolls in its box."""
    page = new_page({"width": 1440, "height": 900} if viewport == "desktop" else viewport)
    page.goto(url_of(site_url, path))
    settle(page)
    state = page.evaluate("""() => {
        const out = {count: 0, overlaps: [], hidden: [], rows: []};
        const clip = (r, c) => ({left: Math.max(r.left, c.left), right: Math.min(r.right, c.right),
                                 top: Math.max(r.top, c.top), bottom: Math.min(r.bottom, c.bottom)});
        for (const display of document.querySelectorAll('.katex-display')) {
            const tag = display.querySelector('.katex-tag');
            if (!tag) continue;
            display.scrollIntoView({block: 'center'});
            const d = display.getBoundingClientRect();
            // What of the formula can be seen: its glyph boxes, clipped by the boxes that scroll.
            const formula = [...display.querySelectorAll('.katex-html .katex-base *')].filter(e => !tag.contains(e))
                .map(e => {
                    let r = e.getBoundingClientRect();
                    for (let a = e.parentElement; a && a !== display.parentElement; a = a.parentElement)
                        if (getComputedStyle(a).overflowX !== 'visible') r = clip(r, a.getBoundingClientRect());
                    return r;
                }).filter(r => r.right - r.left > 1 && r.bottom - r.top > 1);
            const nums = tag.querySelectorAll('.eqn-num');  // numbered rows; a \\tag{...} is the tag itself
            for (const num of nums.length ? nums : [tag]) {
                const t = num.getBoundingClientRect();
                if (!t.width) continue;
                out.count++;
                const text = num.classList.contains('eqn-num') ? `(${out.count})` : num.textContent.trim();
                // In view: inside the screen and inside its formula's box, not scrolled away.
                if (t.left < Math.max(0, d.left) - 1 || t.right > Math.min(innerWidth, d.right) + 1)
                    out.hidden.push([text, Math.round(t.left), Math.round(t.right), Math.round(d.right)]);
                for (const r of formula) {
                    const x = Math.min(t.right, r.right) - Math.max(t.left, r.left);
                    const y = Math.min(t.bottom, r.bottom) - Math.max(t.top, r.top);
                    if (x > 1 && y > 1) { out.overlaps.push([text, Math.round(x)]); break; }
                }
                if (t.top < d.top - 1 || t.bottom > d.bottom + 1) out.rows.push([text, t.top, d.top, d.bottom]);
            }
        }
        return out;
    }""")
    assert state["count"] > 0, f"{path}: no numbered equation to check"
    assert not state["overlaps"], f"{path} ({viewport}): equation numbers drawn over their formula: {state['overlaps']}"
    assert not state["hidden"], \
        f"{path} ({viewport}): equation numbers out of view (number, left, right, box right): {state['hidden']}"
    assert not state["rows"], f"{path} ({viewport}): equation numbers outside their formula's lines: {state['rows']}"


@pytest.mark.parametrize("path", ["guide/translating.html", "guide/experiments.html", "translation-status.html",
                                  "zh/translation-status.html"])
def test_tables_never_widen_a_phone_page(site_url, new_page, path):
    """Item 3: a wide table scrolls in its own box; the page does not pan sideways on a 390 px phone."""
    page = new_page("phone", is_mobile=True, has_touch=True)
    page.goto(site_url + path)
    settle(page)
    assert page.locator("table").count() > 0, f"{path} has no table"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path}: the page is {width}px wide on a {PHONE['width']}px phone"


@pytest.mark.parametrize("width", [768, 900, 1024, 1100])
def test_links_to_a_row_land_below_the_sticky_header(site_url, new_page, width):
    """Item 4: at tablet widths the header wraps onto more lines; deep links and permalinks still show
    the top of their row just below it."""
    page = new_page({"width": width, "height": 900})
    # The trainer's breadcrumbs are long: its header takes two or three lines at these widths.
    row_id = "make_optimizer"
    page.goto(url_of(site_url, "experiments/trainer.html") + f"#{row_id}")
    settle(page)
    page.wait_for_timeout(100)

    def check(when):
        header = page.evaluate("document.querySelector('.site-header').getBoundingClientRect().bottom")
        top = page.evaluate(f"document.getElementById('{row_id}').getBoundingClientRect().top")
        assert header - 1 <= top <= header + 24, f"{when} at {width}px: row top {top}px, header ends at {header}px"

    check("deep link")
    page.evaluate("window.scrollTo(0, 0)")
    page.locator(f'section.row[id="{row_id}"] > .note > a.permalink').click(force=True)
    page.wait_for_timeout(100)
    check("permalink")


@pytest.mark.parametrize("width", [390, 600, 900])
def test_search_results_open_on_screen(site_url, new_page, width):
    """Item 1: on phones and tablets the results open inside the screen."""
    page = new_page({"width": width, "height": 844}, is_mobile=width < 768, has_touch=width < 768)
    page.goto(url_of(site_url, PAGE))
    settle(page)
    page.fill("#search input", "mixer")
    page.locator(".search-results a").first.wait_for(timeout=10_000)
    box = page.locator(".search-results").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, f"results at {box} on a {width}px screen"
    assert box["width"] >= min(width - 32, 300), f"results squeezed: {box}"


def test_search_keyboard_and_closing(site_url, new_page):
    """Item 5: arrows walk every result, Esc closes from anywhere in the list, and a click outside or
    tabbing away closes the results."""
    page = new_page("desktop")
    page.goto(url_of(site_url, PAGE))
    settle(page)
    field = page.locator("#search input")
    results = page.locator(".search-results")
    field.fill("mixer")
    page.locator(".search-results a").nth(2).wait_for(timeout=10_000)
    page.wait_for_timeout(400)
    hrefs = [a.get_attribute("href") for a in page.locator(".search-results a").all()]
    focused = "document.activeElement.getAttribute('href')"
    field.press("ArrowDown")
    assert page.evaluate(focused) == hrefs[0]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate(focused) == hrefs[2], "ArrowDown does not walk the results"
    page.keyboard.press("ArrowUp")
    assert page.evaluate(focused) == hrefs[1]
    page.keyboard.press("Escape")
    assert results.is_hidden(), "Esc on a result does not close the results"
    assert page.evaluate("document.activeElement") == page.evaluate("document.querySelector('#search input')")
    # Back in the field: the results come back; a click outside closes them.
    field.press("ArrowDown")
    assert results.is_visible()
    page.mouse.click(300, 500)
    assert results.is_hidden(), "a click outside does not close the results"
    # Tabbing out of the search box closes them too.
    field.click()
    assert results.is_visible()
    for _ in range(len(hrefs) + 1):
        page.keyboard.press("Tab")
    assert results.is_hidden(), "tabbing away does not close the results"
    assert_clean(page)


def test_language_switch_keeps_the_row(site_url, new_page):
    """Item 6: switching language opens the same row of the other language's page."""
    page = new_page("desktop")
    page.goto(url_of(site_url, PAGE) + "#ConvMixerLayer")
    settle(page)
    page.locator('.languages a[hreflang="zh"]').click()
    page.wait_for_load_state("load")
    assert page.url == url_of(site_url, PAGE, "zh") + "#ConvMixerLayer", page.url
    # Scrolled to a row without following a link: that row is kept too.
    settle(page)
    page.evaluate("document.getElementById('ConvMixer.forward').scrollIntoView()")
    page.wait_for_timeout(100)
    # (A mouse click where the link is: Playwright's own click scrolls the page to "reveal" a sticky link.)
    box = page.locator('.languages a[hreflang="ja"]').bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.url.startswith(url_of(site_url, PAGE, "ja") + "#ConvMixer.forward"), page.url
    settle(page)
    top = page.evaluate("document.getElementById('ConvMixer.forward').getBoundingClientRect().top")
    header = page.evaluate("document.querySelector('.site-header').getBoundingClientRect().bottom")
    assert header - 1 <= top <= header + 24, f"the row is not at the top: {top}px (header ends at {header}px)"
    assert_clean(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_not_found_page_is_styled_and_links_home(site_url, new_page, scheme):
    """Item 9 (and 14: the 404 page follows dark mode)."""
    page = new_page("desktop", color_scheme=scheme)
    page.goto(site_url + "404.html")
    settle(page)
    hrefs = page.evaluate("[...document.querySelectorAll('[href]')].map(e => e.getAttribute('href'))")
    assert hrefs and not [h for h in hrefs if h.startswith("//")], f"protocol-relative links: {hrefs}"
    assert page.evaluate("getComputedStyle(document.body).marginTop") == "0px", "site.css is not applied"
    luminance = page.evaluate(BACKGROUND)
    assert (luminance < 0.1) if scheme == "dark" else (luminance > 0.8), f"{scheme}: background {luminance}"
    page.locator("main a").first.click()
    page.wait_for_load_state("load")
    assert page.url == site_url + "index.html"
    assert_clean(page)


def _search(page, term: str) -> list[str]:
    page.fill("#search input", "")
    page.fill("#search input", term)
    page.locator(".search-results li").first.wait_for(timeout=10_000)
    page.wait_for_timeout(500)  # debounced: let the last query's results settle
    return [a.get_attribute("href") for a in page.locator(".search-results a").all()]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_search_finds_definitions_in_the_code(site_url, new_page, lang):
    """Item 10: classes, functions and methods are found by name and qualified name, and open the row
    that defines them; a name that occurs nowhere finds nothing."""
    page = new_page("desktop")
    page.goto(url_of(site_url, PAGE, lang))
    settle(page)
    prefix = "" if lang == "en" else f"{lang}/"
    for term, target in (("ConvMixerLayer", "conv_mixer/index.html#ConvMixerLayer"),
                         ("TokenMixing", "transformers/mlp_mixer/index.html#TokenMixing"),
                         ("ConvMixerLayer.forward", "conv_mixer/index.html#ConvMixerLayer.forward")):
        hrefs = _search(page, term)
        assert hrefs and hrefs[0].lstrip("/") == prefix + target, f"{lang}: {term!r} first gave {hrefs[:3]}"
    page.locator(".search-results a").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(prefix + "conv_mixer/index.html#ConvMixerLayer.forward")
    settle(page)
    top = page.evaluate("document.getElementById('ConvMixerLayer.forward').getBoundingClientRect().top")
    assert 0 <= top < 200, f"the defining row is not at the top: {top}"
    hrefs = _search(page, "FooBarQuxNowhere")
    assert hrefs == [], f"a name that occurs nowhere found {hrefs}"
    assert page.locator(".search-results .none").is_visible()
    assert_clean(page)


def test_search_excerpts_never_mangle_math(site_url, new_page):
    """Item 10: excerpts show words, never KaTeX's visual copy of a formula (a jumble of glyphs and
    zero-width spaces)."""
    page = new_page("desktop")
    page.goto(url_of(site_url, PAGE))
    settle(page)
    for term in ("residual", "patches", "normalization", "attention"):
        _search(page, term)
        excerpts = page.evaluate("[...document.querySelectorAll('.search-results a span')].map(s => s.textContent)")
        assert excerpts, f"no excerpt for {term!r}"
        bad = [e for e in excerpts if "\u200b" in e or re.search(r"[\u2032\u2212\u2208\u211d]", e)]
        assert not bad, f"{term!r}: excerpts with mangled math: {bad[:3]}"


def test_image_zoom_is_a_real_dialog(site_url, new_page):
    """Item 11: a plot opens at its real size, with a close button that takes focus; the page behind does
    not scroll; Esc closes and focus returns to the image."""
    page = new_page({"width": 1440, "height": 900})
    page.goto(url_of(site_url, "conv_mixer/experiment.html"))
    settle(page)
    img = page.locator(".note img").first
    img.scroll_into_view_if_needed()
    natural = page.evaluate("document.querySelector('.note img').naturalWidth")
    before = page.evaluate("scrollY")
    img.click()
    dialog = page.locator("dialog.zoom-overlay[open]")
    dialog.wait_for()
    width = page.evaluate("document.querySelector('dialog.zoom-overlay img').getBoundingClientRect().width")
    assert abs(width - natural) <= 1, f"zoomed to {width}px, the image is {natural}px"
    focused = page.evaluate("[document.activeElement.tagName, document.activeElement.getAttribute('aria-label')]")
    assert focused[0] == "BUTTON" and focused[1], f"focus is not on a labelled close button: {focused}"
    page.mouse.wheel(0, 600)
    page.wait_for_timeout(200)
    assert page.evaluate("scrollY") == before, "the page scrolled behind the zoomed image"
    page.keyboard.press("Escape")
    assert dialog.count() == 0
    assert page.evaluate("document.activeElement === document.querySelector('.note img')"), "focus did not return"
    # The keyboard opens it too, and the close button closes it.
    page.keyboard.press("Enter")
    dialog.wait_for()
    page.locator(".zoom-close").click()
    assert dialog.count() == 0
    assert_clean(page)


def _platform_font(page, selector: str) -> str:
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cjk = [f for f in fonts if "CJK" in f["familyName"] or "JP" in f["familyName"] or "SC" in f["familyName"]]
    return max(cjk or fonts, key=lambda f: f["glyphCount"])["familyName"]


def test_japanese_pages_use_japanese_glyphs(site_url, new_page):
    """Item 12: kanji on Japanese pages come from the Japanese font, on Chinese pages from the Chinese one."""
    page = new_page("desktop")
    for lang, expected in (("ja", "JP"), ("zh", "SC")):
        page.goto(url_of(site_url, PAGE, lang))
        settle(page)
        family = _platform_font(page, "section.row:not(.note-only) .note:not([data-fallback]) p")
        assert expected in family, f"{lang}: notes drawn with {family!r}"


UI_CHECK = """() => ({
    brand: document.querySelector('.brand').textContent,
    code: document.querySelector('.code pre').getAttribute('aria-label'),
    theme: document.querySelector('.theme-toggle').getAttribute('aria-label'),
})"""


@pytest.mark.parametrize("lang", ["zh", "ja"])
def test_chinese_and_japanese_pages_have_no_english_ui_text(site_url, new_page, lang):
    """Item 13: the site name, code-block labels, theme toggle and search messages are in the page's language."""
    from site_builder.ui_text import ui_text

    page = new_page("desktop")
    page.goto(url_of(site_url, PAGE, lang))
    settle(page)
    english = page.evaluate(UI_CHECK)
    cjk = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
    for what, text in english.items():
        assert text and cjk.search(text), f"{lang}: the {what} is not translated: {text!r}"
    assert english["code"] == ui_text(lang)["code_label"]
    # Image alt text is translated like the notes (plain-text keys in the store), in the page's language for
    # screen readers; an image whose alt text is not translated yet would be marked English.
    alts = page.evaluate("""() => [...document.querySelectorAll('.note img')].map(i =>
        [i.alt, (i.closest('[lang]') || document.documentElement).getAttribute('lang')])""")
    assert alts, "no image on the page"
    for alt, alt_lang in alts:
        assert cjk.search(alt) and alt_lang == lang, f"{lang}: alt text not translated: {alt!r} (lang {alt_lang})"
    _search(page, "FooBarQuxNowhere")
    none = page.locator(".search-results .none").text_content()
    assert none == ui_text(lang)["no_results"], f"{lang}: no-results text {none!r}"
    assert_clean(page)


def test_theme_toggle_returns_to_following_the_system(site_url, new_page):
    """Item 14: the toggle goes light → dark → back to following the system; plots are dark in dark mode."""
    page = new_page("desktop", color_scheme="light")
    page.goto(url_of(site_url, "conv_mixer/experiment.html"))
    settle(page)
    toggle = page.locator(".theme-toggle")
    label = toggle.get_attribute("aria-label")
    filters = "getComputedStyle(document.querySelector('.note img')).filter"
    assert page.evaluate(filters) == "none"
    toggle.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.evaluate(filters) != "none", "plots stay white in dark mode"
    toggle.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    toggle.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "auto", "no way back to the system's theme"
    assert page.evaluate("localStorage.getItem('theme')") is None
    assert toggle.get_attribute("aria-label") == label
    page.reload()
    settle(page)
    assert page.evaluate("document.documentElement.dataset.theme") == "auto"
    # Following a dark system, plots are dark too.
    dark = new_page("desktop", color_scheme="dark")
    dark.goto(url_of(site_url, "conv_mixer/experiment.html"))
    settle(dark)
    assert dark.evaluate(filters) != "none"
    assert_clean(page)


def test_favicon_and_the_home_pages_first_screen(site_url, new_page):
    """Item 15: a favicon (no 404 on a fresh visit); the list of implementations is in the home page's
    first screen, beside the introduction rather than below an empty code column."""
    for lang in ("en", "zh", "ja"):
        page = new_page("desktop")
        page.goto(url_of(site_url, "index.html", lang))
        settle(page)
        icon = page.evaluate("(document.querySelector('link[rel~=icon]') || {}).href")
        assert icon, f"{lang}: no favicon"
        response = page.request.get(icon)
        assert response.ok and "svg" in response.headers.get("content-type", ""), f"{lang}: favicon {icon}"
        items = page.evaluate("""() => [...document.querySelectorAll('.listing li')].slice(0, 5)
            .map(li => li.getBoundingClientRect().bottom)""")
        height = DESKTOP["height"]
        assert len(items) == 5 and max(items) < height, f"{lang}: the first implementations are below the fold: {items}"
        empty = page.evaluate("""() => [...document.querySelectorAll('.row.note-only')]
            .filter(r => getComputedStyle(r, '::after').display !== 'none'
                         && r.getBoundingClientRect().top < innerHeight)
            .length""")
        assert empty == 0, f"{lang}: an empty code column fills the first screen"
        assert_clean(page)


FIGURE_PAGES = ["conv_mixer/index.html", "transformers/mlp_mixer/index.html", "transformers/vit/index.html",
                "transformers/models.html", "transformers/gmlp/index.html", "transformers/resmlp/index.html",
                "transformers/poolformer/index.html", "transformers/fnet/index.html",
                "transformers/token_mixers/index.html"]


def test_model_pages_have_a_captioned_diagram(site_url, new_page):
    """Item 16: each model page shows its SVG architecture diagram as a figure, with alt text and a caption
    (both translated on zh and ja pages, in the page's language), shown inverted (dark) in dark mode."""
    cjk = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
    page = new_page("desktop", color_scheme="dark")
    english = {}
    for lang in ("en", "zh", "ja"):
        for path in FIGURE_PAGES:
            page.goto(url_of(site_url, path, lang))
            settle(page)
            fig = page.evaluate("""() => {
                const img = document.querySelector('.note figure img[src$=".svg"]');
                if (!img) return null;
                img.scrollIntoView();
                return {alt: img.alt, src: img.getAttribute('src'),
                        lang: (img.closest('[lang]') || document.documentElement).getAttribute('lang'),
                        caption: img.closest('figure').querySelector('figcaption').textContent.trim(),
                        filter: getComputedStyle(img).filter};
            }""")
            assert fig, f"{lang}/{path}: no SVG figure"
            page.wait_for_function("document.querySelector('.note figure img').complete")
            loaded = page.evaluate("document.querySelector('.note figure img').naturalWidth")
            assert loaded > 100, f"{lang}/{path}: {fig['src']} did not load"
            assert len(fig["alt"]) > 20 and len(fig["caption"]) > 20, f"{lang}/{path}: {fig}"
            assert fig["filter"] != "none", f"{lang}/{path}: the diagram stays white in dark mode"
            assert fig["lang"] == lang, f"{lang}/{path}: the figure is marked {fig['lang']!r}"
            if lang == "en":
                english[path] = fig["caption"], fig["alt"]
            else:
                assert cjk.search(fig["caption"]) and fig["caption"] != english[path][0], \
                    f"{lang}/{path}: the caption is not translated: {fig['caption']!r}"
                assert cjk.search(fig["alt"]) and fig["alt"] != english[path][1], \
                    f"{lang}/{path}: the alt text is not translated: {fig['alt']!r}"
    assert_clean(page)


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"  # noqa: F405 - pinned in package.json / package-lock.json
AXE_PAGES = ["index.html", PAGE, "transformers/vit/index.html", "transformers/mlm/experiment.html"]
# False positives, turned off with the reason:
#   empty-table-header: a header cell holding only a formula (`$h$`, `$d$` in the ConvMixer table) has its text in
#   KaTeX's MathML, which screen readers read; axe counts only text it can see, and the visual copy is
#   aria-hidden, so the cell looks empty to it.
AXE_OFF = {"empty-table-header": {"enabled": False}}


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_axe_finds_no_accessibility_violations(site_url, new_page, viewport):
    """axe-core (every rule: WCAG 2.x A/AA and best practice) on English, Chinese and Japanese pages."""
    assert AXE.is_file(), f"{AXE} is missing: run `npm ci` (axe-core is pinned in package-lock.json)"
    found = []
    for scheme, lang in (("light", "en"), ("dark", "zh"), ("light", "ja")):
        page = new_page(viewport, color_scheme=scheme)
        for path in AXE_PAGES + (["guide/translating.html", "translation-status.html"] if lang == "en" else []):
            page.goto(url_of(site_url, path, lang))
            settle(page)
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate("""rules => axe.run(document, {rules, resultTypes: ['violations']})
                .then(r => r.violations.map(v => v.id + ' (' + v.impact + '): ' +
                      v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')))""", AXE_OFF)
            found += [f"{lang}/{path} {scheme}: {v}" for v in violations]
        assert_clean(page)
    assert not found, "accessibility violations:\n" + "\n".join(found)
