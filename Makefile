# The developer loop. `make fast` before every commit; `make test` before pushing;
# `make ci` is what CI runs (installs servers, runs everything on SQLite and PostgreSQL).
export KLIENT_HOME ?= $(CURDIR)/.klient-test
PYTEST ?= pytest

.PHONY: fast test lint ci format

lint:
	ruff check src tests bench
	ruff format --check src tests bench
	mypy
	lint-imports
	python -m django makemigrations --check --dry-run --settings=klient.settings

# Everything but the browser and subprocess tests, on SQLite, both cores.
fast:
	ruff check src tests bench
	ruff format --check src tests bench
	$(PYTEST) -q -m "not browser and not slow"

# The whole suite on SQLite (browser tests need Debian's chromium).
test: lint
	$(PYTEST) -q

format:
	ruff check --fix src tests bench
	ruff format src tests bench

ci:
	bash .ci/run
