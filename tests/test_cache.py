"""The persistent cache: a later process re-renders only what changed, and every input invalidates."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from site_builder import cache as cache_module
from site_builder.cache import DiskCache
from site_builder.config import SiteConfig
from site_builder.engine import Engine
from site_builder.katex import KatexRenderer
from site_builder.translations.merge import TranslationMerge

ROOT = Path(__file__).resolve().parent.parent
A = '"""\n# Page A\n\nSee $x^2$.\n"""\n\n# A note\nx = 1\n'
B = '"""\n# Page B\n"""\n\n# Another note\ny = 2\n'


@pytest.fixture
def project(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text(A, "utf-8")
    (tmp_path / "src" / "b.py").write_text(B, "utf-8")
    (tmp_path / "translations" / "zh").mkdir(parents=True)
    (tmp_path / "docs").mkdir()
    return tmp_path


def engine(project: Path, math, **changes) -> Engine:
    """A new engine, as a new `mkdocs build` process would make (nothing in memory)."""
    config = SiteConfig(source_dir=project / "src", project_dir=ROOT, languages=["en", "zh"],
                        translations_dir=project / "translations", docs_dir=project / "docs",
                        cache_dir=project / ".cache")
    for name, value in changes.items():
        setattr(config, name, value)
    e = Engine(config, math)
    e.translator = TranslationMerge(project / "translations")
    return e


def rendered(e: Engine, lang: str = "en") -> list[str]:
    """Which pages the engine had to parse (the others came from the cache)."""
    e.render_all(["a.py", "b.py"], lang)
    return sorted(e._sources)


def test_a_fresh_process_reuses_every_unchanged_page(project, math):
    assert rendered(engine(project, math)) == ["a.py", "b.py"]
    again = engine(project, math)
    assert rendered(again) == [] and again.cache.hits == 3  # the two pages, and the sources' digests
    pages = again.render_all(["a.py", "b.py"])
    assert 'class="katex"' in pages[0].rows[0].note_html and pages[1].title == "Page B"


def test_a_source_changed_with_its_size_and_times_kept_is_read_again(project, math):
    rendered(engine(project, math))
    time.sleep(0.15)  # past the racy window: the sources' digests are now trusted by their status
    assert rendered(engine(project, math)) == []
    path = project / "src" / "b.py"
    st = path.stat()
    path.write_text(B.replace("Another", "Anothex"), "utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # as `cp -p` or `rsync -t` leave it
    assert path.stat().st_size == st.st_size
    assert rendered(engine(project, math)) == ["b.py"]  # its change time differs


def test_a_changed_source_re_renders_that_page_only(project, math):
    rendered(engine(project, math))
    (project / "src" / "a.py").write_text(A.replace("A note", "A changed note"), "utf-8")
    e = engine(project, math)
    assert rendered(e) == ["a.py"]
    assert "A changed note" in e.render("a.py").rows[1].note_html


def test_a_changed_translation_or_glossary_re_renders_that_language(project, math):
    rendered(engine(project, math), "en")
    assert rendered(engine(project, math), "zh") == ["a.py", "b.py"]
    assert rendered(engine(project, math), "zh") == []
    store = project / "translations" / "zh" / "b.json"
    store.write_text(json.dumps({"<p>Another note</p>\n": "<p>另一条</p>\n"}), "utf-8")
    e = engine(project, math)
    assert rendered(e, "zh") == ["b.py"] and "另一条" in e.render("b.py", "zh").rows[1].note_html
    assert rendered(engine(project, math), "en") == []  # English does not depend on translations
    (project / "translations" / "zh" / "glossary.json").write_text('{"note": {"use": "注释", "avoid": []}}')
    assert rendered(engine(project, math), "zh") == ["a.py", "b.py"]


def test_settings_structure_and_images_invalidate(project, math):
    rendered(engine(project, math))
    assert rendered(engine(project, math, docs_dir=project / "other")) == ["a.py", "b.py"]
    rendered(engine(project, math))
    (project / "src" / "c.py").write_text("x = 3\n")  # a new page: folder links may resolve differently
    assert rendered(engine(project, math)) == ["a.py", "b.py"]
    (project / "docs" / "plot.png").write_bytes(b"\x89PNG")  # a missing-image report may go away
    assert rendered(engine(project, math)) == ["a.py", "b.py"]


def test_katex_and_generator_versions_each_make_a_new_cache(project, math, monkeypatch):
    rendered(engine(project, math))
    folder = DiskCache(project / ".cache").folder
    assert DiskCache(project / ".cache", salt="katex 0.0.1").folder != DiskCache(project / ".cache").folder
    monkeypatch.setattr(cache_module, "generator_digest", lambda: "an upgraded generator")
    e = engine(project, math)
    assert rendered(e) == ["a.py", "b.py"]
    e.cache.trim()  # the old version's entries go
    assert not folder.exists() and e.cache.folder.is_dir()


def test_the_cache_is_bounded_and_a_damaged_entry_is_a_miss(project, math):
    e = engine(project, math)
    rendered(e)
    entries = sorted(e.cache.folder.glob("page/*/*.bin"))
    assert len(entries) == 2
    entries[0].write_bytes(b"not a pickle")
    assert len(rendered(engine(project, math))) == 1
    e.cache.max_bytes = 1
    e.cache.trim()
    assert not list(e.cache.folder.rglob("*.bin"))


def test_an_edit_that_keeps_the_formulas_needs_no_katex(project, math):
    rendered(engine(project, math))
    (project / "src" / "a.py").write_text(A.replace("A note", "An edited note"), "utf-8")

    fresh = KatexRenderer(math.node_modules)  # a new worker: Node starts only if a formula is sent
    e = engine(project, fresh)
    assert rendered(e) == ["a.py"] and 'class="katex"' in e.render("a.py").rows[0].note_html
    assert fresh._proc is None


def test_no_cache_dir_keeps_nothing_on_disk(project, math):
    e = engine(project, math, cache_dir=None)
    rendered(e)
    assert not (project / ".cache").exists() and not e.cache.enabled


def test_trimming_keeps_the_entries_used_last(tmp_path):
    cache = DiskCache(tmp_path / "cache")
    cache.put("page", "aa" * 20, ["used", "x" * 1000])
    cache.put("page", "bb" * 20, ["not used", "x" * 1000])
    cache_module.flush()  # (entries are written on a thread of their own)
    entries = sorted(cache.folder.rglob("*.bin"))
    two_hours_ago = time.time() - 7200
    for path in entries:
        os.utime(path, (two_hours_ago, two_hours_ago))
    assert cache.get("page", "aa" * 20)[0] == "used"  # an old entry read again is stamped as used now
    cache.max_bytes = entries[0].stat().st_size
    cache.trim()
    assert [p.name for p in cache.folder.rglob("*.bin")] == [f"{'aa' * 20}.bin"]


def test_entries_written_in_the_background_are_read_before_they_land_and_errors_surface(tmp_path, monkeypatch):
    cache = DiskCache(tmp_path / "cache")
    landed = []
    write_atomic = cache_module.write_atomic

    def slow_write(path, data, **kwargs):
        time.sleep(0.2)
        write_atomic(path, data, **kwargs)
        landed.append(str(path))

    monkeypatch.setattr(cache_module, "write_atomic", slow_write)
    cache.put("page", "cc" * 20, ["pending"])
    other = DiskCache(tmp_path / "cache")  # another engine in this process sees it at once
    assert other.has("page", "cc" * 20) and other.get("page", "cc" * 20) == ["pending"] and not landed
    cache_module.flush()
    assert landed == [other._path("page", "cc" * 20)]

    def failing_write(path, data, **kwargs):
        raise PermissionError("read-only")

    monkeypatch.setattr(cache_module, "write_atomic", failing_write)
    cache.put("page", "dd" * 20, ["lost"])
    with pytest.raises(OSError, match="could not write"):
        cache_module.flush()
    cache_module.flush()  # reported once
    assert not other.has("page", "dd" * 20)
