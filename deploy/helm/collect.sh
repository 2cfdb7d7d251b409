#!/usr/bin/env bash
# Copy the evidence of a Locust run made with deploy/helm/locust-values.yaml into a harness run
# directory, then arrange it as `harness verdict RUN_DIR` reads it (python -m harness_load.collect:
# contract file names, the workers' purchase logs merged, the store's reconciliation fetched).
#   master: Locust's --csv files, generator.jsonl, phases.json, phase_stats.jsonl, master.log
#   every worker: its purchase log(s), raw/load/purchases/<pod>/<host>-<pid>.jsonl
# Usage: deploy/helm/collect.sh RELEASE RUN_DIR [STORE_URL]
# Run it once the master logged the end of the profile (with --autostart the pods stay up).
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
  kubectl cp "${master#pod/}:$f" "$load/$(basename "$f")" || echo "not on the master: $f" >&2
done
for worker in $(pods worker); do
  kubectl cp "${worker#pod/}:$src/purchases" "$load/purchases/${worker#pod/}" \
    || echo "no purchase log on $worker" >&2
done
PYTHONPATH=. .venv/bin/python -m harness_load.collect "$run_dir" ${store:+--store "$store"}
