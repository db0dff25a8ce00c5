#!/usr/bin/env bash
# The scanner as a Lambda artifact: its size (raw and zipped, as deploy uploads it) and
# its cold start, the time from process start to its first Runtime API request.
#   bench/lambda.sh [RUNS]     (PROFILE=debug for the unoptimised build;
#                               TARGET=x86_64-unknown-linux-musl for the static build)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/compliance-target}
profile=${PROFILE:-release}
runs=${1:-20}
scripts/setup.sh
flags=(--quiet --features lambda)
[ "$profile" = release ] && flags+=(--release)
[ -n "${TARGET:-}" ] && flags+=(--target "$TARGET")
# The static build's C parts (aws-lc-sys) compile with musl-gcc, as scripts/build-lambda.sh does.
[ "${TARGET:-}" = x86_64-unknown-linux-musl ] && export CC_x86_64_unknown_linux_musl=musl-gcc
cargo build "${flags[@]}"
bin=$CARGO_TARGET_DIR/${TARGET:+$TARGET/}$profile/compliance

zipped=$(.venv/bin/python -c 'import io, sys, zipfile
b = io.BytesIO()
with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z: z.write(sys.argv[1], "bootstrap")
print(len(b.getvalue()))' "$bin")
echo "| build | binary (MiB) | zipped (MiB) | cold start p50 (ms) | p90 (ms) |"
echo "|---|---|---|---|---|"
times=$(for _ in $(seq "$runs"); do
  AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1 \
    .venv/bin/python scripts/lambda_local.py "$bin" http://127.0.0.1:9 bench '{}' --measure-start
done | sort -n)
pct() { echo "$times" | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100); if (i<1) i=1; printf "%.1f", a[i]*1000}'; }
mib() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }
printf "| %s%s | %s | %s | %s | %s |\n" "$profile" "${TARGET:+ $TARGET}" \
  "$(mib "$(stat -c %s "$bin")")" "$(mib "$zipped")" "$(pct 50)" "$(pct 90)"
