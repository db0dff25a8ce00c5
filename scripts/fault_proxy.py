"""A loopback HTTP proxy in front of the local AWS endpoint, for the tests.

It forwards every request to UPSTREAM and records it, so a test can count the API
calls a scan makes; and it answers chosen requests itself with an AWS-shaped error,
so a test can make one resource's call fail (AccessDenied, 503) without touching
the others.

usage: fault_proxy.py UPSTREAM_URL FAULTS_JSON
  FAULTS_JSON: a list of {"path": "/bucket", "query": "policy", "status": 403,
               "code": "AccessDenied", "format": "xml"|"json"|"query"|"cbor"}, or with "body": a
               recorded response to answer instead (status 200 unless given, with
               any "headers" given);
               "after": an Action that must have been seen first; "times": how many
               times it applies (default: always); "delay": seconds to wait before
               forwarding the request untouched (a slow service). "prefix" matches
               the start of the path, "query" a query parameter name, "method" the
               HTTP method, "target" an X-Amz-Target header (or an RPC v2 CBOR
               call's Service.Operation, from its path), "action" a form Action,
               "form" a dict of form parameters the request must carry
               ({"RoleArn": ARN}: one role's AssumeRole).
               Or {"random": RATE, "seed": SEED}: a seeded share RATE of all requests
               gets one fault drawn from FAULT_KINDS, in the shape of the request's
               protocol. The draw hangs on the seed, the request and how many times
               the same request was seen before (a retry draws again), never on the
               order concurrent requests arrive in: the same seed gives the same faults.
Prints its own URL on stdout once listening. GET /__proxy/log returns the requests
seen so far as JSON: [{"method", "path", "query", "target", "action", "body", "form"}]
(the body's first 4 KiB), and "fault": the random fault it was given, if any.
"""

import hashlib
import http.client
import json
import random
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from emulator import cbor_error, rpc_v2_target

