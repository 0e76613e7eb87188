# LeadCRM: `make run` starts the whole product, `make test` runs the whole suite.
# Both need PostgreSQL and Redis on localhost (override with DATABASE_URL / REDIS_URL).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
MANAGE := $(BIN)/python manage.py

.PHONY: run test lint format check-migrations bench install lock browser clean help

help:
	@echo "make run    - install, migrate, seed demo data, start web + worker + beat on :$${LEADCRM_PORT:-8000}"
	@echo "make test   - the whole test suite on real PostgreSQL, Redis and Chromium"
	@echo "make lint   - ruff, migrations check, import layers"
	@echo "make bench  - every benchmark under bench/ (seeds 1,000,000 leads first)"

# The virtualenv is rebuilt whenever the lock file changes.
$(BIN)/.synced: uv.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# A venv made by uv itself has no pip: bootstrap it before installing uv.
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --upgrade >/dev/null
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv sync --frozen --inexact --python $(BIN)/python
	touch $@

install: $(BIN)/.synced

lock:
	$(BIN)/uv lock

run: install
	$(MANAGE) db_create
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(MANAGE) seed_demo --if-empty
	@echo "LeadCRM on http://127.0.0.1:$${LEADCRM_PORT:-8000}/ (Ctrl-C stops web, worker and beat)"
	$(BIN)/honcho start -f Procfile

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# wrk is the load generator (C, light on CPU, so the server keeps the cores).
bench: install
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
