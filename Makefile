# Every target builds .venv first, so a fresh clone needs nothing but `make run` / `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint fuzz clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip >/dev/null
	$(BIN)/pip install -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/eventfuse run examples/demo --db demo.db

test: $(STAMP)
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python bench/run.py

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

fuzz: $(STAMP)
	$(BIN)/pytest -q tests -m fuzz --hypothesis-profile=long

clean:
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm
