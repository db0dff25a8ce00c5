#!/usr/bin/env bash
# Runs the scan benchmark against the local AWS endpoint and prints a Markdown table.
#   bench/run.sh [--buckets N] [--hosts N] [--databases N] [--tables N] [--balancers N] [--repositories N] [--runs N]      (PROFILE=debug for a quick, unoptimised run)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/compliance-target}
profile=${PROFILE:-release}
scripts/setup.sh
if [ "$profile" = release ]; then cargo build --quiet --release; else cargo build --quiet; fi
.venv/bin/python bench/scan_bench.py "$CARGO_TARGET_DIR/$profile/compliance" "$@"
