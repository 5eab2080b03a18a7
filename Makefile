# Safer Returns: build, run and test.
#   make run           set everything up, load the demo partnership, serve on 127.0.0.1:5000
#   make test          the whole suite on SQLite and on a throwaway PostgreSQL (side by side), then the browser tests
#   make test-browser  the browser journeys only (Debian's Chromium, axe-core)
#   make test-sqlite   the suite on SQLite only (quick)
#   make serve-prod    gunicorn (4 workers) + a throwaway PostgreSQL with the demo, on 127.0.0.1:8000
#   make test PYTEST_ARGS="-k upload -x"   pass arguments to pytest
# GNU make on Debian 12. Nothing here reads stdin, so it runs unattended on CI.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

VENV := .venv
PYTHON := $(VENV)/bin/python
FLASK := $(PYTHON) -m flask --app wsgi
PYTEST := $(PYTHON) -m pytest
PYTEST_ARGS ?=
HOST ?= 127.0.0.1
PORT ?= 5000

# Stamps: each step is skipped while its outputs are newer than its inputs.
INSTALL_STAMP := $(VENV)/.requirements-installed
NODE_STAMP := node_modules/.npm-ci-done
GOVUK_DIST := node_modules/govuk-frontend/dist/govuk
GOVUK_OUT := app/static/govuk
GOVUK_JS := $(GOVUK_OUT)/govuk-frontend.min.js
CSS_OUT := app/static/css/app.css
SASS_SOURCES := $(wildcard app/static/src/*.scss)

PG_BINDIR ?= /usr/lib/postgresql/15/bin
export PG_BINDIR
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends

.PHONY: help venv install assets db demo run serve-prod test test-sqlite test-postgres test-browser test-tools browser-tools bench clean distclean

help:
	@echo "make run          set up, migrate, load the demo data and serve on http://$(HOST):$(PORT)"
	@echo "make test         the whole suite on SQLite and on a throwaway PostgreSQL 15 side by side, then the browser tests"
	@echo "make test-browser the browser journeys (Chromium from apt, axe-core), screenshots in tests/browser/artifacts/"
	@echo "make test-sqlite  the suite on SQLite only (PYTEST_ARGS=... passes arguments to pytest)"
	@echo "make serve-prod   gunicorn with WORKERS (4) workers + a throwaway PostgreSQL and the demo, on 127.0.0.1:8000"
	@echo "make bench        run every benchmark script in bench/"
	@echo "make install | assets | db | demo | clean | distclean"

# --- Python -------------------------------------------------------------------

venv: $(PYTHON)

$(PYTHON):
	python3 -m venv $(VENV)

install: $(INSTALL_STAMP)

$(INSTALL_STAMP): requirements.txt requirements-dev.txt | $(PYTHON)
	$(PYTHON) -m pip install --disable-pip-version-check --quiet -r requirements-dev.txt
	touch $@

# --- Front-end assets ---------------------------------------------------------

assets: $(GOVUK_JS) $(CSS_OUT)

# --ignore-scripts: sass's optional file watcher wants to build native code; we never watch.
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed to build the assets: apt-get install nodejs npm" >&2; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# The GDS Transport font files are left out: the typeface is licensed to GOV.UK only,
# and the stylesheet is compiled with Arial, so nothing refers to them.
$(GOVUK_JS): $(NODE_STAMP)
	rm -rf $(GOVUK_OUT)
	mkdir -p $(GOVUK_OUT)
	cp -R $(GOVUK_DIST)/assets $(GOVUK_OUT)/assets
	rm -rf $(GOVUK_OUT)/assets/fonts
	cp $(GOVUK_DIST)/govuk-frontend.min.js.map $(GOVUK_OUT)/
	cp $(GOVUK_DIST)/govuk-frontend.min.js $@

$(CSS_OUT): $(SASS_SOURCES) $(NODE_STAMP)
	mkdir -p $(dir $@)
	npx --no -- sass --pkg-importer=node --style=compressed --no-source-map --quiet-deps app/static/src/app.scss $@

# --- Database and running -----------------------------------------------------

db: install
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo load

# Plain http on loopback: cookies without the Secure flag and no HSTS (production keeps both).
run: venv install assets db demo
	FLASK_SESSION_COOKIE_SECURE=false FLASK_HSTS_SECONDS=0 $(FLASK) run --host $(HOST) --port $(PORT)

# Production-style serving (scripts/serve-prod.sh): gunicorn's worker processes in front of
# PostgreSQL, here a throwaway cluster on loopback with the demo loaded; Ctrl-C stops both.
PROD_PORT ?= 8000
WORKERS ?= 4
serve-prod: install assets test-tools
	HOST=$(HOST) PORT=$(PROD_PORT) WORKERS=$(WORKERS) PYTHON=$(PYTHON) scripts/serve-prod.sh

# --- Tests --------------------------------------------------------------------

# LibreOffice Calc and Writer and poppler (to prove a real spreadsheet program and word
# processor open our workbooks and reports, and to check how they print)
# and the PostgreSQL 15 server binaries. Installing the package starts no cluster we use:
# the tests make their own with scripts/pg-test-cluster.sh.
test-tools:
	@missing=""; \
	command -v soffice >/dev/null || missing="$$missing libreoffice-calc-nogui"; \
	[ -e /usr/lib/libreoffice/program/libswlo.so ] || missing="$$missing libreoffice-writer-nogui"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	[ -x $(PG_BINDIR)/initdb ] || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" -ne 0 ]; then echo "The tests need:$$missing (apt-get install them as root)" >&2; exit 1; fi; \
		echo "Installing:$$missing"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq; \
		$(APT_INSTALL) -qq $$missing >/dev/null; \
	fi

# Debian's Chromium for the browser tests (Playwright's own browser download is not used).
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
browser-tools:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" -ne 0 ]; then echo "The browser tests need chromium (apt-get install it as root)" >&2; exit 1; fi; \
		echo "Installing: chromium"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq; \
		$(APT_INSTALL) -qq chromium >/dev/null; \
	fi

# A live server of the app (SQLite, demo loaded) on a free loopback port, driven by Chromium.
test-browser: install assets browser-tools
	$(PYTEST) --browser-tests tests/browser $(PYTEST_ARGS)

test-sqlite: install assets
	$(PYTEST) $(PYTEST_ARGS)

# The cluster is stopped and its folder removed however pytest ends; the exit
# status stays pytest's.
test-postgres: install assets test-tools
	@cluster="$$(scripts/pg-test-cluster.sh start)"; \
	trap 'scripts/pg-test-cluster.sh stop "$$cluster"' EXIT; \
	trap 'exit 130' INT TERM; \
	echo "PostgreSQL test cluster in $$cluster"; \
	$(PYTEST) --database-url="$$(scripts/pg-test-cluster.sh url "$$cluster")" $(PYTEST_ARGS)

# All three runs happen even if one fails, so one CI run reports on each. The SQLite and
# PostgreSQL runs go side by side (TEST_PARALLEL=0: one after the other): each is mostly one
# core's work, so on CI's 2 cores the pair takes about as long as the slower alone. Their
# output goes to .test-logs/ and is printed whole when both have finished.
TEST_PARALLEL ?= 1
TEST_LOGS := .test-logs
test: install assets test-tools browser-tools
	@mkdir -p $(TEST_LOGS); \
	if [ "$(TEST_PARALLEL)" = 1 ]; then \
		echo "== Test suite on SQLite and on PostgreSQL, side by side (logs in $(TEST_LOGS)/)"; \
		$(MAKE) --no-print-directory test-sqlite > $(TEST_LOGS)/sqlite.log 2>&1 & sqlite_pid=$$!; \
		$(MAKE) --no-print-directory test-postgres > $(TEST_LOGS)/postgres.log 2>&1 & postgres_pid=$$!; \
		trap 'kill $$sqlite_pid $$postgres_pid 2>/dev/null; exit 130' INT TERM; \
		sqlite=0; wait $$sqlite_pid || sqlite=$$?; \
		postgres=0; wait $$postgres_pid || postgres=$$?; \
		echo "== Test suite on SQLite"; cat $(TEST_LOGS)/sqlite.log; \
		echo "== Test suite on PostgreSQL"; cat $(TEST_LOGS)/postgres.log; \
	else \
		echo "== Test suite on SQLite"; \
		sqlite=0; $(MAKE) --no-print-directory test-sqlite || sqlite=$$?; \
		echo "== Test suite on PostgreSQL"; \
		postgres=0; $(MAKE) --no-print-directory test-postgres || postgres=$$?; \
	fi; \
	echo "== Browser tests"; \
	browser=0; $(MAKE) --no-print-directory test-browser || browser=$$?; \
	echo "== SQLite: $$( [ $$sqlite = 0 ] && echo passed || echo FAILED ), PostgreSQL: $$( [ $$postgres = 0 ] && echo passed || echo FAILED ), browser: $$( [ $$browser = 0 ] && echo passed || echo FAILED )"; \
	[ $$sqlite = 0 ] && [ $$postgres = 0 ] && [ $$browser = 0 ]

# --- Benchmarks ---------------------------------------------------------------

# Every executable file in bench/ is a Python script; all run even if one fails.
bench: install
	@ran=0; failed=""; \
	for script in bench/*; do \
		[ -f "$$script" ] || continue; \
		if [ ! -x "$$script" ]; then echo "Skipping $$script (not executable)"; continue; fi; \
		echo "== $$script"; ran=1; \
		$(PYTHON) "$$script" || failed="$$failed $$script"; \
	done; \
	[ "$$ran" = 1 ] || echo "No benchmarks in bench/."; \
	if [ -n "$$failed" ]; then echo "Failed:$$failed" >&2; exit 1; fi

# --- Cleaning -----------------------------------------------------------------

clean:
	rm -rf $(GOVUK_OUT) $(CSS_OUT) bench/out .pytest_cache
	find . -path ./$(VENV) -prune -o -path ./node_modules -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf node_modules $(VENV)
