"""Page weight and first render in Chromium: our pages next to plain pycco pages of the same sources.

    python bench/page_weight.py [--site DIR] [--baseline DIR] [--loads N] [--shift-loads N] [--throttle]

1. Builds the site (mkdocs, as `make site` does, without --strict) into bench/out/site, or reuses --site DIR.
2. Runs pycco (pinned in pyproject) over the same source files into bench/out/pycco.
3. Serves both from 127.0.0.1 and loads each page N times in Debian's Chromium (Playwright), each load in a
   fresh browser context (cold cache), alternating ours and pycco's. Per load it records:
   - transferred bytes: the navigation plus every resource (CSS, fonts, JS, images), from the Resource
     Timing API's transferSize (headers included; the server does not compress);
   - first render: first-contentful-paint from the Paint Timing API, and largest-contentful-paint (when the
     article itself is painted: pages with formulas hold it back until their KaTeX fonts are in, see
     docs/design.md);
   - cumulative layout shift (all shifts, and those whose moved nodes are inside a formula).
   Prints the median per page, the median over pages, and our/pycco ratios.
4. Loads each site's pages --shift-loads more times (default 40 in all, round robin over the six pages), each cold,
   and counts the loads in which anything shifted after the first paint, naming what moved.
   Targets: first render within 1.5x of pycco's page; 0 shifting cold loads (math is rendered at build time and
   laid out with its own fonts before it is shown).
With --throttle it repeats the measurement under an emulated network (20 Mbit/s down, 40 ms latency), where
the bytes cost time, as they do for readers. With --baseline DIR (another build, e.g. of main) that site is
measured in the same run, its loads alternating with ours and pycco's, and reported the same way: on a busy
machine, timings from separate runs differ more than the change being measured.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser_helpers import CHROMIUM, DESKTOP, BuildError, build_site, launch, serve  # noqa: E402

SOURCES = [
    "labml_nn/conv_mixer/__init__.py",
    "labml_nn/transformers/mha.py",
    "labml_nn/transformers/mlp_mixer/__init__.py",
    "labml_nn/transformers/vit/__init__.py",
    "labml_nn/normalization/batch_norm/__init__.py",
    "labml_nn/normalization/layer_norm/__init__.py",
]

PROBE = """
window.__shifts = [];
new PerformanceObserver(list => {
    for (const e of list.getEntries()) window.__shifts.push({
        value: e.value,
        nodes: e.sources.map(s => { const n = s.node; if (!n) return '?';
                                    const el = n.nodeType === 1 ? n : n.parentElement;
                                    return (n.nodeType === 1 ? n.nodeName.toLowerCase() + '.' + n.className : '#text')
                                           + (el && el.closest('.katex') ? ' (in a formula)' : ''); }),
        math: e.sources.some(s => { const n = s.node && (s.node.nodeType === 1 ? s.node : s.node.parentElement);
                                    return !!(n && n.closest('.katex')); }),
    });
}).observe({type: 'layout-shift', buffered: true});
window.__lcp = null;
new PerformanceObserver(list => { for (const e of list.getEntries()) window.__lcp = e.startTime; })
    .observe({type: 'largest-contentful-paint', buffered: true});
