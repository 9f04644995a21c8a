# geotel: the two commands of the README are `make demo` and `make test`.
# Both create .venv when missing and install what they need; both are idempotent.
# `make lab` opens the notebooks in JupyterLab (the `notebooks` extra).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip

.PHONY: demo test lab lint bench clean-demo

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

$(VENV)/.installed-notebooks: pyproject.toml | $(BIN)/python
	$(PIP) install -q -e '.[notebooks]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/geotel demo --out maps/demo --force

test: lint
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=15

# The notebooks share the demo province cached by `make demo` (data/processed).
# Jupyter refuses to run as root unless told: said for containers and CI boxes.
lab: $(VENV)/.installed-notebooks
	GEOTEL_CACHE_DIR=$(CURDIR)/data/processed $(BIN)/jupyter lab notebooks/ \
		$$( [ "$$(id -u)" = 0 ] && echo --allow-root )

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
