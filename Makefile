# Two commands matter: `make run` (demo server on 127.0.0.1:5000) and `make test` (whole suite,
# SQLite then PostgreSQL, browser tests included). See README.md.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app lms
PORT ?= 5000

.PHONY: run test test-fast bench lint install install-test translations browser nginx graphviz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations browser nginx graphviz

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d lms/translations >/dev/null

# Debian's chromium for Playwright (never `playwright install`), axe-core from npm.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "chromium missing: installing Debian's package"; \
	  (apt-get update -q && apt-get install -y -q chromium) >/dev/null || \
	  echo "could not install chromium: browser tests will say so and fail"; }
	@test -f node_modules/axe-core/axe.min.js || npm ci --silent --no-audit --no-fund

# Debian's nginx for the deployment tests (tests/ops/test_deploy.py, bench/multi_host.py).
nginx:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
	  echo "nginx missing: installing Debian's package"; \
	  (apt-get update -q && apt-get install -y -q nginx) >/dev/null || \
	  echo "could not install nginx: the deployment tests will say so (and fail with CI=true)"; }

# Debian's graphviz: `dot` draws the scenario graphs (without it the pages show a text list).
graphviz:
	@command -v dot >/dev/null 2>&1 || { \
	  echo "graphviz missing: installing Debian's package"; \
	  (apt-get update -q && apt-get install -y -q graphviz) >/dev/null || \
	  echo "could not install graphviz: scenario graphs will be text lists and their tests skip"; }

run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	@echo "Jobs (reports, exports, backups, close-overdue every minute): an in-process worker thread on the"
	@echo "  SQLite queue instance/jobs-queue.db, started with the first request; no other service needed"
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl+C to stop)"
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install-test
	bash tests/run_all.sh

test-fast: install-test
	$(BIN)/pytest -m "not e2e" -x

# Exam day on SQLite then PostgreSQL, 150 learners, a 60-second exam, with the floor app (paced),
# then capacity: 50 learners looping the whole exam for 30 s on both apps (closed loop), with each
# request kind's server CPU (--request-cpu): ~8 min.
bench: install-test
	$(BIN)/python bench/exam_day.py --learners 150 --seconds 60 --login-window 10 --db both --table
	$(BIN)/python bench/exam_day.py --closed-loop --learners 50 --seconds 30 --login-window 10 --db both --table --request-cpu

lint: install-test
	$(BIN)/ruff check lms tests bench

clean:
	rm -rf $(VENV) node_modules instance/lms.db* tests/e2e/screenshots
