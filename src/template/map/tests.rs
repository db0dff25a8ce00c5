//! Each mapped type read from a small template: the defaults AWS gives what the template
//! leaves out, the attachments folded in, and what stays unknown.

use chrono::{TimeZone, Utc};
use serde_json::{json, Value};

use crate::model::ResourceKind;
use crate::template::{read, Options, Read};

fn scanned(resources: &str) -> Read {
    let text = format!("Parameters:\n  Unset: {{Type: String}}\nResources:\n{resources}");
    let options = Options {
        region: "eu-west-1".into(),
        at: Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
        ..Options::default()
    };
    read("t.yaml", &text, &options).unwrap()
}

/// The attributes of resource `id` of `kind`.
fn attributes(read: &Read, kind: ResourceKind, id: &str) -> Value {
    read.resources
        .iter()
        .find(|r| r.id == id && r.properties.kind() == kind)
        .unwrap_or_else(|| panic!("no {kind} {id}"))
        .properties
        .attributes()
}

/// Why attribute `attr` of `id` is unknown, if it is.
fn unknown<'r>(read: &'r Read, id: &str, attr: &str) -> Option<&'r str> {
    read.errors
        .iter()
        .find(|e| e.resource_id.as_deref() == Some(id) && e.attributes == [attr])
        .map(|e| e.message.as_str())
}

#[test]
fn a_bare_bucket_has_what_s3_gives_a_new_one() {
    let read = scanned("  B:\n    Type: AWS::S3::Bucket\n");
    let b = attributes(&read, ResourceKind::S3Bucket, "B");
    assert_eq!(b["encryption"]["algorithm"], "AES256");
    assert_eq!(b["public_access_block"]["block_public_policy"], true);
    assert_eq!(b["ownership"]["object_ownership"], "BucketOwnerEnforced");
    assert_eq!(b["versioning"]["status"], "Disabled");
    assert_eq!(b["policy"]["present"], false);
    assert_eq!(b["logging"]["enabled"], false);
}

#[test]
fn a_bucket_key_is_the_customers_unless_it_is_an_aws_alias_and_unknown_from_a_parameter() {
    let sse = |key: &str| {
        format!("    Type: AWS::S3::Bucket\n    Properties:\n      BucketEncryption:\n        ServerSideEncryptionConfiguration:\n          - ServerSideEncryptionByDefault: {{SSEAlgorithm: 'aws:kms', KMSMasterKeyID: {key}}}\n")
    };
    let read = scanned(&format!(
        "  Key:\n    Type: AWS::KMS::Key\n  Own:\n{}  Aws:\n{}  Param:\n{}",
        sse("!Ref Key"),
        sse("alias/aws/s3"),
        sse("!Ref Unset")
    ));
    let manager =
        |id| attributes(&read, ResourceKind::S3Bucket, id)["encryption"]["kms_key_manager"].clone();
    assert_eq!(manager("Own"), "CUSTOMER");
    assert_eq!(manager("Aws"), "AWS");
    assert!(unknown(&read, "Param", "encryption")
        .unwrap()
        .contains("parameter Unset has no value"));
}

#[test]
fn security_groups_default_egress_and_fold_in_standalone_rules() {
    let read = scanned(
        "  Open:\n    Type: AWS::EC2::SecurityGroup\n    Properties: {GroupDescription: x}\n  Closed:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n      SecurityGroupEgress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}]\n  Rdp:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties: {GroupId: !GetAtt Open.GroupId, IpProtocol: '-1', CidrIpv6: '::/0'}\n",
    );
    let open = attributes(&read, ResourceKind::SecurityGroup, "Open");
    assert_eq!(
        open["egress"],
        json!([{"protocol": "all", "ports": {"from": 0, "to": 65535}, "ipv4_ranges": ["0.0.0.0/0"], "ipv6_ranges": [], "source_groups": [], "prefix_lists": []}])
    );
    assert_eq!(open["ingress"][0]["protocol"], "all");
    assert_eq!(open["ingress"][0]["ports"], json!({"from": 0, "to": 65535}));
    assert_eq!(open["ingress"][0]["ipv6_ranges"], json!(["::/0"]));
    let closed = attributes(&read, ResourceKind::SecurityGroup, "Closed");
    assert_eq!(closed["egress"].as_array().unwrap().len(), 1);
    assert_eq!(
        closed["egress"][0]["ports"],
        json!({"from": 443, "to": 443})
    );
}

