#!/usr/bin/env bash
# The README's second command: installs what the tests need, then runs every test
# (unit tests, the rule harness, and the integration tests against the local AWS endpoint).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/compliance-target}
scripts/setup.sh
cargo test --all-targets --features lambda "$@"
