# ldnsite: `make run` to see the site, `make test` to check it.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.13 (.python-version); pyenv's shim resolves python3.13 inside the repo.
PYTHON ?= $(shell command -v python3.13 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ldnsite

.PHONY: help install run test lint format check-postgres bench lock clean backup restore

help:
	@echo "make run    - install, migrate, load the demo site and serve it on http://$(HOST):$(PORT)/"
	@echo "make test   - lint, checks, and the test suite against PostgreSQL"
	@echo "make bench  - page timings and query counts on PostgreSQL"
	@echo "make lint   - ruff check and ruff format --check"
	@echo "make backup / make restore BACKUP=dir - database and media"

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 13), f"Python 3.13 is needed, found {sys.version.split()[0]}"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Regenerate the lock of transitive pins after changing pyproject.toml.
lock: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e ' > requirements.lock

run: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo
	@echo "  The site:        http://$(HOST):$(PORT)/"
	@echo "  Writing desk:    http://$(HOST):$(PORT)/admin/"
	@echo "  Log in as:       nsajben / ldn-demo-author  (the demo author)"
	@echo "  Emails land in:  var/mail/   Tasks run in a db_worker beside the server."
	@echo
	@trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py db_worker --reload & WORKER=$$!; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-postgres: install
	@DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} DJANGO_SETTINGS_MODULE=ldnsite.settings.test \
		$(BIN)/python manage.py check_database --create

test: lint check-postgres
	export DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} DJANGO_SETTINGS_MODULE=ldnsite.settings.test; \
	$(BIN)/python manage.py check --fail-level WARNING && \
	$(BIN)/python manage.py makemigrations --check --dry-run && \
	$(BIN)/pytest $(PYTEST_ARGS)

bench: check-postgres
	@command -v wrk >/dev/null || { echo "Installing wrk for the load run..."; apt-get install -y -qq wrk; }
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ldnsite_bench} \
		$(BIN)/python bench/run.py $(BENCH_ARGS)

# Back up the database (pg_dump) and uploaded media into var/backups/<time>/.
backup: install
	$(BIN)/python manage.py backup $(if $(OUTPUT),--output $(OUTPUT))

# Restore one: make restore BACKUP=var/backups/<time>
restore: install
	@test -n "$(BACKUP)" || { echo "Say which backup: make restore BACKUP=var/backups/<time>"; exit 2; }
	$(BIN)/python manage.py restore $(BACKUP)

clean:
	rm -rf var/test-media .pytest_cache
