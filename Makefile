# Two commands for a newcomer: `make run` and `make test`. Both create .venv themselves.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test build validate lint clean

$(BIN)/jianxi: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

build: $(BIN)/jianxi
	$(BIN)/jianxi build --out site

validate: $(BIN)/jianxi
	$(BIN)/jianxi validate

run: build
	$(BIN)/jianxi db upgrade
	$(BIN)/jianxi serve --host $(HOST) --port $(PORT)

test: $(BIN)/jianxi node_modules/axe-core/axe.min.js
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(BIN)/jianxi
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) node_modules site
