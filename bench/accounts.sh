#!/usr/bin/env bash
# Peak memory, CPU and wall time of a scan of several accounts; prints a Markdown table.
#   bench/accounts.sh [--accounts N] [--buckets N] [--runs N]      (PROFILE=debug for a quick, unoptimised run)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/compliance-target}
profile=${PROFILE:-release}
scripts/setup.sh
if [ "$profile" = release ]; then cargo build --quiet --release; else cargo build --quiet; fi
.venv/bin/python bench/accounts_bench.py "$CARGO_TARGET_DIR/$profile/compliance" "$@"
