# infraplane: `make run` starts the main job, `make test` checks everything. Both set themselves up.
SHELL := /bin/bash
# Some machines set PYTHONDONTWRITEBYTECODE: then every `infraplane` process compiles its modules from source
# again (~0.1 s each). The commands here keep bytecode.
unexport PYTHONDONTWRITEBYTECODE
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
SERVE_HOST ?= 127.0.0.1
SERVE_PORT ?= 8080
EVAL_FILE ?= ../shared/eval/requests-dev.yaml

.PHONY: setup check-tools system-deps run test quick-test screenshots lint typecheck format bench bench-guardrails bench-orchestration bench-replay bench-soak bench-api bench-drift bench-team eval clean

setup: $(STAMP)

# uv installs the same packages as pip in about half the time (parallel, bytecode compiled on both cores);
# pip does it when uv cannot (no uv wheel for this machine, an index only pip's own configuration names).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip uv
	UV_NATIVE_TLS=1 UV_SYSTEM_CERTS=1 $(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode \
		$(if $(PIP_INDEX_URL),--index-url $(PIP_INDEX_URL)) $(if $(PIP_FIND_LINKS),--find-links $(PIP_FIND_LINKS)) \
		-e '.[dev]' || $(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

check-tools:
	@command -v terraform >/dev/null || command -v tofu >/dev/null || { echo "terraform (or tofu) is not on PATH" >&2; exit 1; }

# PostgreSQL for the store tests and Chromium for the browser tests (Debian's package; only installed when missing and we are root).
system-deps: check-tools
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then \
		if [ "$$(id -u)" = "0" ]; then \
			echo "installing PostgreSQL (apt-get)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
		else \
			echo "PostgreSQL binaries are missing: install Debian's postgresql package" >&2; exit 1; \
		fi; \
	fi
	@# Chromium for the web page's browser tests (Playwright drives it; its own download is not used).
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			echo "installing Chromium (apt-get)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "/usr/bin/chromium is missing: install Debian's chromium package" >&2; exit 1; \
		fi; \
	fi

# The server in the foreground (SERVE_HOST=127.0.0.1 SERVE_PORT=8080 by default); Ctrl-C stops it and all it started.
run: setup check-tools
	@SERVE_HOST=$(SERVE_HOST) SERVE_PORT=$(SERVE_PORT) bash scripts/run.sh

lint: setup
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy

# Three workers on two cores: the end-to-end cases spend much of their time in the AWS provider's
# waiters (an SQS queue ~30 s, RDS ~80 s), which a third worker fills with work. Each long end-to-end
# file stays on one worker and starts first (tests/conftest.py); the 15 slowest tests are listed at the end.
PYTEST_PARALLEL ?= -n 3 --dist loadgroup

test: setup system-deps lint typecheck
	$(BIN)/pytest $(PYTEST_PARALLEL) --durations=15 $(PYTEST_ARGS)

# The quick subset while you work: everything but the slow end-to-end cases.
quick-test: setup system-deps
	$(BIN)/pytest $(PYTEST_PARALLEL) -m "not slow" --durations=10 $(PYTEST_ARGS)

# Renew the web page's screenshots in docs/screenshots/ (the browser test makes them at 1280 and 390 px).
screenshots: setup system-deps
	SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(BIN)/pytest tests/interfaces/web/test_browser.py $(PYTEST_ARGS)

# Benchmarks print ratios against the peer they measure in the same run (see bench/README.md).
bench: setup check-tools
	$(BIN)/python -m bench.guardrails $(GUARDRAILS_ARGS)
	$(BIN)/python -m bench.orchestration $(BENCH_ARGS)
	$(BIN)/python -m bench.replay $(REPLAY_ARGS)

bench-guardrails: setup check-tools
	$(BIN)/python -m bench.guardrails $(GUARDRAILS_ARGS)

bench-orchestration: setup check-tools
	$(BIN)/python -m bench.orchestration $(BENCH_ARGS)

# Policy replay over 50 environments against the plain engine one environment at a time (no cloud needed).
bench-replay: setup
	$(BIN)/python -m bench.replay $(REPLAY_ARGS)

# The server under 100 concurrent clients: req/s, p50/p99 per route against /healthz on the same server.
bench-api: setup
	@command -v wrk >/dev/null || { [ "$$(id -u)" = "0" ] && echo "installing wrk (apt-get)" && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } || echo "wrk is missing: the bench falls back to a Python client" >&2
	$(BIN)/python -m bench.api $(API_ARGS)

# A fleet's drift check against sequential `terraform plan -refresh-only` per component: wall-time ratio, same drift.
bench-drift: setup check-tools
	$(BIN)/python -m bench.drift $(DRIFT_ARGS)

# Many small environments up and down at once by several processes on one home: spurious failures (goal 0).
bench-soak: setup check-tools
	$(BIN)/python -m bench.soak $(SOAK_ARGS)

# Team mode under faults: 40 proposals from 5 teams with 1 and with 2 workers, a worker killed every 60 s
# (throughput, lost, applied twice, audit verify). Needs PostgreSQL's binaries (`make system-deps`).
bench-team: setup check-tools system-deps
	$(BIN)/python -m bench.team $(TEAM_ARGS)

# How well `infraplane ask` resolves plain requests: blueprint, tier and full-input accuracy (EVAL_FILE=...).
eval: setup
	$(BIN)/python scripts/ask_eval.py $(EVAL_FILE) $(EVAL_ARGS)

format: setup
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

clean:
	rm -rf $(VENV) .infraplane .mypy_cache .ruff_cache .pytest_cache
