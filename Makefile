# Dealbook — the README's commands. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

# Find a Python >= 3.12: PYTHON if given, then python3.13 / python3.12 / python3 on PATH,
# then pyenv's versions. Fail with a clear message when there is none.
PYTHON_FOR_VENV := $(shell for p in $(PYTHON) python3.13 python3.12 python3 \
	$$HOME/.pyenv/versions/3.13*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3; do \
	  if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	    command -v $$p; break; fi; done)

# mypy checks the layers that hold the rules: services (modules or packages), selectors, policies.
TYPED_MODULES = $(shell find src/dealbook \( -path '*/services/*.py' -o -name services.py -o -name selectors.py -o -name policies.py \) -not -path '*/migrations/*' | sort)

.PHONY: run test lint demo migrate bench install clean-db messages format

$(PY):
	@if [ -z "$(PYTHON_FOR_VENV)" ]; then \
	  echo "Dealbook needs Python 3.12 or newer; none found (set PYTHON=/path/to/python3.12)." >&2; exit 1; fi
	$(PYTHON_FOR_VENV) -m venv $(VENV)

$(VENV)/.installed: $(PY) requirements.lock pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/dealbook migrate
	$(BIN)/dealbook demo --if-empty
	$(BIN)/dealbook serve --host $(HOST) --port $(PORT)

migrate: install
	$(BIN)/dealbook migrate

demo: install
	$(BIN)/dealbook migrate
	$(BIN)/dealbook demo

test: install
	$(BIN)/python -m pytest -n $${PYTEST_WORKERS:-auto} --dist loadfile $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy $(TYPED_MODULES)
	$(BIN)/lint-imports
	$(BIN)/dealbook makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix src tests
	$(BIN)/ruff format src tests

messages: install
	cd src/dealbook && ../../$(BIN)/django-admin makemessages -l zh_Hans --settings=dealbook.config.settings --pythonpath=.. -i "*/migrations/*"
	cd src/dealbook && ../../$(BIN)/django-admin compilemessages --settings=dealbook.config.settings --pythonpath=..

# Dealbook under load at `small` and `large` (SQLite; PostgreSQL with DATABASE_URL). Builds the
# databases on first use (bench/data/, ignored), needs wrk (Debian: apt-get install wrk).
bench: install
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install wrk" >&2; exit 2; }
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean-db:
	rm -f var/dealbook.sqlite3 var/dealbook.sqlite3-wal var/dealbook.sqlite3-shm
