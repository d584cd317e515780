"""What merging translations costs: the whole site in every language vs English alone, per page.

    python bench/translations.py [--rounds N]

Builds a copy of this project's site twice per round, in one process, from cold caches each time:
once with `languages: [en]`, once with every configured language (en, zh, ja). Prints the build
time per page of each and the ratio (target: all languages cost at most 1.3x per page what the
English build does). Search indexing is left out: it is pagefind's time, not the merge's.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from build import reset_process_caches  # noqa: E402


def build(project: Path, languages: list[str]) -> tuple[float, int]:
    """Seconds for a cold mkdocs build with these languages, and the number of pages written."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    reset_process_caches()
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site"))
    plugin = config.plugins["annotated"]
    plugin.config.languages = languages
    plugin.config.search = False
    start = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):
        mkdocs_build(config)
    seconds = time.perf_counter() - start
    return seconds, sum(1 for _ in (project / "site").rglob("*.html"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="builds of each kind; medians are shown")
    args = parser.parse_args()
    os.environ.setdefault("KATEX_NODE_MODULES", str(ROOT / "node_modules"))
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        for name in ("labml_nn", "docs", "translations"):
            shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
        english, everything = [], []
        for _ in range(args.rounds):  # interleaved, so drift in machine speed hits both alike
            english.append(build(project, ["en"]))
            everything.append(build(project, ["en", "zh", "ja"]))
    en_s, en_pages = statistics.median(t for t, _ in english), english[0][1]
    all_s, all_pages = statistics.median(t for t, _ in everything), everything[0][1]
    en_per, all_per = en_s / en_pages, all_s / all_pages
    print(f"English only:    {en_s:6.2f} s for {en_pages} pages, {1000 * en_per:6.2f} ms per page")
    print(f"en + zh + ja:    {all_s:6.2f} s for {all_pages} pages, {1000 * all_per:6.2f} ms per page")
    print(f"ratio per page (all languages / English): {all_per / en_per:4.2f}x  (target <= 1.3x)")


if __name__ == "__main__":
    main()
