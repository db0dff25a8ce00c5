#!/usr/bin/env bash
# The README's first command: on a fresh machine, installs what is needed, builds the
# scanner, starts the local AWS endpoint, seeds a deliberately mixed account and scans
# it in every format, replays the saved inventory offline, deploys the scanner's own
# stack, scans what it created and destroys it; then remediates the account (plan,
# apply, re-scan: the score rises) and renders the reports an auditor and CI read.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/compliance-target}

scripts/setup.sh
echo "==> building compliance (with the Lambda handler)" >&2
cargo build --quiet --features lambda
bin=$CARGO_TARGET_DIR/debug/compliance

state=$(mktemp -d)
trap 'scripts/moto.sh stop "$state"; rm -rf "$state"' EXIT
endpoint=$(scripts/moto.sh start "$state")
# The emulator's Lambda keeps functions in another store once Docker is off: say so
# before anything is created.
python_post() { .venv/bin/python -c 'import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), method="POST"))' "$@"; }
python_post "$endpoint/moto-api/config" '{"lambda": {"use_docker": false}}'
echo "==> local AWS endpoint at $endpoint; seeding a mixed account" >&2
.venv/bin/python scripts/seed_demo.py "$endpoint" >"$state/manifest.json"

# Credentials for the emulator only; never real ones.
export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN

echo "==> compliance scan (table)" >&2
"$bin" scan --endpoint-url "$endpoint" --fail-on none
echo "==> compliance scan --format json (summary)" >&2
"$bin" scan --endpoint-url "$endpoint" --format json --quiet --fail-on none --output "$state/scan-1.json"
head -n 30 "$state/scan-1.json"
echo "==> compliance scan --format csv (first rows)" >&2
"$bin" scan --endpoint-url "$endpoint" --format csv --quiet --fail-on none \
  --save-inventory "$state/inventory.json" >"$state/live.csv"
head -n 6 "$state/live.csv"
echo "==> compliance scan --inventory (offline replay of the saved evidence)" >&2
"$bin" scan --inventory "$state/inventory.json" --format csv --quiet --fail-on none >"$state/replay.csv"
if cmp -s "$state/live.csv" "$state/replay.csv"; then
  echo "the replay reproduces the live scan's $(($(wc -l <"$state/live.csv") - 1)) findings exactly" >&2
else
  echo "the replay differs from the live scan" >&2
  diff "$state/live.csv" "$state/replay.csv" | head -n 20 >&2 || true
  exit 1
fi
echo "==> compliance scan --fail-on high (what CI sees)" >&2
set +e
"$bin" scan --endpoint-url "$endpoint" --format csv --quiet --fail-on high >/dev/null
echo "exit code $? (1: findings at or above the threshold)" >&2
set -e

# The emulator runs no Lambda code: its Lambda answers invocations from a queue, and this
# build stands in for the static musl build a real deploy uses (README: "Building the Lambda").
echo "==> compliance deploy --suffix demo" >&2
"$bin" deploy --suffix demo --endpoint-url "$endpoint" --lambda-binary "$bin" --owner demo-team
echo "==> compliance deploy --suffix demo (again: nothing to change)" >&2
"$bin" deploy --suffix demo --endpoint-url "$endpoint" --lambda-binary "$bin" --owner demo-team --format json >/dev/null
echo "==> compliance scan of what the stack created (rules whose properties the emulator's CloudFormation applies)" >&2
"$bin" scan --endpoint-url "$endpoint" --fail-on none --format csv --quiet \
  --rule sns-topic-kms-encrypted --rule ec2-vpc-flow-logs-enabled \
  --rule ec2-vpc-flow-log-group-naming --rule ec2-subnet-no-auto-public-ip | cut -d, -f4,7,9
echo "==> the same binary in Lambda mode: a scheduled invocation, then a direct one" >&2
.venv/bin/python scripts/lambda_local.py "$bin" "$endpoint" demo \
  '{"version": "0", "id": "demo", "detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}' \
  '{"compliance_scan": {"services": ["s3", "sns"]}}' >"$state/answers.jsonl" 2>"$state/lambda.log"
