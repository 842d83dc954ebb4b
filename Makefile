# The two commands a newcomer runs: `make demo` and `make test`. Everything else is what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export WENYUN_DATA_DIR ?= $(CURDIR)/var
# Where the PostgreSQL run of the suite goes; empty skips it (CI sets it, see .ci/run).
WENYUN_TEST_DATABASE_URL ?=

.PHONY: demo test check lint format typecheck messages setup browser-deps screenshots bench clean

$(BIN)/wenyun: pyproject.toml src/wenyun/catalog/_marcscan.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(BIN)/wenyun

setup: $(BIN)/wenyun messages

# Compiled translations are built, not committed. msgfmt comes from Debian's gettext.
messages:
	@command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext >/dev/null)
	@for po in $$(find src/wenyun -name django.po); do msgfmt --check-format -o "$${po%.po}.mo" "$$po" || exit 1; done

demo: setup
	$(BIN)/wenyun demo --port $(PORT)

# Debian's chromium for the browser tests (Playwright drives it; it never downloads a browser).
browser-deps:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null)

lint: setup
	$(BIN)/ruff check src tests benchmarks tools conftest.py
	$(BIN)/ruff format --check src tests benchmarks tools conftest.py
	$(BIN)/lint-imports --no-cache  # one door into each room: the contract in pyproject.toml

format: setup
	$(BIN)/ruff format src tests benchmarks tools conftest.py
	$(BIN)/ruff check --fix src tests benchmarks tools conftest.py

typecheck: setup
	$(BIN)/mypy src/wenyun

check: lint typecheck
	$(BIN)/wenyun manage makemigrations --check --dry-run
	$(BIN)/wenyun manage translations --check

test: setup browser-deps check
	$(BIN)/pytest
	@if [ -n "$(WENYUN_TEST_DATABASE_URL)" ]; then \
	  echo "--- the same suite on PostgreSQL ($(WENYUN_TEST_DATABASE_URL))"; \
	  WENYUN_DATABASE_URL="$(WENYUN_TEST_DATABASE_URL)" $(BIN)/pytest -m "not browser"; \
	fi

# Retake the pictures in docs/screenshots/ (the browser tests take them from the demo network).
screenshots: setup browser-deps
	WENYUN_SCREENSHOTS=1 $(BIN)/pytest -m browser tests/browser

bench: setup
	$(BIN)/wenyun bench

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
