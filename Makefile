# Tally: `make run` sets up and starts the demo; `make test` runs the suite on SQLite and PostgreSQL.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CKSUM := $(shell cat pyproject.toml | cksum | cut -d' ' -f1)
STAMP_RUNTIME := $(VENV)/.installed-runtime-$(CKSUM)
STAMP_DEV := $(VENV)/.installed-dev-$(CKSUM)
PG_ADMIN_URL ?= postgres://postgres@127.0.0.1:5432/test
# pytest processes per database pass (pytest-xdist); each has its own scratch database
TEST_WORKERS ?= 2

.PHONY: install install-runtime install-dev system-deps runtime-deps assets migrate demo run test test-sqlite \
	test-postgres test-fast lint bench fuzz migrations clean check-guide error-table

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The service alone (what `make run` needs): no test tools.
$(STAMP_RUNTIME): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	rm -f $(VENV)/.installed-runtime-*
	touch $(STAMP_RUNTIME)

# The service and the test tools (`dev` extra); it covers the runtime too.
$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP_DEV) $(STAMP_RUNTIME)

install-runtime: $(STAMP_RUNTIME)

install-dev: $(STAMP_DEV)

install: install-dev

system-deps:
	bash scripts/system-deps.sh

# What the service itself needs from Debian: the CJK font its PDFs embed
runtime-deps:
	bash scripts/system-deps.sh --runtime

# The workbench's browser assets (htmx, DingTalk's JS API) from the npm lockfile, built into
# workbench/static/vendor; redone when the lockfile, the build script or an entry changes.
ASSETS_STAMP := workbench/static/vendor/.built
$(ASSETS_STAMP): package.json package-lock.json scripts/build-assets.mjs $(wildcard workbench/assets/*.js)
	npm ci --no-audit --no-fund --loglevel=error
	node scripts/build-assets.mjs
	touch $@

assets: runtime-deps $(ASSETS_STAMP)

migrate: install-runtime
	$(BIN)/tally migrate

demo: migrate
	$(BIN)/tally demo load

# Checks the port first: a second `make run` says the demo is running and keeps its key.
run: install-runtime runtime-deps assets
	$(BIN)/tally serve --sandbox --migrate --demo

test: install-dev system-deps lint test-sqlite test-postgres

test-sqlite: install-dev assets
	TALLY_TEST_DB=sqlite $(BIN)/pytest -n $(TEST_WORKERS)

# The quick loop while working: unit and integration tests on SQLite, without the groups marked
# `slow` in tests/conftest.py (browsers, e2e, the fuzzer, tests that start processes); `make test`
# still runs everything. 1,147 tests in 70 s on the idle two-core machine (2026-12-05), about
# 11 s of it each worker's first set-up (migrating its scratch database, importing).
test-fast: install-dev runtime-deps assets
	TALLY_TEST_DB=sqlite $(BIN)/pytest -n $(TEST_WORKERS) -m "not slow" tests/unit tests/integration

test-postgres: install-dev assets
	bash scripts/ensure-postgres.sh
	TALLY_TEST_DB=postgres TALLY_TEST_PG_ADMIN_URL=$(PG_ADMIN_URL) $(BIN)/pytest -n $(TEST_WORKERS)

# Run every command of docs/production.md against scratch PostgreSQL, loopback replicas and nginx
# (about a minute; GUIDE_FULL=1 also installs a release into a fresh venv)
check-guide: install-dev system-deps
	bash scripts/ensure-postgres.sh
	bash scripts/check-production-guide.sh $(PG_ADMIN_URL)

# ruff, then mypy on domain/ (strict on the pure rules; config in pyproject.toml)
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

# The README's error table, made from the error catalogue (a test checks it is the current one)
error-table: install-runtime
	$(BIN)/python -m httpcommon.error_table --write

bench: install-dev system-deps
	$(BIN)/python -m tests.bench.bench_statement_view
	$(BIN)/python -m tests.bench.bench_reminders
	$(BIN)/python -m tests.bench.bench_month_end
	$(BIN)/python -m tests.bench.bench_tiers
	$(BIN)/python -m tests.bench.bench_handover
	$(BIN)/python -m tests.bench.bench_workbench

# Schemathesis against both OpenAPI documents, longer and at random: make fuzz EXAMPLES=300
EXAMPLES ?= 100
fuzz: install-dev
	$(BIN)/python -m tests.fuzzing $(EXAMPLES)

# Write a migration after changing a domain/*/models.py: make migrations NAME=what_changed
migrations: install-dev
	TALLY_DATABASE_URL=sqlite://data/makemigrations.sqlite3 $(BIN)/tortoise \
		-c tally.tortoise_cli_config.TORTOISE_ORM makemigrations $(if $(NAME),-n $(NAME))

clean:
	rm -rf $(VENV) data .pytest_cache
