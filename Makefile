# The two commands README.md opens with: `make demo` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := -e ./odoo-client -e ./tap-odoo -e ./target-odoo -e ./tests/sandbox -e ./odoo-dagster
# meltano[postgres]: psycopg, for a system database on PostgreSQL (MELTANO_DATABASE_URI)
DEV_TOOLS := "meltano[postgres]>=4,<5" "pytest>=8" "ruff==0.17.6" "duckdb==1.2.2" "psutil>=5"

.PHONY: setup demo test lint format clean

setup: $(BIN)/.installed

$(BIN)/.installed: odoo-client/pyproject.toml tap-odoo/pyproject.toml target-odoo/pyproject.toml tests/sandbox/pyproject.toml odoo-dagster/pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(PACKAGES) $(DEV_TOOLS)
	touch $@

demo: setup
	$(BIN)/python tests/demo.py

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .meltano output