#[test]
fn vpcs_take_their_flow_logs_and_endpoints_and_addresses_their_users() {
    let read = scanned(
        "  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.0.0.0/16}\n  Log:\n    Type: AWS::EC2::FlowLog\n    Properties: {ResourceId: !Ref Vpc, ResourceType: VPC, TrafficType: REJECT, LogDestinationType: s3}\n  S3:\n    Type: AWS::EC2::VPCEndpoint\n    Properties: {VpcId: !Ref Vpc, ServiceName: com.amazonaws.eu-west-1.s3}\n  Subnet:\n    Type: AWS::EC2::Subnet\n    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24}\n  Ip:\n    Type: AWS::EC2::EIP\n  Idle:\n    Type: AWS::EC2::EIP\n  Nat:\n    Type: AWS::EC2::NatGateway\n    Properties: {AllocationId: !GetAtt Ip.AllocationId, SubnetId: !Ref Subnet}\n  Disk:\n    Type: AWS::EC2::Volume\n    Properties: {Size: 8, AvailabilityZone: eu-west-1a}\n  Mount:\n    Type: AWS::EC2::VolumeAttachment\n    Properties: {VolumeId: !Ref Disk, InstanceId: i-1, Device: /dev/sdf}\n",
    );
    let vpc = attributes(&read, ResourceKind::Vpc, "Vpc");
    assert_eq!(vpc["flow_logs"][0]["traffic_type"], "REJECT");
    assert_eq!(vpc["flow_logs"][0]["destination_type"], "s3");
    assert_eq!(vpc["endpoints"][0]["endpoint_type"], "Gateway");
    assert_eq!(
        attributes(&read, ResourceKind::Subnet, "Subnet")["map_public_ip_on_launch"],
        false
    );
    assert_eq!(
        attributes(&read, ResourceKind::ElasticIp, "Ip")["network_interface_status"],
        "in-use"
    );
    assert!(attributes(&read, ResourceKind::ElasticIp, "Idle")
        .get("network_interface_status")
        .is_none());
    let disk = attributes(&read, ResourceKind::Volume, "Disk");
    assert_eq!(
        (disk["state"].clone(), disk["encrypted"].clone()),
        (json!("in-use"), json!(false))
    );
}

#[test]
fn keys_topics_queues_and_log_groups_have_their_defaults() {
    let read = scanned(
        "  Key:\n    Type: AWS::KMS::Key\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      Subscription: [{Protocol: HTTPS, Endpoint: 'https://x'}]\n  Plain:\n    Type: AWS::SNS::Subscription\n    Properties: {TopicArn: !Ref Topic, Protocol: http, Endpoint: 'http://x'}\n  Open:\n    Type: AWS::SNS::TopicPolicy\n    Properties:\n      Topics: [!Ref Topic]\n      PolicyDocument: {Statement: [{Effect: Allow, Principal: '*', Action: 'sns:Publish', Resource: '*'}]}\n  Queue:\n    Type: AWS::SQS::Queue\n  Group:\n    Type: AWS::Logs::LogGroup\n",
    );
    let key = attributes(&read, ResourceKind::KmsKey, "Key");
    assert_eq!(
        (key["rotation"]["enabled"].clone(), key["key_spec"].clone()),
        (json!(false), json!("SYMMETRIC_DEFAULT"))
    );
    assert_eq!(key["policy"]["public"], false);
    let topic = attributes(&read, ResourceKind::SnsTopic, "Topic");
    assert_eq!(
        topic["subscriptions"],
        json!([{"protocol": "https"}, {"protocol": "http"}])
    );
    assert_eq!(topic["policy"]["public"], true);
    assert!(topic["encryption"].get("kms_master_key_id").is_none());
    let queue = attributes(&read, ResourceKind::SqsQueue, "Queue");
    assert_eq!(queue["encryption"]["sqs_managed"], true);
    let group = attributes(&read, ResourceKind::LogGroup, "Group");
    assert!(group.get("retention_in_days").is_none() && group.get("kms_key_id").is_none());
}

