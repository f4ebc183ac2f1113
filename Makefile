# The front door: `make run` serves the portal, `make test` runs lint and the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1

.DEFAULT_GOAL := help
.PHONY: help install run demo test lint format messages check clean clamd

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing into $(VENV) (log: $(VENV)/install.log)"
	@$(BIN)/pip install -q --disable-pip-version-check -e ".[dev]" > $(VENV)/install.log 2>&1 \
		|| { cat $(VENV)/install.log; exit 1; }
	@$(BIN)/python -c "import django, celery, weasyprint, holidays" && touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with its dev tools

run: $(STAMP) ## Migrate, load the catalogue and demo data, serve http://$(HOST):$(PORT)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --dossiers 300 --seed 1 --only-if-empty
	$(BIN)/python manage.py import_procedures
	$(BIN)/python manage.py stats_refresh
	$(BIN)/python manage.py indicators_refresh
	$(BIN)/python manage.py transparency_refresh
	@if [ -n "$$REDIS_URL" ]; then \
		echo "REDIS_URL is set: starting a Celery worker (with beat: sweeps and overdue jobs) beside the web server"; \
		$(BIN)/celery -A portal worker --beat --schedule var/celerybeat-schedule --pool solo --without-mingle --without-gossip --loglevel INFO & \
		WORKER=$$!; trap "kill $$WORKER 2>/dev/null" EXIT INT TERM; \
		$(BIN)/python manage.py runserver $(HOST):$(PORT); \
	else \
		echo "No REDIS_URL: tasks run eagerly in the web process (SQLite unless DATABASE_URL is set)"; \
		$(BIN)/python manage.py runserver $(HOST):$(PORT); \
	fi

demo: $(STAMP) ## Reload the catalogue and demo data only (adds 300 demo dossiers each time)
	$(BIN)/python manage.py seed_demo --dossiers 300 --seed 1
	$(BIN)/python manage.py import_procedures
	$(BIN)/python manage.py stats_refresh
	$(BIN)/python manage.py indicators_refresh
	$(BIN)/python manage.py transparency_refresh

.PHONY: backup restore
backup: $(STAMP) ## pg_dump + MEDIA_ROOT tar + manifest into var/backups/<UTC time>/ (docs/backup.md)
	$(BIN)/python manage.py backup

restore: $(STAMP) ## BACKUP=<dir> [TARGET_DATABASE_URL=…] [TARGET_MEDIA_ROOT=…]: restore into an empty DB, verify
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/<time> [TARGET_DATABASE_URL=…]"; exit 2; }
	TARGET_DATABASE_URL="$(TARGET_DATABASE_URL)" TARGET_MEDIA_ROOT="$(TARGET_MEDIA_ROOT)" \
		$(BIN)/python manage.py restore "$(BACKUP)"

lint: $(STAMP) ## ruff check + format check, bandit (high severity)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r . -c pyproject.toml -lll

format: $(STAMP) ## Apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

.PHONY: schema
schema: $(STAMP) ## Regenerate the committed OpenAPI schema docs/api/openapi.yaml (tests/api/test_schema.py)
	$(BIN)/python manage.py spectacular --file docs/api/openapi.yaml --validate --fail-on-warn

messages: $(STAMP) ## Update and compile the vi/en translation catalogues
	$(BIN)/python manage.py makemessages -l vi -l en --ignore=.venv --ignore=var --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv

check: $(STAMP) ## Django system checks and missing migrations
	PORTAL_TESTING=1 $(BIN)/python manage.py check
	PORTAL_TESTING=1 $(BIN)/python manage.py makemigrations --check --dry-run

test: $(STAMP) lint check ## Install, lint and run the whole test suite
	PORTAL_TESTING=1 $(BIN)/pytest

clamd: ## Start a local ClamAV daemon (EICAR-only signatures); export CLAMAV_ADDRESS=<the address it prints>
	bin/clamd-local

clean: ## Remove the virtualenv and local state
	rm -rf $(VENV) var/portal.sqlite3 var/staticfiles
