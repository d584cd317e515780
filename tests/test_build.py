"""Builds with the real mkdocs CLI: the repository's own site, and a tiny unrelated project."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest

from site_builder.structure import SiteStructure

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = [sys.executable, "-m", "mkdocs"]


def mkdocs_build(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, KATEX_NODE_MODULES=str(ROOT / "node_modules"))
    return subprocess.run([*MKDOCS, "build", *args], cwd=project, capture_output=True, text=True, env=env,
                          timeout=300)


class _NoteText(HTMLParser):
    """Collects the visible text of notes, skipping KaTeX output and code."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # > 0 inside a .note
        self.skip = 0  # > 0 inside .katex or code
        self.text: list[str] = []
        self.stack: list[tuple[bool, bool]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("img", "br", "hr", "meta", "link", "input"):
            return
        cls = dict(attrs).get("class") or ""
        is_note = "note" in cls.split()
        is_skip = "katex" in cls.split() or tag == "code"
        self.depth += is_note
        self.skip += is_skip
        self.stack.append((is_note, is_skip))

    def handle_endtag(self, tag):
        if tag in ("img", "br", "hr", "meta", "link", "input") or not self.stack:
            return
        is_note, is_skip = self.stack.pop()
        self.depth -= is_note
        self.skip -= is_skip

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.text.append(data)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    result = mkdocs_build(ROOT, "--strict", "--site-dir", str(out))
    assert result.returncode == 0, result.stderr[-4000:]
    return out


def test_every_source_has_a_side_by_side_page(site):
    structure = SiteStructure.scan(ROOT / "labml_nn")
    sources = [e for e in structure.entries if e.source]
    assert len(sources) >= 20
    for entry in structure.entries:
        html = (site / entry.url).read_text()
        assert '<article class="annotated' in html, entry.url  # (the home page's adds "home")
        if entry.source and entry.source.endswith(".py") and entry.source.split("/")[-1] != "__init__.py":
            assert '<div class="code highlight"' in html, entry.url


def test_math_is_prerendered_everywhere_with_no_raw_dollars_or_errors(site):
    pages = list(site.rglob("*.html"))
    formulas = 0
    for page in pages:
        html = page.read_text()
        assert "katex-error" not in html, page
        formulas += html.count('class="katex"')
        parser = _NoteText()
        parser.feed(html)
        text = "".join(parser.text)
        assert "$" not in text, (page, re.findall(r".{30}\$.{30}", text)[:3])
    assert formulas > 200


def test_pages_have_metadata_breadcrumbs_and_pager(site):
    html = (site / "transformers/mlp_mixer/index.html").read_text()
    assert "<title>" in html and 'name="description"' in html and 'property="og:title"' in html
    assert '<link rel="canonical" href="https://' in html
    assert 'class="breadcrumbs"' in html and 'href="../../index.html"' in html
    assert 'rel="prev"' in html and 'rel="next"' in html
    assert 'href="https://arxiv.org/abs/2105.01601"' in html
    assert "View source" in html and "/blob/main/labml_nn/transformers/mlp_mixer/__init__.py" in html
    # KaTeX CSS of the renderer's own version, served from the site (offline_assets: true).
    assert 'href="../../assets/katex/katex.min.css"' in html
    assert (site / "assets/katex/katex.min.css").is_file() and list((site / "assets/katex/fonts").glob("*.woff2"))
    # The guides are a click away from every page, in the reader's language.
    assert 'href="../../guide/reading.html"' in html
    zh = (site / "zh/transformers/mlp_mixer/index.html").read_text()
    assert 'href="../../guide/reading.html"' in zh and (site / "zh/guide/reading.html").is_file()


def test_home_lists_every_implementation(site):
    home = (site / "index.html").read_text()
    for folder in ("transformers/mlp_mixer/index.html", "conv_mixer/index.html", "transformers/vit/index.html",
                   "normalization/batch_norm/index.html"):
        assert f'href="{folder}"' in home


def test_sitemap_is_well_formed_and_lists_pages(site):
    tree = ElementTree.parse(site / "sitemap.xml")
    locs = [e.text for e in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://annotated.example.org/conv_mixer/index.html" in locs
    assert len(locs) >= 25


def write_project(root: Path, files: dict[str, str], plugin_extra: str = "") -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    (root / "docs").mkdir(exist_ok=True)
    (root / "mkdocs.yml").write_text(textwrap.dedent("""
        site_name: Tiny Notes
        site_url: https://tiny.example.com/
        theme:
          name: annotated
        plugins:
          - annotated:
              source_dir: code
              source_url: https://git.example.com/tiny/{path}
    """).lstrip("\n") + (plugin_extra + "\n" if plugin_extra else ""))
    return root


TINY = {
    "code/__init__.py": '''
        r"""
        ---
        title: Tiny
        summary: A tiny unrelated project.
        ---

        # Tiny

        See [the solver](algo/solver.html#solve) and $e^{i\\pi} + 1 = 0$. Questions: <ada@example.org>.
        """
    ''',
    "code/algo/solver.py": '''
        """Solve things."""


        def solve(x):
            """Returns $2x$."""
            return 2 * x
    ''',
}


def test_generic_plugin_builds_an_unrelated_project(tmp_path):
    project = write_project(tmp_path, TINY)
    result = mkdocs_build(project, "--strict")
    assert result.returncode == 0, result.stderr
    site = project / "site"
    solver = (site / "algo/solver.html").read_text()
    assert 'id="solve"' in solver and 'class="katex"' in solver
    assert "https://git.example.com/tiny/algo/solver.py" in solver
    # The folder without an __init__.py gets a listing page with titles and summaries.
    listing = (site / "algo/index.html").read_text()
    assert 'href="solver.html"' in listing
    # CDN KaTeX CSS with SRI is the default.
    assert re.search(r'katex@[\d.]+/dist/katex.min.css" integrity="sha384-', solver)



def test_rebuild_replaces_site_files_whole(tmp_path):
    """Pages are renamed into place: a reader holding the old file reads all of it, the new one is
    complete, and no temporary file is left behind (`--dirty` keeps mkdocs from emptying the folder first)."""
    project = write_project(tmp_path, TINY)
    assert mkdocs_build(project, "--strict").returncode == 0
    site = project / "site"
    page = site / "algo/solver.html"
    before = {path: (path.stat().st_ino, path.read_bytes()) for path in (page, site / "index.html")}
    handles = {path: path.open("rb") for path in before}
    solver = project / "code/algo/solver.py"
    solver.write_text(solver.read_text().replace("Returns $2x$.", "Returns twice $x$."))
    try:
        result = mkdocs_build(project, "--dirty")
        assert result.returncode == 0, result.stderr
        for path, (inode, data) in before.items():
            assert path.stat().st_ino != inode, f"{path.name} was rewritten in place"
            assert handles[path].read() == data
    finally:
        for handle in handles.values():
            handle.close()
    assert "Returns twice" in page.read_text() and page.read_text().rstrip().endswith("</html>")
    assert not [p for p in site.rglob("*.tmp")]



@pytest.mark.parametrize("bad,expected", [
    ("code/broken.py", "code/broken.py:2: cannot parse Python"),
    ("code/yaml.py", "code/yaml.py:3: invalid YAML front matter"),
    ("code/latex.py", "code/latex.py:2: invalid LaTeX"),
    ("code/link.py", "code/link.py:2: broken link 'nowhere.html'"),
    ("code/image.py", "code/image.py:2: missing image 'missing.png'"),
    ("code/anchor.py", "code/anchor.py:1: broken link 'index.html#no-such-row' (no such anchor)"),
    ("code/dollar.py", "code/dollar.py:2: unclosed '$' is shown as text"),
    ("code/latin1.py", "code/latin1.py:1: not valid UTF-8 (byte 0xe9"),
    ("code/deep.py", "code/deep.py:2: this file could not be rendered (RecursionError"),
])
def test_bad_input_warns_in_normal_builds_and_fails_strict_builds(tmp_path, bad, expected):
    sources = {
        "code/broken.py": "# note\ndef f(:\n    pass\n",
        "code/yaml.py": 'r"""\n---\ntitle: [x\n---\n"""\nx = 1\n',
        "code/latex.py": "x = 1\n# $\\frac{1}{$\ny = 2\n",
        "code/link.py": "x = 1\n# [gone](nowhere.html)\ny = 2\n",
        "code/image.py": "x = 1\n# ![plot](missing.png)\ny = 2\n",
        "code/anchor.py": "# [row](index.html#no-such-row)\nx = 1\n",
        "code/dollar.py": "x = 1\n# costs $5 a unit\ny = 2\n",
        "code/latin1.py": "# café\nx = 1\n".encode("latin-1"),
        "code/deep.py": "x = 1\n" + "\n".join("# " + "    " * i + "1. item" for i in range(248)) + "\ny = 2\n",
    }
    source = sources[bad]
    project = write_project(tmp_path, {**TINY, **({} if isinstance(source, bytes) else {bad: source})})
    if isinstance(source, bytes):
        (project / bad).write_bytes(source)
    normal = mkdocs_build(project)
    assert normal.returncode == 0, normal.stderr
    assert expected in normal.stderr
    strict = mkdocs_build(project, "--strict")
    assert strict.returncode != 0
    assert "Aborted with" in strict.stdout + strict.stderr and expected in strict.stderr


def test_translated_site_merges_valid_values_rejects_damage_and_strict_fails(tmp_path):
    from site_builder.notes import NotePreparer
    from site_builder.parser import parse_python

    solver_src = textwrap.dedent(TINY["code/algo/solver.py"]).lstrip("\n")
    keys = [NotePreparer().prepare(row.note).key for row in parse_python(solver_src, "solver.py").rows if row.note]
    assert keys == ["<p>Solve things.</p>\n", "<p>Returns <span translate=no>_^_0_^_</span>.</p>\n"]
    translations = {
        "translations/zh/algo/solver.json": json.dumps({
            keys[0]: "<p>求解问题。</p>\n",
            keys[1]: "<p>返回 <span translate=no>_^_0_^_</span>。<script>alert(1)</script></p>\n",
        }, ensure_ascii=False),
        "translations/zh/__init__.json": '{"Tiny": "小项目",',  # does not parse
    }
    project = write_project(tmp_path, {**TINY, **translations},
                            plugin_extra="      languages: [en, zh]\n      translations_dir: translations")
    normal = mkdocs_build(project)
    assert normal.returncode == 0, normal.stderr
    assert "translations/zh/algo/solver.json:" in normal.stderr and "invalid translation for key" in normal.stderr
    assert "translations/zh/__init__.json:1:" in normal.stderr
    zh = (project / "site/zh/algo/solver.html").read_text()
    assert '<html lang="zh"' in zh and "求解问题。" in zh
    assert "<script>alert" not in zh
    # The rejected note shows in English, marked, with the code column from the current source.
    assert re.search(r'<div class="note" lang="en" data-fallback>\s*<a class="permalink" href="#solve"', zh)
    assert '<span class="nf">solve</span>' in zh
    # One click to the other language, and hreflang alternates in the head and the sitemap.
    assert 'href="../../algo/solver.html" hreflang="en"' in zh
    assert '<link rel="alternate" hreflang="zh" href="https://tiny.example.com/zh/algo/solver.html">' in zh
    sitemap = (project / "site/sitemap.xml").read_text()
    assert 'hreflang="zh" href="https://tiny.example.com/zh/algo/solver.html"' in sitemap
    assert (project / "site/zh/translation-status.html").is_file()
    strict = mkdocs_build(project, "--strict")
    assert strict.returncode != 0 and "invalid translation for key" in strict.stderr
