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

# The desktop bundle (dist/gigbag/ and its .tar.gz, see packaging/README.md), and the release check CI runs on it.
bundle:
	packaging/build

release-check: system-deps
	packaging/release-check

# Benchmarks (bench/, figures in docs/performance.md): quick sizes by default, BENCH=full for the issue's sizes.
# They install the optional `bench` extra (Anki, the peer of bench_sync.py; py-spy) first.
BENCH ?= quick
bench: $(STAMP)
	$(BIN)/pip install -q -e ".[server,dev,bench]"
ifeq ($(BENCH),full)
	$(BIN)/python bench/bench_sync.py
	$(BIN)/python bench/bench_files.py --size 1GiB --rounds 3
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/bench_start.py --rounds 9
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/bench_ui_lists.py
	$(BIN)/python bench/bench_pattern_audio.py
	$(BIN)/python bench/bench_small_files.py --files 500
	$(BIN)/python bench/bench_noop.py --sizes 1000,100000 --files 1000,5000 --noops 10
else
	$(BIN)/python bench/bench_sync.py --quick
	$(BIN)/python bench/bench_files.py --size 256MiB --rounds 2
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/bench_start.py --rounds 5
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/bench_ui_lists.py --rows 20000 --seconds 3
	$(BIN)/python bench/bench_pattern_audio.py --rounds 3
	$(BIN)/python bench/bench_small_files.py --files 100 --rounds 3
	$(BIN)/python bench/bench_noop.py --sizes 1000 --files 1000 --noops 10 --rounds 3
endif
