# Carnet — `make run` starts the server, `make test` runs the suite (see README.md).

PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
PACKAGES := carnet cda registry repository schemas soap

.PHONY: .venv run test lint bench clean

.venv: $(STAMP)

# Reinstalled only when the packaging changes.
$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(STAMP)
	$(VENV)/bin/carnet serve --data ./data --host 127.0.0.1 --port 8080 --profile ihe

test: $(STAMP)
	scripts/ensure-postgresql
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy $(PACKAGES)
	$(VENV)/bin/python -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy $(PACKAGES)

bench: $(STAMP)
	$(VENV)/bin/python bench/registry.py
	$(VENV)/bin/python bench/repository.py
	$(VENV)/bin/python bench/cda.py
	$(VENV)/bin/python bench/signature.py

# Build artefacts and tool caches only: .venv and data/ stay.
clean:
	rm -rf build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
