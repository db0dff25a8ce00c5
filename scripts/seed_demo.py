"""Seeds the local AWS endpoint with a deliberately mixed account: some resources
that pass every rule, and failures across S3, VPC/EC2, Lambda, KMS, SNS, CloudWatch Logs, IAM, CloudTrail, AWS Config,
GuardDuty, Security Hub, IAM Access Analyzer, RDS, EFS, SQS, Secrets Manager, DynamoDB, ECR and
Elastic Load Balancing.

Prints a JSON manifest on stdout: the verdict a correct scan must give for each
(rule, resource) pair it names. The demo shows the scan; the integration tests
assert the manifest against it.

usage: seed_demo.py ENDPOINT_URL
"""

import io
import json
import sys
import zipfile

import boto3
from botocore.config import Config

REGION = "us-east-1"
ACCOUNT = "123456789012"
TAGS = {"Environment": "demo", "Owner": "security", "CostCenter": "1234", "ComplianceLevel": "high"}
FLOW_LOG_GROUP = f"audit-flowlogs-{REGION}-2026-11-23"

expect = []


def verdict(rule, resource_id, status):
    expect.append({"rule_id": rule, "resource_id": resource_id, "status": status})


def client(endpoint, service):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(s3={"addressing_style": "path"}),
    )


def tag_list(tags, key="Key", value="Value"):
    return [{key: k, value: v} for k, v in tags.items()]


def seed_kms(kms):
    good = kms.create_key(Description="demo: reports", Tags=tag_list(TAGS, "TagKey", "TagValue"))["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=good)
    verdict("kms-key-rotation-enabled", good, "PASS")
    verdict("kms-key-mandatory-tags", good, "PASS")
    verdict("kms-key-policy-not-public", good, "PASS")
    verdict("kms-key-not-pending-deletion", good, "PASS")

    stale = kms.create_key(Description="demo: never rotated")["KeyMetadata"]["KeyId"]
    verdict("kms-key-rotation-enabled", stale, "FAIL")
    verdict("kms-key-mandatory-tags", stale, "FAIL")

    doomed = kms.create_key(Description="demo: scheduled for deletion")["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=doomed, PendingWindowInDays=7)
    verdict("kms-key-not-pending-deletion", doomed, "FAIL")
    verdict("kms-key-rotation-enabled", doomed, "NOT_APPLICABLE")

    open_policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Everyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}]})
    public = kms.create_key(Description="demo: public key policy", Policy=open_policy)["KeyMetadata"]["KeyId"]
    verdict("kms-key-policy-not-public", public, "FAIL")
    return kms.describe_key(KeyId=good)["KeyMetadata"]["Arn"]


