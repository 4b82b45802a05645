# The two commands of the README: `make demo` and `make test`. Both set up everything
# they need on a fresh machine with Python 3.11 (a virtualenv in .venv): `make demo` only
# what serving needs, `make test` (and `make install`) the test extras and newman too.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# The test suite runs on SQLite always and on this PostgreSQL too (see tests/conftest.py).
MECTO_TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test
export MECTO_TEST_POSTGRES_URL

.PHONY: demo test install lint

# The service alone: what `make demo` needs.
$(VENV)/.installed-serve: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

# The test extras on top (pytest, Schemathesis, ruff, mypy, ...).
$(VENV)/.installed-test: $(VENV)/.installed-serve
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# newman, for the Postman collection run (scripts/newman.py): again only when the lock
# file changed or node_modules is missing. Debian's npm if the machine has none.
node_modules/.installed: package.json package-lock.json
	command -v npm >/dev/null 2>&1 || bash scripts/install-debian-packages.sh npm
	npm ci --no-audit --no-fund
	touch $@

install: $(VENV)/.installed-test node_modules/.installed

demo: $(VENV)/.installed-serve
	$(BIN)/mectofitness seed-demo --url http://127.0.0.1:$(PORT)
	$(BIN)/mectofitness serve --port $(PORT)

test: install
	bash scripts/test.sh

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/mypy
