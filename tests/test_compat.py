"""Sources written for nn.labml.ai build unchanged: the compatibility corpus in `tests/compat/project`.

The corpus is written the way that genre writes (ordinary docstrings full of LaTeX, Sphinx fields,
notes inside multi-line calls and dicts, headings with links as titles, an image in docs/, folder
links) and carries a translation store made by another tool (pylit's `translate_cache/`, with the
defects listed in its DEFECTS.md). These tests import that store and build en+zh+ja strictly.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder.notes import NotePreparer
from site_builder.parser import parse_file
from site_builder.structure import SiteStructure

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests/compat/project"
GOLDEN = ROOT / "tests/compat/golden"
ENV = dict(os.environ, KATEX_NODE_MODULES=str(ROOT / "node_modules"))
_ANNOTATION = re.compile(r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.S)
_CODE_COLUMN = re.compile(r'<div class="code highlight"[^>]*>(.*?)</div>\s*</section>', re.S)


def run(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=project, capture_output=True, text=True, env=ENV,
                          timeout=300)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess, subprocess.CompletedProcess]:
    """The corpus copied, its pylit store imported, and built en+zh+ja with --strict."""
    project = tmp_path_factory.mktemp("compat") / "project"
    shutil.copytree(CORPUS, project)
    imported = run(project, "-m", "site_builder", "translations", "import", "translate_cache")
    build = run(project, "-m", "mkdocs", "build", "--strict")
    return project, imported, build


def _golden_text(rel: str) -> str:
    """Each row of a page as the translation store sees it: id, key, and the TeX/code of each piece."""
    preparer = NotePreparer()
    page = parse_file(CORPUS / "labml_nn" / rel, rel)
    out = [f"title: {page.meta.title}", f"summary: {page.meta.summary}", ""]
    for row in page.rows:
        prepared = preparer.prepare(row.note)
        out.append(f"## {row.id} (lines {row.lines[:1] + row.lines[-1:]})")
        out.append(prepared.key.rstrip("\n"))
        out += [f"  _^_{n}_^_ {p.kind}: {p.text}" for n, p in enumerate(prepared.pieces)]
        out.append("")
    return "\n".join(out)


@pytest.mark.parametrize("rel", ["transformers/mha.py", "rl/ppo/__init__.py", "rl/ppo/experiment.py", "__init__.py"])
def test_golden_notes(rel):
    """The notes of the corpus as the renderer prepares them (UPDATE_GOLDEN=1 rewrites the files)."""
    text = _golden_text(rel)
    expected = GOLDEN / (rel.replace("/", "__") + ".txt")
    if os.environ.get("UPDATE_GOLDEN"):
        expected.parent.mkdir(exist_ok=True)
        expected.write_text(text, "utf-8")
    assert text == expected.read_text("utf-8")


def test_import_repairs_refuses_and_reports(built):
    _, imported, _ = built
    assert imported.returncode == 0, imported.stderr
    out = imported.stdout
    zh = out[out.index("import zh:"):out.index("import ja:")]
    ja = out[out.index("import ja:"):]
    assert "refused 4: " in zh
    for reason in ("nested link", "lost or extra placeholder", "unsafe HTML", "glossary"):
        assert f"1 {reason}" in zh
    assert "2 unused" in zh and "2 empty" in zh and "1 file without a source" in zh
    assert "moved punctuation after a closing tag inside it" in zh and "whitespace" in ja
    assert "refused" not in ja
    assert "gone/old_module.zh.json: no source file" in imported.stderr
    # Each refusal names the foreign file and line.
    assert len(re.findall(r"translate_cache/\S+\.zh\.json:\d+: refused", out)) == 4


def test_strict_build_has_no_katex_error_raw_field_or_comment_in_code(built):
    project, _, build = built
    assert build.returncode == 0, build.stderr[-3000:]
    site = project / "site"
    formulas = 0
    for page in site.rglob("*.html"):
        text = page.read_text("utf-8")
        assert "katex-error" not in text, page
        assert ":param" not in text and ":return:" not in text and ":raises" not in text, page
        for code in _CODE_COLUMN.findall(text):
            plain = html.unescape(re.sub(r"<[^>]+>", "", code))
            assert "$" not in plain, page
            assert not [line for line in plain.split("\n") if line.lstrip().startswith("#")], page
        formulas += text.count('class="katex"')
    assert formulas > 60


def test_no_formula_is_altered_from_the_source_text(built):
    """Every formula KaTeX rendered is, character for character, TeX the author typed."""
    project, _, _ = built
    sources = {}
    for path in (project / "labml_nn").rglob("*.py"):
        lines = [re.sub(r"^\s*# ?", "", line) for line in path.read_text("utf-8").split("\n")]
        sources[path.relative_to(project / "labml_nn").with_suffix(".html").as_posix()] = \
            " ".join(" ".join(lines).split())
    checked = 0
    for url, text in sources.items():
        url = url.replace("__init__.html", "index.html")
        page = (project / "site" / url).read_text("utf-8")
        for tex in _ANNOTATION.findall(page):
            tex = " ".join(html.unescape(tex).split())
            assert tex in text, (url, tex)
            checked += 1
    assert checked > 30
    mha = (project / "site/transformers/mha.html").read_text("utf-8")
    assert "\\frac{1}{\\sqrt{d_k}}" in html.unescape(mha) and "\\begin{align}" in html.unescape(mha)


def test_titles_from_headings_are_plain_text_everywhere(built):
    project, _, _ = built
    home = (project / "site/index.html").read_text("utf-8")
    title = "Annotated Research Paper Implementations: Transformers, PPO and more"
    assert f"<title>{title}" in home and f'content="{title}"' in home
    mha = (project / "site/transformers/mha.html").read_text("utf-8")
    crumbs = mha[mha.index('class="breadcrumbs"'):][:600]
    assert title in crumbs and "[" not in crumbs and "](" not in crumbs


def test_images_in_docs_dir_and_folder_links_resolve(built):
    project, _, build = built
    site = project / "site"
    assert "missing image" not in build.stderr and "broken link" not in build.stderr
    for lang in ("", "zh/", "ja/"):
        assert (site / lang / "transformers/mha.png").is_file()
        assert 'src="mha.png"' in (site / lang / "transformers/mha.html").read_text("utf-8")
    # `rl/ppo` and `../rl/ppo/` are rewritten to the index page, so they work from file:// too.
    assert 'href="rl/ppo/index.html"' in (site / "index.html").read_text("utf-8")
    assert 'href="../rl/ppo/index.html"' in (site / "transformers/index.html").read_text("utf-8")


def test_every_valid_imported_entry_shows_on_the_translated_pages(built):
    project, _, _ = built
    status = json.loads(run(project, "-m", "site_builder", "translations", "status", "--json").stdout)
    totals = {t["lang"]: t for t in status["totals"]}
    # The image's alt text ("Multi-head attention") is a key of its own, which pylit's store never had: it is
    # missing in both languages, shown in English and marked so (lang="en" on the image).
    assert totals["ja"]["translated"] == totals["ja"]["total"] - 1
    assert totals["zh"]["translated"] == totals["zh"]["total"] - 6 - 1  # 4 refused, 2 empty in the foreign store
    for page in status["pages"]:
        html_text = (project / "site" / page["lang"] / page["url"]).read_text("utf-8")
        # Every title and summary of the corpus is translated, so what falls back is notes and alt text only.
        english = html_text.count("data-fallback") + html_text.count('<img lang="en"')
        assert english == page["total"] - page["translated"], page


def test_strict_fails_only_on_invalid_translations_a_page_uses(built, tmp_path):
    project, _, _ = built
    copy = tmp_path / "p"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("site"))
    store = copy / "translations/zh/rl/ppo/experiment.json"
    entries = json.loads(store.read_text("utf-8"))
    entries["<p>An old note no page has any more.</p>\n"] = "<p>旧的 <a>嵌套<a>链接</a></a></p>"
    store.write_text(json.dumps(entries, ensure_ascii=False), "utf-8")
    build = run(copy, "-m", "mkdocs", "build", "--strict")
    assert build.returncode == 0, build.stderr[-2000:]
    check = run(copy, "-m", "site_builder", "translations", "check", "--lang", "zh")
    assert check.returncode == 1 and "An old note no page has any more." in check.stdout
    # The same damage under a key the page uses fails the strict build.
    used = next(k for k, v in entries.items() if v.strip() and "<p>" in k)
    entries[used] = "<p>坏的 <a href='x'>嵌套<a href='y'>链接</a></a></p>"
    store.write_text(json.dumps(entries, ensure_ascii=False), "utf-8")
    build = run(copy, "-m", "mkdocs", "build", "--strict")
    assert build.returncode != 0 and "translations/zh/rl/ppo/experiment.json:" in build.stderr


def test_corpus_covers_every_convention():
    """Guard against the corpus losing what it is for."""
    mha = (CORPUS / "labml_nn/transformers/mha.py").read_text("utf-8")
    ppo = (CORPUS / "labml_nn/rl/ppo/__init__.py").read_text("utf-8")
    experiment = (CORPUS / "labml_nn/rl/ppo/experiment.py").read_text("utf-8")
    for needle in ('    """\n    ### A stack', "\\frac", "\\begin{align}", "\\big", "\\times", "\\\\\n", "\\vec",
                   "\\alpha", ":param mask:", ":type mask:", ":return:", ":raises AssertionError:",
                   "nn.ModuleList([\n        # The first layer"):
        assert needle in mha, needle
    assert "\\begin{align}" in ppo and '"""' in ppo and 'r"""' not in ppo
    assert "return dict(\n        # Number of updates" in experiment
    assert (CORPUS / "docs/transformers/mha.png").is_file()
    assert SiteStructure.scan(CORPUS / "labml_nn").by_url["rl/index.html"].source is None  # a folder link target
