# Every target creates .venv and installs the project first, so each works on a fresh machine
# with only Python and the package registries.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench eval clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,spark]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) -m checker.cli.demo

test: $(STAMP)
	$(PY) -m ruff check checker tests bench
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check checker tests bench

REALDEV := ../shared/realdev

# the real-text set is scored too where it lies beside the checkout (it is never copied in)
eval: $(STAMP)
	$(PY) -m checker eval tests/data/devset/claims.jsonl --pages tests/data/devset/pages \
		$(if $(wildcard $(REALDEV)/claims.jsonl),--realdev $(REALDEV))
	$(PY) -m checker eval tests/data/devset/claims.jsonl --pages tests/data/devset/pages --lang es \
		$(if $(wildcard $(REALDEV)/claims.jsonl),--realdev $(REALDEV))

bench: $(STAMP)
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache demo-out
