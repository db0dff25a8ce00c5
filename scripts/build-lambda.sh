#!/usr/bin/env bash
# Builds the scanner Lambda's artifact: a static x86-64 Linux (musl) release binary with
# the `lambda` feature — what `deploy --lambda-binary` takes, and what runs on Lambda's
# `provided.al2023` runtime. Installs the musl target and Debian's musl-tools (the C
# compiler aws-lc-sys needs for that target) when missing. Prints the binary's path.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/compliance-target}
target=x86_64-unknown-linux-musl

if ! rustup target list --installed | grep -qx "$target"; then
  echo "build-lambda: adding the Rust target $target" >&2
  rustup target add "$target" >&2
fi
if ! command -v musl-gcc >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "build-lambda: installing Debian's musl-tools" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq musl-tools >&2
  else
    echo "build-lambda: musl-gcc is missing: install musl-tools (Debian/Ubuntu) and run again" >&2
    exit 2
  fi
fi

export CC_x86_64_unknown_linux_musl=musl-gcc
cargo build --release --locked --features lambda --target "$target" >&2
bin=$CARGO_TARGET_DIR/$target/release/compliance
# ldd names each shared library a dynamic executable needs; a static one needs none.
if ldd "$bin" 2>&1 | grep -q '=>'; then
  echo "build-lambda: $bin is dynamically linked; expected a static binary" >&2
  exit 1
fi
echo "$bin"
