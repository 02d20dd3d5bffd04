# Keel — two commands: `make run` (Keel with demo data on SQLite) and `make test` (everything CI runs).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# PostgreSQL used by the second test pass; override or set DATABASE_URL.
TEST_POSTGRES_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/test)
PYTEST_WORKERS ?= 2
# `make coverage` runs the SQLite pass measuring coverage of keel/ (pytest-cov, combined over the
# xdist workers) and fails under this floor. `make test` (CI) does not trace: on Python 3.11 the
# line tracer costs about a third of the pass's CPU, more than CI's 20 minutes allow
# (docs/testing.md, "Coverage").
COVERAGE_FLOOR ?= 90
ARTIFACTS := test-artifacts
# Some images set PYTHONDONTWRITEBYTECODE=1: then every test process (the xdist workers of both
# passes) compiles keel/ and rewrites every test module's asserts from source again. Bytecode
# files are ignored by git, so they are written.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test test-deps install install-dev lint typecheck migrations-check test-sqlite test-postgres coverage bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs run again only when pyproject.toml changed (the package itself is installed
# editable, so code changes need no reinstall): a restart of `make run` takes seconds.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

## System packages the tests need (Chromium, LibreOffice Calc, Pango, PostgreSQL client).
test-deps:
	bash scripts/test-deps.sh

## Run Keel with the demo organisation on the embedded SQLite database.
run: install
	$(BIN)/keel demo
	@echo ""
	@echo "Keel is starting on http://$(HOST):$(PORT)/  (log in with the demo account printed above; Ctrl+C stops it)"
	$(BIN)/keel serve --host $(HOST) --port $(PORT)

## Install dev dependencies, lint, type-check, check migrations, run the suite on SQLite and PostgreSQL.
test: test-deps install-dev lint typecheck migrations-check test-sqlite test-postgres

## Ruff, the layer contract (import-linter, docs/adr/0018-layers.md), no cross-app import inside a function, no module over 600 lines.
lint:
	$(BIN)/ruff check keel bench tests conftest.py scripts
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_function_imports.py
	$(BIN)/python scripts/check_module_size.py
	$(BIN)/ruff format --check keel bench tests conftest.py || (echo "Run '$(BIN)/ruff format keel bench tests'"; exit 1)

typecheck:
	$(BIN)/mypy keel

migrations-check:
	KEEL_HOME=$(CURDIR)/var/test DATABASE_URL= $(BIN)/python -m django makemigrations --check --dry-run --settings=keel.settings \
	  || (echo "A model changed without its migration: run '$(BIN)/python -m django makemigrations --settings=keel.settings'"; exit 1)

test-sqlite:
	@mkdir -p $(ARTIFACTS)
	KEEL_HOME=$(CURDIR)/var/test DATABASE_URL= $(BIN)/pytest -n $(PYTEST_WORKERS) -q --durations=20

## The SQLite pass with coverage of keel/ and its floor (not part of `make test`).
coverage: install-dev
	@mkdir -p $(ARTIFACTS)
	KEEL_HOME=$(CURDIR)/var/test DATABASE_URL= $(BIN)/pytest -n $(PYTEST_WORKERS) -q \
	  --cov --cov-report=term --cov-fail-under=$(COVERAGE_FLOOR) --durations=20

test-postgres:
	@mkdir -p $(ARTIFACTS); rm -f $(ARTIFACTS)/postgres-ran
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(TEST_POSTGRES_URL)', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "PostgreSQL reachable at $(TEST_POSTGRES_URL): running the suite there"; \
	  KEEL_HOME=$(CURDIR)/var/test DATABASE_URL=$(TEST_POSTGRES_URL) $(BIN)/pytest -n $(PYTEST_WORKERS) -q -m "not browser" --durations=20 \
	    && touch $(ARTIFACTS)/postgres-ran; \
	else \
	  echo "PostgreSQL not reachable at $(TEST_POSTGRES_URL): PostgreSQL pass skipped"; \
	fi

bench: install-dev
	$(BIN)/python bench/bench_init.py
	$(BIN)/python bench/bench_controls.py

clean:
	rm -rf $(VENV) var $(ARTIFACTS) *.egg-info
