"""The local AWS endpoint: moto's server mode, plus what real AWS serves and moto 5.2.5
does not, so that no emulator gap decides what the product does.

- Smithy RPC v2 CBOR. aws-sdk-cloudwatch speaks only that (`POST /service/<target
  prefix>/operation/<Operation>`); moto serves CloudWatch's JSON and query protocols and
  answers CBOR 404. The bridge decodes the request with botocore's own CBOR reader, makes
  the same call on moto with boto3 (JSON), and answers in CBOR encoded against the
  operation's output shape, so timestamps, numbers and lists keep their wire types; an
  error keeps its code, message and HTTP status.
- IAM Access Analyzer's analyzers (CreateAnalyzer, ListAnalyzers, DeleteAnalyzer), kept
  per account and region in memory: moto has no Access Analyzer at all. An analyzer is
  ACTIVE once created, as a real one is within moments.
- The credential report's root row: moto lists IAM users only; every real report starts
  with `<root_account>`. Here it is a root that never signed in and has no access key
  or MFA (as moto's account summary says).
- AWS-managed IAM policies (AWSSupportAccess, …) are loaded, as in a real account.
- KMS keys in stacks: moto reads a template key's `Tags` in the KMS API's spelling
  (`TagKey`) and has no update for keys, so a stack update that touches one drops it
  (a later `Fn::GetAtt` on it fails); here tags are read as CloudFormation writes them
  and a key is updated in place, as CloudFormation does.
- Stack updates as CloudFormation makes them: moto takes an uncreated (condition false)
  resource naming a changed parameter for a modified one and resolves its Fn::GetAtt of
  another uncreated resource, failing the update; and it drops an Elastic IP whose tags
  changed (it has no update for it), so the NAT gateway's Fn::GetAtt of it fails; and it
  leaves uncreated a resource whose condition the update turned true unless the
  resource itself names a changed parameter. Here the first stays uncreated, the second is kept, the third is created.
- `!Condition Name` inside a condition read as CloudFormation reads it: moto's YAML
  reader makes it a function its condition parser does not know, so every condition
  built on another was false.
- AWS-managed KMS keys: moto makes the `aws/<service>` key a service asks for (DynamoDB's
  `aws/dynamodb`) with `KeyManager: CUSTOMER`; a key behind an `alias/aws/` alias is AWS's.
- A load balancer's attributes in full: moto answers only the keys set, real ELBv2 every
  key its type has, with its default (access logs and header dropping off, desync
  mitigation `defensive` for an Application Load Balancer).
- Step Functions as one service: moto keeps the state machines a stack creates apart
  from the ones its interpreter executes (`execute_state_machine`), so a deployed machine
  could not be run; here both are the interpreter's, which runs every execution started
  (as AWS does). Its own calls (Lambda, S3's item reader) come back to this server.
- An ECR repository's scanning as ECR applies it: moto's
  BatchGetRepositoryScanningConfiguration says MANUAL for a repository with scan on
  push while no registry rule matches it; ECR says SCAN_ON_PUSH.

  python scripts/emulator.py            binds a free loopback port, prints it, serves
  python scripts/emulator.py --watch    the same, until stdin closes (the tests' watchdog:
                                        the emulator goes when the test binary goes)
"""

import json
import logging
import os
import re
import sys
import threading
import urllib.parse
from datetime import datetime, timezone

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
from moto.cloudformation import models as cfn_models, parsing as cfn_parsing  # noqa: E402
from moto.cloudformation import responses as cfn_responses  # noqa: E402
from moto.ecr.models import ECRBackend  # noqa: E402
from moto.elbv2.models import ELBv2Backend  # noqa: E402
from moto.iam.models import IAMBackend  # noqa: E402
from moto.kms.models import Key as KmsKey, KmsBackend  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

