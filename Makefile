# FeeDesk: the two commands of the README are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3.13 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
VENV_OK := $(VENV)/.created
STAMP := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run
CONSTRAINTS := constraints.txt
DEMO_DB ?= var/demo.db

.PHONY: run test test-install bench stress lint deps clean-demo screenshots dist deb constraints

# A venv that failed half-way (no python3-venv: no pip inside) is removed, never left to break
# the next try.
$(VENV_OK):
	@command -v $(PYTHON) >/dev/null || (echo "需要 Python 3.11–3.13（$(PYTHON)）：请先运行 bash scripts/system-deps.sh"; exit 1)
	@if ! $(PY) -m pip --version >/dev/null 2>&1; then \
	  rm -rf $(VENV); \
	  $(PYTHON) -m venv $(VENV) && $(PY) -m pip --version >/dev/null 2>&1 \
	    || { rm -rf $(VENV); echo "无法创建虚拟环境 .venv：请先运行 bash scripts/system-deps.sh（需要 python3-venv）"; exit 1; }; \
	fi
	$(PY) -m pip install -q --upgrade pip || { rm -rf $(VENV); exit 1; }
	touch $(VENV_OK)

# make run: the program only; make test: the program with the test tools. Both with the versions
# the tests ran on (constraints.txt).
$(RUN_STAMP): pyproject.toml setup.py $(CONSTRAINTS) | $(VENV_OK)
	$(PY) -m pip install -q -c $(CONSTRAINTS) -e '.[postgresql]'
	touch $(RUN_STAMP)

$(STAMP): pyproject.toml setup.py $(CONSTRAINTS) | $(VENV_OK)
	$(PY) -m pip install -q -c $(CONSTRAINTS) -e '.[test]'
	touch $(STAMP)

deps:
	bash scripts/system-deps.sh

$(DEMO_DB): | $(RUN_STAMP)
	mkdir -p $(dir $(DEMO_DB))
	$(VENV)/bin/feedesk --db $(DEMO_DB) init --demo

run: $(RUN_STAMP) $(DEMO_DB)
	$(PY) main.py --db $(DEMO_DB)

# Second pass: the ledger, cash-desk and reliability tests again on a real PostgreSQL server
# that the tests start themselves (tests/postgres/server.py); no PostgreSQL = failure, never a skip.
# The first pass includes the install tests (marker install: the wheel, the one-folder program
# built once per session, the .deb); `make test-install` runs only those.
test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest
	QT_QPA_PLATFORM=offscreen FEEDESK_TEST_BACKEND=postgresql $(PY) -m pytest tests/services tests/reliability

test-install: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m install tests/install

# dist/FeeDesk/: the one-folder program (feedesk, feedesk-gui); the same spec builds it on Windows.
dist: $(STAMP)
	$(VENV)/bin/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller \
	    packaging/feedesk.spec

# dist/feedesk_<version>_<arch>.deb: the program for Debian, UOS and Kylin (/opt/apps/<appid>).
deb: dist
	$(PY) packaging/build_deb.py dist/FeeDesk dist

# constraints.txt: the versions of everything the tests ran on (refresh after changing pyproject.toml).
constraints: $(STAMP)
	(echo '# Versions the tests ran on (`make constraints` rewrites this file); used by make run and make test.'; \
	 $(PY) -m pip freeze --exclude-editable | grep -v '^feedesk') > $(CONSTRAINTS)

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