"""

MEASURE = """async () => {
    await document.fonts.ready;
    await new Promise(r => setTimeout(r, 300));
    const nav = performance.getEntriesByType('navigation')[0];
    const resources = performance.getEntriesByType('resource');
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    return {
        bytes: nav.transferSize + resources.reduce((a, r) => a + r.transferSize, 0),
        requests: 1 + resources.length,
        fcp: fcp ? fcp.startTime : null,
        lcp: window.__lcp,
        shifts: window.__shifts.map(s => s.nodes.slice(0, 3).join(', ')),
        cls: window.__shifts.reduce((a, s) => a + s.value, 0),
        mathCls: window.__shifts.filter(s => s.math).reduce((a, s) => a + s.value, 0),
    };
}"""


def our_path(source: str) -> str:
    rel = Path(source).relative_to("labml_nn")
    return (rel.parent / "index.html" if rel.name == "__init__.py" else rel.with_suffix(".html")).as_posix()


def pycco_path(source: str) -> str:
    return Path(source).with_suffix(".html").as_posix()


def build_pycco(out: Path) -> None:
    import io
    import os

    from pycco.main import process

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            process(list(SOURCES), preserve_paths=True, outdir=str(out))
    finally:
        os.chdir(cwd)


def load(browser, url: str, throttle: bool) -> dict:
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.add_init_script(PROBE)
        if throttle:
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", {
                "offline": False, "latency": 40,
                "downloadThroughput": 20e6 / 8, "uploadThroughput": 5e6 / 8,
            })
        failures = []
        page.on("response", lambda r: r.status >= 400 and failures.append(f"{r.status} {r.url}"))
        page.goto(url, wait_until="load")
        result = page.evaluate(MEASURE)
        result["failures"] = failures
        return result
    finally:
        context.close()


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def measure(browser, urls: dict[str, str], loads: int, throttle: bool) -> dict:
    """`urls`: side → base URL; the side "pycco" is pycco's output, the others are builds of this site."""
    def url(side: str, source: str) -> str:
        return urls[side] + (pycco_path(source) if side == "pycco" else our_path(source))

    rows = {}
    for source in SOURCES:
        runs = {side: [] for side in urls}
        for side in urls:
            load(browser, url(side, source), throttle)  # warm the server and the OS file cache
        for _ in range(loads):
            for side in urls:
                runs[side].append(load(browser, url(side, source), throttle))
        for side in runs.values():
            bad = sorted({f for r in side for f in r["failures"]})
            if bad:
                print(f"  warning: {source}: failed requests {bad}")
        keys = ("bytes", "requests", "fcp", "lcp", "cls", "mathCls")
        rows[source] = {side: {key: median([r[key] for r in rs]) for key in keys}
                        | {"maxCls": max(r["cls"] for r in rs), "maxMathCls": max(r["mathCls"] for r in rs)}
                        for side, rs in runs.items()}
    return rows


def report(title: str, rows: dict, side: str = "ours") -> dict:
    print(f"\n{title}")
    name = side[:8]  # "ours" or "baseline"
    head = (f"{'page':<46}{name + ' KB':>13}{'pycco KB':>9}{'x':>6}  {name + ' FCP':>13}{'pycco FCP':>10}{'x':>6}"
            f"  {name + ' LCP':>13}{'pycco LCP':>10}{'x':>6}  {'CLS (math)':>16}")
    print(head)
    print("-" * len(head))
    for source, r in rows.items():
        o, p = r[side], r["pycco"]
        print(f"{source[len('labml_nn/'):]:<46}{o['bytes'] / 1024:>13.1f}{p['bytes'] / 1024:>9.1f}"
              f"{o['bytes'] / p['bytes']:>6.2f}  {o['fcp']:>11.0f}ms{p['fcp']:>8.0f}ms{o['fcp'] / p['fcp']:>6.2f}"
              f"  {o['lcp']:>11.0f}ms{p['lcp']:>8.0f}ms{o['lcp'] / p['lcp']:>6.2f}"
              f"  {o['maxCls']:>7.4f} ({o['maxMathCls']:.4f})")
    summary = {
        "site_bytes": median([r[side]["bytes"] for r in rows.values()]),
        "pycco_bytes": median([r["pycco"]["bytes"] for r in rows.values()]),
        "site_fcp": median([r[side]["fcp"] for r in rows.values()]),
        "pycco_fcp": median([r["pycco"]["fcp"] for r in rows.values()]),
        "site_lcp": median([r[side]["lcp"] for r in rows.values()]),
        "pycco_lcp": median([r["pycco"]["lcp"] for r in rows.values()]),
        "site_requests": median([r[side]["requests"] for r in rows.values()]),
        "pycco_requests": median([r["pycco"]["requests"] for r in rows.values()]),
        "cls": max(r[side]["maxCls"] for r in rows.values()),
        "math_cls": max(r[side]["maxMathCls"] for r in rows.values()),
    }
    s = summary
    print("-" * len(head))
    print(f"median over pages: transferred {s['site_bytes'] / 1024:.1f} KB in {s['site_requests']:.0f} requests vs "
          f"pycco {s['pycco_bytes'] / 1024:.1f} KB in {s['pycco_requests']:.0f} "
          f"(ratio {s['site_bytes'] / s['pycco_bytes']:.2f}x)")
    ratio = s["site_fcp"] / s["pycco_fcp"]
    print(f"median over pages: first contentful paint {s['site_fcp']:.0f} ms vs pycco {s['pycco_fcp']:.0f} ms "
          f"(ratio {ratio:.2f}x; target <= 1.5x: {'met' if ratio <= 1.5 else 'NOT met'})")
    print(f"median over pages: largest contentful paint {s['site_lcp']:.0f} ms vs pycco {s['pycco_lcp']:.0f} ms "
          f"(ratio {s['site_lcp'] / s['pycco_lcp']:.2f}x)")
    print(f"worst cumulative layout shift of the {side} pages: {s['cls']:.4f}; from math: {s['math_cls']:.4f} "
          f"(target 0: {'met' if s['math_cls'] == 0 else 'NOT met'})")
    return summary


