#!/usr/bin/env bash
# Starts or stops the local AWS endpoint (moto's server mode) on a free loopback port.
#   scripts/moto.sh start STATE_DIR   prints the endpoint URL; the pid goes to STATE_DIR/moto.pid
#   scripts/moto.sh stop STATE_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
action=${1:?usage: moto.sh start|stop STATE_DIR}
state=${2:?usage: moto.sh start|stop STATE_DIR}
mkdir -p "$state"

case "$action" in
  start)
    if [ ! -x .venv/bin/moto_server ]; then
      echo "moto.sh: the local AWS endpoint is not installed; run scripts/setup.sh" >&2
      exit 2
    fi
    # scripts/emulator.py: moto plus the CBOR bridge CloudWatch's Rust SDK needs; it binds
    # a free port itself and prints it first.
    .venv/bin/python scripts/emulator.py >"$state/moto.port" 2>"$state/moto.log" &
    echo $! >"$state/moto.pid"
    for _ in $(seq 1 100); do
      port=$(head -n1 "$state/moto.port")
      if [ -n "$port" ] && .venv/bin/python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/')" 2>/dev/null; then
        echo "http://127.0.0.1:$port"
        exit 0
      fi
      sleep 0.1
    done
    echo "moto.sh: the local AWS endpoint did not start; see $state/moto.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$state/moto.pid" ]; then
      kill "$(cat "$state/moto.pid")" 2>/dev/null || true
      rm -f "$state/moto.pid"
    fi
    ;;
  *)
    echo "usage: moto.sh start|stop STATE_DIR" >&2
    exit 2
    ;;
esac
