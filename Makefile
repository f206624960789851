# Cobranza: `make demo` runs the app with a synthetic portfolio; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR ?= $(CURDIR)/data
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

export COBRANZA_DATA_DIR := $(DATA_DIR)

.PHONY: install demo test lint typecheck migrations-check pytest e2e bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: install
	mkdir -p $(DATA_DIR)
	$(BIN)/cobranza migrate --noinput -v 0
	$(BIN)/cobranza seed --if-empty
	@echo
	@echo "Cobranza está lista en http://$(HOST):$(PORT)/"
	@echo "Usuarios de demostración (contraseña: demo): admin, jefe, jefe_sucursal, gestor1, gestor2, callcenter, juridico, atencion"
	@echo
	$(BIN)/cobranza runserver $(HOST):$(PORT) --insecure

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

migrations-check: install
	COBRANZA_DATA_DIR=$$(mktemp -d) $(BIN)/cobranza makemigrations --check --dry-run

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck migrations-check pytest

e2e: install
	$(BIN)/pytest -m e2e $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/bench_engine.py
	$(BIN)/python bench/bench_import.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
