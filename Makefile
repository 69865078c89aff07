# laadplan — two commands do all set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
DEMO_DIR ?= demo-case
DEMO_OUT ?= demo-out
DASHBOARD_PORT ?= 8050

.PHONY: demo test lint typecheck pytest browser bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/laadplan generate --region Leuven --seed 1 --out $(DEMO_DIR) --force
	$(BIN)/laadplan validate $(DEMO_DIR)/needs.csv
	$(BIN)/laadplan run --data $(DEMO_DIR) --out $(DEMO_OUT)
	@echo "Dashboard: http://127.0.0.1:$(DASHBOARD_PORT)/  (Ctrl+C stops it)"
	$(BIN)/laadplan dashboard --data $(DEMO_DIR) --results $(DEMO_OUT) --port $(DASHBOARD_PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# Debian's Chromium and its driver for the dashboard's real-browser tests (never a browser
# download of selenium's own); installed with apt-get when missing (sudo when not root).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		($(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y --no-install-recommends chromium chromium-driver)

pytest: $(STAMP) browser
	$(BIN)/python -m pytest

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(DEMO_DIR) $(DEMO_OUT) bench-cases bench-out .mypy_cache .pytest_cache .ruff_cache
