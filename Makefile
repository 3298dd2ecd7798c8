# The two commands of the README. Both set up what they need on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup system-deps lint format-check bench bundle release-check

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q -U pip
	$(BIN)/pip install -q -e ".[server,dev]"
	touch $(STAMP)

setup: $(STAMP)

# Debian packages Qt (offscreen and under Xvfb), audio and PostgreSQL need; installed when run as root.
system-deps:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  .ci/system-deps; \
	else echo "not root: skipping apt packages (see .ci/system-deps)"; fi

run: $(STAMP)
	$(BIN)/gigbag $(ARGS)

test: system-deps $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

# What CI checks besides the tests: ruff's rules, ruff's formatting (checked, never rewritten here), mypy.
lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy app sync local_db server ui schema cli

format-check: $(STAMP)
	$(BIN)/ruff format --check .

# Every benchmark under bench/ (or only BENCH=bench/bench_x.py), each printing its figures against a
# baseline it measures in the same run; BENCH_ARGS go to each script (e.g. BENCH_ARGS="--help").
BENCH ?= $(sort $(wildcard bench/bench_*.py))
bench: $(STAMP)
	@for script in $(BENCH); do \
	  echo "== $$script"; \
	  QT_QPA_PLATFORM=$${QT_QPA_PLATFORM:-offscreen} $(BIN)/python $$script $(BENCH_ARGS) || exit 1; \
	done

# The desktop bundle (dist/gigbag/ and its .tar.gz, see packaging/README.md), and the release check CI runs on it.
bundle:
	packaging/build

release-check: system-deps
	packaging/release-check
