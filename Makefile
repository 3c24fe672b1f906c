# Kruzhok: `make run` serves the demo, `make test` runs the whole suite on SQLite and PostgreSQL.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
STAMP := $(VENV)/.installed

.PHONY: run worker install system-deps messages compilemessages migrate demo test test-sqlite test-postgres lint \
        makemessages bench-scale clean

$(STAMP): pyproject.toml | system-deps
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: system-deps $(STAMP) compilemessages

# gettext compiles the translations, Debian's chromium runs the browser tests (Playwright drives it,
# never downloads a browser of its own), venv needs ensurepip: installed from Debian where missing.
system-deps:
	@command -v msgfmt >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq gettext; }
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }
	@command -v pdftoppm >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq poppler-utils; }
	@ldconfig -p | grep -q libpango-1.0 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0; }
	@[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq fonts-dejavu-core; }
	@$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || { $(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq python3-venv; }

compilemessages: $(STAMP)
	@$(PY) manage.py compilemessages --ignore=.venv -v 0

# For developers: collect new strings into locale/*/LC_MESSAGES/django.po (then translate them).
makemessages: $(STAMP)
	$(PY) manage.py makemessages -l ru -l kk -l en --ignore=.venv --ignore=var --ignore=bench --no-obsolete

migrate: install
	$(PY) manage.py migrate --noinput -v 0

demo: migrate
	$(PY) manage.py demo --if-empty

# The background worker (imports, duplicate search, reports, aggregates) runs beside the web server and stops with it.
run: demo
	@$(PY) manage.py logins
	@echo "Serving http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@$(PY) manage.py recover_jobs -v 0; $(PY) manage.py db_worker --queue-name '*' >var/worker.log 2>&1 & \
		worker=$$!; $(PY) manage.py run_schedule --loop >var/schedule.log 2>&1 & scheduler=$$!; \
		trap 'kill $$worker $$scheduler 2>/dev/null' EXIT INT TERM; \
		$(PY) manage.py runserver $(HOST):$(PORT)

# The background worker alone (production runs it as its own service, beside the web server), with the scheduler
# (manage.py run_schedule --loop: weekly, monthly and quarterly reports, aggregates refresh — each period once).
worker: migrate
	$(PY) manage.py recover_jobs
	$(PY) manage.py run_schedule --loop >>var/schedule.log 2>&1 & scheduler=$$!; \
		trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
		$(PY) manage.py db_worker --queue-name '*'


# The two halves run side by side (one core each); each prints its own summary when it ends.
test: install
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

test-sqlite:
	DATABASE_URL=sqlite:///var/test-main.sqlite3 $(PY) -m pytest $(PYTEST_ARGS)

# In CI (CI=true) an unreachable PostgreSQL fails the run; locally it is reported loudly and skipped.
test-postgres:
	@if $(PY) -m kruzhok.core.pgcheck "$(PG_URL)"; then \
		DATABASE_URL="$(PG_URL)" $(PY) -m pytest $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
		echo "FAIL: PostgreSQL at $(PG_URL) is unreachable and CI=true"; exit 1; \
	else \
		echo "WARNING: PostgreSQL at $(PG_URL) is unreachable: the PostgreSQL half of the suite did NOT run"; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy kruzhok/*/services.py kruzhok/*/selectors.py kruzhok/accounts/scoping.py kruzhok/monitoring/columnar.py

bench-scale: migrate
	DATABASE_URL="$(PG_URL)" $(PY) bench/scale.py $(if $(QUICK),--quick,)

# Catalog search over 60 000 programmes / 100 000 groups (QUICK=1: 6 000 / 10 000) in its own database,
# bench_search, on the server of PG_URL (created, filled once and kept; see bench/search.py).
.PHONY: bench-search
bench-search: install
	DATABASE_URL="$(PG_URL)" $(PY) bench/search.py $(if $(QUICK),--quick,)

# The enrollment rush through the JSON API of granian (the production server) on PostgreSQL (QUICK=1: 400 and 2 000 applicants), with
# pgbench -N on the same server; its own databases bench_rush and bench_rush_pgbench on the server of PG_URL,
# dropped at the end (see bench/rush.py; RUSH_WORKERS, RUSH_THREADS, RUSH_CONCURRENCY tune it).
.PHONY: bench-rush
bench-rush: install
	PG_URL="$(PG_URL)" $(PY) bench/rush.py $(if $(QUICK),--quick,)

# Coverage breakdown live / from aggregates / DuckDB baseline, aggregates refresh and the monitoring dashboard over
# 2.5 M children in bench_scale (QUICK=1: 50 000 in bench_scale_quick) on the server of PG_URL (filled once, kept).
.PHONY: bench-coverage
bench-coverage: install
	PG_URL="$(PG_URL)" $(PY) bench/coverage.py $(if $(QUICK),--quick,)

# The demo municipality's report (support centre, 1 January to today) in DOCX, PDF and XLSX, written to var/reports/.
.PHONY: report-demo
report-demo: demo
	$(PY) manage.py report_demo --out var/reports

# Report generation: the demo municipality's report in all three formats (bench_reports, filled once) and the regional
# table over the 2.5 M children of bench_scale (QUICK=1: the demo region) on the server of PG_URL (see bench/reports.py).
.PHONY: bench-reports
bench-reports: install
	PG_URL="$(PG_URL)" $(PY) bench/reports.py $(if $(QUICK),--quick,)

# Import of 100 000 children with guardians and enrollments from one XLSX, end to end (QUICK=1: 5 000), in its own
# database bench_import (bench_import_quick) on the server of PG_URL, emptied before each run (see bench/import.py).
.PHONY: bench-import
bench-import: install
	DATABASE_URL="$(PG_URL)" $(PY) bench/import.py $(if $(QUICK),--quick,)

clean:
	rm -rf $(VENV) var/static

# Duplicate children: generated records with known identity at 100 000, 1 000 000 and 2 500 000 (QUICK=1: 100 000),
# our pipeline and Splink's stock comparisons; no database (see bench/dedup.py).
.PHONY: bench-dedup
bench-dedup: install
	$(PY) bench/dedup.py $(if $(QUICK),--quick,)
