"""What merging translations costs: the whole site in every language vs English alone, per page.

    python bench/translations.py [--corpus genre|repo] [--rounds N]

`genre` (the default) is `bench/genre_corpus.py`: ~260 pages written like nn.labml.ai's, with a
pylit-layout store of ~6,900 entries per language brought in by `translations import --keep-unused`
(so stale keys are there to be matched). `repo` is a copy of this project's own site.

Builds the corpus twice per round, in one process, from cold caches each time: once with
`languages: [en]`, once with every language (en, zh, ja). Prints the build time per page of each and
the ratio (target: all languages cost at most 1.5x per page what the English build does), and the
time `translations status` takes over the whole store (target: a few seconds). Search indexing is
left out: it is pagefind's time, not the merge's.
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
    shutil.rmtree(project / ".cache", ignore_errors=True)  # cold: nothing from an earlier build
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site"))
    plugin = config.plugins["annotated"]
    plugin.config.languages = languages
    plugin.config.search = False
    start = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):
        mkdocs_build(config)
    seconds = time.perf_counter() - start
    return seconds, sum(1 for _ in (project / "site").rglob("*.html"))


def status_seconds(project: Path) -> float:
    """`translations status` over the whole store, in this process, from cold caches."""
    from site_builder.translations.cli import main as translations

    reset_process_caches()
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        code = translations(["status", "--config", str(project / "mkdocs.yml")])
    assert code == 0
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", choices=["genre", "repo"], default="genre")
    parser.add_argument("--rounds", type=int, default=3, help="builds of each kind; medians are shown")
    args = parser.parse_args()
    os.environ.setdefault("KATEX_NODE_MODULES", str(ROOT / "node_modules"))
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        if args.corpus == "genre":
            from genre_corpus import make_genre_corpus

            from site_builder.translations.cli import main as translations

            print("genre corpus:", make_genre_corpus(project))
            start = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                translations(["import", str(project / "translate_cache"), "--keep-unused",
                              "--config", str(project / "mkdocs.yml")])
            print(f"translations import: {time.perf_counter() - start:.2f} s")
        else:
            for name in ("labml_nn", "docs", "translations"):
                shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
            shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
        english, everything, status = [], [], []
        for _ in range(args.rounds):  # interleaved, so drift in machine speed hits both alike
            english.append(build(project, ["en"]))
            everything.append(build(project, ["en", "zh", "ja"]))
            status.append(status_seconds(project))
    en_s, en_pages = statistics.median(t for t, _ in english), english[0][1]
    all_s, all_pages = statistics.median(t for t, _ in everything), everything[0][1]
    en_per, all_per = en_s / en_pages, all_s / all_pages
    print(f"English only:    {en_s:6.2f} s for {en_pages} pages, {1000 * en_per:6.2f} ms per page")
    print(f"en + zh + ja:    {all_s:6.2f} s for {all_pages} pages, {1000 * all_per:6.2f} ms per page")
    print(f"ratio per page (all languages / English): {all_per / en_per:4.2f}x  (target <= 1.5x)")
    print(f"translations status, whole store: {statistics.median(status):.2f} s  (target: a few seconds)")


if __name__ == "__main__":
    main()
