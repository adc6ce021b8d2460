# Two commands on a fresh machine:
#   make build   set up .venv and build the graph (downloads the pinned upstream commit,
#                or reads SOURCE=dir), then print its stats
#   make test    set up .venv and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SOURCE ?=
STORE ?=

.PHONY: build test setup lint bench clean

$(BIN)/genrl-kg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dev]'
	touch $@

setup: $(BIN)/genrl-kg

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
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
