"""Runs the compliance binary in Lambda mode on this machine: serves Lambda's Runtime API
on loopback, hands the binary the given events one by one, prints each answer as a JSON
line on stdout, and stops the binary once all are answered. For the demo and the
benchmark; the local AWS endpoint runs no Lambda code itself.

usage: lambda_local.py BINARY ENDPOINT_URL SUFFIX EVENT_JSON... [--measure-start]
  With --measure-start, prints instead the seconds from process start to its first
  Runtime API request (cold start) and stops there.
"""

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = [a for a in sys.argv[1:] if not a.startswith("--")]
MEASURE = "--measure-start" in sys.argv
BINARY, ENDPOINT, SUFFIX, EVENTS = args[0], args[1], args[2], [json.loads(e) for e in args[3:]]
QUEUE = list(enumerate(EVENTS))
ANSWERS = []
FIRST_REQUEST = threading.Event()
LOCK = threading.Lock()


class RuntimeApi(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        FIRST_REQUEST.set()
        with LOCK:
            item = QUEUE.pop(0) if QUEUE else None
        if item is None:
            time.sleep(3600)
            return
        n, event = item
        body = json.dumps(event).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Lambda-Runtime-Aws-Request-Id", f"local-{n}")
        self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 900_000))
        self.send_header("Lambda-Runtime-Invoked-Function-Arn", f"arn:aws:lambda:us-east-1:123456789012:function:compliance-scanner-{SUFFIX}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        kind = self.path.rstrip("/").rsplit("/", 1)[-1]
        with LOCK:
            ANSWERS.append({"kind": kind, "body": json.loads(body or b"null")})
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # the binary is stopped mid-request on purpose


def main():
    server = QuietServer(("127.0.0.1", 0), RuntimeApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_LAMBDA")}
    env.update({
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{server.server_address[1]}",
        "AWS_LAMBDA_FUNCTION_NAME": f"compliance-scanner-{SUFFIX}",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_ENDPOINT_URL": ENDPOINT,
        "COMPLIANCE_REPORT_BUCKET": env.get("COMPLIANCE_REPORT_BUCKET", f"compliance-reports-{SUFFIX}-123456789012"),
        "COMPLIANCE_CRITICAL_TOPIC_ARN": f"arn:aws:sns:us-east-1:123456789012:compliance-critical-{SUFFIX}",
        "COMPLIANCE_SUFFIX": SUFFIX,
    })
    started = time.perf_counter()
    proc = subprocess.Popen([BINARY], env=env, stdout=subprocess.DEVNULL if MEASURE else sys.stderr)
    try:
        if MEASURE:
            if not FIRST_REQUEST.wait(30):
                sys.exit("the binary made no Runtime API request")
            print(f"{time.perf_counter() - started:.4f}")
            return
        deadline = time.time() + 300
        while len(ANSWERS) < len(EVENTS):
            if proc.poll() is not None or time.time() > deadline:
                sys.exit(f"the binary stopped or timed out after {len(ANSWERS)} answer(s)")
            time.sleep(0.05)
        for answer in ANSWERS:
            print(json.dumps(answer))
    finally:
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    main()
