# Northstar: the two set-up commands are `make site` and `make test`.
# Both install the exact versions in requirements/*.lock (hashes checked), so a new
# release of a dependency cannot turn a clean clone red; `make lock` refreshes them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements/test.lock
PROPERDOCS_VENV := .venv-properdocs
PROPERDOCS_STAMP := $(PROPERDOCS_VENV)/.installed
ZENSICAL_VENV := .venv-zensical
ZENSICAL_STAMP := $(ZENSICAL_VENV)/.installed
ZENSICAL_LOCK := requirements/zensical.lock
PROPERDOCS_LOCK := requirements/properdocs.lock
LATEST_VENV := .venv-latest
LOCK_VENV := .venv-lock
UV_VERSION := 0.13.9
# The oldest Python the project supports; the lock holds markers for every later one.
LOCK_PYTHON := 3.10
UV_COMPILE = $(LOCK_VENV)/bin/uv pip compile --quiet --universal --python-version $(LOCK_PYTHON) \
	--generate-hashes --upgrade --custom-compile-command "make lock"

.PHONY: site test test-latest lock dist serve check bench clean

# The locked dependencies first (every one pinned and hashed), then the project itself,
# editable, built with the locked setuptools and without fetching anything else.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

## Build the project's own strategy site into site/ (fails on any warning).
site: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

## The second host: ProperDocs 1.6 with the project, for tests/test_hosts.py.
$(PROPERDOCS_STAMP): pyproject.toml $(PROPERDOCS_LOCK)
	$(PYTHON) -m venv $(PROPERDOCS_VENV)
	$(PROPERDOCS_VENV)/bin/python -m pip install --quiet --require-hashes -r $(PROPERDOCS_LOCK)
	$(PROPERDOCS_VENV)/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(PROPERDOCS_STAMP)

## Zensical, which runs no MkDocs plugins, for tests/test_zensical.py (it builds what
## `northstar generate` writes).
$(ZENSICAL_STAMP): pyproject.toml $(ZENSICAL_LOCK)
	$(PYTHON) -m venv $(ZENSICAL_VENV)
	$(ZENSICAL_VENV)/bin/python -m pip install --quiet --require-hashes -r $(ZENSICAL_LOCK)
	$(ZENSICAL_VENV)/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(ZENSICAL_STAMP)

## Run the test suite (the example is built under MkDocs and under ProperDocs, and
## generated for Zensical).
test: $(STAMP) $(PROPERDOCS_STAMP) $(ZENSICAL_STAMP)
	$(BIN)/python -m pytest

## The suite against the newest releases that pyproject.toml's ranges allow, in a venv
## of its own made anew each time (ProperDocs keeps its locked venv).
test-latest: $(PROPERDOCS_STAMP)
	rm -rf $(LATEST_VENV)
	$(PYTHON) -m venv $(LATEST_VENV)
	$(LATEST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LATEST_VENV)/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[test]'
	$(LATEST_VENV)/bin/python -m pip list --format freeze
	$(LATEST_VENV)/bin/python -m pytest

## Refresh requirements/*.lock to the newest releases the ranges allow (then run `make test`).
lock:
	test -x $(LOCK_VENV)/bin/uv || { $(PYTHON) -m venv $(LOCK_VENV) && \
		$(LOCK_VENV)/bin/python -m pip install --quiet uv==$(UV_VERSION); }
	$(UV_COMPILE) --extra test pyproject.toml -o $(LOCK)
	$(UV_COMPILE) pyproject.toml requirements/properdocs.in -o $(PROPERDOCS_LOCK)
	# Zensical needs Python 3.11 or later.
	$(subst $(LOCK_PYTHON),3.11,$(UV_COMPILE)) pyproject.toml requirements/zensical.in -o $(ZENSICAL_LOCK)

## Build the wheel and the source distribution into dist/.
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --no-isolation --outdir dist .

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
	rm -rf $(VENV) $(PROPERDOCS_VENV) $(ZENSICAL_VENV) $(LATEST_VENV) $(LOCK_VENV) site dist build .northstar-cache
