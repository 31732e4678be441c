# Northstar: the two set-up commands are `make site` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PROPERDOCS_VENV := .venv-properdocs
PROPERDOCS_STAMP := $(PROPERDOCS_VENV)/.installed
ZENSICAL_VENV := .venv-zensical
ZENSICAL_STAMP := $(ZENSICAL_VENV)/.installed

.PHONY: site test serve check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## Build the project's own strategy site into site/ (fails on any warning).
site: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

## The second host: ProperDocs 1.6 with the project, for tests/test_hosts.py.
$(PROPERDOCS_STAMP): pyproject.toml
	$(PYTHON) -m venv $(PROPERDOCS_VENV)
	$(PROPERDOCS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PROPERDOCS_VENV)/bin/python -m pip install --quiet 'properdocs>=1.6,<1.7' -e .
	touch $(PROPERDOCS_STAMP)

## Zensical, which runs no MkDocs plugins, for tests/test_zensical.py (it builds what
## `northstar generate` writes).
$(ZENSICAL_STAMP): pyproject.toml
	$(PYTHON) -m venv $(ZENSICAL_VENV)
	$(ZENSICAL_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(ZENSICAL_VENV)/bin/python -m pip install --quiet 'zensical>=0.0.73,<0.2' -e .
	touch $(ZENSICAL_STAMP)

## Run the test suite (the example is built under MkDocs and under ProperDocs, and
## generated for Zensical).
test: $(STAMP) $(PROPERDOCS_STAMP) $(ZENSICAL_STAMP)
	$(BIN)/python -m pytest

## Live preview on http://127.0.0.1:8000.
serve: $(STAMP)
	$(BIN)/mkdocs serve --livereload

## Check the plans without building the site.
check: $(STAMP)
	$(BIN)/northstar check

## Benchmark against MkDocs and the YAML floor at 1,000 and 10,000 plans (takes minutes);
## `make bench BENCH=--quick` for a one-minute smoke run, BENCH="--sizes 2000" for others.
bench: $(STAMP)
	$(BIN)/python bench/bench.py $(BENCH)

clean:
	rm -rf $(VENV) $(PROPERDOCS_VENV) $(ZENSICAL_VENV) site .northstar-cache
