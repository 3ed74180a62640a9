# tianbao — the two commands of the quick start are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
TEMPLATE_YEAR ?= 2026
TEMPLATES_DIR ?= templates
JOBS ?= auto

.PHONY: demo test templates lint format bench clean

$(INSTALLED): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test,parquet]'
	@touch $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/python -m tianbao.demo

test: $(INSTALLED)
	$(BIN)/pytest -n $(JOBS) -q

templates: $(INSTALLED)
	$(BIN)/tianbao template --year $(TEMPLATE_YEAR) -o $(TEMPLATES_DIR)

lint: $(INSTALLED)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src

format: $(INSTALLED)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: $(INSTALLED)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info demo-output
