# wmo-portal: two commands on a fresh machine.
#   make demo   install into .venv, create the SQLite database with demo data, serve the portal
#   make test   install what the tests need (PostgreSQL server included) and run every test
# Everything the project needs is installed from here: CI starts from a clean clone.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install install-test demo serve test test-sqlite test-postgresql bench system-postgresql \
        system-xmllint system-fonts system-chromium audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalled whenever the dependency list or the pins change.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) install -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -c constraints.txt -e '.[test]'
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed-test
	$(PIP) install -c constraints.txt -e '.[test,bench]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

demo: install system-fonts
	WMO_ENV=demo $(BIN)/wmo-portal init-db
	WMO_ENV=demo $(BIN)/wmo-portal demo-data
	@echo ""
	@echo "  Wmo-portaal: http://127.0.0.1:$(PORT)"
	@echo "  Inloggen met aanbieder@example.nl, gemeente@example.nl of beheer@example.nl,"
	@echo "  wachtwoord: demo"
	@echo ""
	WMO_ENV=demo PORT=$(PORT) $(BIN)/wmo-portal serve --port $(PORT)

# PostgreSQL's server binaries (Debian package `postgresql`), for the second test run.
system-postgresql:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; else \
		echo "PostgreSQL-server ontbreekt: installeren met apt-get"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; \
	fi

test: install-test system-postgresql system-fonts system-chromium
	$(BIN)/python -m pytest
	WMO_TEST_DATABASE=postgresql $(BIN)/python -m pytest -m db
	$(BIN)/python -m tests.audit_dependencies

# Known vulnerabilities in the pinned dependencies (pip-audit; says so when its service is unreachable).
audit: install-test
	$(BIN)/python -m tests.audit_dependencies

test-sqlite: install-test system-chromium
	$(BIN)/python -m pytest

test-postgresql: install-test system-postgresql
	WMO_TEST_DATABASE=postgresql $(BIN)/python -m pytest -m db

# DejaVu Sans (Debian package `fonts-dejavu-core`): the PDF of a plan writes every character.
system-fonts:
	@if [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then :; else \
		echo "DejaVu-lettertype ontbreekt: installeren met apt-get"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq fonts-dejavu-core >/dev/null; \
	fi

# Chromium (Debian package `chromium`) for the browser tests: Playwright drives it, as downloading
# Playwright's own browser builds is not possible here (tests/browser/plugin.py).
system-chromium:
	@if command -v chromium >/dev/null 2>&1; then :; else \
		echo "Chromium ontbreekt: installeren met apt-get"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; \
	fi

# xmllint (Debian package `libxml2-utils`), the reference `make bench` measures the validator against.
system-xmllint:
	@if command -v xmllint >/dev/null 2>&1; then :; else \
		echo "xmllint ontbreekt: installeren met apt-get"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libxml2-utils >/dev/null; \
	fi

# The load test (bench/load.py) needs Locust and a throwaway PostgreSQL server.
bench: $(VENV)/.installed-bench system-xmllint system-postgresql
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
