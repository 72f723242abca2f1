# Yiwang: the two commands are `make run` and `make test`; everything else supports them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py

.PHONY: run test lint typecheck pytest bench messages compilemessages demo clean help screenshots

help:
	@echo "make run    - serve the demo city on http://127.0.0.1:$(PORT) (SQLite)"
	@echo "make test   - lint, type check, tests on SQLite (and PostgreSQL when DATABASE_URL is set)"
	@echo "make bench  - benchmarks with ratios against this machine's raw limits"

# The venv is rebuilt when pyproject.toml changes, so a pin bump reaches every checkout.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Yiwang needs Python 3.11 or newer (found: $$($(PYTHON) --version))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Django's compilemessages needs GNU gettext; install it from Debian when it is missing.
compilemessages: $(STAMP)
	@command -v msgfmt >/dev/null || bash scripts/ensure-debian-packages.sh gettext
	$(MANAGE) compilemessages --ignore=.venv -v 0

run: compilemessages
	mkdir -p var
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) load_demo_city --if-empty
	$(MANAGE) demo_logins
	$(MANAGE) runserver 127.0.0.1:$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy yiwang bench

# pytest exits 5 when it collects nothing; that must fail the build, and it does, since make
# treats every non-zero exit as failure.
# The browser tests (marker `browser`: Debian's Chromium through Playwright, installed by
# their session fixture when missing) run in the SQLite pass only: they test pages, not the
# database, and a second run would double the suite's slowest part.
pytest: compilemessages
	DJANGO_SETTINGS_MODULE=yiwang.settings.test $(MANAGE) makemigrations --check --dry-run -v 0
	$(BIN)/python scripts/check_translations.py
	@echo "== test suite on SQLite =="
	env -u DATABASE_URL $(BIN)/pytest -n 2 -q
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "== test suite on PostgreSQL ($${DATABASE_URL%%\?*}) =="; \
		$(BIN)/pytest -n 2 -q -m "not browser"; \
	else echo "== PostgreSQL run skipped: DATABASE_URL is not set =="; fi

test: lint typecheck pytest

# The golden path's screenshots: the browser tests write them to var/screenshots/<variant>/
# (test artefacts); this copies the Chinese path and a few English/elder/phone steps to the
# committed docs/screenshots/ that the README shows.
screenshots: compilemessages
	env -u DATABASE_URL $(BIN)/pytest -n 2 -q -m browser
	$(BIN)/python scripts/copy_screenshots.py

bench: compilemessages
	$(BIN)/python -m bench

messages: $(STAMP)
	$(BIN)/python scripts/makemessages.py

demo: $(STAMP)
	$(MANAGE) load_demo_city

clean:
	rm -rf $(VENV) var/*.sqlite3*
