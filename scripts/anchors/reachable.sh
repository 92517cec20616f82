#!/usr/bin/env bash
# What features dated before T can reach at all, on one plan (scripts/anchors/reachable.py says
# how). A yardstick outside the product: needs Debian's python3-xgboost, python3-pandas and
# python3-sklearn, and the team's ../shared/anchors/xgboost/export-features.mjs.
# Usage, from the project root:
#   bash scripts/anchors/reachable.sh PLAN RUN T
#     PLAN: a plan folder with its history (PLAN/history), e.g. .bench/quality-100000-s11
#     RUN:  a run trained for as-of T on it (rafcast train), e.g. .bench/quality-run-100000-s11-2024-mlp-1
#     T:    the as-of year (incremental revenue needs RAF_{T+1} in the history)
set -euo pipefail
[ $# -eq 3 ] || { sed -n 2,10p "$0"; exit 2; }
plan=$1 run=$2 T=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
node bin/rafcast.js features --data "$plan" --as-of "$T" --out "$work/features.parquet" > /dev/null
node bin/rafcast.js evaluate --run "$run" --as-of "$T" --data "$plan" --all-members --out "$work/evaluation" > /dev/null
node ../shared/anchors/xgboost/export-features.mjs "$work/features.parquet" "$plan/history/raf_history.parquet" "$T" "$work/features.csv" > /dev/null
/usr/bin/python3 "$(dirname "$0")/reachable.py" "$work/features.csv" "$work/evaluation/members.csv" "$work/features.parquet.schema.json"
