# Two commands on a fresh machine:
#   make build   set up .venv and build the graph (downloads the pinned upstream commit,
#                or reads SOURCE=dir), then print its stats
#   make test    set up .venv and run the whole test suite
# setup also installs the SPARQL editor (YASGUI, pinned in package-lock.json) with `npm ci`
# when npm is on the machine, and copies its build into the server's static/vendor/ folder;
# without npm the editor page falls back to the plain one.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SOURCE ?=
STORE ?=
VENDOR := genrl_kg/server/static/vendor/yasgui
YASGUI_BUILD := node_modules/@zazuko/yasgui/build

.PHONY: build test setup vendor lint bench clean

$(BIN)/genrl-kg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dev]'
	touch $@

setup: $(BIN)/genrl-kg vendor

vendor:
	@if [ -f $(VENDOR)/yasgui.min.js ] && [ $(VENDOR)/yasgui.min.js -nt package-lock.json ]; then \
	  :; \
	elif command -v npm >/dev/null 2>&1; then \
	  if npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; then \
	    mkdir -p $(VENDOR) && cp $(YASGUI_BUILD)/yasgui.min.js $(YASGUI_BUILD)/yasgui.min.css $(VENDOR)/; \
	  else \
	    echo "npm ci failed: the SPARQL editor at /sparql falls back to the plain page"; \
	  fi; \
	else \
	  echo "npm not found: the SPARQL editor at /sparql falls back to the plain page" \
	       "(install Node.js and npm, then run make vendor)"; \
	fi

build: setup
	$(BIN)/genrl-kg build $(if $(SOURCE),--source $(SOURCE)) $(if $(STORE),--store $(STORE))
	$(BIN)/genrl-kg stats $(if $(STORE),--store $(STORE))

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check genrl_kg tests bench
	$(BIN)/ruff format --check genrl_kg tests bench
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/bench_build.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache node_modules $(VENDOR)
