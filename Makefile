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
# The demo and the checks run on plain http at 127.0.0.1 with a throwaway key, set explicitly here:
# without SECRET_KEY (and DEBUG off) Cobranza refuses to start; production sets its own (docs/operations.md).
export SECRET_KEY ?= inseguro-solo-para-la-demo-local-no-usar-en-produccion-0123456789
export COBRANZA_HTTPS ?= 0

.PHONY: install demo demo-reset test lint typecheck migrations-check pytest e2e bench clean

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
	@echo "y un gestor por cada otra sucursal (gestor_santa_ana, gestor_san_miguel, ...): ver README, sección Demostración"
	@echo
	$(BIN)/cobranza runserver $(HOST):$(PORT) --insecure

# Start the demo again from scratch: deletes the demo database, its uploaded documents and its
# e-mail folder under DATA_DIR (nothing else), then runs `make demo` (seed included).
demo-reset: install
	rm -f $(DATA_DIR)/cobranza.sqlite3 $(DATA_DIR)/cobranza.sqlite3-wal $(DATA_DIR)/cobranza.sqlite3-shm
	rm -rf $(DATA_DIR)/media $(DATA_DIR)/correo
	$(MAKE) demo

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
