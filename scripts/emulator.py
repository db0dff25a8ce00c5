"""The local AWS endpoint: moto's server mode, plus the one protocol the AWS SDK for Rust
speaks that moto does not.

aws-sdk-cloudwatch speaks Smithy RPC v2 CBOR only (`POST /service/<target prefix>/
operation/<Operation>`); moto 5.2.5 serves CloudWatch's JSON and query protocols and
answers such a request 404. Real CloudWatch serves all three, so this is an emulator gap,
not something the product should work around. The bridge decodes the CBOR request with
botocore's own CBOR reader, makes the same call on moto with boto3 (JSON), and answers in
CBOR, encoded against the operation's output shape so timestamps, numbers and lists keep
their wire types; an error keeps its code, message and HTTP status.

  python scripts/emulator.py            binds a free loopback port, prints it, serves
  python scripts/emulator.py --watch    the same, until stdin closes (the tests' watchdog:
                                        the emulator goes when the test binary goes)

AWS-managed IAM policies are loaded (AWSSupportAccess, …) as in a real account.
"""

import logging
import os
import re
import sys

os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

import boto3  # noqa: E402
from botocore import xform_name  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from botocore.parsers import RpcV2CBORParser  # noqa: E402
from botocore.serialize import RpcV2CBORSerializer  # noqa: E402
from moto.moto_server.werkzeug_app import (  # noqa: E402
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server  # noqa: E402

# Services whose Rust SDK speaks only RPC v2 CBOR, by their target prefix.
CBOR_ONLY = {"GraniteServiceVersion20100801": "cloudwatch"}
PATH = re.compile(r"^/service/(?P<service>[^/]+)/operation/(?P<operation>[^/]+)$")
# Credential=AKID/DATE/REGION/SERVICE/aws4_request
SCOPE = re.compile(r"Credential=(?P<key>[^/]+)/\d+/(?P<region>[^/]+)/")


class CborBridge:
    """WSGI middleware: RPC v2 CBOR requests for CBOR_ONLY services become boto3 calls."""

    def __init__(self, app, endpoint):
        self.app = app
        self.endpoint = endpoint
        self.reader = RpcV2CBORParser()
        self.writer = RpcV2CBORSerializer()

    def __call__(self, environ, start_response):
        match = PATH.match(environ.get("PATH_INFO", ""))
        if not match or match["service"] not in CBOR_ONLY:
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        status, payload = self.call(
            CBOR_ONLY[match["service"]],
            match["operation"],
            body,
            environ.get("HTTP_AUTHORIZATION", ""),
        )
        start_response(
            status,
            [
                ("Content-Type", "application/cbor"),
                ("smithy-protocol", "rpc-v2-cbor"),
                ("Content-Length", str(len(payload))),
            ],
        )
        return [payload]

    def call(self, service, operation, body, authorization):
        scope = SCOPE.search(authorization)
        client = boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=scope["region"] if scope else "us-east-1",
            aws_access_key_id=scope["key"] if scope else "test",
            aws_secret_access_key="test",
            config=Config(retries={"max_attempts": 1}),
        )
        model = client.meta.service_model.operation_model(operation)
        params = self.reader.parse_data_item(self.reader.get_peekable_stream_from_bytes(body)) if body else {}
        method = getattr(client, xform_name(operation))
        try:
            result = method(**params)
        except ClientError as e:
            error = e.response["Error"]
            status = e.response["ResponseMetadata"]["HTTPStatusCode"]
            return f"{status} Error", cbor_error(error["Code"], error.get("Message", ""))
        result.pop("ResponseMetadata", None)
        out = bytearray()
        self.writer._serialize_data_item(out, result, model.output_shape)
        return "200 OK", bytes(out)



def cbor_error(code, message):
    """{"__type": code, "message": message}: an RPC v2 CBOR error body."""
    writer = RpcV2CBORSerializer()
    out = bytearray(writer._get_initial_byte(RpcV2CBORSerializer.MAP_MAJOR_TYPE, 2))
    for text in ("__type", code, "message", message):
        writer._serialize_type_string(out, text, None, None)
    return bytes(out)


def rpc_v2_target(path):
    """`Service.Operation` for an RPC v2 request path, as X-Amz-Target names a JSON call."""
    match = PATH.match(path)
    return f"{match['service']}.{match['operation']}" if match else ""


def main():
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    moto = DomainDispatcherApplication(create_backend_app)
    bridge = CborBridge(moto, endpoint=None)
    server = make_server("127.0.0.1", 0, bridge, True, request_handler=MotoRequestHandler)
    port = server.server_address[1]
    bridge.endpoint = f"http://127.0.0.1:{port}"
    print(port, flush=True)
    if "--watch" in sys.argv[1:]:
        import threading

        threading.Thread(target=server.serve_forever, daemon=True).start()
        sys.stdin.read()
    else:
        server.serve_forever()


if __name__ == "__main__":
    main()
