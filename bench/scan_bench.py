"""Scan and remediation benchmark: API calls per resource (per action for
`remediate`), the client's own CPU time, and wall time.

Starts the local AWS endpoint, seeds the demo account plus BUCKETS extra buckets, HOSTS
extra EC2 instances (each with its root volume and a snapshot of it), DATABASES extra
RDS DB instances, TABLES DynamoDB tables, BALANCERS Application Load Balancers (each
with an HTTP listener) and REPOSITORIES ECR repositories, all of mixed configuration, puts the counting proxy in front, and runs
each scan scenario
RUNS times; then remediates two S3 rules from a saved scan: the plan (RUNS times), the
apply (once: it changes the account), and the apply again (RUNS times, a no-op). The emulator serves a few hundred requests a second whatever the client
does, so wall time here mostly measures the emulator; the call count and the client's
CPU time are the numbers that carry over to real AWS.

With --faults RATES (e.g. 0,0.1,0.3), it then scans every rule through the test proxy
injecting that share of faults (scripts/fault_proxy.py's seeded random mode: throttling,
500, 503, resets, slow answers, truncated and empty 200s; seed i on run i), with the
SDK's default retries, and reports how wall time, requests and ERROR findings grow.

usage: .venv/bin/python bench/scan_bench.py BINARY [--buckets N] [--hosts N] [--databases N]
                                              [--tables N] [--balancers N] [--repositories N]
                                              [--runs N] [--faults RATES]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV = REPO / ".venv" / "bin"

SCENARIOS = [
    ("every rule", []),
    ("--service s3", ["--service", "s3"]),
    ("--service ec2", ["--service", "ec2"]),
    ("--service rds", ["--service", "rds"]),
    ("--service dynamodb", ["--service", "dynamodb"]),
    ("--service elbv2", ["--service", "elbv2"]),
    ("--service ecr", ["--service", "ecr"]),
    ("--rule s3-bucket-versioning-enabled", ["--rule", "s3-bucket-versioning-enabled"]),
    ("--min-severity critical", ["--min-severity", "critical"]),
]


def start(cmd):
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return proc


def wait_port(url):
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/moto-api/")
            return
        except Exception:
            time.sleep(0.1)
    sys.exit(f"no endpoint at {url}")


def seed_extra(endpoint, count, hosts, databases, tables, balancers, repositories):
    import boto3
    from botocore.config import Config
    kw = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="b", aws_secret_access_key="b")
    ec2, rds = boto3.client("ec2", **kw), boto3.client("rds", **kw)
    ddb, elb, ecr = boto3.client("dynamodb", **kw), boto3.client("elbv2", **kw), boto3.client("ecr", **kw)
    for i in range(tables):
        ddb.create_table(TableName=f"bench-table-{i:03d}", BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         DeletionProtectionEnabled=bool(i % 2))
    if balancers:
        vpc = ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.99.{n}.0/24", AvailabilityZone=f"us-east-1{z}")
                   ["Subnet"]["SubnetId"] for n, z in [(1, "a"), (2, "b")]]
        redirect = [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443",
                                                            "StatusCode": "HTTP_301"}}]
        for i in range(balancers):
            arn = elb.create_load_balancer(Name=f"bench-lb-{i:03d}", Subnets=subnets)["LoadBalancers"][0]
            elb.create_listener(LoadBalancerArn=arn["LoadBalancerArn"], Protocol="HTTP", Port=80,
                                DefaultActions=redirect)
    for i in range(repositories):
        ecr.create_repository(repositoryName=f"bench/repo-{i:03d}",
                              imageScanningConfiguration={"scanOnPush": bool(i % 2)})
    if hosts:
        launched = ec2.run_instances(ImageId="ami-12c6146b", MinCount=hosts, MaxCount=hosts)["Instances"]
        for i, instance in enumerate(launched):
            root = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id",
                                                  "Values": [instance["InstanceId"]]}])["Volumes"][0]
            ec2.create_snapshot(VolumeId=root["VolumeId"], Description=f"bench-{i}")
    for i in range(databases):
        rds.create_db_instance(DBInstanceIdentifier=f"bench-db-{i:03d}", Engine="postgres",
                               DBInstanceClass="db.t3.micro", AllocatedStorage=20, MasterUsername="b",
                               MasterUserPassword="not-a-password", StorageEncrypted=bool(i % 2),
                               PubliclyAccessible=not i % 5)
    s3 = boto3.client("s3", config=Config(s3={"addressing_style": "path"}), **kw)
    for i in range(count):
        name = f"bench-bucket-{i:04d}"
        s3.create_bucket(Bucket=name)
        if i % 2:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        if i % 3:
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "Owner", "Value": "bench"}]})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--buckets", type=int, default=50)
    ap.add_argument("--hosts", type=int, default=20)
    ap.add_argument("--databases", type=int, default=20)
    ap.add_argument("--tables", type=int, default=20)
    ap.add_argument("--balancers", type=int, default=20)
    ap.add_argument("--repositories", type=int, default=30)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--faults", help="comma-separated fault rates, e.g. 0,0.1,0.3")
    args = ap.parse_args()

    # The tests' and the demo's endpoint: moto with the gaps real AWS has filled.
    moto = subprocess.Popen([str(VENV / "python"), str(REPO / "scripts/emulator.py")],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    endpoint = f"http://127.0.0.1:{moto.stdout.readline().strip()}"
    proxy = None
    try:
        wait_port(endpoint)
        subprocess.run([str(VENV / "python"), str(REPO / "scripts/seed_demo.py"), endpoint],
                       check=True, stdout=subprocess.DEVNULL)
        seed_extra(endpoint, args.buckets, args.hosts, args.databases, args.tables, args.balancers,
                   args.repositories)
        proxy = start([str(VENV / "python"), str(REPO / "scripts/fault_proxy.py"), endpoint, "[]"])
        proxy_url = proxy.stdout.readline().strip()

        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_REGION="us-east-1",
                   AWS_EC2_METADATA_DISABLED="true")
        print(f"| scenario | resources | findings | API calls | calls/resource | client CPU (s) | wall (s) |")
        print(f"|---|---|---|---|---|---|---|")
        def measure(cmd):
            """Median API calls, client CPU and wall time of RUNS runs, and the last output."""
            cpu, wall, calls = [], [], []
            for _ in range(runs):
                before_log = len(json.load(urllib.request.urlopen(proxy_url + "/__proxy/log")))
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t0 = time.perf_counter()
                out = subprocess.run(cmd, env=env, capture_output=True)
                wall.append(time.perf_counter() - t0)
                if out.returncode not in (0, 1):
                    sys.exit(f"{' '.join(cmd)} failed: {out.stderr.decode()}")
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
                calls.append(len(json.load(urllib.request.urlopen(proxy_url + "/__proxy/log"))) - before_log)
            median = lambda xs: sorted(xs)[len(xs) // 2]
            return median(calls), median(cpu), median(wall), json.loads(out.stdout)

        runs = args.runs
        for label, extra in SCENARIOS:
            n, cpu, wall, report = measure([args.binary, "scan", "--endpoint-url", proxy_url, "--format", "json",
                                            "--fail-on", "none", "--quiet", *extra])
            resources = report["summary"]["resources_scanned"]
            print(f"| {label} | {resources} | {report['summary']['findings']} | {n} | "
                  f"{n / max(resources, 1):.2f} | {cpu:.3f} | {wall:.2f} |")

        rules = ["--rule", "s3-bucket-versioning-enabled", "--rule", "s3-bucket-public-access-block"]
        with tempfile.TemporaryDirectory() as tmp:
            saved = Path(tmp) / "scan.json"
            subprocess.run([args.binary, "scan", "--endpoint-url", endpoint, "--format", "json", "--fail-on",
                            "none", "--quiet", "--output", str(saved), *rules], env=env, check=True)
            remediate = [args.binary, "remediate", "--endpoint-url", proxy_url, "--from", str(saved),
                         "--audit-log", str(Path(tmp) / "audit.jsonl"), "--format", "json", "--quiet", *rules]
            print()
            print("| remediate (2 S3 rules) | actions | changed | API calls | calls/action | client CPU (s) | wall (s) |")
            print("|---|---|---|---|---|---|---|")
            for label, extra, times in [("plan (dry run)", [], args.runs), ("--apply", ["--apply", "--yes"], 1),
                                        ("--apply again (no-op)", ["--apply", "--yes"], args.runs)]:
                runs = times
                n, cpu, wall, records = measure(remediate + extra)
                actions = [r for r in records if r["result"] != "manual"]
                changed = sum(r["result"] == "applied" for r in actions)
                print(f"| {label} | {len(actions)} | {changed} | {n} | {n / max(len(actions), 1):.2f} | "
                      f"{cpu:.3f} | {wall:.2f} |")
        if args.faults:
            print()
            print("| fault rate | requests | faults injected | ERROR findings | exit codes | wall (s) |")
            print("|---|---|---|---|---|---|")
            scan = [args.binary, "scan", "--format", "json", "--fail-on", "none", "--quiet"]
            for rate in [float(r) for r in args.faults.split(",")]:
                rows = []
                for seed in range(1, args.runs + 1):
                    faulty = start([str(VENV / "python"), str(REPO / "scripts/fault_proxy.py"), endpoint,
                                    json.dumps([{"random": rate, "seed": seed}])])
                    url = faulty.stdout.readline().strip()
                    t0 = time.perf_counter()
                    out = subprocess.run(scan + ["--endpoint-url", url], env=env, capture_output=True)
                    wall = time.perf_counter() - t0
                    log = json.load(urllib.request.urlopen(url + "/__proxy/log"))
                    faulty.kill()
                    # No report: the account or its regions could not be read (exit 2).
                    errors = (sum(f["status"] == "ERROR" for f in json.loads(out.stdout)["findings"])
                              if out.stdout else None)
                    rows.append((len(log), sum("fault" in e for e in log), errors, out.returncode, wall))
                median = lambda xs: sorted(xs)[len(xs) // 2] if xs else "-"
                codes = ",".join(sorted({str(r[3]) for r in rows}))
                print(f"| {rate:.0%} | {median([r[0] for r in rows])} | {median([r[1] for r in rows])} | "
                      f"{median([r[2] for r in rows if r[2] is not None])} | {codes} | "
                      f"{median([r[4] for r in rows]):.2f} |")
    finally:
        if proxy:
            proxy.kill()
        moto.kill()


if __name__ == "__main__":
    main()
