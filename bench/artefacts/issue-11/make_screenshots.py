"""Screenshots for issue 11's closing note: the conv_mixer page (1440 px, a 390 px phone, dark) and ViT's
numbered equations, written next to this file.

    python bench/artefacts/issue-11/make_screenshots.py SITE_DIR    # a site built with `make site`
"""

from __future__ import annotations

import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent
ROOT = OUT.parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from browser_helpers import launch, serve  # noqa: E402

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
EQUATIONS = """() => {
    const d = document.querySelector('.katex-display.katex-numbered');
    d.scrollIntoView({block: 'center'});
    const top = d.closest('.note').querySelector('h2').getBoundingClientRect().top;
    return {x: 0, y: Math.max(0, top - 12), width: innerWidth / (innerWidth > 800 ? 2.4 : 1),
            height: d.getBoundingClientRect().bottom - top + 100};
}"""


def ready(page) -> None:
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_function("!document.documentElement.classList.contains('fonts-wait')")
    page.wait_for_timeout(300)


def main(site: Path) -> None:
    from playwright.sync_api import sync_playwright

    with serve(site) as url, sync_playwright() as p:
        browser = launch(p)
        shots = [
            ("conv_mixer-desktop-1440.png", {"viewport": {"width": 1440, "height": 900}}, "conv_mixer/index.html"),
            ("conv_mixer-desktop-1440-dark.png", {"viewport": {"width": 1440, "height": 900}, "color_scheme": "dark"},
             "conv_mixer/index.html#ConvMixerLayer"),
            ("conv_mixer-phone-390.png", PHONE, "conv_mixer/index.html"),
            ("conv_mixer-phone-390-dark.png", {**PHONE, "color_scheme": "dark"},
             "conv_mixer/index.html#ConvMixerLayer"),
        ]
        for name, options, path in shots:
            page = browser.new_context(**options).new_page()
            page.goto(url + path)
            ready(page)
            page.screenshot(path=str(OUT / name))
        for name, options in (("vit-equations-1440.png", {"viewport": {"width": 1440, "height": 900}}),
                              ("vit-equations-phone-390.png", PHONE)):
            page = browser.new_context(**options).new_page()
            page.goto(url + "transformers/vit/index.html")
            ready(page)
            page.screenshot(path=str(OUT / name), clip=page.evaluate(EQUATIONS))
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