# Services whose Rust SDK speaks only RPC v2 CBOR, by their target prefix.
CBOR_ONLY = {"GraniteServiceVersion20100801": "cloudwatch"}
PATH = re.compile(r"^/service/(?P<service>[^/]+)/operation/(?P<operation>[^/]+)$")
# Credential=AKID/DATE/REGION/SERVICE/aws4_request
SCOPE = re.compile(r"Credential=(?P<key>[^/]+)/\d+/(?P<region>[^/]+)/(?P<service>[^/]+)/")
DEFAULT_ACCOUNT = "123456789012"


class Gaps:
    """WSGI middleware in front of moto: the requests moto cannot answer, answered."""

    def __init__(self, app):
        self.app = app
        self.endpoint = None  # this server's own URL, known once it is bound
        self.reader = RpcV2CBORParser()
        self.writer = RpcV2CBORSerializer()
        self.analyzers = AccessAnalyzer()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        authorization = environ.get("HTTP_AUTHORIZATION", "")
        scope = SCOPE.search(authorization)
        match = PATH.match(path)
        if match and match["service"] in CBOR_ONLY:
            body = read_body(environ)
            status, payload = self.call(CBOR_ONLY[match["service"]], match["operation"], body, authorization)
            headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
        elif scope and scope["service"] == "access-analyzer":
            query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
            status, payload, code = self.analyzers.handle(
                environ["REQUEST_METHOD"], path, query, read_body(environ), account(scope), scope["region"])
            headers = [("Content-Type", "application/json")]
            if code:
                headers.append(("x-amzn-ErrorType", code))
        else:
            return self.app(environ, start_response)
        start_response(status, headers + [("Content-Length", str(len(payload)))])
        return [payload]

    def call(self, service, operation, body, authorization):
        """An RPC v2 CBOR request made on moto in JSON; the answer in CBOR."""
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


class AccessAnalyzer:
    """Analyzers by (account, region), as Access Analyzer's REST API serves them."""

    def __init__(self):
        self.lock = threading.Lock()
        self.analyzers = {}

    def handle(self, method, path, query, body, account_id, region):
        """(HTTP status, JSON body, error code or None) for one request."""
        with self.lock:
            mine = self.analyzers.setdefault((account_id, region), {})
            if method == "PUT" and path == "/analyzer":
                request = json.loads(body or b"{}")
                name = request["analyzerName"]
                if name in mine:
                    return self.error(409, "ConflictException", f"analyzer {name} already exists")
                arn = f"arn:aws:access-analyzer:{region}:{account_id}:analyzer/{name}"
                mine[name] = {
                    "arn": arn,
                    "name": name,
                    "type": request.get("type", "ACCOUNT"),
                    "createdAt": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "status": "ACTIVE",
                    "tags": request.get("tags", {}),
                }
                return "200 OK", json.dumps({"arn": arn}).encode(), None
            if method == "GET" and path == "/analyzer":
                wanted = query.get("type", [None])[0]
                listed = [a for a in mine.values() if wanted in (None, a["type"])]
                return "200 OK", json.dumps({"analyzers": listed}).encode(), None
            if method == "DELETE" and path.startswith("/analyzer/"):
                name = urllib.parse.unquote(path.removeprefix("/analyzer/"))
                if mine.pop(name, None) is None:
                    return self.error(404, "ResourceNotFoundException", f"analyzer {name} not found")
                return "200 OK", b"{}", None
        return self.error(501, "NotImplemented", f"{method} {path} is not emulated")

    @staticmethod
    def error(status, code, message):
        return f"{status} Error", json.dumps({"message": message}).encode(), code


def read_body(environ):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return environ["wsgi.input"].read(length) if length else b""


def account(scope):
    """The account a request is for: moto's rule, a 12-digit access key names it."""
    key = scope["key"] if scope else ""
    return key if key.isdigit() and len(key) == 12 else DEFAULT_ACCOUNT


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


def with_root_row(report):
    """moto's credential report with the root row a real one has, after the header."""

    def patched(self):
        header, _, users = report(self).partition("\n")
        root = (
            f"<root_account>,arn:aws:iam::{self.account_id}:root,2020-01-01T00:00:00+00:00,"
            f"not_supported,no_information,not_supported,not_supported,false,"
            "false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
        )
        return f"{header}\n{root}\n{users}"

    return patched


