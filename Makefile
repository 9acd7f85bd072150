# Tally: `make run` sets up and starts the demo; `make test` runs the suite on SQLite and PostgreSQL.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PG_ADMIN_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: install system-deps migrate demo run test test-sqlite test-postgres lint bench fuzz \
	migrations clean check-guide

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

system-deps:
	bash scripts/system-deps.sh

migrate: install
	$(BIN)/tally migrate

demo: migrate
	$(BIN)/tally demo load

run: demo
	$(BIN)/tally serve --sandbox

test: install system-deps lint test-sqlite test-postgres

test-sqlite: install
	TALLY_TEST_DB=sqlite $(BIN)/pytest

test-postgres: install
	bash scripts/ensure-postgres.sh
	TALLY_TEST_DB=postgres TALLY_TEST_PG_ADMIN_URL=$(PG_ADMIN_URL) $(BIN)/pytest

# Run every command of docs/production.md against scratch PostgreSQL, loopback replicas and nginx
# (about a minute; GUIDE_FULL=1 also installs a release into a fresh venv)
check-guide: install system-deps
	bash scripts/ensure-postgres.sh
	bash scripts/check-production-guide.sh $(PG_ADMIN_URL)

lint: install
	$(BIN)/ruff check .

bench: install system-deps
	$(BIN)/python -m tests.bench.bench_statement_view
	$(BIN)/python -m tests.bench.bench_reminders
	$(BIN)/python -m tests.bench.bench_month_end
	$(BIN)/python -m tests.bench.bench_tiers
	$(BIN)/python -m tests.bench.bench_handover

# Schemathesis against both OpenAPI documents, longer and at random: make fuzz EXAMPLES=300
EXAMPLES ?= 100
fuzz: install
	$(BIN)/python -m tests.fuzzing $(EXAMPLES)

# Write a migration after changing domain/models.py: make migrations NAME=what_changed
migrations: install
	TALLY_DATABASE_URL=sqlite://data/makemigrations.sqlite3 $(BIN)/tortoise \
		-c tally.tortoise_cli_config.TORTOISE_ORM makemigrations $(if $(NAME),-n $(NAME))

clean:
	rm -rf $(VENV) data .pytest_cache