def count_shifting_loads(browser, sites: dict[str, str], loads: int, throttle: bool) -> None:
    """`loads` cold loads of each site's pages (side → base URL), round robin over SOURCES, the sites
    alternating; prints each load that shifted and what moved."""
    shifting = {side: 0 for side in sites}
    per_page = {side: {source: [0, 0] for source in SOURCES} for side in sites}
    for i in range(loads):
        source = SOURCES[i % len(SOURCES)]
        for side, base in sites.items():
            result = load(browser, base + our_path(source), throttle)
            per_page[side][source][1] += 1
            if result["shifts"]:
                shifting[side] += 1
                per_page[side][source][0] += 1
                print(f"  {side}: load {i + 1} ({source}) shifted (CLS {result['cls']:.5f}): "
                      f"{' | '.join(result['shifts'])}")
    for side in sites:
        print(f"  {side}: " + ", ".join(f"{Path(s).parent.name if s.endswith('__init__.py') else Path(s).stem} {n}/{m}"
                                         for s, (n, m) in per_page[side].items()))
        verdict = "met" if shifting[side] == 0 else "NOT met"
        print(f"{side}: cold loads with any layout shift: {shifting[side]} of {loads} (target 0: {verdict})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, help="reuse this built site instead of building one")
    parser.add_argument("--baseline", type=Path, help="another built site to measure in the same run")
    parser.add_argument("--loads", type=int, default=7, help="loads per page and side (default 7)")
    parser.add_argument("--shift-loads", type=int, default=40,
                        help="cold loads of each site's pages in which to count layout shifts (default 40, 0: skip)")
    parser.add_argument("--throttle", action="store_true", help="also measure on an emulated 20 Mbit/s network")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium fonts-noto-cjk)")
        return 2

    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    site = args.site
    if site is None:
        site = out / "site"
        print(f"building the site into {site} ...")
        try:
            build_site(site, strict=False)
        except BuildError as error:
            print(error)
            return 1
    from playwright.sync_api import sync_playwright

    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pycco-", dir=out)))
        sites = {"ours": stack.enter_context(serve(site))}
        if args.baseline:
            sites["baseline"] = stack.enter_context(serve(args.baseline))
        urls = {**sites, "pycco": stack.enter_context(serve(tmp))}
        p = stack.enter_context(sync_playwright())
        build_pycco(tmp)
        browser = launch(p)
        print(f"Chromium {browser.version}, viewport {DESKTOP['width']}x{DESKTOP['height']}, "
              f"{args.loads} cold loads per page and side, medians"
              + (f"; baseline: {args.baseline}" if args.baseline else ""))
        for throttle, where in ((False, "local (127.0.0.1, no throttling)"),
                                (True, "emulated network: 20 Mbit/s, 40 ms latency")):
            if throttle and not args.throttle:
                continue
            rows = measure(browser, urls, args.loads, throttle)
            summaries = {side: report(f"{where}: {side} ({site if side == 'ours' else args.baseline})", rows, side)
                         for side in sites}
            if args.baseline:
                ours, base = summaries["ours"], summaries["baseline"]
                ratio = {key: ours[f"site_{key}"] / base[f"site_{key}"] for key in ("fcp", "lcp", "bytes")}
                print(f"\nours / baseline, medians over pages: first contentful paint {ratio['fcp']:.2f}x, "
                      f"largest {ratio['lcp']:.2f}x, bytes {ratio['bytes']:.2f}x")
            if args.shift_loads:
                print(f"\nlayout shift over {args.shift_loads} cold loads of each site's pages ({where})")
                count_shifting_loads(browser, sites, args.shift_loads, throttle)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
