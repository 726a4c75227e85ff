# Two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Error: $(PYTHON) not found; install Python 3.11 or run make PYTHON=python3" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/altar demo demo

# --durations=25: CI's log ends with the 25 slowest tests, to keep the suite's budget in view.
test: $(STAMP)
	$(BIN)/python -m pytest --durations=25

# The gates CI holds the tree to: style, formatting, types and the layer contract.
lint: $(STAMP)
	$(BIN)/ruff check altar tests benchmarks migrations
	$(BIN)/ruff format --check altar tests benchmarks migrations
	$(BIN)/mypy altar
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) demo reports/*.html reports/*.pdf .pytest_cache
