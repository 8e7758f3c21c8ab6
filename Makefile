# Entry points. `make demo` sets up, generates the demo data, builds, exports and serves the
# dashboard on 127.0.0.1; `make test` sets up and runs every test.

PYTHON ?= python3
VENV := .venv
VENV_MYSQL := .venv-mysql
BIN := $(VENV)/bin
DBT := $(BIN)/dbt
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

# Demo data: deterministic for a seed and size; processed_data/ is committed from it.
DEMO_EVENTS ?= 500000
DEMO_SEED ?= 20250701
DEMO_DB ?= data/matomo_demo.duckdb
# The DuckDB file that `make build` and `make export` read: the demo file unless set.
export HYBRID_DUCKDB_PATH ?= $(DEMO_DB)
DEMO_VARS ?= {app_database_enabled: true}
PORT ?= 8501

.PHONY: help setup setup-mysql setup-browser demo demo-data build export serve test test-fast benchmark clean

help:
	@echo "make demo       set up, generate demo data, dbt build, export, serve the dashboard on 127.0.0.1:$(PORT)"
	@echo "make test       set up (both dbt environments, Chromium) and run every test"
	@echo "make build      dbt build of the demo settings on HYBRID_DUCKDB_PATH (default: $(DEMO_DB))"
	@echo "make export     write processed_data/ from the models built there"
	@echo "make serve      serve the dashboard from processed_data/"
	@echo "make benchmark  time and measure memory of generator, dbt build and export"

$(BIN)/.installed: requirements.txt app/requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

profiles.yml:
	cp profiles.yml.example profiles.yml

setup: $(BIN)/.installed profiles.yml

$(VENV_MYSQL)/bin/.installed: requirements-mysql.txt
	test -x $(VENV_MYSQL)/bin/python || $(PYTHON) -m venv $(VENV_MYSQL)
	$(VENV_MYSQL)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_MYSQL)/bin/python -m pip install --quiet -r requirements-mysql.txt
	touch $@

setup-mysql: $(VENV_MYSQL)/bin/.installed

# Browser tests drive Debian's Chromium; Playwright never downloads a browser here.
setup-browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

$(DEMO_DB): | $(BIN)/.installed
	mkdir -p $(dir $(DEMO_DB))
	$(BIN)/python -m generator --events $(DEMO_EVENTS) --seed $(DEMO_SEED) --prefix matomo_ --output $(DEMO_DB)

demo-data: $(DEMO_DB)

build: setup
	$(DBT) build --profiles-dir . --vars '$(DEMO_VARS)'

export: setup
	$(BIN)/python -m export --profiles-dir . --output processed_data

serve: setup
	$(BIN)/streamlit run app/streamlit_app.py --server.address 127.0.0.1 --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false --client.toolbarMode viewer

demo: setup demo-data build export serve

test: setup setup-mysql setup-browser
	$(BIN)/python -m pytest

# Everything but the MariaDB and browser tests.
test-fast: setup
	$(BIN)/python -m pytest -m "not mysql and not browser"

benchmark: setup
	$(BIN)/python scripts/benchmark.py

clean:
	rm -rf target logs data test-artifacts
