# FeeDesk: the two commands of the README are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_DB ?= var/demo.db

.PHONY: run test bench stress lint deps clean-demo screenshots

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || (echo "需要 Python 3.11 ($(PYTHON))"; exit 1)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

deps:
	bash scripts/system-deps.sh

$(DEMO_DB): | $(STAMP)
	mkdir -p $(dir $(DEMO_DB))
	$(VENV)/bin/feedesk --db $(DEMO_DB) init --demo

run: $(STAMP) $(DEMO_DB)
	$(PY) main.py --db $(DEMO_DB)

# Second pass: the ledger, cash-desk and reliability tests again on a real PostgreSQL server
# that the tests start themselves (tests/postgres/server.py); no PostgreSQL = failure, never a skip.
test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest
	QT_QPA_PLATFORM=offscreen FEEDESK_TEST_BACKEND=postgresql $(PY) -m pytest tests/services tests/reliability

bench: $(STAMP)
	$(PY) bench/run.py

# The reliability suites again, long: 500 kill points, 600 hypothesis cases per entry point,
# a 10,000-payment printing soak (tests/reliability/figures.py `scaled`); nothing is skipped.
stress: $(STAMP)
	QT_QPA_PLATFORM=offscreen FEEDESK_STRESS=1 $(PY) -m pytest tests/reliability
	QT_QPA_PLATFORM=offscreen FEEDESK_STRESS=1 $(PY) -m pytest -m stress tests/postgres

lint: $(STAMP)
	$(VENV)/bin/ruff check .

clean-demo:
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen FEEDESK_SCREENSHOTS=$(CURDIR)/docs/images $(PY) -m pytest -q tests/ui
