# glueforge: every target does its own set-up, idempotently.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup demo test test-unit test-integration lint typecheck bench services doctor clean help

help:  ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	@scripts/check_java.sh
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11" >&2; exit 2; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)  ## venv, packages, JDBC drivers + Graphviz, Java check, JVM class cache
	@scripts/ensure_system_packages.sh
	@$(BIN)/python -m glueforge.class_cache

services:  ## start (or install and start) PostgreSQL and MariaDB
	@scripts/ensure_services.sh

demo: setup  ## run the main job on embedded defaults
	$(BIN)/python -m pipelines.demo

test: setup services  ## the whole suite (unit + integration)
	$(BIN)/pytest tests

test-unit: setup  ## fast tier: no JVM, no database
	$(BIN)/pytest tests -m unit

test-integration: setup services  ## Spark, Iceberg, databases, dbt
	$(BIN)/pytest tests -m "not unit"

lint: setup  ## ruff + mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check glueforge transforms migration pipelines tests bench
	$(BIN)/mypy

bench: setup services  ## list the benchmarks (run one: .venv/bin/python -m bench NAME; see docs/benchmarks.md)
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python -m bench

doctor: setup  ## check Java, Spark, Iceberg jar, JDBC drivers and databases
	$(BIN)/glueforge doctor

clean:  ## remove local warehouse, build output and caches (keeps the venv)
	rm -rf warehouse data out build dist spark-warehouse .pytest_cache .mypy_cache .ruff_cache
