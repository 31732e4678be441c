# Northstar: the two set-up commands are `make site` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: site test serve check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## Build the project's own strategy site into site/ (fails on any warning).
site: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

## Run the test suite.
test: $(STAMP)
	$(BIN)/python -m pytest

## Live preview on http://127.0.0.1:8000.
serve: $(STAMP)
	$(BIN)/mkdocs serve --livereload

## Check the plans without building the site.
check: $(STAMP)
	$(BIN)/northstar check

clean:
	rm -rf $(VENV) site .northstar-cache
