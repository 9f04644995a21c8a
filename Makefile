# geotel: the two commands of the README are `make demo` and `make test`.
# Both create .venv when missing and install what they need; both are idempotent.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip

.PHONY: demo test lint bench clean-demo

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# Reinstall when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(PIP) install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/geotel demo --out maps/demo --force

test: lint
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=15

# ruff (style and bug patterns) and mypy (types, clean over geotel/): part of `make test`
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check geotel tests benchmarks notebooks
	$(BIN)/mypy

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/coverage.py
	$(BIN)/python benchmarks/fiber.py
	$(BIN)/python benchmarks/siting.py

clean-demo:
	rm -rf maps/demo data/processed/demo-*
