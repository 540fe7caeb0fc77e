# Wijkstem: `make run` serves the app, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
WORKERS ?= 2
LOCALES := nl en tr ar pl
FLASK  := $(BIN)/flask --app wsgi
PG_TEST_URL ?= postgresql+psycopg://127.0.0.1:5432/test

.PHONY: run install install-test translations compile-translations migrate lint test test-sqlite test-postgres browser-deps bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python scripts/requirements.py > $(VENV)/requirements.txt
	$(BIN)/python -m pip install --quiet -r $(VENV)/requirements.txt
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python scripts/requirements.py test > $(VENV)/requirements-test.txt
	$(BIN)/python -m pip install --quiet -r $(VENV)/requirements-test.txt
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test browser-deps

compile-translations: install
	$(BIN)/pybabel compile --statistics -d translations

translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --sort-output --project Wijkstem .
	for l in $(LOCALES); do \
	  if [ -f translations/$$l/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel update -i translations/messages.pot -d translations -l $$l --no-fuzzy-matching --ignore-obsolete; \
	  else $(BIN)/pybabel init -i translations/messages.pot -d translations -l $$l; fi; \
	done
	$(BIN)/python scripts/english_catalog.py
	$(BIN)/pybabel compile --statistics -d translations

migrate: install
	$(FLASK) db upgrade

run: compile-translations migrate
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)} $(FLASK) seed-demo --if-empty
	@echo "Wijkstem on http://$(HOST):$(PORT)/"
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) --workers $(WORKERS) wsgi:app

# Debian's Chromium, poppler and Redis for the tests; installed when missing and we may install packages.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! command -v pdftoppm >/dev/null || \
	    { ! command -v redis-server >/dev/null && ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; }; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    apt-get update -q && apt-get install -y -q chromium poppler-utils redis-server; \
	  else echo "Chromium, poppler-utils or redis-server missing and cannot be installed here: make test will fail."; fi; \
	fi

# Lint, format check and type check (the pure modules): `make test` runs this first.
lint: $(VENV)/.installed-test
	@echo "== ruff, mypy =="
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Browser and Redis tests fail instead of skipping: install-test installs what they need.
test: export WIJKSTEM_REQUIRE_BROWSER = 1
test: export WIJKSTEM_REQUIRE_REDIS = 1
test: install-test compile-translations
	@bash scripts/start_services.sh
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-sqlite
	@if $(BIN)/python scripts/pg_ready.py "$(PG_TEST_URL)"; then \
	  $(MAKE) --no-print-directory test-postgres; \
	elif [ -n "$$CI" ]; then echo "PostgreSQL is required in CI but not reachable at $(PG_TEST_URL)"; exit 1; \
	else echo "PostgreSQL not reachable at $(PG_TEST_URL): the PostgreSQL pass is skipped."; fi

test-sqlite:
	@echo "== test suite on SQLite =="
	WIJKSTEM_TEST_DATABASE=sqlite $(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres:
	@echo "== test suite on PostgreSQL =="
	WIJKSTEM_TEST_DATABASE=postgresql WIJKSTEM_TEST_PG_URL=$(PG_TEST_URL) $(BIN)/python -m pytest $(PYTEST_ARGS) -m "not slow"

# Speed figures (not pass/fail): counting, ticket sheets, a council evening under load.
bench: install-test compile-translations
	$(BIN)/python bench/tally.py --pabutools-timeout 400
	$(BIN)/python bench/certificate.py
	$(BIN)/python bench/sheets.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/council_evening.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
