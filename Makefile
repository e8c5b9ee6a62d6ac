# The two commands a newcomer needs: `make generate` and `make test`.
# Both create a local virtual environment with the pinned dependencies on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Test processes (pytest-xdist): the suite takes about 14 to 21 minutes on one, 6 to 9 on two.
TEST_WORKERS ?= 2
STAMP := $(VENV)/.installed

.PHONY: generate test check docs bench gpu clean-venv

# The package itself is installed editable (from generated/) with its pinned `dev` extra.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

generate: $(STAMP)
	$(BIN)/python -m transpiler generate

check: $(STAMP)
	$(BIN)/python -m transpiler generate --check
	$(BIN)/python -m transpiler docs --check

# The reference pages of docs/ops/ (one per op and an index), from the specs and generated/.
docs: $(STAMP)
	$(BIN)/python -m transpiler docs

test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

# On a machine with a CUDA GPU: CuPy parity for every op and the GPU benchmark against
# PyTorch eager CUDA; results in results/gpu/ (commit them).
gpu: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,cupy]"
	$(BIN)/python -m pytest -q -m gpu
	$(BIN)/python scripts/gpu_check.py

clean-venv:
	rm -rf $(VENV)
