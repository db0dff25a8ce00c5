#!/usr/bin/env bash
# Installs what the demo and the tests need beyond the Rust toolchain, idempotently:
# a git-ignored Python venv in .venv holding the local AWS endpoint (moto's server mode)
# and boto3, used by the seeding and fault-injection scripts. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

requirements=scripts/requirements.txt
venv=.venv
stamp=$venv/.installed

python=${PYTHON:-python3}
if ! command -v "$python" >/dev/null 2>&1; then
  echo "setup: python3 is needed for the local AWS endpoint; install it (apt-get install python3 python3-venv)" >&2
  exit 2
fi

if [ ! -x "$venv/bin/python" ]; then
  if ! "$python" -m venv "$venv" 2>/dev/null; then
    echo "setup: creating a venv failed; installing Debian's python3-venv" >&2
    if command -v apt-get >/dev/null 2>&1; then
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
      "$python" -m venv "$venv"
    else
      echo "setup: install python3-venv and run again" >&2
      exit 2
    fi
  fi
fi

# Reinstall only when the pinned requirements changed.
if [ ! -f "$stamp" ] || ! cmp -s "$requirements" "$stamp"; then
  echo "setup: installing $(tr '\n' ' ' < "$requirements")into $venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$stamp"
fi
