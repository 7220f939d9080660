# Two commands matter on a fresh machine: `make demo` and `make test`.
# Both create .venv and install everything the project needs (pinned in
# requirements/constraints.txt) before they run.

PYTHON ?= python3
PORT   ?= 8080
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The web map's third-party parts (Leaflet, the Natural Earth base map) come from the npm
# registry at set-up, pinned by web/package-lock.json, and are never fetched at run time.
WEB    := src/liaison/web/static/vendor
WEBSTAMP := $(WEB)/.built

.PHONY: demo test lint typecheck unit bench clean web

$(STAMP): pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e '.[dev]'
	touch $@

$(WEBSTAMP): web/package.json web/package-lock.json web/build.mjs
	npm ci --prefix web --no-audit --no-fund --loglevel=error
	node web/build.mjs $(WEB)
	touch $@

web: $(WEBSTAMP)

demo: $(STAMP) $(WEBSTAMP)
	$(BIN)/liaison demo --serve --port $(PORT)

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) $(WEBSTAMP)
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python -m bench.decide
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.serve
	$(BIN)/python -m bench.audit
	$(BIN)/python -m bench.scale

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis web/node_modules $(WEB)
