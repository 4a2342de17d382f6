# The two jobs a newcomer runs: `make` (validate this repository, then build its site) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: all site check test clean

all: site

$(BIN)/erpops: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

check: $(BIN)/erpops
	$(BIN)/erpops check

site: check
	$(BIN)/mkdocs build --strict

test: $(BIN)/erpops
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) site build dist
