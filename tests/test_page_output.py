"""A page whose views are unchanged is not rendered through the templates again: its HTML is read
back from the site folder, checked against the hash the last build stored. Every input of the template
invalidates: the page, the pages around it, the templates, mkdocs.yml, and the site file itself."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path, monkeypatch):
    src = tmp_path / "labml_nn"
    src.mkdir()
    (src / "__init__.py").write_text('"""\n# Home\n"""\n')
    for name in "abc":
        (src / f"{name}.py").write_text(f'"""\n# Page {name.upper()}\n"""\n\n# Note $x_{name}$\n{name} = 1\n')
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: T\nuse_directory_urls: false\ntheme:\n  name: annotated\n"
                                         "plugins:\n  - annotated\n")
    monkeypatch.setenv("KATEX_NODE_MODULES", str(ROOT / "node_modules"))
    return tmp_path


def rendered_pages(project: Path, monkeypatch) -> list[str]:
    """Build in this process; the annotated pages the templates rendered (the others came back)."""
    names = []
    render = jinja2.Template.render

    def spy(self, *args, **kwargs):
        context = args[0] if args else kwargs
        if self.name == "annotated.html":
            names.append(context["page"].file.src_uri)
        return render(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Template, "render", spy)
    build(load_config(str(project / "mkdocs.yml")))
    return sorted(names)


def test_unchanged_pages_are_read_back_and_every_input_invalidates(project, monkeypatch):
    everything = ["a.md", "b.md", "c.md", "index.md"]
    assert rendered_pages(project, monkeypatch) == everything
    site = {p: p.read_bytes() for p in (project / "site").glob("*.html")}
    assert rendered_pages(project, monkeypatch) == []
    assert {p: p.read_bytes() for p in (project / "site").glob("*.html")} == site

    # A new title shows on the page itself, its neighbours' pager and the home page's listing.
    (project / "labml_nn" / "b.py").write_text('"""\n# Page Bee\n"""\n\n# Note\nb = 1\n')
    assert rendered_pages(project, monkeypatch) == everything
    (project / "labml_nn" / "c.py").write_text('"""\n# Page C\n"""\n\n# Another note $x_c$\nc = 1\n')
    assert rendered_pages(project, monkeypatch) == ["c.md"]

    page_a = (project / "site" / "a.html").read_bytes()
    (project / "site" / "a.html").write_text("edited by hand")  # the hash no longer matches
    assert rendered_pages(project, monkeypatch) == ["a.md"]
    assert (project / "site" / "a.html").read_bytes() == page_a

    with (project / "mkdocs.yml").open("a") as f:
        f.write("extra:\n  note: a setting a custom template could show\n")
    assert rendered_pages(project, monkeypatch) == everything

    custom = project / "overrides"
    custom.mkdir()
    config = (project / "mkdocs.yml").read_text()
    config = config.replace("  name: annotated\n", "  name: annotated\n  custom_dir: overrides\n")
    (project / "mkdocs.yml").write_text(config)
    assert rendered_pages(project, monkeypatch) == everything
    (custom / "annotated.html").write_text('{% extends "base.html" %}{% block content %}Custom{% endblock %}')
    assert rendered_pages(project, monkeypatch) == everything
    assert "Custom" in (project / "site" / "a.html").read_text()


def test_a_page_that_failed_to_render_is_rendered_again(project, monkeypatch):
    deep = "y = 1\n" + "\n".join("# " + "    " * i + "1. item" for i in range(248)) + "\nz = 2\n"
    (project / "labml_nn" / "a.py").write_text(deep)
    assert "a.md" in rendered_pages(project, monkeypatch)
    assert rendered_pages(project, monkeypatch) == ["a.md"]


def test_a_guide_shows_on_every_page_so_every_page_is_rendered_again(project, monkeypatch):
    """Each page's footer lists the guides (its `S`, made only when a page is rendered, is keyed by
    every page's title): a new guide, or a guide's new title, renders every page again."""
    everything = ["a.md", "b.md", "c.md", "index.md"]
    assert rendered_pages(project, monkeypatch) == everything
    (project / "docs" / "reading.md").write_text("# How to read\n\nText.\n")
    assert rendered_pages(project, monkeypatch) == everything
    assert "How to read" in (project / "site" / "a.html").read_text()
    assert rendered_pages(project, monkeypatch) == []
    (project / "docs" / "reading.md").write_text("# Reading the pages\n\nText.\n")
    assert rendered_pages(project, monkeypatch) == everything
    assert "Reading the pages" in (project / "site" / "b.html").read_text()
    (project / "docs" / "reading.md").write_text("# Reading the pages\n\nOther text, same title.\n")
    assert rendered_pages(project, monkeypatch) == []
