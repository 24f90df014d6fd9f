# The two commands of the README: `make up` (stack + storefront) and `make test` (everything).
# `make` alone lists the targets: each documents itself after `##`.
VENV := .venv
BIN := $(VENV)/bin
SYNCED := $(VENV)/.synced-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)
LOCK_PYTHON := 3.11
UV_VERSION := 0.13.8

.DEFAULT_GOAL := help
.PHONY: help up down status reset seed test test-unit lint venv lock

help: ## list the targets
	@echo "make TARGET, with TARGET one of:"
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# .venv from requirements.lock, with the first supported Python ops/find_python.sh finds
# (or PYTHON=/path/to/python); re-synced whenever the lock or pyproject.toml changes.
$(SYNCED): requirements.lock pyproject.toml
	@test -x $(BIN)/python || { \
	  py="$${PYTHON:-$$(sh ops/find_python.sh)}" && echo "creating $(VENV) with $$py" \
	  && "$$py" -m venv $(VENV); }
	@$(BIN)/pip install -q uv==$(UV_VERSION)
	@$(BIN)/uv pip install -q --python $(BIN)/python -r requirements.lock
	@$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	@rm -f $(VENV)/.synced-* && touch $@

venv: $(SYNCED) ## create or update .venv (app, test and lint tools) from requirements.lock

# PROFILE=cluster (three Kafka brokers, two workers per role) or PROFILE=single is recorded
# in the stack; without PROFILE, `up` keeps the profile recorded (single at first).
up: venv ## provision what is missing (first run), start the engines and the storefront
	$(BIN)/shopctl up $(if $(PROFILE),--$(PROFILE))

down: venv ## stop every process of the stack (data stays)
	$(BIN)/shopctl down

status: venv ## health, endpoint, pid, memory and log of every process
	$(BIN)/shopctl status

reset: venv ## stop the stack and delete its data after asking (downloads and secrets stay)
	$(BIN)/shopctl reset

seed: venv ## load the demo catalog (10,000 products); adds only what is missing
	$(BIN)/shopctl seed

lint: venv ## ruff check, ruff format --check and the import layer contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# pytest's exit code 5 ("no tests collected") is a failure here, never a silent pass.
test: venv ## up, lint, then every test against the real engines
	$(BIN)/shopctl up
	$(MAKE) --no-print-directory lint
	@$(BIN)/pytest; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

test-unit: venv lint ## lint plus every test that needs no engine, in seconds
	$(BIN)/pytest -m "not engines"

# Both locks from pyproject.toml: the .venv's with the dev tools, then the image's (Dockerfile)
# without them, constrained to the same pins (tests/test_locks.py checks they agree).
lock: venv ## recompile requirements.lock and requirements.runtime.lock after editing pyproject.toml
	$(BIN)/uv pip compile -q pyproject.toml --extra dev --python-version $(LOCK_PYTHON) \
	  -o requirements.lock
	$(BIN)/uv pip compile -q pyproject.toml --python-version $(LOCK_PYTHON) \
	  -c requirements.lock -o requirements.runtime.lock
