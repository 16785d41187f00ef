# civic-ideas: `make demo` and `make test` each work in one command on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
VENV := .venv
BIN := $(VENV)/bin
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false

.PHONY: setup demo test eval bench lint clean

setup: $(VENV)/.synced

$(VENV)/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --locked --quiet
	@touch $@

demo: setup
	$(BIN)/civic-ideas demo

test: setup
	$(BIN)/pytest -q

eval: setup
	$(BIN)/python benchmarks/eval.py

bench: setup
	$(BIN)/python benchmarks/bench.py

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) data/warehouse.duckdb data/warehouse.duckdb.wal exports
