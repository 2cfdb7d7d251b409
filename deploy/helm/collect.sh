#!/usr/bin/env bash
# Copy the evidence of a Locust run made with deploy/helm/locust-values.yaml into a harness run
# directory, in the layout `harness verdict RUN_DIR` reads (docs/contracts.md, raw/load):
#   master: Locust's CSVs (renamed to stats.csv, stats_history.csv, failures.csv,
#           exceptions.csv), generator.jsonl, phases.json, phase_stats.jsonl, master.log
#   every worker: its purchase log raw/load/purchases/<pod>-<pid>.jsonl, merged into
#           purchases.jsonl
#   the store: GET /api/reconciliation into raw/store/reconciliation.json (STORE_URL, optional)
# Usage: deploy/helm/collect.sh RELEASE RUN_DIR [STORE_URL]
# Run it after the master logged the end of the profile (the pods stay up with --autostart).
set -euo pipefail
release=${1:?release name}; run_dir=${2:?run directory}; store=${3:-}
src=/tmp/harness/raw/load
load="$run_dir/raw/load"
mkdir -p "$load/purchases"
pods() { kubectl get pods -l "app.kubernetes.io/instance=$release,component=$1" -o name; }
master=$(pods master | head -n1)
for f in /tmp/locust_stats.csv /tmp/locust_stats_history.csv /tmp/locust_failures.csv \
         /tmp/locust_exceptions.csv /tmp/master.log \
         "$src/generator.jsonl" "$src/phases.json" "$src/phase_stats.jsonl"; do
  dest=$(basename "$f"); dest=${dest#locust_}
  kubectl cp "${master#pod/}:$f" "$load/$dest" || echo "missing on the master: $f" >&2
done
for worker in $(pods worker); do
  kubectl cp "${worker#pod/}:$src/purchases" "$load/purchases/${worker#pod/}" || true
done
find "$load/purchases" -name '*.jsonl' -exec cat {} + > "$load/purchases.jsonl"
if [ -n "$store" ]; then
  PYTHONPATH=. .venv/bin/python -c "import sys; from pathlib import Path; \
from loadtests.reconciliation import fetch_reconciliation as f; \
e = f(sys.argv[1], Path(sys.argv[2])); print(e or 'reconciliation saved')" \
    "$store" "$run_dir/raw/store/reconciliation.json"
fi
echo "evidence in $load; judge it with: .venv/bin/harness verdict $run_dir"