echo "    its metrics (EMF) and log lines, first of each:" >&2
grep -m1 '"_aws"' "$state/lambda.log" | cut -c1-200
grep -m1 '"scan complete"' "$state/lambda.log" | cut -c1-200
echo "    what it stored in the deployed report bucket:" >&2
.venv/bin/python -c '
import boto3, sys
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1", config=Config(s3={"addressing_style": "path"}))
for o in s3.list_objects_v2(Bucket="compliance-reports-demo-123456789012").get("Contents", []):
    print("    s3://compliance-reports-demo-123456789012/" + o["Key"])
' "$endpoint"
echo "==> compliance scan --remote --suffix demo (the function's answer, queued in the emulator)" >&2
answer=$(tail -n 1 "$state/answers.jsonl" | .venv/bin/python -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["body"]))')
python_post "$endpoint/moto-api/static/lambda-simple/response" \
  "$(.venv/bin/python -c 'import json, sys; print(json.dumps({"results": [sys.argv[1]], "region": "us-east-1"}))' "$answer")"
# The emulator cannot describe the KMS keys its own CloudFormation made: the function
# reports those as ERROR findings, which would make the exit code 3; accepted here.
"$bin" scan --remote --suffix demo --endpoint-url "$endpoint" --fail-on none --accept-errors | head -n 12
echo "==> compliance destroy --suffix demo --yes" >&2
# The emulator keeps the stack's VPC (real CloudFormation deletes it): destroy names
# what is left, and says so with exit code 1.
"$bin" destroy --suffix demo --endpoint-url "$endpoint" --yes ||
  echo "    (exit $?: the emulator kept the resources listed above)" >&2

# Remediation: the fixes the emulator carries out end to end (moto ignores a Lambda's
# TracingConfig update, which `remediate` would rightly report as failed).
fixable=()
for rule in s3-bucket-default-encryption-enabled s3-bucket-public-access-block \
  s3-bucket-versioning-enabled s3-bucket-mandatory-tags sns-topic-kms-encrypted \
  sns-topic-mandatory-tags ec2-vpc-flow-logs-enabled ec2-vpc-mandatory-tags \
  kms-key-mandatory-tags lambda-function-mandatory-tags; do
  fixable+=(--rule "$rule")
done
tags=(--tag Environment=demo --tag Owner=security --tag CostCenter=1234 --tag ComplianceLevel=high)
echo "==> compliance remediate --from scan-1.json (the plan: a dry run, nothing changes)" >&2
"$bin" remediate --endpoint-url "$endpoint" --from "$state/scan-1.json" "${fixable[@]}" "${tags[@]}" \
  --audit-log "$state/audit.jsonl" | cut -c1-160 | head -n 16
echo "==> compliance remediate --apply --yes" >&2
"$bin" remediate --endpoint-url "$endpoint" --from "$state/scan-1.json" "${fixable[@]}" "${tags[@]}" \
  --audit-log "$state/audit.jsonl" --apply --yes --quiet >/dev/null
echo "    the audit (JSON lines), first applied action:" >&2
grep -m1 '"result":"applied"' "$state/audit.jsonl" | cut -c1-300
echo "==> compliance scan again: the score rose" >&2
"$bin" scan --endpoint-url "$endpoint" --format json --quiet --fail-on none --output "$state/scan-2.json"
.venv/bin/python -c '
import json, sys
before, after = (json.load(open(p))["summary"]["score"] for p in sys.argv[1:])
print(f"score {before}% -> {after}%")
sys.exit(0 if after > before else 1)
' "$state/scan-1.json" "$state/scan-2.json"

echo "==> compliance report: the trend and what changed" >&2
"$bin" report "$state/scan-1.json" "$state/scan-2.json" --trend
"$bin" report "$state/scan-1.json" "$state/scan-2.json" --diff | head -n 12
out=demo-output
mkdir -p "$out"
"$bin" report "$state/scan-1.json" "$state/scan-2.json" --format html --output "$out/report.html"
"$bin" report "$state/scan-2.json" --format sarif --output "$out/report.sarif"
"$bin" report "$state/scan-2.json" --format junit --output "$out/report.xml"
echo "==> for auditors and CI: $out/report.html (open it offline), $out/report.sarif, $out/report.xml" >&2
