# The two commands of the README: `make demo` (set up + the whole gate on the demo shop)
# and `make test` (set up + the test suite). Everything else is a building block.
.PHONY: setup demo test lint bench clean
PY := .venv/bin/python

setup:
	@scripts/setup.sh

# the path a user takes: make a gate project (here, the demo shop's example), then run it
demo: setup
	$(PY) -m harness init --example demo --force demo-project >/dev/null
	cd demo-project && ../$(PY) -m harness run

# the fast part in parallel, then the whole-gate tests one at a time (a busy machine would
# make their load tests invalid, which the gate rightly reports as INCONCLUSIVE)
test:
	@scripts/setup.sh --with-postgres
	$(PY) -m pytest -n 2 -m "not gate" tests
	$(PY) -m pytest -m gate tests

lint: setup
	$(PY) -m ruff check harness harness_contract harness_steps harness_demo_shop harness_browser harness_load harness_watch tests bench
	$(PY) -m mypy
	.venv/bin/lint-imports

bench: setup
	$(PY) bench/bench_demo_shop.py
	$(PY) bench/bench_gray.py
	$(PY) bench/bench_load.py
	$(PY) bench/bench_browser.py
	$(PY) bench/bench_gate.py

clean:
	rm -rf reports/2* reports/latest demo-project .pytest_cache
