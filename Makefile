# The two commands of the README: `make demo` (set up + the whole gate on the demo shop)
# and `make test` (set up + the test suite). Everything else is a building block.
.PHONY: setup demo test lint bench clean
PY := .venv/bin/python

setup:
	@scripts/setup.sh

demo: setup
	$(PY) -m harness run

test: setup
	$(PY) -m pytest -n 2 tests

lint: setup
	$(PY) -m ruff check harness demo_shop e2e loadtests features tests bench
	$(PY) -m mypy
	.venv/bin/lint-imports

bench: setup
	$(PY) bench/run_all.py

clean:
	rm -rf reports/2* reports/latest .pytest_cache
