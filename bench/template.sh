#!/usr/bin/env bash
# bench/template.sh [RESOURCES] [RUNS]: generates a template of RESOURCES resources
# (buckets with policies, security groups with standalone rules, functions with
# permissions, queues, keys, log groups, in equal parts, with parameters and conditions)
# and prints the median wall and CPU time and the peak RSS of `scan --template` over it.
# Release build by default (PROFILE=debug for a quick run, BINARY=path to time a binary
# already built). No AWS, no emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
resources=${1:-1000}
runs=${2:-5}
profile=${PROFILE:-release}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/compliance-target}
binary=${BINARY:-}
if [ -z "$binary" ]; then
  if [ "$profile" = release ]; then cargo build --quiet --release; else cargo build --quiet; fi
  binary="$CARGO_TARGET_DIR/$profile/compliance"
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$resources" > "$dir/big.yaml" <<'PY'
import sys
n = int(sys.argv[1]) // 6
print("Parameters:\n  Env: {Type: String, Default: dev}\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources:")
for i in range(n):
    print(f"""  Bucket{i}:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "data-{i}-${{Env}}"
      VersioningConfiguration: {{Status: !If [IsProd, Enabled, Suspended]}}
      Tags: [{{Key: Owner, Value: team{i}}}]
  Policy{i}:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket{i}
      PolicyDocument: {{Statement: [{{Effect: Deny, Principal: "*", Action: "s3:*", Resource: !Sub "${{Bucket{i}.Arn}}/*", Condition: {{Bool: {{aws:SecureTransport: "false"}}}}}}]}}
  Group{i}:
    Type: AWS::EC2::SecurityGroup
    Properties: {{GroupDescription: g, SecurityGroupIngress: [{{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}}]}}
  Function{i}:
    Type: AWS::Lambda::Function
    Properties: {{Runtime: python3.12, Handler: a.b, Role: r, Code: {{ZipFile: x}}, TracingConfig: {{Mode: Active}}}}
  Queue{i}:
    Type: AWS::SQS::Queue
  Key{i}:
    Type: AWS::KMS::Key
    Properties: {{EnableKeyRotation: true}}""")
PY
echo "$(grep -c '^  [A-Za-z0-9]*:$' "$dir/big.yaml") resources, $(wc -c < "$dir/big.yaml") bytes, $runs runs ($profile)"
for _ in $(seq "$runs"); do
  /usr/bin/time -f "%e %U %S %M" "$binary" scan --template "$dir/big.yaml" --format json \
    --fail-on none --quiet > /dev/null 2>> "$dir/times"
done
sort -n "$dir/times" | awk '{w[NR]=$1; c[NR]=$2+$3; m[NR]=$4} END {
  i = int((NR + 1) / 2); printf "median wall %.3f s, CPU %.3f s, peak RSS %d MB\n", w[i], c[i], m[i] / 1024 }'
