# Two commands do all the set-up on a fresh machine:
#   make run    create .venv if missing, then run the workflow on the embedded default
#   make test   create .venv if missing, then run the test suite
#
# torch: if .venv has no torch yet, TORCH_SPEC is installed first (default: the
# CPU build torch==2.13.0). GPU users install their own CUDA build into .venv
# before `make` (see README), or set TORCH_SPEC.

PYTHON ?= python3
VENV ?= .venv
CORES ?= 2
# Test processes (pytest-xdist): one file per process at a time, so a module's shared run stays in one process;
# files in the order tests/conftest.py gives (longest workflow runs first; --no-loadscope-reorder in pyproject.toml).
TEST_WORKERS ?= 2
TORCH_SPEC ?= torch==2.13.0
BIN := $(VENV)/bin

.PHONY: run test lint clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

run: $(VENV)/.installed
	$(BIN)/snakemake --cores $(CORES)

test: $(VENV)/.installed
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: $(VENV)/.installed
	$(BIN)/snakemake --lint

clean:
	rm -rf results .snakemake
