# The two commands of the README: `make serve` and `make test`. Both install what
# is missing (virtualenv, npm packages, a Java runtime, Chromium for the browser
# tests) and are safe to re-run.

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: install serve test lint typecheck unit deploy-check bench schema clean java browser

install: $(VENV)/.installed node_modules/.installed java browser

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# DynamoDB Local is a Java program; install a runtime only when none is there.
java:
	@command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1 || { \
	  echo "Installing a Java 17 JDK for DynamoDB Local"; \
	  apt-get update -qq && apt-get install -y -qq openjdk-17-jdk-headless >/dev/null; }

# The browser tests (GraphiQL) drive Debian's Chromium through its own chromedriver, so
# Selenium never downloads a browser; install both only when they are missing.
browser:
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || { \
	  echo "Installing Chromium and chromedriver for the browser tests"; \
	  apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; }

serve: install
	$(BIN)/commerce serve

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed
	$(BIN)/mypy src

schema: $(VENV)/.installed
	$(BIN)/commerce schema

unit: install
	$(BIN)/python -m pytest

deploy-check: install
	VENV=$(VENV) bash scripts/check-deploy.sh

# The deploy check packages both stages first: the packaged-template tests then read
# those packages instead of making their own. Two pytest workers (one per core), each
# with its own DynamoDB Local and localstripe; a file's tests stay on one worker.
test: install lint typecheck
	$(BIN)/commerce schema --check
	VENV=$(VENV) bash scripts/check-deploy.sh
	$(BIN)/python -m pytest -n 2 --dist loadfile

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) node_modules .serverless .mypy_cache .ruff_cache .pytest_cache