UPSTREAM = urllib.parse.urlparse(sys.argv[1])
FAULTS = json.loads(sys.argv[2])
LOG = []
LOCK = threading.Lock()
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "proxy-connection"}
RANDOM = next((f for f in FAULTS if "random" in f), None)
SEEN = {}
# What a hostile network and a loaded AWS do, each as likely as the others.
FAULT_KINDS = ["throttle", "500", "503", "reset", "slow", "truncated", "empty"]


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY a client that reuses
    # its connection (as the SDK does) waits out its delayed ACK on each answer.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def handle_one(self):
        if self.path == "/__proxy/log":
            with LOCK:
                body = json.dumps(LOG).encode()
            return self.reply(200, {"Content-Type": "application/json"}, body)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace")) if b"Action=" in body else {}
        entry = {
            "method": self.command,
            "path": url.path,
            "query": sorted(query),
            "target": self.headers.get("X-Amz-Target") or rpc_v2_target(url.path),
            "action": (form.get("Action") or [""])[0],
            "body": body[:4096].decode("utf-8", "replace"),
            "form": form,
        }
        with LOCK:
            LOG.append(entry)
        if RANDOM is not None:
            kind = self.draw(entry)
            if kind is not None:
                entry["fault"] = kind
                return self.inject(kind, body)
        for fault in (f for f in FAULTS if "random" not in f):
            if self.matches(fault, entry) and self.armed(fault):
                if "delay" in fault:
                    time.sleep(fault["delay"])
                    break
                return self.fail(fault)
        self.reply(*self.forward(body))

    def forward(self, body):
        conn = http.client.HTTPConnection(UPSTREAM.hostname, UPSTREAM.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        out = {k: v for k, v in resp.getheaders() if k.lower() not in HOP_HEADERS | {"content-length"}}
        conn.close()
        return resp.status, out, data

    def draw(self, entry):
        """The random fault for this request, or None."""
        if entry["path"].startswith("/moto-api"):
            return None
        key = json.dumps([self.command, self.path, entry["target"], entry["body"]])
        with LOCK:
            n = SEEN.get(key, 0)
            SEEN[key] = n + 1
        digest = hashlib.sha256(f"{RANDOM['seed']}|{n}|{key}".encode()).digest()
        rng = random.Random(digest)
        if rng.random() >= RANDOM["random"]:
            return None
        return rng.choice(FAULT_KINDS)

    def inject(self, kind, body):
        if kind == "reset":
            # Close with SO_LINGER 0: the client reads a connection reset, no answer.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return None
        if kind == "slow":
            time.sleep(0.3)
            return self.reply(*self.forward(body))
        if kind in ("truncated", "empty"):
            status, headers, data = self.forward(body)
            if 200 <= status < 300 and data:
                # A 200 whose body stops early, its length consistent with what is sent.
                data = data[: len(data) // 2] if kind == "truncated" else b""
            return self.reply(status, headers, data)
        protocol = self.protocol()
        if kind == "throttle":
            code, status = {"s3": ("SlowDown", 503), "ec2": ("RequestLimitExceeded", 503),
                            "rest-json": ("TooManyRequestsException", 429)}.get(
                                protocol, ("ThrottlingException" if protocol == "json" else "Throttling", 400))
        else:
            code, status = ("InternalError", 500) if kind == "500" else ("ServiceUnavailable", 503)
        return self.error(protocol, status, code)

    def protocol(self):
        """The AWS protocol the request speaks: s3, ec2, query, json, rest-json or cbor."""
        if self.headers.get("smithy-protocol") == "rpc-v2-cbor":
            return "cbor"
        if self.headers.get("X-Amz-Target"):
            return "json"
        auth = self.headers.get("Authorization", "")
        service = auth.split("Credential=")[1].split("/")[3] if "Credential=" in auth else ""
        if service in ("s3", "ec2"):
            return service
        return "rest-json" if self.path.startswith("/20") else "query"

    def error(self, protocol, status, code):
        message = "injected by the test proxy"
        if protocol == "cbor":
            body = cbor_error(code, message)
            headers = {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}
        elif protocol in ("json", "rest-json"):
            body = json.dumps({"__type": code, "message": message}).encode()
            headers = {"Content-Type": "application/x-amz-json-1.1" if protocol == "json"
                       else "application/json", "x-amzn-ErrorType": code}
        elif protocol == "ec2":
            body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}'
                    f'</Code><Message>{message}</Message></Error></Errors>'
                    f'<RequestID>proxy</RequestID></Response>').encode()
            headers = {"Content-Type": "text/xml;charset=UTF-8"}
        elif protocol == "query":
            body = (f'<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>'
                    f'<Message>{message}</Message></Error><RequestId>proxy</RequestId>'
                    f'</ErrorResponse>').encode()
            headers = {"Content-Type": "text/xml"}
        else:
            body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
                    f'<Message>{message}</Message><RequestId>proxy</RequestId></Error>').encode()
            headers = {"Content-Type": "application/xml"}
        return self.reply(status, headers, body)

    @staticmethod
    def armed(fault):
        with LOCK:
            seen = {e["action"] for e in LOG[:-1]}
            if "after" in fault and fault["after"] not in seen:
                return False
            if fault.get("times") is not None:
                if fault["times"] <= 0:
                    return False
                fault["times"] -= 1
            return True

    @staticmethod
    def matches(fault, entry):
        return (
            ("path" not in fault or entry["path"].rstrip("/") == fault["path"].rstrip("/"))
            and ("prefix" not in fault or entry["path"].startswith(fault["prefix"]))
            and ("method" not in fault or entry["method"] == fault["method"])
            and ("query" not in fault or fault["query"] in entry["query"])
            and ("target" not in fault or entry["target"] == fault["target"])
            and ("action" not in fault or entry["action"] == fault["action"])
            and all(entry["form"].get(k) == [v] for k, v in fault.get("form", {}).items())
        )

    def fail(self, fault):
        if "body" in fault:
            headers = {"Content-Type": "text/xml", **fault.get("headers", {})}
            return self.reply(fault.get("status", 200), headers, fault["body"].encode())
        shape = {"json": "rest-json", "query": "query", "cbor": "cbor"}.get(fault.get("format"), "s3")
        self.error(shape, fault.get("status", 403), fault.get("code", "AccessDenied"))

    def reply(self, status, headers, body):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_one


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