def seed_s3(s3, key_arn):
    logs = "compliance-demo-logs"
    s3.create_bucket(Bucket=logs)
    s3.put_bucket_encryption(Bucket=logs, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    s3.put_bucket_policy(Bucket=logs, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "ServerAccessLogs", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{logs}/*",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]}))
    verdict("s3-bucket-default-encryption-enabled", logs, "PASS")
    verdict("s3-bucket-no-public-write", logs, "PASS")
    verdict("s3-bucket-kms-cmk-encryption", logs, "FAIL")

    secure = "compliance-demo-secure"
    s3.create_bucket(Bucket=secure)
    s3.put_bucket_encryption(Bucket=secure, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}, "BucketKeyEnabled": True}]})
    s3.put_bucket_versioning(Bucket=secure, VersioningConfiguration={"Status": "Enabled"})
    s3.put_public_access_block(Bucket=secure, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.put_bucket_policy(Bucket=secure, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{secure}", f"arn:aws:s3:::{secure}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
    s3.put_bucket_logging(Bucket=secure, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": logs, "TargetPrefix": "secure/"}})
    s3.put_bucket_lifecycle_configuration(Bucket=secure, LifecycleConfiguration={"Rules": [
        {"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 90}}]})
    s3.put_bucket_ownership_controls(Bucket=secure, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    s3.put_bucket_tagging(Bucket=secure, Tagging={"TagSet": tag_list(TAGS)})
    for rule in ["default-encryption-enabled", "kms-cmk-encryption", "versioning-enabled", "public-access-block",
                 "no-public-read", "no-public-write", "ssl-requests-only", "access-logging-enabled",
                 "lifecycle-configured", "acls-disabled", "mandatory-tags"]:
        verdict(f"s3-bucket-{rule}", secure, "PASS")

    public = "compliance-demo-public"
    s3.create_bucket(Bucket=public)
    s3.put_bucket_policy(Bucket=public, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{public}/*"}]}))
    owner = s3.get_bucket_acl(Bucket=public)["Owner"]
    everyone = {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}
    s3.put_bucket_acl(Bucket=public, AccessControlPolicy={"Owner": owner, "Grants": [
        {"Grantee": everyone, "Permission": "READ"}, {"Grantee": everyone, "Permission": "WRITE"}]})
    verdict("s3-bucket-no-public-read", public, "FAIL")
    verdict("s3-bucket-no-public-write", public, "FAIL")
    verdict("s3-bucket-public-access-block", public, "FAIL")
    verdict("s3-bucket-ssl-requests-only", public, "FAIL")

    legacy = "compliance-demo-legacy"
    s3.create_bucket(Bucket=legacy)
    for rule in ["default-encryption-enabled", "kms-cmk-encryption", "versioning-enabled", "public-access-block",
                 "ssl-requests-only", "access-logging-enabled", "lifecycle-configured", "acls-disabled", "mandatory-tags"]:
        verdict(f"s3-bucket-{rule}", legacy, "FAIL")
    verdict("s3-bucket-no-public-read", legacy, "PASS")


def seed_ec2(ec2, logs, iam):
    default_sg = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]
    verdict("ec2-security-group-default-closed", default_sg, "FAIL")
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    verdict("ec2-vpc-flow-logs-enabled", default_vpc, "FAIL")
    verdict("ec2-vpc-mandatory-tags", default_vpc, "NOT_APPLICABLE")
    verdict("ec2-region-ebs-default-encryption", REGION, "FAIL")

    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    role = iam.create_role(RoleName="demo-flow-logs", AssumeRolePolicyDocument=trust)["Role"]["Arn"]

    vpc = ec2.create_vpc(CidrBlock="10.10.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": tag_list(TAGS)}])["Vpc"]["VpcId"]
    logs.create_log_group(logGroupName=FLOW_LOG_GROUP)
    ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL", LogDestinationType="cloud-watch-logs",
                         LogGroupName=FLOW_LOG_GROUP, DeliverLogsPermissionArn=role)
    verdict("ec2-vpc-flow-logs-enabled", vpc, "PASS")
    verdict("ec2-vpc-flow-log-group-naming", vpc, "PASS")
    verdict("ec2-vpc-mandatory-tags", vpc, "PASS")

    sloppy = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    logs.create_log_group(logGroupName="vpc-flow-logs")
    ec2.create_flow_logs(ResourceIds=[sloppy], ResourceType="VPC", TrafficType="ALL", LogDestinationType="cloud-watch-logs",
                         LogGroupName="vpc-flow-logs", DeliverLogsPermissionArn=role)
    verdict("ec2-vpc-flow-log-group-naming", sloppy, "FAIL")
    verdict("ec2-vpc-mandatory-tags", sloppy, "FAIL")

    private_a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.10.1.0/24", AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]
    private_b = ec2.create_subnet(VpcId=vpc, CidrBlock="10.10.2.0/24", AvailabilityZone=f"{REGION}b")["Subnet"]["SubnetId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.10.3.0/24", AvailabilityZone=f"{REGION}c")["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=public, MapPublicIpOnLaunch={"Value": True})
    verdict("ec2-subnet-no-auto-public-ip", private_a, "PASS")
    verdict("ec2-subnet-no-auto-public-ip", public, "FAIL")

    # Network ACLs: the default one allows everything; a narrowed one; one whose range
    # 3000-4000 over IPv6 holds RDP (as real accounts write them).
    default_acl = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                     {"Name": "default", "Values": ["true"]}])["NetworkAcls"][0]["NetworkAclId"]
    verdict("ec2-network-acl-no-public-admin-ports", default_acl, "FAIL")
    narrow = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    for number, port, cidr in [(100, 22, "10.0.0.0/8"), (110, 443, "0.0.0.0/0")]:
        ec2.create_network_acl_entry(NetworkAclId=narrow, RuleNumber=number, Protocol="6", RuleAction="allow",
                                     Egress=False, CidrBlock=cidr, PortRange={"From": port, "To": port})
    verdict("ec2-network-acl-no-public-admin-ports", narrow, "PASS")
    wide = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=wide, RuleNumber=100, Protocol="6", RuleAction="allow", Egress=False,
                                 Ipv6CidrBlock="::/0", PortRange={"From": 3000, "To": 4000})
    verdict("ec2-network-acl-no-public-admin-ports", wide, "FAIL")

    # Instances: one as the rules want it, in a private subnet; one launched with every
    # default, in the default VPC (a public address, IMDSv1 allowed, no role, no tags).
    iam.create_instance_profile(InstanceProfileName="demo-app")
    app = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=private_a,
                            MetadataOptions={"HttpTokens": "required"}, IamInstanceProfile={"Name": "demo-app"},
                            TagSpecifications=[{"ResourceType": "instance", "Tags": tag_list(TAGS)}])["Instances"][0]
    legacy = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]
    for rule in ["imdsv2-required", "no-public-ip", "profile-attached", "mandatory-tags"]:
        verdict(f"ec2-instance-{rule}", app["InstanceId"], "PASS")
        verdict(f"ec2-instance-{rule}", legacy["InstanceId"], "FAIL")

    # Volumes: an encrypted data volume on the app; the emulator gives every instance an
    # unencrypted root volume (the legacy one's fails); one left unattached is not judged.
    data = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=8, Encrypted=True)["VolumeId"]
    ec2.attach_volume(VolumeId=data, InstanceId=app["InstanceId"], Device="/dev/sdf")
    verdict("ec2-volume-attached-encrypted", data, "PASS")
    root = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [legacy["InstanceId"]]}])["Volumes"][0]
    verdict("ec2-volume-attached-encrypted", root["VolumeId"], "FAIL")
    spare = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=8)["VolumeId"]
    verdict("ec2-volume-attached-encrypted", spare, "NOT_APPLICABLE")

    # Snapshots: the data volume's, encrypted and private; the spare's, unencrypted and
    # shared with everyone.
    kept = ec2.create_snapshot(VolumeId=data, Description="nightly")["SnapshotId"]
    verdict("ec2-snapshot-not-public", kept, "PASS")
    verdict("ec2-snapshot-encrypted", kept, "PASS")
    shared = ec2.create_snapshot(VolumeId=spare, Description="handover")["SnapshotId"]
    ec2.modify_snapshot_attribute(SnapshotId=shared, Attribute="createVolumePermission",
                                  OperationType="add", GroupNames=["all"])
    verdict("ec2-snapshot-not-public", shared, "FAIL")
    verdict("ec2-snapshot-encrypted", shared, "FAIL")

    # Images of the app: the golden one kept private, a copy made public by mistake.
    golden = ec2.create_image(InstanceId=app["InstanceId"], Name="demo-golden")["ImageId"]
    verdict("ec2-image-not-public", golden, "PASS")
    leaked = ec2.create_image(InstanceId=app["InstanceId"], Name="demo-golden-copy")["ImageId"]
    ec2.modify_image_attribute(ImageId=leaked, LaunchPermission={"Add": [{"Group": "all"}]})
    verdict("ec2-image-not-public", leaked, "FAIL")

    # The kept ones are tagged; the spare volume, its shared snapshot and the leaked image
    # are nobody's.
    ec2.create_tags(Resources=[data, kept, golden], Tags=tag_list(TAGS))
    for kind, good, bad in [("volume", data, spare), ("snapshot", kept, shared), ("image", golden, leaked)]:
        verdict(f"ec2-{kind}-mandatory-tags", good, "PASS")
        verdict(f"ec2-{kind}-mandatory-tags", bad, "FAIL")

    # A batch host stopped today: not yet forgotten.
    batch = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=private_a,
                              MetadataOptions={"HttpTokens": "required"})["Instances"][0]["InstanceId"]
    ec2.stop_instances(InstanceIds=[batch])
    verdict("ec2-instance-not-stopped-long", batch, "PASS")
    verdict("ec2-instance-not-stopped-long", app["InstanceId"], "NOT_APPLICABLE")

    # Elastic IPs: one on the legacy instance, one kept for no one.
    used = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=used, InstanceId=legacy["InstanceId"])
    verdict("ec2-elastic-ip-in-use", used, "PASS")
    idle = ec2.allocate_address(Domain="vpc")["AllocationId"]
    verdict("ec2-elastic-ip-in-use", idle, "FAIL")
    # Associated, but with an interface attached to nothing: not in use either.
    loose = ec2.create_network_interface(SubnetId=private_b)["NetworkInterface"]["NetworkInterfaceId"]
    parked = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=parked, NetworkInterfaceId=loose)
    verdict("ec2-elastic-ip-in-use", parked, "FAIL")

    def group(name, permissions):
        gid = ec2.create_security_group(GroupName=name, Description=f"demo {name}", VpcId=vpc)["GroupId"]
        if permissions:
            ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=permissions)
        return gid

    web = group("demo-web", [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    ssh = group("demo-ssh", [{"IpProtocol": "tcp", "FromPort": 20, "ToPort": 25, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    rdp = group("demo-rdp", [{"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    db = group("demo-db", [{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    wide = group("demo-wide-open", [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    lambda_sg = group("demo-lambda", [])
    for rule in ["no-public-ssh", "no-public-rdp", "no-public-admin-ports", "no-public-all-ports"]:
        verdict(f"ec2-security-group-{rule}", web, "PASS")
    verdict("ec2-security-group-no-public-ssh", ssh, "FAIL")
    verdict("ec2-security-group-no-public-rdp", ssh, "PASS")
    verdict("ec2-security-group-no-public-rdp", rdp, "FAIL")
    verdict("ec2-security-group-no-public-admin-ports", db, "FAIL")
    verdict("ec2-security-group-no-public-all-ports", db, "PASS")
    verdict("ec2-security-group-no-public-all-ports", wide, "FAIL")
    verdict("ec2-security-group-no-public-ssh", wide, "FAIL")
    verdict("ec2-security-group-default-closed", web, "NOT_APPLICABLE")
    return [private_a, private_b], lambda_sg


def seed_lambda(lam, iam, subnets, sg):
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    role = iam.create_role(RoleName="demo-lambda", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("bootstrap", "#!/bin/sh\n")
    zipped = code.getvalue()

    lam.create_function(FunctionName="demo-scanner", Runtime="provided.al2023", Role=role, Handler="bootstrap",
                        Code={"ZipFile": zipped}, TracingConfig={"Mode": "Active"}, Tags=TAGS,
                        VpcConfig={"SubnetIds": subnets, "SecurityGroupIds": [sg]},
                        Environment={"Variables": {"REPORT_BUCKET": "compliance-demo-secure"}})
    lam.put_function_concurrency(FunctionName="demo-scanner", ReservedConcurrentExecutions=2)
    for rule in ["tracing-active", "supported-runtime", "not-public", "in-vpc", "reserved-concurrency", "mandatory-tags"]:
        verdict(f"lambda-function-{rule}", "demo-scanner", "PASS")
    verdict("lambda-function-url-iam-auth", "demo-scanner", "NOT_APPLICABLE")
    # provided.al2023 is supported until 2029-06-30: no warning before 2029-04.
    verdict("lambda-function-runtime-end-of-support-soon", "demo-scanner", "PASS")

    lam.create_function(FunctionName="demo-legacy", Runtime="python3.8", Role=role, Handler="index.handler",
                        Code={"ZipFile": zipped})
    lam.add_permission(FunctionName="demo-legacy", StatementId="everyone", Action="lambda:InvokeFunction", Principal="*")
    lam.create_function_url_config(FunctionName="demo-legacy", AuthType="NONE")
    for rule in ["tracing-active", "supported-runtime", "not-public", "in-vpc", "reserved-concurrency",
                 "mandatory-tags", "url-iam-auth"]:
        verdict(f"lambda-function-{rule}", "demo-legacy", "FAIL")
    # python3.8 is past its end of support: the warning gives way to the failure.
    verdict("lambda-function-runtime-end-of-support-soon", "demo-legacy", "NOT_APPLICABLE")


def seed_logs(logs, key_arn):
    # The flow-log groups seed_ec2 made: never expiring, no key of the account's.
    for name in [FLOW_LOG_GROUP, "vpc-flow-logs"]:
        verdict("logs-log-group-retention", name, "PASS")
        verdict("logs-log-group-kms-encrypted", name, "FAIL")
    logs.create_log_group(logGroupName="/demo/app")
    logs.put_retention_policy(logGroupName="/demo/app", retentionInDays=30)
    verdict("logs-log-group-retention", "/demo/app", "FAIL")
    logs.create_log_group(logGroupName="/demo/audit", kmsKeyId=key_arn)
    logs.put_retention_policy(logGroupName="/demo/audit", retentionInDays=400)
    verdict("logs-log-group-retention", "/demo/audit", "PASS")
    verdict("logs-log-group-kms-encrypted", "/demo/audit", "PASS")


def seed_sns(sns, key_arn):
    alerts = sns.create_topic(Name="demo-alerts", Attributes={"KmsMasterKeyId": key_arn}, Tags=tag_list(TAGS))["TopicArn"]
    sns.subscribe(TopicArn=alerts, Protocol="https", Endpoint="https://hooks.example.com/alerts")
    for rule in ["kms-encrypted", "not-public", "https-subscriptions", "mandatory-tags"]:
        verdict(f"sns-topic-{rule}", "demo-alerts", "PASS")

    open_topic = sns.create_topic(Name="demo-open")["TopicArn"]
    sns.set_topic_attributes(TopicArn=open_topic, AttributeName="Policy", AttributeValue=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "SNS:Publish", "Resource": open_topic}]}))
    sns.subscribe(TopicArn=open_topic, Protocol="http", Endpoint="http://hooks.example.com/plain")
    for rule in ["kms-encrypted", "not-public", "https-subscriptions", "mandatory-tags"]:
        verdict(f"sns-topic-{rule}", "demo-open", "FAIL")


def seed_iam(iam):
    # The password policy: long enough for IAM.7 and reused-password proof, but no
    # symbols, shorter than CIS's 14 and never expiring.
    iam.update_account_password_policy(
        MinimumPasswordLength=10, RequireUppercaseCharacters=True, RequireLowercaseCharacters=True,
        RequireNumbers=True, RequireSymbols=False, PasswordReusePrevention=24)
    for rule, status in [("strong", "FAIL"), ("uppercase", "PASS"), ("lowercase", "PASS"), ("symbol", "FAIL"),
                         ("number", "PASS"), ("min-length", "FAIL"), ("reuse", "PASS"), ("expiry", "FAIL")]:
        verdict(f"iam-password-policy-{rule}", ACCOUNT, status)
    # The emulator's root user has neither MFA nor keys (the tests replay real answers
    # for the other cases).
    verdict("iam-root-mfa-enabled", ACCOUNT, "FAIL")
    verdict("iam-root-hardware-mfa", ACCOUNT, "FAIL")
    verdict("iam-root-no-access-keys", ACCOUNT, "PASS")
    # The emulator's root row (scripts/emulator.py): never signed in, no key.
    verdict("iam-root-not-used", ACCOUNT, "PASS")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]})
    iam.create_role(RoleName="demo-support", AssumeRolePolicyDocument=trust)
    iam.attach_role_policy(RoleName="demo-support", PolicyArn="arn:aws:iam::aws:policy/AWSSupportAccess")
    verdict("iam-support-role", ACCOUNT, "PASS")
    verdict("iam-support-access-in-use", ACCOUNT, "PASS")
    iam.create_group(GroupName="demo-developers")
    iam.attach_group_policy(GroupName="demo-developers", PolicyArn="arn:aws:iam::aws:policy/AWSCloudShellFullAccess")
    verdict("iam-no-cloudshell-full-access", ACCOUNT, "FAIL")

    def policy(name, statements):
        document = json.dumps({"Version": "2012-10-17", "Statement": statements})
        return iam.create_policy(PolicyName=name, PolicyDocument=document)["Policy"]["Arn"]

    admin = policy("demo-admin", [{"Effect": "Allow", "Action": "*", "Resource": "*"}])
    iam.attach_role_policy(RoleName="demo-support", PolicyArn=admin)
    verdict("iam-policy-no-full-admin", "demo-admin", "FAIL")
    verdict("iam-no-attached-admin-policy", ACCOUNT, "FAIL")
    verdict("iam-policy-no-full-service-access", "demo-admin", "FAIL")
    policy("demo-readers", [{"Effect": "Allow", "Action": ["s3:Get*", "ec2:Describe*"], "Resource": "*"},
                            {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}])
    verdict("iam-policy-no-full-admin", "demo-readers", "PASS")
    verdict("iam-policy-no-full-service-access", "demo-readers", "PASS")
    data = policy("demo-data", [{"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"}])
    verdict("iam-policy-no-full-admin", "demo-data", "PASS")
    verdict("iam-policy-no-full-service-access", "demo-data", "FAIL")

    # alice: console with MFA, one fresh key, permissions through her group.
    iam.create_user(UserName="demo-alice")
    iam.add_user_to_group(GroupName="demo-developers", UserName="demo-alice")
    iam.create_login_profile(UserName="demo-alice", Password="Correct-Horse-9")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="demo-alice")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName="demo-alice", SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321")
    iam.create_access_key(UserName="demo-alice")
    for rule in ["console-mfa", "no-direct-policies", "access-keys-rotated", "unused-credentials", "one-active-key"]:
        verdict(f"iam-user-{rule}", "demo-alice", "PASS")
    # ... a key she never used since it was made with her login (CIS 1.11).
    verdict("iam-user-no-initial-access-key", "demo-alice", "FAIL")
    # bob: console without MFA, a policy of his own.
    iam.create_user(UserName="demo-bob")
    iam.create_login_profile(UserName="demo-bob", Password="Correct-Horse-9")
    iam.attach_user_policy(UserName="demo-bob", PolicyArn=data)
    verdict("iam-user-console-mfa", "demo-bob", "FAIL")
    verdict("iam-user-no-initial-access-key", "demo-bob", "PASS")
    verdict("iam-user-no-direct-policies", "demo-bob", "FAIL")
    # ci: no console, two active keys and an inline policy.
    iam.create_user(UserName="demo-ci")
    iam.create_access_key(UserName="demo-ci")
    iam.create_access_key(UserName="demo-ci")
    iam.put_user_policy(UserName="demo-ci", PolicyName="deploy", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "cloudformation:*", "Resource": "*"}]}))
    verdict("iam-user-console-mfa", "demo-ci", "PASS")
    verdict("iam-user-one-active-key", "demo-ci", "FAIL")
    verdict("iam-user-no-direct-policies", "demo-ci", "FAIL")
    verdict("iam-user-access-keys-rotated", "demo-ci", "PASS")
    # The emulator dates every server certificate's expiry in 2012.
    iam.upload_server_certificate(ServerCertificateName="demo-legacy-www",
                                  CertificateBody="-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
                                  PrivateKey="-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----")
    verdict("iam-server-certificate-not-expired", "demo-legacy-www", "FAIL")


def seed_cloudtrail(cloudtrail, logs, key_arn):
    # The organisation's trail delivers to the secure bucket (which logs its access), the
    # legacy one to the audit log bucket (which does not): seed_s3 made both.
    logs.create_log_group(logGroupName="demo-trail")
    group = logs.describe_log_groups(logGroupNamePrefix="demo-trail")["logGroups"][0]["arn"]
    verdict("logs-log-group-retention", "demo-trail", "PASS")
    verdict("logs-log-group-kms-encrypted", "demo-trail", "FAIL")
    # The organisation's trail: every region, validated, encrypted, into CloudWatch Logs,
    # all management events and every bucket's object writes (not reads).
    cloudtrail.create_trail(
        Name="demo-org", S3BucketName="compliance-demo-secure", IsMultiRegionTrail=True,
        EnableLogFileValidation=True, KmsKeyId=key_arn, CloudWatchLogsLogGroupArn=group,
        CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/demo-trail")
    cloudtrail.put_event_selectors(TrailName="demo-org", EventSelectors=[
        {"ReadWriteType": "All", "IncludeManagementEvents": True},
        {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": False,
         "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}])
    cloudtrail.start_logging(Name="demo-org")
    for rule in ["trail-kms-encrypted", "trail-log-file-validation", "trail-cloudwatch-logs", "bucket-access-logging"]:
        verdict(f"cloudtrail-{rule}", "demo-org", "PASS")
    # A team's old single-region trail, never started: none of it.
    cloudtrail.create_trail(Name="demo-legacy", S3BucketName="compliance-demo-logs")
    for rule in ["trail-kms-encrypted", "trail-log-file-validation", "trail-cloudwatch-logs", "bucket-access-logging"]:
        verdict(f"cloudtrail-{rule}", "demo-legacy", "FAIL")
    # Neither bucket grants anything to everyone.
    for trail in ["demo-org", "demo-legacy"]:
        verdict("cloudtrail-bucket-not-public", trail, "PASS")
    verdict("cloudtrail-multi-region-trail-enabled", ACCOUNT, "PASS")
    verdict("cloudtrail-enabled", ACCOUNT, "PASS")
    verdict("cloudtrail-s3-data-events-write", ACCOUNT, "PASS")
    verdict("cloudtrail-s3-data-events-read", ACCOUNT, "FAIL")


def seed_cloudwatch(logs, cloudwatch, sns, key_arn):
    # The organisation trail's log group (seed_cloudtrail): CloudTrail changes reach an
    # alarm whose topic someone subscribed to; IAM policy changes reach an alarm nobody
    # receives (its topic has no subscriber); nothing else is watched.
    # Both topics pass every SNS rule (encrypted, tagged, private): only their
    # subscribers differ.
    def topic(name):
        return sns.create_topic(Name=name, Attributes={"KmsMasterKeyId": key_arn}, Tags=tag_list(TAGS))["TopicArn"]
    watched = topic("demo-security-alarms")
    # A function's subscription needs no confirmation.
    sns.subscribe(TopicArn=watched, Protocol="lambda",
                  Endpoint=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:demo-scanner")
    unheard = topic("demo-nobody-listens")
    for name, pattern, topic in [
        ("cloudtrail-changes", "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || "
         "($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }", watched),
        ("iam-policy-changes", "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||"
         "($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||"
         "($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||"
         "($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||"
         "($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||"
         "($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}", unheard),
    ]:
        logs.put_metric_filter(logGroupName="demo-trail", filterName=name, filterPattern=pattern,
                               metricTransformations=[{"metricName": name, "metricNamespace": "CISBenchmark", "metricValue": "1"}])
        cloudwatch.put_metric_alarm(AlarmName=f"demo-{name}", MetricName=name, Namespace="CISBenchmark",
                                    Statistic="Sum", Period=300, Threshold=1, EvaluationPeriods=1,
                                    ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[topic])
    verdict("cloudwatch-monitoring-cloudtrail-changes", ACCOUNT, "PASS")
    verdict("cloudwatch-monitoring-iam-policy-changes", ACCOUNT, "FAIL")
    verdict("cloudwatch-monitoring-root-usage", ACCOUNT, "FAIL")


def seed_config(config):
    # Recording everything, but with a role of the account's own.
    config.put_configuration_recorder(ConfigurationRecorder={
        "name": "default", "roleARN": f"arn:aws:iam::{ACCOUNT}:role/demo-config",
        "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}})
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "compliance-demo-logs"})
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    verdict("config-recorder-enabled", REGION, "PASS")
    verdict("config-recorder-service-linked-role", REGION, "FAIL")


def seed_guardduty(guardduty):
    guardduty.create_detector(Enable=True)
    verdict("guardduty-enabled", REGION, "PASS")


def seed_accessanalyzer(analyzer):
    # An analyzer of unused access only: it reports nothing shared outside the account.
    analyzer.create_analyzer(analyzerName="demo-unused", type="ACCOUNT_UNUSED_ACCESS")
    verdict("accessanalyzer-enabled", REGION, "FAIL")


def seed_securityhub():
    # Never enabled in the demo account.
    verdict("securityhub-enabled", REGION, "FAIL")


def seed_rds(rds):
    db = dict(DBInstanceClass="db.t3.micro", AllocatedStorage=20, MasterUsername="ledger",
              MasterUserPassword="not-a-real-password")
    # The ledger: private, encrypted, patched, protected, backed up, standby, IAM auth.
    rds.create_db_instance(
        DBInstanceIdentifier="demo-ledger", Engine="postgres", StorageEncrypted=True,
        PubliclyAccessible=False, AutoMinorVersionUpgrade=True, MultiAZ=True, DeletionProtection=True,
        BackupRetentionPeriod=14, EnableIAMDatabaseAuthentication=True, CopyTagsToSnapshot=True,
        MonitoringInterval=60, MonitoringRoleArn=f"arn:aws:iam::{ACCOUNT}:role/demo-rds-monitoring",
        EnableCloudwatchLogsExports=["postgresql", "upgrade"], Tags=tag_list(TAGS), **db)
    for rule in ["not-public", "storage-encrypted", "auto-minor-version-upgrade", "deletion-protection",
                 "backups-enabled", "multi-az", "iam-authentication", "enhanced-monitoring",
                 "copy-tags-to-snapshots", "logs-exported", "mandatory-tags"]:
        verdict(f"rds-instance-{rule}", "demo-ledger", "PASS")
    # A reporting copy someone opened to the internet: everything a default leaves off.
    rds.create_db_instance(
        DBInstanceIdentifier="demo-reporting", Engine="mysql", PubliclyAccessible=True,
        AutoMinorVersionUpgrade=False, BackupRetentionPeriod=1, EnableCloudwatchLogsExports=["error"], **db)
    for rule in ["not-public", "storage-encrypted", "auto-minor-version-upgrade", "deletion-protection",
                 "backups-enabled", "multi-az", "iam-authentication", "enhanced-monitoring",
                 "copy-tags-to-snapshots", "logs-exported", "mandatory-tags"]:
        verdict(f"rds-instance-{rule}", "demo-reporting", "FAIL")
    # Its read replica: backups are its source's to keep.
    rds.create_db_instance_read_replica(DBInstanceIdentifier="demo-reporting-replica",
                                        SourceDBInstanceIdentifier="demo-reporting")
    verdict("rds-instance-backups-enabled", "demo-reporting-replica", "NOT_APPLICABLE")
    # An Oracle instance: no IAM database authentication to ask for.
    rds.create_db_instance(DBInstanceIdentifier="demo-erp", Engine="oracle-se2", StorageEncrypted=True,
                           PubliclyAccessible=False, **db)
    verdict("rds-instance-iam-authentication", "demo-erp", "NOT_APPLICABLE")
    verdict("rds-instance-not-public", "demo-erp", "PASS")
    # Snapshots: the ledger's kept private; the reporting copy's shared with everyone.
    rds.create_db_snapshot(DBSnapshotIdentifier="demo-ledger-before-upgrade", DBInstanceIdentifier="demo-ledger",
                           Tags=tag_list(TAGS))
    for rule in ["not-public", "encrypted", "mandatory-tags"]:
        verdict(f"rds-snapshot-{rule}", "demo-ledger-before-upgrade", "PASS")
    rds.create_db_snapshot(DBSnapshotIdentifier="demo-reporting-export", DBInstanceIdentifier="demo-reporting")
    rds.modify_db_snapshot_attribute(DBSnapshotIdentifier="demo-reporting-export", AttributeName="restore",
                                     ValuesToAdd=["all"])
    for rule in ["not-public", "encrypted", "mandatory-tags"]:
        verdict(f"rds-snapshot-{rule}", "demo-reporting-export", "FAIL")
    # Aurora: the books cluster is kept as it should be, its members judged by it; the
    # analytics cluster is not, and a copy of it is public.
    cluster = dict(MasterUsername="books", MasterUserPassword="not-a-real-password")
    rds.create_db_cluster(DBClusterIdentifier="demo-books", Engine="aurora-postgresql", StorageEncrypted=True,
                          DeletionProtection=True, EnableIAMDatabaseAuthentication=True,
                          CopyTagsToSnapshot=True, Tags=tag_list(TAGS), **cluster)
    for zone, name in [("us-east-1a", "demo-books-1"), ("us-east-1b", "demo-books-2")]:
        rds.create_db_instance(DBInstanceIdentifier=name, DBClusterIdentifier="demo-books",
                               Engine="aurora-postgresql", DBInstanceClass="db.r5.large", AvailabilityZone=zone)
    for rule in ["deletion-protection", "storage-encrypted", "iam-authentication", "multi-az",
                 "copy-tags-to-snapshots", "mandatory-tags"]:
        verdict(f"rds-cluster-{rule}", "demo-books", "PASS")
    for rule in ["deletion-protection", "multi-az", "iam-authentication", "copy-tags-to-snapshots"]:
        verdict(f"rds-instance-{rule}", "demo-books-1", "NOT_APPLICABLE")
    verdict("rds-instance-storage-encrypted", "demo-books-1", "PASS")
    rds.create_db_cluster(DBClusterIdentifier="demo-analytics", Engine="aurora-mysql", **cluster)
    for rule in ["deletion-protection", "storage-encrypted", "iam-authentication", "multi-az",
                 "copy-tags-to-snapshots", "mandatory-tags"]:
        verdict(f"rds-cluster-{rule}", "demo-analytics", "FAIL")
    rds.create_db_cluster_snapshot(DBClusterSnapshotIdentifier="demo-analytics-share",
                                   DBClusterIdentifier="demo-analytics")
    rds.modify_db_cluster_snapshot_attribute(DBClusterSnapshotIdentifier="demo-analytics-share",
                                             AttributeName="restore", ValuesToAdd=["all"])
    for rule in ["not-public", "encrypted", "mandatory-tags"]:
        verdict(f"rds-cluster-snapshot-{rule}", "demo-analytics-share", "FAIL")


def seed_efs(efs):
    shared = efs.create_file_system(CreationToken="demo-shared", Encrypted=True, Backup=True,
                                    Tags=tag_list({"Name": "demo-shared", **TAGS}))["FileSystemId"]
    for rule in ["encrypted", "backups", "mandatory-tags"]:
        verdict(f"efs-file-system-{rule}", shared, "PASS")
    scratch = efs.create_file_system(CreationToken="demo-scratch",
                                     Tags=tag_list({"Name": "demo-scratch"}))["FileSystemId"]
    for rule in ["encrypted", "backups", "mandatory-tags"]:
        verdict(f"efs-file-system-{rule}", scratch, "FAIL")
    # The ledger's exports mount through an access point that pins directory and user; a
    # scratch one hands out the whole file system as whoever the client claims to be.
    exports = efs.create_access_point(ClientToken="demo-exports", FileSystemId=shared, Tags=tag_list(TAGS),
                                      PosixUser={"Uid": 1000, "Gid": 1000},
                                      RootDirectory={"Path": "/exports"})["AccessPointId"]
    for rule in ["root-directory", "user-identity", "mandatory-tags"]:
        verdict(f"efs-access-point-{rule}", exports, "PASS")
    anything = efs.create_access_point(ClientToken="demo-anything", FileSystemId=scratch)["AccessPointId"]
    for rule in ["root-directory", "user-identity", "mandatory-tags"]:
        verdict(f"efs-access-point-{rule}", anything, "FAIL")


def seed_sqs(sqs, key_arn):
    # Orders: SSE-SQS (the default), tagged, no policy. The inbox: encryption turned off
    # and a policy letting anyone send.
    sqs.create_queue(QueueName="demo-orders", tags=TAGS)
    for rule in ["encrypted", "not-public", "mandatory-tags"]:
        verdict(f"sqs-queue-{rule}", "demo-orders", "PASS")
    anyone = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}]}
    sqs.create_queue(QueueName="demo-inbox", Attributes={"SqsManagedSseEnabled": "false",
                                                         "Policy": json.dumps(anyone)})
    for rule in ["encrypted", "not-public", "mandatory-tags"]:
        verdict(f"sqs-queue-{rule}", "demo-inbox", "FAIL")
    verdict("sqs-queue-kms-cmk-encryption", "demo-orders", "FAIL")
    # Payments: the account's own key.
    sqs.create_queue(QueueName="demo-payments", Attributes={"KmsMasterKeyId": key_arn}, tags=TAGS)
    for rule in ["encrypted", "kms-cmk-encryption", "not-public", "mandatory-tags"]:
        verdict(f"sqs-queue-{rule}", "demo-payments", "PASS")


def seed_secretsmanager(sm, key_arn):
    # A database password stored today under the account's key, tagged, with no rotation.
    sm.create_secret(Name="demo/ledger-db", SecretString="not-a-real-password", KmsKeyId=key_arn,
                     Tags=tag_list(TAGS))
    verdict("secretsmanager-secret-kms-cmk-encryption", "demo/ledger-db", "PASS")
    verdict("secretsmanager-secret-rotation-enabled", "demo/ledger-db", "FAIL")
    verdict("secretsmanager-secret-mandatory-tags", "demo/ledger-db", "PASS")
    # New today: rotated (set) and read recently enough, by its creation.
    verdict("secretsmanager-secret-rotated-recently", "demo/ledger-db", "PASS")
    verdict("secretsmanager-secret-used-recently", "demo/ledger-db", "PASS")
    # An API key someone stored without tags.
    sm.create_secret(Name="demo/reporting-api-key", SecretString="not-a-real-key")
    verdict("secretsmanager-secret-mandatory-tags", "demo/reporting-api-key", "FAIL")
    verdict("secretsmanager-secret-kms-cmk-encryption", "demo/reporting-api-key", "FAIL")
    # Neither rotates, so neither has a schedule to keep (tests/data.rs serves AWS's answer
    # for a rotation that fell behind: the emulator rotates only through a Lambda it runs).
    for secret in ["demo/ledger-db", "demo/reporting-api-key"]:
        verdict("secretsmanager-secret-rotation-on-schedule", secret, "NOT_APPLICABLE")


def seed_dynamodb(dynamodb, scaling, key_arn):
    key = [{"AttributeName": "id", "KeyType": "HASH"}]
    attrs = [{"AttributeName": "id", "AttributeType": "S"}]
    # The ledger: recoverable, protected, tagged. A cache table with none of it.
    dynamodb.create_table(TableName="demo-ledger", KeySchema=key, AttributeDefinitions=attrs,
                          BillingMode="PAY_PER_REQUEST", DeletionProtectionEnabled=True, Tags=tag_list(TAGS),
                          SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key_arn})
    dynamodb.update_continuous_backups(TableName="demo-ledger",
                                       PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    for rule in ["pitr-enabled", "deletion-protection", "kms-cmk-encryption", "mandatory-tags"]:
        verdict(f"dynamodb-table-{rule}", "demo-ledger", "PASS")
    dynamodb.create_table(TableName="demo-cache", KeySchema=key, AttributeDefinitions=attrs,
                          BillingMode="PAY_PER_REQUEST")
    for rule in ["pitr-enabled", "deletion-protection", "kms-cmk-encryption", "mandatory-tags"]:
        verdict(f"dynamodb-table-{rule}", "demo-cache", "FAIL")
    verdict("dynamodb-table-capacity-scales", "demo-ledger", "PASS")
    # Rates: provisioned, auto scaled on the table, but its index's capacity is fixed.
    # Limits: provisioned and auto scaled throughout.
    throughput = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    index = [{"IndexName": "by-currency", "KeySchema": key, "Projection": {"ProjectionType": "KEYS_ONLY"},
              "ProvisionedThroughput": throughput}]
    for name in ["demo-rates", "demo-limits"]:
        dynamodb.create_table(TableName=name, KeySchema=key, AttributeDefinitions=attrs, BillingMode="PROVISIONED",
                              ProvisionedThroughput=throughput, GlobalSecondaryIndexes=index)
        scaled = [(f"table/{name}", "table")] + ([(f"table/{name}/index/by-currency", "index")]
                                                  if name == "demo-limits" else [])
        for resource, kind in scaled:
            for unit in ["ReadCapacityUnits", "WriteCapacityUnits"]:
                dimension = f"dynamodb:{kind}:{unit}"
                scaling.register_scalable_target(ServiceNamespace="dynamodb", ResourceId=resource,
                                                 ScalableDimension=dimension, MinCapacity=5, MaxCapacity=100)
                metric = "DynamoDBReadCapacityUtilization" if unit.startswith("Read") else \
                    "DynamoDBWriteCapacityUtilization"
                scaling.put_scaling_policy(
                    PolicyName=f"{resource}-{unit}", ServiceNamespace="dynamodb", ResourceId=resource,
                    ScalableDimension=dimension, PolicyType="TargetTrackingScaling",
                    TargetTrackingScalingPolicyConfiguration={
                        "TargetValue": 70.0, "PredefinedMetricSpecification": {"PredefinedMetricType": metric}})
    verdict("dynamodb-table-capacity-scales", "demo-rates", "FAIL")
    verdict("dynamodb-table-capacity-scales", "demo-limits", "PASS")
    # Sessions: encrypted with the AWS-managed aws/dynamodb key, which is no customer's.
    dynamodb.create_table(TableName="demo-sessions", KeySchema=key, AttributeDefinitions=attrs,
                          BillingMode="PAY_PER_REQUEST", SSESpecification={"Enabled": True, "SSEType": "KMS"})
    verdict("dynamodb-table-kms-cmk-encryption", "demo-sessions", "FAIL")


def seed_ecr(ecr):
    lifecycle = {"rules": [{"rulePriority": 1, "description": "untagged images go after 14 days",
                            "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                          "countUnit": "days", "countNumber": 14},
                            "action": {"type": "expire"}}]}
    # The ledger's images: scanned on push, immutable tags, a lifecycle, pulled by one
    # other account, tagged. A scratch repository with the defaults, open to everyone.
    ecr.create_repository(repositoryName="demo/ledger-api", imageTagMutability="IMMUTABLE",
                          imageScanningConfiguration={"scanOnPush": True}, tags=tag_list(TAGS))
    ecr.put_lifecycle_policy(repositoryName="demo/ledger-api", lifecyclePolicyText=json.dumps(lifecycle))
    pull = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
         "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]}
    ecr.set_repository_policy(repositoryName="demo/ledger-api", policyText=json.dumps(pull))
    for rule in ["image-scanning", "tag-immutability", "lifecycle-policy", "not-public", "mandatory-tags"]:
        verdict(f"ecr-repository-{rule}", "demo/ledger-api", "PASS")
    ecr.create_repository(repositoryName="demo/scratch")
    anyone = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]}
    ecr.set_repository_policy(repositoryName="demo/scratch", policyText=json.dumps(anyone))
    for rule in ["image-scanning", "tag-immutability", "lifecycle-policy", "not-public", "mandatory-tags"]:
        verdict(f"ecr-repository-{rule}", "demo/scratch", "FAIL")


def seed_elbv2(elbv2, acm, ec2, subnets):
    vpc = ec2.describe_subnets(SubnetIds=subnets)["Subnets"][0]["VpcId"]
    cert = acm.request_certificate(DomainName="ledger.example.com")["CertificateArn"]
    group = elbv2.create_target_group(Name="demo-ledger", Protocol="HTTP", Port=8080, VpcId=vpc)
    forward = [{"Type": "forward", "TargetGroupArn": group["TargetGroups"][0]["TargetGroupArn"]}]
    redirect = [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]

    def balancer(name, kind, zones, attributes, tags=None):
        tagged = {"Tags": tag_list(tags)} if tags else {}
        arn = elbv2.create_load_balancer(Name=name, Type=kind, Subnets=zones, Scheme="internal",
                                         **tagged)["LoadBalancers"][0]["LoadBalancerArn"]
        elbv2.modify_load_balancer_attributes(
            LoadBalancerArn=arn, Attributes=[{"Key": k, "Value": v} for k, v in attributes.items()])
        return arn

    def listener(arn, protocol, port, actions, policy=None):
        extra = {"SslPolicy": policy, "Certificates": [{"CertificateArn": cert}]} if policy else {}
        return elbv2.create_listener(LoadBalancerArn=arn, Protocol=protocol, Port=port,
                                     DefaultActions=actions, **extra)["Listeners"][0]["ListenerArn"]

    # The ledger's front door: every HTTP request redirected, a recommended TLS policy,
    # logs, protection, strict desync handling, two zones, tagged.
    web = balancer("demo-ledger-web", "application", subnets, {
        "deletion_protection.enabled": "true", "access_logs.s3.enabled": "true",
        "access_logs.s3.bucket": "demo-alb-logs", "routing.http.drop_invalid_header_fields.enabled": "true",
        "routing.http.desync_mitigation_mode": "strictest"}, TAGS)
    listener(web, "HTTP", 80, redirect)
    listener(web, "HTTPS", 443, forward, "ELBSecurityPolicy-TLS13-1-2-Res-2021-06")
    for rule in ["alb-redirects-http-to-https", "alb-drops-invalid-headers", "alb-access-logging",
                 "deletion-protection", "alb-desync-mitigation", "multiple-availability-zones",
                 "secure-tls-policy", "mandatory-tags"]:
        verdict(f"elbv2-{rule}", "demo-ledger-web", "PASS")
    # A legacy ALB: its HTTP listener redirects by default but still serves /health over
    # HTTP; the 2016 TLS policy; desync only monitored; the attributes' defaults.
    legacy = balancer("demo-legacy-web", "application", subnets, {"routing.http.desync_mitigation_mode": "monitor"})
    plain = listener(legacy, "HTTP", 80, redirect)
    elbv2.create_rule(ListenerArn=plain, Priority=10, Actions=forward,
                      Conditions=[{"Field": "path-pattern", "Values": ["/health"]}])
    listener(legacy, "HTTPS", 443, forward, "ELBSecurityPolicy-2016-08")
    for rule in ["alb-redirects-http-to-https", "alb-drops-invalid-headers", "alb-access-logging",
                 "deletion-protection", "alb-desync-mitigation", "secure-tls-policy", "mandatory-tags"]:
        verdict(f"elbv2-{rule}", "demo-legacy-web", "FAIL")
    verdict("elbv2-multiple-availability-zones", "demo-legacy-web", "PASS")
    # An internal NLB in one zone, TLS with the 2016 policy; ALB-only rules do not judge it.
    nlb = balancer("demo-ledger-nlb", "network", subnets[:1], {})
    tcp = elbv2.create_target_group(Name="demo-ledger-tcp", Protocol="TCP", Port=8443, VpcId=vpc)
    tcp_forward = [{"Type": "forward", "TargetGroupArn": tcp["TargetGroups"][0]["TargetGroupArn"]}]
    listener(nlb, "TLS", 443, tcp_forward, "ELBSecurityPolicy-2016-08")
    for rule in ["deletion-protection", "multiple-availability-zones", "secure-tls-policy", "mandatory-tags"]:
        verdict(f"elbv2-{rule}", "demo-ledger-nlb", "FAIL")
    for rule in ["alb-redirects-http-to-https", "alb-drops-invalid-headers", "alb-access-logging",
                 "alb-desync-mitigation"]:
        verdict(f"elbv2-{rule}", "demo-ledger-nlb", "NOT_APPLICABLE")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: seed_demo.py ENDPOINT_URL")
    endpoint = sys.argv[1]
    iam = client(endpoint, "iam")
    key_arn = seed_kms(client(endpoint, "kms"))
    seed_s3(client(endpoint, "s3"), key_arn)
    subnets, lambda_sg = seed_ec2(client(endpoint, "ec2"), client(endpoint, "logs"), iam)
    seed_lambda(client(endpoint, "lambda"), iam, subnets, lambda_sg)
    seed_sns(client(endpoint, "sns"), key_arn)
    seed_logs(client(endpoint, "logs"), key_arn)
    seed_iam(iam)
    seed_cloudtrail(client(endpoint, "cloudtrail"), client(endpoint, "logs"), key_arn)
    seed_cloudwatch(client(endpoint, "logs"), client(endpoint, "cloudwatch"), client(endpoint, "sns"), key_arn)
    seed_config(client(endpoint, "config"))
    seed_guardduty(client(endpoint, "guardduty"))
    seed_securityhub()
    seed_accessanalyzer(client(endpoint, "accessanalyzer"))
    seed_rds(client(endpoint, "rds"))
    seed_efs(client(endpoint, "efs"))
    seed_sqs(client(endpoint, "sqs"), key_arn)
    seed_secretsmanager(client(endpoint, "secretsmanager"), key_arn)
    seed_dynamodb(client(endpoint, "dynamodb"), client(endpoint, "application-autoscaling"), key_arn)
    seed_ecr(client(endpoint, "ecr"))
    seed_elbv2(client(endpoint, "elbv2"), client(endpoint, "acm"), client(endpoint, "ec2"), subnets)
    json.dump({"account_id": ACCOUNT, "region": REGION, "expect": expect}, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