#[test]
fn functions_take_their_permissions_and_urls() {
    let read = scanned(
        "  Fn:\n    Type: AWS::Lambda::Function\n    Properties: {Runtime: nodejs20.x, Role: r, Code: {ZipFile: x}}\n  Narrow:\n    Type: AWS::Lambda::Permission\n    Properties: {FunctionName: !GetAtt Fn.Arn, Action: 'lambda:InvokeFunction', Principal: '*', SourceAccount: '111122223333'}\n  Url:\n    Type: AWS::Lambda::Url\n    Properties: {TargetFunctionArn: !Ref Fn, AuthType: NONE}\n",
    );
    let f = attributes(&read, ResourceKind::LambdaFunction, "Fn");
    assert_eq!(f["tracing_mode"], "PassThrough");
    assert_eq!(f["architectures"], json!(["x86_64"]));
    assert_eq!(f["policy"], json!({"present": true, "public": false}));
    assert_eq!(f["url"], json!({"configured": true, "auth_type": "NONE"}));
}

#[test]
fn provisioned_tables_scale_only_with_a_target_for_every_dimension() {
    let target = |id: &str, resource: &str, dimension: &str| {
        format!("  {id}:\n    Type: AWS::ApplicationAutoScaling::ScalableTarget\n    Properties: {{ServiceNamespace: dynamodb, ResourceId: '{resource}', ScalableDimension: 'dynamodb:{dimension}', MinCapacity: 1, MaxCapacity: 9}}\n")
    };
    let table = "    Type: AWS::DynamoDB::Table\n    Properties:\n      KeySchema: [{AttributeName: id, KeyType: HASH}]\n      ProvisionedThroughput: {ReadCapacityUnits: 1, WriteCapacityUnits: 1}\n";
    let read = scanned(&format!(
        "  Scaled:\n{table}  Half:\n{table}  OnDemand:\n    Type: AWS::DynamoDB::Table\n    Properties: {{BillingMode: PAY_PER_REQUEST}}\n{}{}{}",
        target("R", "table/${Scaled}", "table:ReadCapacityUnits"),
        target("W", "table/${Scaled}", "table:WriteCapacityUnits"),
        target("H", "table/${Half}", "table:ReadCapacityUnits"),
    ));
    let scales = |id| attributes(&read, ResourceKind::DynamodbTable, id)["capacity_scales"].clone();
    assert_eq!(scales("Scaled"), true);
    assert_eq!(scales("Half"), false);
    assert_eq!(scales("OnDemand"), true);
    let t = attributes(&read, ResourceKind::DynamodbTable, "Half");
    assert_eq!(t["point_in_time_recovery"], "DISABLED");
    assert!(t.get("kms_key_manager").is_none());
}

#[test]
fn databases_are_public_only_outside_a_subnet_group_and_clusters_count_zones() {
    let read = scanned(
        "  Default:\n    Type: AWS::RDS::DBInstance\n    Properties: {Engine: mysql, DBInstanceClass: db.t3.micro}\n  Private:\n    Type: AWS::RDS::DBInstance\n    Properties: {Engine: mysql, DBSubnetGroupName: db, StorageEncrypted: true}\n  Cluster:\n    Type: AWS::RDS::DBCluster\n    Properties: {Engine: aurora-postgresql}\n  One:\n    Type: AWS::RDS::DBInstance\n    Properties: {Engine: aurora-postgresql, DBClusterIdentifier: !Ref Cluster}\n  Two:\n    Type: AWS::RDS::DBInstance\n    Properties: {Engine: aurora-postgresql, DBClusterIdentifier: !Ref Cluster}\n  Pinned:\n    Type: AWS::RDS::DBCluster\n    Properties: {Engine: aurora-mysql}\n  P1:\n    Type: AWS::RDS::DBInstance\n    Properties: {Engine: aurora-mysql, DBClusterIdentifier: !Ref Pinned, AvailabilityZone: eu-west-1a}\n  P2:\n    Type: AWS::RDS::DBInstance\n    Properties: {Engine: aurora-mysql, DBClusterIdentifier: !Ref Pinned, AvailabilityZone: eu-west-1a}\n",
    );
    let db = |id| attributes(&read, ResourceKind::DbInstance, id);
    assert_eq!(db("Default")["publicly_accessible"], true);
    assert_eq!(db("Default")["storage_encrypted"], false);
    assert_eq!(db("Default")["backup_retention_period"], 1);
    assert_eq!(db("Private")["publicly_accessible"], false);
    assert_eq!(db("Private")["storage_encrypted"], true);
    assert_eq!(
        attributes(&read, ResourceKind::DbCluster, "Cluster")["multi_az"],
        true
    );
    assert_eq!(
        attributes(&read, ResourceKind::DbCluster, "Pinned")["multi_az"],
        false
    );
}

