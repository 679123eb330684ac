# govtool: `make run` serves the app with demo data, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export FLASK_APP := govtool
# The suite runs on every core (pytest-xdist; each worker has its own PostgreSQL database).
PYTEST_ARGS ?= -n auto

.PHONY: run worker test lint format install install-test translations migrate bench bench-load bench-tools clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install only when the project definition changed.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed translations

install-test: $(VENV)/.installed-test translations

translations: $(VENV)/.installed
	$(BIN)/govtool translations compile

migrate: install
	$(BIN)/govtool db upgrade

run: migrate
	$(BIN)/govtool demo load --if-empty
	$(BIN)/govtool run --host 127.0.0.1 --port 5000

# The job worker (mail, reminders) with RQ's scheduler; needs GOVTOOL_REDIS_URL. Without it
# `make run` runs jobs in-process and no worker is needed.
worker: migrate
	$(BIN)/govtool worker

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy govtool

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Pages, documents, memory and capacity; then the calendars beside the meeting page.
bench: install-test bench-tools
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.bench_ics

# Only the capacity run (one server, two behind haproxy, hello), a few minutes.
bench-load: install-test bench-tools
	$(BIN)/python -m bench.load

# The capacity run drives the load with wrk and balances two servers with haproxy (Debian
# packages; installed here when missing and root, as .ci/run does for the browser).
bench-tools:
	@missing=""; \
	command -v wrk >/dev/null 2>&1 || missing="$$missing wrk"; \
	command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing="$$missing haproxy"; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq || true; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "warning: the capacity run needs$$missing (apt-get install$$missing)" >&2; \
	  fi; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
