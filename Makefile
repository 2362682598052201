# make run   - set up .venv and start the app on http://127.0.0.1:8501 (this computer only)
#              make run HOST=0.0.0.0 serves every network interface: see the README before you do
# make test  - set up .venv with the test tools and run every test
# make bench - run the benchmarks (ratios against baselines measured in the same run)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
HOST ?= 127.0.0.1

.PHONY: run test bench bench-peers clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt requirements-dask.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime
	$(BIN)/streamlit run app.py --server.address $(HOST) --server.port $(PORT)

test: $(VENV)/.dev
	$(BIN)/python -m pytest

bench: $(VENV)/.dev
	$(BIN)/python benchmarks/bench_core.py
	$(BIN)/python benchmarks/bench_stream.py
	$(BIN)/python benchmarks/bench_read.py
	$(BIN)/python benchmarks/bench_app.py

bench-peers: $(VENV)/.dev
	$(BIN)/pip install --quiet -r benchmarks/requirements-bench.txt
	$(BIN)/python benchmarks/bench_peers.py

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