#[test]
fn secrets_repositories_file_systems_and_load_balancers_have_their_defaults() {
    let read = scanned(
        "  Secret:\n    Type: AWS::SecretsManager::Secret\n  Rotation:\n    Type: AWS::SecretsManager::RotationSchedule\n    Properties: {SecretId: !Ref Secret, RotationRules: {AutomaticallyAfterDays: 30}}\n  Repo:\n    Type: AWS::ECR::Repository\n  Fs:\n    Type: AWS::EFS::FileSystem\n  Ap:\n    Type: AWS::EFS::AccessPoint\n    Properties: {FileSystemId: !Ref Fs}\n  Lb:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n    Properties: {Subnets: [a, b]}\n  Http:\n    Type: AWS::ElasticLoadBalancingV2::Listener\n    Properties:\n      LoadBalancerArn: !Ref Lb\n      Port: 80\n      Protocol: HTTP\n      DefaultActions: [{Type: redirect, RedirectConfig: {Protocol: HTTPS, StatusCode: HTTP_301}}]\n",
    );
    let secret = attributes(&read, ResourceKind::Secret, "Secret");
    assert_eq!(secret["kms_key_manager"], "AWS");
    assert_eq!(
        (
            secret["rotation_enabled"].clone(),
            secret["rotation_days"].clone()
        ),
        (json!(true), json!(30))
    );
    assert_eq!(secret["next_rotation"], "2026-12-31T00:00:00Z");
    let repo = attributes(&read, ResourceKind::EcrRepository, "Repo");
    assert_eq!(
        (
            repo["image_tag_mutability"].clone(),
            repo["scan_frequency"].clone()
        ),
        (json!("MUTABLE"), json!("MANUAL"))
    );
    let fs = attributes(&read, ResourceKind::EfsFileSystem, "Fs");
    assert_eq!(
        (fs["encrypted"].clone(), fs["backup_policy"].clone()),
        (json!(false), json!("DISABLED"))
    );
    assert_eq!(
        attributes(&read, ResourceKind::EfsAccessPoint, "Ap")["root_directory"],
        "/"
    );
    let lb = attributes(&read, ResourceKind::LoadBalancer, "Lb");
    assert_eq!(lb["type"], "application");
    assert_eq!(lb["attributes"]["desync_mitigation_mode"], "defensive");
    assert_eq!(lb["listeners"][0]["redirects_to_https"], true);
}

#[test]
fn trails_and_iam_read_their_documents_and_holders() {
    let read = scanned(
        "  Logs:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: trail-logs}\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties: {IsLogging: true, S3BucketName: !Ref Logs}\n  Admin:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: {Statement: [{Effect: Allow, Action: '*', Resource: '*'}]}\n  Role:\n    Type: AWS::IAM::Role\n    Properties: {AssumeRolePolicyDocument: {}, ManagedPolicyArns: [!Ref Admin]}\n  Person:\n    Type: AWS::IAM::User\n    Properties: {LoginProfile: {Password: x}}\n  PersonKey:\n    Type: AWS::IAM::AccessKey\n    Properties: {UserName: !Ref Person}\n",
    );
    let trail = attributes(&read, ResourceKind::Trail, "Trail");
    assert_eq!(trail["is_multi_region"], false);
    assert_eq!(trail["events"]["management_write"], true);
    assert_eq!(trail["s3_bucket_logging"]["enabled"], false);
    assert_eq!(trail["s3_bucket_public"], false);
    let admin = attributes(&read, ResourceKind::IamPolicy, "Admin");
    assert_eq!(
        (
            admin["allows_full_admin"].clone(),
            admin["attachment_count"].clone()
        ),
        (json!(true), json!(1))
    );
    let person = attributes(&read, ResourceKind::IamUser, "Person");
    assert_eq!(person["credentials"]["password_enabled"], true);
    assert_eq!(person["credentials"]["mfa_active"], false);
    assert_eq!(person["credentials"]["active_access_keys"], 1);
}

