# Đôn đốc — every target sets up what it needs on a fresh machine (Python 3.11+ and make).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
STAMP := $(VENV)/.installed
# The suite runs in two processes on a 2-core machine; override with PYTEST_ARGS=...
PYTEST_ARGS ?= -n 2
# Commands run through make are local development unless told otherwise.
export DJANGO_DEBUG ?= 1
# Compiled bytecode goes under var/ too, not beside the sources.
export PYTHONPYCACHEPREFIX ?= $(CURDIR)/var/pycache

.PHONY: help install run test lint lint-imports score-import fmt typecheck migrations-check check-deploy ci seed screenshots bench clean

help:
	@echo "make run     — cài đặt, migrate, nạp dữ liệu mẫu và chạy ứng dụng tại http://127.0.0.1:8000"
	@echo "make test    — cài đặt và chạy toàn bộ bộ kiểm thử"
	@echo "make lint | lint-imports | fmt | typecheck | migrations-check | check-deploy | ci | screenshots"
	@echo "make bench [SIZE=100000] — đo tốc độ trên PostgreSQL"

$(STAMP): requirements/dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (set PYTHON=python3.11)")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	@# With the venv activated, `python manage.py …` runs this checkout as a development one
	@# (DJANGO_DEBUG=1: SQLite, the embedded broker); production sets its own environment.
	grep -q DONDOC_DEV $(BIN)/activate || printf '\n# DONDOC_DEV: a development checkout\nexport DJANGO_DEBUG="$${DJANGO_DEBUG:-1}"\n' >> $(BIN)/activate
	mkdir -p var/celery/in var/celery/processed var/celery/control var/media
	touch $(STAMP)

install: $(STAMP)

var:
	mkdir -p var/celery/in var/celery/processed var/celery/control var/media

run: install var
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	@echo
	@echo "Đôn đốc: http://127.0.0.1:8000  (Ctrl-C dừng web, worker và beat)"
	@echo
	$(BIN)/honcho -f Procfile.dev start

seed: install var
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo

test: install var
	$(BIN)/pytest $(PYTEST_ARGS)

# The importer on ../shared/notices/dev, scored document by document (and the floor checked).
score-import: install var
	DONDOC_PRINT_SCORES=1 $(BIN)/pytest -p no:xdist -q -s tests/directives/test_import_dev_set.py

# Benchmarks on PostgreSQL (this machine's by default; set BENCH_DATABASE_URL to use another).
SIZE ?= 10000
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/dondoc_bench
# Redis as in production (the shared cache; database 3: the bench's own).
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/3
bench: install
	@psql "$(BENCH_DATABASE_URL)" -c "select 1" >/dev/null 2>&1 || \
		psql "$$(echo '$(BENCH_DATABASE_URL)' | sed 's#/[^/]*$$#/postgres#')" -c "CREATE DATABASE $$(basename '$(BENCH_DATABASE_URL)')"
	DJANGO_DEBUG=0 DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(PY) -m bench --size $(SIZE) --json var/bench-$(SIZE).json

# The main screens on the demo data, written to docs/screenshots/ (needs Debian's chromium).
screenshots: install var
	DONDOC_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(BIN)/pytest -p no:xdist tests/e2e/test_screenshots.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The layers contract of pyproject.toml: apps import downwards only.
lint-imports: install
	$(BIN)/lint-imports --no-cache

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install
	$(BIN)/mypy .

migrations-check: install var
	DJANGO_SETTINGS_MODULE=config.settings_test $(MANAGE) makemigrations --check --dry-run

# The production settings with a production-like environment must pass Django's deploy checks.
check-deploy: install
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(60))') \
	DJANGO_ALLOWED_HOSTS=dondoc.example.gov.vn $(MANAGE) check --deploy --fail-level WARNING

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) var staticfiles
