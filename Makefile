# The two commands of the README: `make up` (stack + storefront) and `make test` (everything).
VENV := .venv
BIN := $(VENV)/bin
SYNCED := $(VENV)/.synced-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)

.PHONY: up down status test test-unit lint seed venv

$(SYNCED): requirements.lock pyproject.toml
	@test -x $(BIN)/python || python3 -m venv $(VENV)
	@$(BIN)/pip install -q uv==0.13.8
	@$(BIN)/uv pip install -q --python $(BIN)/python -r requirements.lock
	@$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	@rm -f $(VENV)/.synced-* && touch $@

venv: $(SYNCED)

up: venv
	$(BIN)/shopctl up

down: venv
	$(BIN)/shopctl down

status: venv
	$(BIN)/shopctl status

seed: venv
	$(BIN)/shopctl seed

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# Provisions and starts what is missing, lints, then runs every test against the real engines.
# pytest's exit code 5 ("no tests collected") is a failure here, never a silent pass.
test: venv
	$(BIN)/shopctl up
	$(MAKE) --no-print-directory lint
	@$(BIN)/pytest; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

# Lint plus every test that needs no engine (pure rules, agents on in-memory ports): seconds.
test-unit: venv lint
	$(BIN)/pytest -m "not engines"
