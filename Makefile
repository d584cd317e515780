# Two commands do all the set-up on a fresh machine:
#   make site   builds the site into site/ (installs the site's Python and Node dependencies first)
#   make test   runs the whole test suite (installs the dev dependencies, PyTorch CPU included)
# Everything is installed locally: a virtualenv in .venv/ and node_modules/ from package-lock.json.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt

.PHONY: site serve test lint bench clean

site: $(VENV)/.site node_modules/.installed
	$(BIN)/mkdocs build --strict

serve: $(VENV)/.site node_modules/.installed
	$(BIN)/mkdocs serve --livereload

test: $(VENV)/.dev node_modules/.installed
	$(BIN)/python -m pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check site_builder labml_nn tests bench

bench: $(VENV)/.dev node_modules/.installed
	$(BIN)/python bench/build.py --scale

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip

# The site build needs no torch: only the base dependencies.
$(VENV)/.site: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) -e .
	touch $@

$(VENV)/.dev: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) -e ".[dev]"
	touch $@ $(VENV)/.site

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf site $(VENV) node_modules .cache
