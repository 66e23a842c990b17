# The README's two commands are `make run` and `make test`; everything else supports them.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
TEST_WORKERS ?= 2
CHROMIUM ?= /usr/bin/chromium

.PHONY: run demo-reset demo-fresh test lint format migrate demo browser oidc-provider bench container-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when a requirements file changes.
$(VENV)/.installed-run: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

## run: the desk on the embedded default (SQLite in var/, no Redis): web + worker + beat.
# The demo's platforms are answered on this machine (channels.demo.replay): nothing leaves 127.0.0.1.
run: export DESK_DEMO_REPLAY = true
run: $(VENV)/.installed-run
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Open http://127.0.0.1:$${DESK_PORT:-8000}/ and log in with a user printed above (Ctrl-C stops everything)."
	$(BIN)/honcho -f Procfile.dev start

## demo-reset: new passwords for the demo users (admin, manager, advocate), printed once; it signs them out of every
## browser. The demo's channels are left as they were (polled or paused).
demo-reset: $(VENV)/.installed-run
	$(BIN)/python manage.py seed_demo --reset-passwords

## demo-fresh: start the demo over with a week ending today (the demo never refills: its week ends the day it was
## seeded). The embedded database under var/ is made again and the demo users get new passwords (printed); stop
## `make run` first, then `make run` again. Refused on any other database (DATABASE_URL): it never wipes one.
demo-fresh: $(VENV)/.installed-run
	DESK_DEMO_REPLAY=true $(BIN)/python manage.py seed_demo --fresh

## test: the whole suite against PostgreSQL and Redis on localhost (see advocacy/settings_test.py), after
## lint, the type check (mypy: pyproject.toml [tool.mypy]) and a check that no model change lacks its migration.
## TEST_WORKERS: how many pytest processes share the suite (pytest-xdist; 0 runs it in one process).
test: $(VENV)/.installed-dev browser oidc-provider
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

## browser: Debian's chromium (end-to-end test) and dovecot (IMAP tests), installed when missing.
browser:
	@missing=""; [ -x $(CHROMIUM) ] || missing="$$missing chromium"; [ -x /usr/sbin/dovecot ] || missing="$$missing dovecot-imapd"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Install Debian's$$missing (sudo apt-get install$$missing) for the browser and IMAP tests." >&2; exit 1; fi; \
	fi

## oidc-provider: the OpenID Connect provider the single sign-on tests run (node; npm packages from its
## lock file, reinstalled when the lock file changes). Debian's nodejs and npm installed when missing.
OIDC_PROVIDER := access/tests/oidc_provider
oidc-provider: $(OIDC_PROVIDER)/node_modules/.package-lock.json

$(OIDC_PROVIDER)/node_modules/.package-lock.json: $(OIDC_PROVIDER)/package-lock.json
	@missing=""; command -v node >/dev/null || missing="$$missing nodejs"; command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Install Debian's$$missing (sudo apt-get install$$missing) for the single sign-on tests." >&2; exit 1; fi; \
	fi
	npm ci --prefix $(OIDC_PROVIDER) --no-audit --no-fund --loglevel=error

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/ingest_throughput.py
	$(BIN)/python bench/claim_latency.py

## container-test: build the image (Containerfile) on a Debian-made base, run compose.yaml's stack with podman
## and use it (tests/container/run.sh; docs/operations.md, "Containers"). Installs podman and mmdebstrap when missing.
container-test:
	bash tests/container/run.sh

clean:
	rm -rf var staticfiles
