"""Shared fixtures: one KaTeX worker and one note preparer for the whole test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.katex import find_node_modules, shared_renderer
from site_builder.notes import NotePreparer

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def math():
    return shared_renderer(find_node_modules(ROOT))


@pytest.fixture(scope="session")
def preparer():
    return NotePreparer()