/// Kinds no template declares: account and region settings, what AWS makes at run time.
const LIVE_ONLY: &[(ResourceKind, &str)] = &[
    (
        ResourceKind::Snapshot,
        "EBS snapshots are taken at run time",
    ),
    (ResourceKind::Image, "AMIs are built, not declared"),
    (
        ResourceKind::Ec2RegionSettings,
        "an account's EBS encryption default",
    ),
    (
        ResourceKind::IamAccount,
        "the account's password policy and root user",
    ),
    (
        ResourceKind::ServerCertificate,
        "certificates are uploaded, not declared",
    ),
    (
        ResourceKind::CloudtrailAccount,
        "whether any trail covers the account",
    ),
    (
        ResourceKind::Monitoring,
        "the account's metric filters and alarms together",
    ),
    (ResourceKind::ConfigRegionSettings, "the region's recorder"),
    (
        ResourceKind::GuarddutyRegionSettings,
        "the region's detector",
    ),
    (
        ResourceKind::AccessanalyzerRegionSettings,
        "the region's analyzers",
    ),
    (ResourceKind::SecurityhubRegionSettings, "the region's hub"),
    (
        ResourceKind::DbSnapshot,
        "DB snapshots are taken at run time",
    ),
    (
        ResourceKind::DbClusterSnapshot,
        "DB cluster snapshots are taken at run time",
    ),
];

#[test]
fn every_kind_with_rules_is_read_from_templates_or_said_to_be_live_only() {
    use crate::template::map::{Input, Mapper};
    use crate::template::node::{Node, Value};
    let empty = Node::new(Value::Map(Vec::new()), 1);
    let at = Utc::now();
    let mapped: std::collections::BTreeSet<ResourceKind> = crate::model::TEMPLATE_TYPES
        .iter()
        .filter_map(|(_, m)| match m {
            Mapper::Resource(map) => Some(map(&mut Input::new("X", &empty, at)).kind()),
            Mapper::Attachment(_) => None,
        })
        .chain([ResourceKind::StackResource])
        .collect();
    let rules = crate::rules::load::load(&[], &crate::aws::remediate::ids()).unwrap();
    for rule in &rules.rules {
        let live_only = LIVE_ONLY.iter().any(|(k, _)| *k == rule.resource);
        assert!(
            mapped.contains(&rule.resource) || live_only,
            "{} judges {}, which no template type maps and LIVE_ONLY does not name",
            rule.id,
            rule.resource
        );
        assert!(
            !(mapped.contains(&rule.resource) && live_only),
            "{} is both",
            rule.resource
        );
    }
}

#[test]
fn instances_are_public_from_their_subnet_and_acl_entries_join_their_acl() {
    let read = scanned(
        "  Public:\n    Type: AWS::EC2::Subnet\n    Properties: {VpcId: v, CidrBlock: 10.0.0.0/24, MapPublicIpOnLaunch: true}\n  Web:\n    Type: AWS::EC2::Instance\n    Properties: {ImageId: ami-1, SubnetId: !Ref Public}\n  Quiet:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-1\n      NetworkInterfaces: [{DeviceIndex: '0', SubnetId: !Ref Public, AssociatePublicIpAddress: false}]\n  Templated:\n    Type: AWS::EC2::Instance\n    Properties: {LaunchTemplate: {LaunchTemplateId: lt-1, Version: '1'}, SubnetId: !Ref Public}\n  Acl:\n    Type: AWS::EC2::NetworkAcl\n    Properties: {VpcId: v}\n  Ssh:\n    Type: AWS::EC2::NetworkAclEntry\n    Properties: {NetworkAclId: !Ref Acl, RuleNumber: 100, Protocol: 6, RuleAction: allow, CidrBlock: 0.0.0.0/0, PortRange: {From: 22, To: 22}}\n",
    );
    let web = attributes(&read, ResourceKind::Instance, "Web");
    assert!(web["public_ip_address"].is_string(), "{web}");
    assert_eq!(web["http_tokens"], "optional");
    assert!(attributes(&read, ResourceKind::Instance, "Quiet")
        .get("public_ip_address")
        .is_none());
    assert!(unknown(&read, "Templated", "http_tokens")
        .unwrap()
        .contains("launch template"));
    let acl = attributes(&read, ResourceKind::NetworkAcl, "Acl");
    assert_eq!(acl["ingress"][0]["protocol"], "tcp");
    assert_eq!(acl["ingress"][0]["ports"], json!({"from": 22, "to": 22}));
    assert_eq!(acl["ingress"][0]["action"], "allow");
}