# The attributes every load balancer of a type reports, with their defaults.
LOAD_BALANCER_DEFAULTS = {
    "application": {
        "access_logs.s3.enabled": "false",
        "routing.http.drop_invalid_header_fields.enabled": "false",
        "routing.http.desync_mitigation_mode": "defensive",
        "idle_timeout.timeout_seconds": "60",
    },
    "network": {"access_logs.s3.enabled": "false"},
    "gateway": {},
}


def with_default_attributes(describe):
    """moto's load balancer attributes, with the keys it leaves out at their defaults."""

    def patched(self, arn):
        balancer = self.load_balancers.get(arn)
        defaults = LOAD_BALANCER_DEFAULTS.get(balancer.type, {}) if balancer else {}
        return {**defaults, **describe(self, arn)}

    return patched


def with_repository_scan_on_push(batch_get):
    """moto's repository scanning, with a repository's own scan on push applied where no
    registry rule matched it."""

    def patched(self, names):
        configs, failing = batch_get(self, names)
        out = []
        for config in configs:
            repository = self.repositories.get(config["repositoryName"])
            own = repository and repository.image_scanning_configuration.get("scanOnPush")
            if own and not config["appliedScanFilters"]:
                config = {**config, "scanOnPush": True, "scanFrequency": "SCAN_ON_PUSH"}
            out.append(config)
        return out, failing

    return patched


def aws_managed_behind_aws_aliases(create_alias):
    """moto's aliases, with the key behind an `alias/aws/…` made AWS-managed."""

    def patched(self, target_key_id, alias_name):
        alias = create_alias(self, target_key_id, alias_name)
        if alias_name.startswith("alias/aws/"):
            self.describe_key(target_key_id).key_manager = "AWS"
        return alias

    return patched


def kms_tags(properties):
    """A template's KMS key tags as the KMS API spells them (`TagKey`/`TagValue`)."""
    return [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in properties.get("Tags", [])]


def update_key_in_place(cls, original_resource, new_resource_name, cloudformation_json,
                        account_id, region_name):
    """A KMS key's stack update, in place as CloudFormation does it: moto has no update
    for keys and drops the key from the stack, so a later Fn::GetAtt finds nothing."""
    from moto.kms.models import kms_backends

    backend = kms_backends[account_id][region_name]
    properties = cloudformation_json.get("Properties", {})
    key = original_resource
    if "KeyPolicy" in properties:
        policy = properties["KeyPolicy"]
        key.policy = policy if isinstance(policy, str) else json.dumps(policy)
    key.description = properties.get("Description", key.description)
    key.key_rotation_status = properties.get("EnableKeyRotation", False)
    key.enabled = properties.get("Enabled", True)
    backend.tagger.delete_all_tags_for_resource(key.id)
    backend.tagger.tag_resource(key.id, kms_tags(properties))
    return key


