# Two commands for a newcomer: `make run` and `make test`. Both create .venv themselves.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# `make lock UPGRADE=1` also moves every unpinned (transitive) dependency to its newest release.
UPGRADE ?=

.PHONY: run test build validate lint lock clean

# Everything comes from requirements.lock, each file checked against its hash. setuptools goes
# first (hashed, from the lock): it builds the editable install without build isolation, so pip
# downloads nothing that the lock does not name.
# pip itself stays the one the interpreter's venv brings: upgrading it would be an unhashed download.
$(BIN)/jianxi: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	awk '/^[^ #]/ { p = /^setuptools==/ } p' requirements.lock \
	  | $(BIN)/pip install --quiet --require-hashes --no-deps -r /dev/stdin
	$(BIN)/pip install --quiet --require-hashes --no-build-isolation -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# Rewrites requirements.lock from pyproject.toml (runtime, the dev extra, the build backend) for
# CPython 3.11 on Linux x86_64; run it on such a machine after changing a dependency.
lock:
	test -x $(BIN)/pip-compile || { $(PYTHON) -m venv $(VENV) && $(BIN)/pip install --quiet pip-tools==7.6.2; }
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet $(if $(UPGRADE),--upgrade) \
	  --generate-hashes --allow-unsafe --strip-extras --all-build-deps --extra dev \
	  --no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml

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

# The suite's scratch files (SQLite copies, git repositories, built sites) go to memory where the
# machine has a tmpfs: on disk they cost a tenth of the suite's time. TEST_TMPDIR=/tmp to keep them there.
TEST_TMPDIR ?= $(if $(wildcard /dev/shm/.),/dev/shm,$(or $(TMPDIR),/tmp))

# One line per check, each a tool from .venv/bin; a new check is one more line here.
test: $(BIN)/jianxi node_modules/axe-core/axe.min.js
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/bandit -q -r form_worker site_builder
	TMPDIR=$(TEST_TMPDIR) $(BIN)/pytest

lint: $(BIN)/jianxi
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) node_modules site
