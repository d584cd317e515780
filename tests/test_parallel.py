"""A cold build of many pages prepares them in forked workers: the pages must come out exactly as the
serial path makes them, failures included, and later languages reuse what the workers prepared."""

from __future__ import annotations

import shutil
from pathlib import Path

from site_builder import engine as engine_module
from site_builder.config import SiteConfig
from site_builder.engine import Engine
from site_builder.rendered import to_records
from site_builder.translations.merge import TranslationMerge

COMPAT = Path(__file__).resolve().parent / "compat" / "project"
DEEP_LIST = "y = 1\n" + "\n".join("# " + "    " * i + "1. item" for i in range(248)) + "\nz = 2\n"


def _records(tmp_path: Path, math, workers: int) -> tuple[list[tuple], Engine]:
    config = SiteConfig(source_dir=tmp_path / "labml_nn", project_dir=tmp_path, languages=["en", "zh"],
                        translations_dir=tmp_path / "translations", workers=workers)
    engine = Engine(config, math)
    engine.translator = TranslationMerge(tmp_path / "translations")
    rels = [e.source for e in engine.structure().entries if e.source]
    math.forget()
    records = [to_records(p) for lang in ("en", "zh") for p in engine.render_all(rels, lang)]
    return records, engine


def test_workers_render_every_page_as_the_serial_path_does(tmp_path, math, monkeypatch):
    shutil.copytree(COMPAT / "labml_nn", tmp_path / "labml_nn")
    shutil.copytree(COMPAT / "translations", tmp_path / "translations")
    (tmp_path / "labml_nn" / "deep_list.py").write_text(DEEP_LIST)  # fails in the worker: rendered here
    (tmp_path / "labml_nn" / "broken.py").write_text("def f(:\n    # a note\n    pass\n")
    monkeypatch.setattr(engine_module, "PAGES_PER_WORKER", 1)
    forks = []
    get_context = engine_module.multiprocessing.get_context
    monkeypatch.setattr(engine_module.multiprocessing, "get_context", lambda m: forks.append(m) or get_context(m))

    serial, _ = _records(tmp_path, math, workers=1)
    assert forks == []
    parallel, engine = _records(tmp_path, math, workers=2)
    assert forks == ["fork"]  # once: the zh pages found everything prepared

    rels = [e.source for e in engine.structure().entries if e.source]
    assert len(rels) >= 8 and len(parallel) == 2 * len(rels)
    assert parallel == serial
    deep_page, deep_rows = next(r for r in parallel if r[0][0].endswith("deep_list.py"))
    assert "could not be rendered" in deep_rows[0][2]  # the note saying why, as the serial path writes it
    # Every page's parse and notes came back from the workers: zh found them prepared.
    assert set(engine._sources) == set(rels)
    assert all(row.note in engine.preparer._cache for rel in rels for row in engine.source(rel)[1].rows
               if rel != "deep_list.py")


def test_few_pages_stay_in_this_process(tmp_path, math, monkeypatch):
    (tmp_path / "labml_nn").mkdir()
    for i in range(3):
        (tmp_path / "labml_nn" / f"p{i}.py").write_text(f"# Note {i}\nx = {i}\n")
    monkeypatch.setattr(engine_module.multiprocessing, "get_context",
                        lambda *_: (_ for _ in ()).throw(AssertionError("forked for 3 pages")))
    engine = Engine(SiteConfig(source_dir=tmp_path / "labml_nn", project_dir=tmp_path, workers=2), math)
    pages = engine.render_all(["p0.py", "p1.py", "p2.py"])
    assert [p.rows[0].note_html for p in pages] == [f"<p>Note {i}</p>\n" for i in range(3)]


def _dies_on_second(rel: str):
    """A worker that is killed while preparing b.py (as the OOM killer would)."""
    if rel == "b.py":
        import os

        os._exit(1)
    return _prepare(rel)


_prepare = engine_module._prepare_in_worker


def test_a_worker_that_dies_leaves_its_pages_to_this_process(tmp_path, math, monkeypatch):
    (tmp_path / "labml_nn").mkdir()
    for name in "abcd":
        (tmp_path / "labml_nn" / f"{name}.py").write_text(f"# Note {name} with $x_{name}$\n{name} = 1\n")
    monkeypatch.setattr(engine_module, "PAGES_PER_WORKER", 1)
    monkeypatch.setattr(engine_module, "_prepare_in_worker", _dies_on_second)
    engine = Engine(SiteConfig(source_dir=tmp_path / "labml_nn", project_dir=tmp_path, workers=2), math)
    pages = engine.render_all(["a.py", "b.py", "c.py", "d.py"])
    assert [p.rows[0].note_html.split(" with")[0] for p in pages] == [f"<p>Note {n}" for n in "abcd"]
    assert all('class="katex"' in p.rows[0].note_html and not p.diagnostics for p in pages)
