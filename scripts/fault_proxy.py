"""A loopback HTTP proxy in front of the local AWS endpoint, for the tests.

It forwards every request to UPSTREAM and records it, so a test can count the API
calls a scan makes; and it answers chosen requests itself with an AWS-shaped error,
so a test can make one resource's call fail (AccessDenied, 503) without touching
the others.

usage: fault_proxy.py UPSTREAM_URL FAULTS_JSON
  FAULTS_JSON: a list of {"path": "/bucket", "query": "policy", "status": 403,
               "code": "AccessDenied", "format": "xml"|"json"}, or with "body": a
               recorded response to answer instead (status 200 unless given, with
               any "headers" given);
               "after": an Action that must have been seen first; "times": how many
               times it applies (default: always); "delay": seconds to wait before
               forwarding the request untouched (a slow service). "prefix" matches
               the start of the path, "query" a query parameter name, "method" the
               HTTP method, "target" an
               X-Amz-Target header, "action" a form Action.
Prints its own URL on stdout once listening. GET /__proxy/log returns the requests
seen so far as JSON: [{"method", "path", "query", "target", "action", "body"}]
(the body's first 4 KiB).
"""

import http.client
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UPSTREAM = urllib.parse.urlparse(sys.argv[1])
FAULTS = json.loads(sys.argv[2])
LOG = []
LOCK = threading.Lock()
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "proxy-connection"}


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

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
            "target": self.headers.get("X-Amz-Target", ""),
            "action": (form.get("Action") or [""])[0],
            "body": body[:4096].decode("utf-8", "replace"),
        }
        with LOCK:
            LOG.append(entry)
        for fault in FAULTS:
            if self.matches(fault, entry) and self.armed(fault):
                if "delay" in fault:
                    time.sleep(fault["delay"])
                    break
                return self.fail(fault)
        conn = http.client.HTTPConnection(UPSTREAM.hostname, UPSTREAM.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        out = {k: v for k, v in resp.getheaders() if k.lower() not in HOP_HEADERS | {"content-length"}}
        conn.close()
        self.reply(resp.status, out, data)

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
        )

    def fail(self, fault):
        if "body" in fault:
            headers = {"Content-Type": "text/xml", **fault.get("headers", {})}
            return self.reply(fault.get("status", 200), headers, fault["body"].encode())
        code = fault.get("code", "AccessDenied")
        message = "injected by the test proxy"
        if fault.get("format") == "json":
            body = json.dumps({"__type": code, "message": message}).encode()
            headers = {"Content-Type": "application/json", "x-amzn-ErrorType": code}
        else:
            body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
                    f'<Message>{message}</Message><RequestId>proxy</RequestId></Error>').encode()
            headers = {"Content-Type": "application/xml"}
        self.reply(fault.get("status", 403), headers, body)

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
