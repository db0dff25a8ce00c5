"""Memory, CPU and wall time of a scan of several accounts against the local endpoint.

usage: accounts_bench.py COMPLIANCE_BINARY [--accounts N] [--buckets N] [--runs N]

Seeds an emulated organisation of N member accounts (each with its own buckets and an
IAM user, reached by AssumeRole as the scanner reaches them), then scans one account
alone and the whole organisation at several --account-concurrency values, printing a
Markdown table of the medians. Peak RSS is the scanning process's own (wait4's
ru_maxrss), so the emulator's memory never counts.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import boto3
from botocore.config import Config

ROLE = "OrganizationAuditRole"


def emulator():
    proc = subprocess.Popen(
        [sys.executable, os.path.join(os.path.dirname(__file__), "..", "scripts", "emulator.py")],
        stdout=subprocess.PIPE, text=True)
    port = proc.stdout.readline().strip()
    return proc, f"http://127.0.0.1:{port}"


def seed(url, accounts, buckets):
    kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
              aws_secret_access_key="test")
    org = boto3.client("organizations", **kw)
    org.create_organization(FeatureSet="ALL")
    sts = boto3.client("sts", **kw)
    ids = []
    for n in range(accounts):
        account = org.create_account(Email=f"a{n}@example.com", AccountName=f"member-{n}")
        ids.append(account["CreateAccountStatus"]["AccountId"])
    for account in ids:
        c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{ROLE}",
                            RoleSessionName="seed")["Credentials"]
        creds = dict(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                     aws_session_token=c["SessionToken"])
        s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                          config=Config(s3={"addressing_style": "path"}), **creds)
        for b in range(buckets):
            s3.create_bucket(Bucket=f"b{b}-{account}")
        boto3.client("iam", endpoint_url=url, region_name="us-east-1", **creds).create_user(
            UserName="deploy")
    return ids


def measure(cmd, env):
    start = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    report = json.loads(out)
    return {
        "rss_mib": usage.ru_maxrss / 1024,
        "cpu": usage.ru_utime + usage.ru_stime,
        "wall": wall,
        "accounts": len(report.get("accounts", [])) or 1,
        "findings": report["summary"]["findings"],
        "code": os.waitstatus_to_exitcode(status),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--buckets", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    proc, url = emulator()
    try:
        ids = seed(url, args.accounts, args.buckets)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_REGION="us-east-1",
                   AWS_EC2_METADATA_DISABLED="true")
        base = [args.binary, "scan", "--endpoint-url", url, "--format", "json", "--fail-on", "none",
                "--quiet", "--service", "s3", "--service", "iam", "--role-name", ROLE]
        scenarios = [("1 account", base + ["--accounts", ids[0]])]
        for n in (1, 4, 8):
            scenarios.append((f"{args.accounts} accounts, --account-concurrency {n}",
                              base + ["--organization", "--exclude-account", "123456789012",
                                      "--account-concurrency", str(n)]))
        print("| scenario | accounts | findings | peak RSS (MiB) | client CPU (s) | wall (s) |")
        print("|---|---|---|---|---|---|")
        for name, cmd in scenarios:
            runs = [measure(cmd, env) for _ in range(args.runs)]
            med = lambda k: statistics.median(r[k] for r in runs)
            print(f"| {name} | {runs[0]['accounts']} | {runs[0]['findings']} | {med('rss_mib'):.1f} "
                  f"| {med('cpu'):.3f} | {med('wall'):.2f} |", flush=True)
    finally:
        proc.terminate()


if __name__ == "__main__":
    main()