def with_cloudformation_tags(create):
    """moto's KMS keys made by CloudFormation, with the template's tags as CloudFormation
    writes them (`Key`/`Value`; moto reads them as the KMS API spells them, `TagKey`)."""

    def patched(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json.get("Properties", {})
        if properties.get("Tags"):
            cloudformation_json = {
                **cloudformation_json,
                "Properties": {**properties, "Tags": kms_tags(properties)},
            }
        return create.__func__(
            cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
        )

    return classmethod(patched)


def without_uncreated_resources(diff):
    """A stack update's diff without the resources whose condition kept them from being
    created: moto lists such a resource as modified when a parameter it names changed,
    then resolves its Fn::GetAtt of another uncreated resource and fails the update,
    where CloudFormation leaves it uncreated."""

    def patched(self, other_template, parameters=None):
        actions = diff(self, other_template, parameters)
        resources = other_template["Resources"]

        def uncreated(name):
            condition = resources.get(name, {}).get("Condition")
            return (
                condition
                and not self.lazy_condition_map[condition]
                and name not in self._parsed_resources
            )

        actions["Modify"] = [n for n in actions["Modify"] if not uncreated(n)]
        return actions

    return patched


def condition_tag_as_cloudformation_reads_it(constructor):
    """`!Condition Name` as CloudFormation reads it, `{"Condition": Name}`: moto makes it
    `Fn::Condition`, which its condition parser does not know, so every condition built
    on another (`!And [!Condition HasFunction, …]`) was false."""

    def patched(loader, tag, node):
        if tag == "!Condition":
            return {"Condition": node.value}
        return constructor(loader, tag, node)

    return patched


def conditions_turned_true_create(update):
    """A stack update creates the resources whose condition it turned true: moto's update
    touches only resources whose own text or directly named parameters changed, so one
    whose condition now holds but which names no changed parameter (the schedule, once
    LambdaCodeKey gives the stack its function) stayed uncreated, where CloudFormation
    creates it."""

    def patched(self, template, parameters=None):
        update(self, template, parameters)
        for name, resource in self._resource_json_map.items():
            condition = resource.get("Condition")
            if condition and self.lazy_condition_map[condition] and name not in self._parsed_resources:
                _ = self[name]

    return patched


def elastic_ip_kept_on_update(update):
    """An Elastic IP a stack update touches (its tags changed) kept as it is: moto has no
    update for it and stores nothing in its place, so the NAT gateway's Fn::GetAtt of it
    fails, where CloudFormation updates its tags in place."""

    def patched(logical_id, resource_json, resources_map, account_id, region_name):
        updated = update(logical_id, resource_json, resources_map, account_id, region_name)
        if updated is None and resource_json.get("Type") == "AWS::EC2::EIP":
            return resources_map._parsed_resources.get(logical_id)
        return updated

    return patched


def one_step_functions_store():
    """Every Step Functions call and stack resource on the interpreter's backend."""
    from moto.stepfunctions import models as sfn_models, responses as sfn_responses
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    sfn_models.stepfunctions_backends = stepfunctions_parser_backends
    sfn_responses.stepfunctions_backends = stepfunctions_parser_backends


def main():
    one_step_functions_store()
    cfn_parsing.ResourceMap.build_resource_diff = without_uncreated_resources(
        cfn_parsing.ResourceMap.build_resource_diff
    )
    cfn_models.yaml_tag_constructor = condition_tag_as_cloudformation_reads_it(cfn_models.yaml_tag_constructor)
    cfn_responses.yaml_tag_constructor = condition_tag_as_cloudformation_reads_it(
        cfn_responses.yaml_tag_constructor
    )
    cfn_parsing.ResourceMap.update = conditions_turned_true_create(cfn_parsing.ResourceMap.update)
    cfn_parsing.parse_and_update_resource = elastic_ip_kept_on_update(
        cfn_parsing.parse_and_update_resource
    )
    IAMBackend.get_credential_report = with_root_row(IAMBackend.get_credential_report)
    KmsBackend.create_alias = aws_managed_behind_aws_aliases(KmsBackend.create_alias)
    KmsKey.create_from_cloudformation_json = with_cloudformation_tags(
        KmsKey.create_from_cloudformation_json
    )
    KmsKey.update_from_cloudformation_json = classmethod(update_key_in_place)
    ELBv2Backend.describe_load_balancer_attributes = with_default_attributes(
        ELBv2Backend.describe_load_balancer_attributes
    )
    ECRBackend.batch_get_repository_scanning_configuration = with_repository_scan_on_push(
        ECRBackend.batch_get_repository_scanning_configuration
    )
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    gaps = Gaps(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, gaps, True, request_handler=MotoRequestHandler)
    port = server.server_address[1]
    gaps.endpoint = f"http://127.0.0.1:{port}"
    # Where the Step Functions interpreter sends its tasks' calls.
    os.environ["MOTO_PORT"] = str(port)
    print(port, flush=True)
    if "--watch" in sys.argv[1:]:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        sys.stdin.read()
    else:
        server.serve_forever()


if __name__ == "__main__":
    main()
