# The two jobs a newcomer runs: `make` (validate this repository, then build its site) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: all site site-public check test clean serve vendor-mermaid

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

site-public: check
	$(BIN)/mkdocs build --strict -f mkdocs.public.yml

# --dirty: after an edit only the changed pages are rebuilt (MkDocs warns about each such build: --no-strict).
serve: check
	$(BIN)/mkdocs serve --dirty --no-strict

# Refresh the vendored mermaid (tools/erpops/site/vendor/mermaid/) from the npm registry; needs npm.
# Not part of `make`: the site is built from the committed copy, with no network access.
MERMAID ?= 11
vendor-mermaid:
	rm -rf build/mermaid && mkdir -p build/mermaid
	cd build/mermaid && npm pack --silent mermaid@$(MERMAID) >/dev/null && \
	  tar xzf mermaid-*.tgz package/dist/mermaid.min.js package/LICENSE package/package.json
	cp build/mermaid/package/dist/mermaid.min.js build/mermaid/package/LICENSE tools/erpops/site/vendor/mermaid/
	@grep '"version"' build/mermaid/package/package.json
	@wc -c tools/erpops/site/vendor/mermaid/mermaid.min.js
	@sha256sum tools/erpops/site/vendor/mermaid/mermaid.min.js
	@echo "now update tools/erpops/site/vendor/mermaid/README.md and run: make test"

test: $(BIN)/erpops
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) site site-public build dist test-artifacts
