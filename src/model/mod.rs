//! The resource model: what a scan knows about an account, as plain serde structs.
//!
//! Collectors (`crate::aws::collect`) fill it from the SDK; rules only read it; a saved
//! snapshot (`scan --save-inventory`) is this model serialized, so a scan can be
//! replayed offline with exactly the same verdicts. Nothing here knows about the SDK.

pub mod accessanalyzer;
pub mod cloudformation;
pub mod cloudtrail;
pub mod config;
pub mod dynamodb;
pub mod ec2;
pub mod ecr;
pub mod efs;
pub mod elbv2;
pub mod filter_pattern;
pub mod guardduty;
pub mod iam;
pub mod identity_policy;
pub mod kms;
pub mod lambda;
pub mod logs;
pub mod monitoring;
pub mod policy;
pub mod rds;
pub mod registry;
pub mod s3;
pub mod schema;
pub mod secretsmanager;
pub mod securityhub;
pub mod sns;
pub mod sqs;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use registry::registry;

/// Version of the snapshot schema written by `--save-inventory`; bumped on any change
/// that an older reader could misread.
pub const INVENTORY_SCHEMA_VERSION: u32 = 1;

/// The partition a region belongs to (`aws`, `aws-cn`, `aws-us-gov`), as ARNs spell it.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// Resource tags, key to value.
pub type Tags = BTreeMap<String, String>;

/// Everything one collection saw: the resources and what could not be read.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    pub schema_version: u32,
    pub account_id: String,
    pub regions: Vec<String>,
    pub collected_at: DateTime<Utc>,
    /// Collection stopped at a deadline before it finished (see `errors`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
    pub resources: Vec<Resource>,
    pub errors: Vec<CollectionError>,
    /// Resources a global listing named in regions the scan does not cover (S3's
    /// buckets): not judged, but never passed over in silence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub elsewhere: Vec<Elsewhere>,
}

/// A resource seen in a listing but outside the scanned regions.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Elsewhere {
    /// In a report of several accounts: the resource's account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    pub resource_type: ResourceKind,
    pub resource_id: String,
    pub region: String,
}

/// One AWS resource with the attributes the collectors read.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Resource {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    pub region: String,
    /// Where a template declares it (`scan --template`); absent for a live resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(flatten)]
    pub properties: Properties,
}

/// Where a template declares a resource: the file, the line of its logical id, its
/// CloudFormation type, its CDK construct path, and the line of the property each
/// attribute was read from (a finding points at the property its rule reads).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub template_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cdk_path: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub property_lines: BTreeMap<String, usize>,
}

registry! {
    S3 = "s3" {
        title: "Amazon S3",
        listed: Account,
        // The region of a bucket the listing leaves out; the manager of its KMS key.
        calls: ["s3:ListAllMyBuckets", "s3:GetBucketLocation", "kms:DescribeKey"],
        actions: [
            ("GetBucketEncryption", "GetEncryptionConfiguration"),
            ("GetPublicAccessBlock", "GetBucketPublicAccessBlock"),
            ("GetBucketLifecycleConfiguration", "GetLifecycleConfiguration"),
        ],
        endpoints: ["s3"],
        templates: [
            ("AWS::S3::Bucket", Resource(s3::bucket)),
            ("AWS::S3::BucketPolicy", Attachment(s3::bucket_policy)),
        ],
        kinds: { S3Bucket = "aws.s3.bucket" (s3::Bucket, s3::SCHEMA, "AwsS3Bucket", "AWS::S3::Bucket") },
    }
    Ec2 = "ec2" {
        title: "Amazon EC2 and VPC",
        listed: Region,
        calls: [
            "ec2:DescribeVpcs",
            "ec2:DescribeSubnets",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeNetworkAcls",
            "ec2:DescribeInstances",
            "ec2:DescribeVolumes",
            "ec2:DescribeAddresses",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSnapshots",
            "ec2:DescribeImages",
        ],
        actions: [],
        endpoints: ["ec2"],
        templates: [
            ("AWS::EC2::SecurityGroup", Resource(ec2::security_group)),
            ("AWS::EC2::SecurityGroupIngress", Attachment(ec2::ingress)),
            ("AWS::EC2::SecurityGroupEgress", Attachment(ec2::egress)),
            ("AWS::EC2::VPC", Resource(ec2::vpc)),
            ("AWS::EC2::FlowLog", Attachment(ec2::flow_log)),
            ("AWS::EC2::VPCEndpoint", Attachment(ec2::endpoint)),
            ("AWS::EC2::Subnet", Resource(ec2::subnet)),
            ("AWS::EC2::EIP", Resource(ec2::elastic_ip)),
            ("AWS::EC2::NatGateway", Attachment(ec2::takes_address)),
            ("AWS::EC2::EIPAssociation", Attachment(ec2::takes_address)),
            ("AWS::EC2::Volume", Resource(ec2::volume)),
            ("AWS::EC2::VolumeAttachment", Attachment(ec2::volume_attachment)),
            ("AWS::EC2::Instance", Resource(ec2::instance)),
            ("AWS::EC2::Instance", Attachment(ec2::instance_subnet)),
            ("AWS::EC2::NetworkAcl", Resource(ec2::network_acl)),
            ("AWS::EC2::NetworkAclEntry", Attachment(ec2::network_acl_entry)),
        ],
        kinds: {
            Vpc = "aws.ec2.vpc" (ec2::Vpc, ec2::VPC_SCHEMA, "AwsEc2Vpc", "AWS::EC2::VPC"),
            Subnet = "aws.ec2.subnet" (ec2::Subnet, ec2::SUBNET_SCHEMA, "AwsEc2Subnet", "AWS::EC2::Subnet"),
            SecurityGroup = "aws.ec2.security-group" (ec2::SecurityGroup, ec2::SECURITY_GROUP_SCHEMA, "AwsEc2SecurityGroup", "AWS::EC2::SecurityGroup"),
            NetworkAcl = "aws.ec2.network-acl" (ec2::NetworkAcl, ec2::NETWORK_ACL_SCHEMA, "AwsEc2NetworkAcl", "AWS::EC2::NetworkAcl"),
            Instance = "aws.ec2.instance" (ec2::Instance, ec2::INSTANCE_SCHEMA, "AwsEc2Instance", "AWS::EC2::Instance"),
            Volume = "aws.ec2.volume" (ec2::Volume, ec2::VOLUME_SCHEMA, "AwsEc2Volume", "AWS::EC2::Volume"),
            ElasticIp = "aws.ec2.elastic-ip" (ec2::ElasticIp, ec2::ELASTIC_IP_SCHEMA, "AwsEc2Eip", "AWS::EC2::EIP"),
            Snapshot = "aws.ec2.snapshot" (ec2::Snapshot, ec2::SNAPSHOT_SCHEMA, "Other", ""),
            Image = "aws.ec2.image" (ec2::Image, ec2::IMAGE_SCHEMA, "Other", ""),
            Ec2RegionSettings = "aws.ec2.region-settings" (ec2::RegionSettings, ec2::REGION_SETTINGS_SCHEMA, "AwsAccount", ""),
        },
    }
    Lambda = "lambda" {
        title: "AWS Lambda",
        listed: Region,
        calls: ["lambda:ListFunctions"],
        actions: [],
        endpoints: ["lambda"],
        templates: [
            ("AWS::Lambda::Function", Resource(lambda::function)),
            ("AWS::Lambda::Permission", Attachment(lambda::permission)),
            ("AWS::Lambda::Url", Attachment(lambda::url)),
            ("AWS::Serverless::Function", Resource(lambda::serverless_function)),
        ],
        kinds: { LambdaFunction = "aws.lambda.function" (lambda::Function, lambda::SCHEMA, "AwsLambdaFunction", "AWS::Lambda::Function") },
    }
    Kms = "kms" {
        title: "AWS KMS",
        listed: Region,
        // DescribeKey on every key tells customer-managed keys from AWS's.
        calls: ["kms:ListKeys", "kms:DescribeKey"],
        actions: [],
        endpoints: ["kms"],
        templates: [("AWS::KMS::Key", Resource(kms::key))],
        kinds: { KmsKey = "aws.kms.key" (kms::Key, kms::SCHEMA, "AwsKmsKey", "AWS::KMS::Key") },
    }
    Sns = "sns" {
        title: "Amazon SNS",
        listed: Region,
        calls: ["sns:ListTopics"],
        actions: [],
        endpoints: ["sns"],
        templates: [
            ("AWS::SNS::Topic", Resource(sns::topic)),
            ("AWS::SNS::TopicPolicy", Attachment(sns::topic_policy)),
            ("AWS::SNS::Subscription", Attachment(sns::topic_subscription)),
        ],
        kinds: { SnsTopic = "aws.sns.topic" (sns::Topic, sns::SCHEMA, "AwsSnsTopic", "AWS::SNS::Topic") },
    }
    Logs = "logs" {
        title: "Amazon CloudWatch Logs",
        listed: Region,
        calls: ["logs:DescribeLogGroups"],
        actions: [],
        endpoints: ["logs"],
        templates: [("AWS::Logs::LogGroup", Resource(logs::log_group))],
        kinds: { LogGroup = "aws.logs.log-group" (logs::LogGroup, logs::SCHEMA, "Other", "") },
    }
    Iam = "iam" {
        title: "AWS IAM",
        listed: Account,
        // The credential report is generated before it is read; the authorisation
        // details list every user's policies and every customer-managed policy at once.
        calls: [
            "iam:ListUsers",
            "iam:GenerateCredentialReport",
            "iam:GetAccountAuthorizationDetails",
            "iam:ListServerCertificates",
            // The default version of each attached AWS-managed policy (CIS 1.16).
            "iam:GetPolicyVersion",
        ],
        actions: [],
        // com.amazonaws.iam: one endpoint, in us-east-1 only (see docs/stack.md).
        endpoints: ["iam"],
        templates: [
            ("AWS::IAM::ManagedPolicy", Resource(iam::managed_policy)),
            ("AWS::IAM::ManagedPolicy", Attachment(iam::user_policy)),
            ("AWS::IAM::Policy", Attachment(iam::user_policy)),
            ("AWS::IAM::Policy", Attachment(iam::inline_policy)),
            ("AWS::IAM::User", Resource(iam::user)),
            ("AWS::IAM::User", Attachment(iam::principal)),
            ("AWS::IAM::Role", Attachment(iam::principal)),
            ("AWS::IAM::Group", Attachment(iam::principal)),
            ("AWS::IAM::AccessKey", Attachment(iam::access_key)),
        ],
        kinds: {
            IamAccount = "aws.iam.account" (iam::Account, iam::ACCOUNT_SCHEMA, "AwsAccount", ""),
            IamUser = "aws.iam.user" (iam::User, iam::USER_SCHEMA, "AwsIamUser", "AWS::IAM::User"),
            IamPolicy = "aws.iam.policy" (iam::Policy, iam::POLICY_SCHEMA, "AwsIamPolicy", "AWS::IAM::Policy"),
            ServerCertificate = "aws.iam.server-certificate" (iam::ServerCertificate, iam::SERVER_CERTIFICATE_SCHEMA, "Other", ""),
        },
    }
    Cloudtrail = "cloudtrail" {
        title: "AWS CloudTrail",
        // Each scanned region's own trails, listed from the home region's collector so
        // the account's summary sees them all.
        listed: Account,
        // The log bucket's access logging is S3's to answer.
        calls: [
            "cloudtrail:DescribeTrails",
            "s3:GetBucketLocation",
            "s3:GetBucketLogging",
            "s3:GetBucketPolicy",
            "s3:GetBucketAcl",
        ],
        actions: [],
        endpoints: ["cloudtrail"],
        templates: [
            ("AWS::CloudTrail::Trail", Resource(cloudtrail::trail)),
            ("AWS::CloudTrail::Trail", Attachment(cloudtrail::trail_bucket)),
        ],
        kinds: {
            Trail = "aws.cloudtrail.trail" (cloudtrail::Trail, cloudtrail::TRAIL_SCHEMA, "AwsCloudTrailTrail", "AWS::CloudTrail::Trail"),
            CloudtrailAccount = "aws.cloudtrail.account" (cloudtrail::Account, cloudtrail::ACCOUNT_SCHEMA, "AwsAccount", ""),
        },
    }
    Cloudwatch = "cloudwatch" {
        title: "Amazon CloudWatch (CIS monitoring)",
        // Once for the account: the trails, their log groups' metric filters, the
        // alarms on those metrics and the topics they notify (CIS 4.1-4.15).
        listed: Account,
        calls: [
            "cloudtrail:DescribeTrails",
            "cloudtrail:GetTrailStatus",
            "cloudtrail:GetEventSelectors",
            "logs:DescribeMetricFilters",
            "cloudwatch:DescribeAlarms",
            "sns:ListSubscriptionsByTopic",
        ],
        actions: [],
        // CloudWatch's API is com.amazonaws.<region>.monitoring.
        endpoints: ["monitoring"],
        templates: [],
        kinds: { Monitoring = "aws.cloudwatch.monitoring" (monitoring::Monitoring, monitoring::SCHEMA, "AwsAccount", "") },
    }
    Config = "config" {
        title: "AWS Config",
        listed: Region,
        calls: [
            "config:DescribeConfigurationRecorders",
            "config:DescribeConfigurationRecorderStatus",
            "config:DescribeDeliveryChannels",
        ],
        actions: [],
        endpoints: ["config"],
        templates: [],
        kinds: { ConfigRegionSettings = "aws.config.region-settings" (config::RegionSettings, config::SCHEMA, "AwsAccount", "") },
    }
    Guardduty = "guardduty" {
        title: "Amazon GuardDuty",
        listed: Region,
        calls: ["guardduty:ListDetectors", "guardduty:GetDetector"],
        actions: [],
        endpoints: ["guardduty"],
        templates: [],
        kinds: { GuarddutyRegionSettings = "aws.guardduty.region-settings" (guardduty::RegionSettings, guardduty::SCHEMA, "AwsAccount", "") },
    }
    Accessanalyzer = "accessanalyzer" {
        title: "IAM Access Analyzer",
        listed: Region,
        calls: ["access-analyzer:ListAnalyzers"],
        actions: [],
        endpoints: ["access-analyzer"],
        templates: [],
        kinds: { AccessanalyzerRegionSettings = "aws.accessanalyzer.region-settings" (accessanalyzer::RegionSettings, accessanalyzer::SCHEMA, "AwsAccount", "") },
    }
    Rds = "rds" {
        title: "Amazon RDS",
        listed: Region,
        calls: [
            "rds:DescribeDBInstances",
            "rds:DescribeDBClusters",
            "rds:DescribeDBSnapshots",
            "rds:DescribeDBClusterSnapshots",
        ],
        actions: [],
        endpoints: ["rds"],
        templates: [
            ("AWS::RDS::DBInstance", Resource(rds::instance)),
            ("AWS::RDS::DBInstance", Attachment(rds::member)),
            ("AWS::RDS::DBCluster", Resource(rds::cluster)),
        ],
        kinds: {
            DbInstance = "aws.rds.db-instance" (rds::DbInstance, rds::SCHEMA, "AwsRdsDbInstance", "AWS::RDS::DBInstance"),
            DbCluster = "aws.rds.db-cluster" (rds::DbCluster, rds::CLUSTER_SCHEMA, "AwsRdsDbCluster", "AWS::RDS::DBCluster"),
            DbSnapshot = "aws.rds.db-snapshot" (rds::Snapshot, rds::SNAPSHOT_SCHEMA, "AwsRdsDbSnapshot", "AWS::RDS::DBSnapshot"),
            DbClusterSnapshot = "aws.rds.db-cluster-snapshot" (rds::Snapshot, rds::CLUSTER_SNAPSHOT_SCHEMA, "AwsRdsDbClusterSnapshot", "AWS::RDS::DBClusterSnapshot"),
        },
    }
    Efs = "efs" {
        title: "Amazon EFS",
        listed: Region,
        calls: [
            "elasticfilesystem:DescribeFileSystems",
            "elasticfilesystem:DescribeAccessPoints",
        ],
        actions: [("DescribeBackupPolicy", "elasticfilesystem:DescribeBackupPolicy")],
        // EFS's API is com.amazonaws.<region>.elasticfilesystem.
        endpoints: ["elasticfilesystem"],
        templates: [
            ("AWS::EFS::FileSystem", Resource(efs::file_system)),
            ("AWS::EFS::AccessPoint", Resource(efs::access_point)),
        ],
        kinds: {
            EfsFileSystem = "aws.efs.file-system" (efs::FileSystem, efs::SCHEMA, "AwsEfsFileSystem", "AWS::EFS::FileSystem"),
            EfsAccessPoint = "aws.efs.access-point" (efs::AccessPoint, efs::ACCESS_POINT_SCHEMA, "AwsEfsAccessPoint", "AWS::EFS::AccessPoint"),
        },
    }
    Dynamodb = "dynamodb" {
        title: "Amazon DynamoDB",
        listed: Region,
        // The scaling policies are read with the scalable targets (`capacity_scales`).
        calls: [
            "dynamodb:ListTables",
            "dynamodb:DescribeTable",
            "application-autoscaling:DescribeScalingPolicies",
        ],
        // Auto scaling of provisioned capacity is Application Auto Scaling's to say.
        actions: [
            ("DescribeKey", "kms:DescribeKey"),
            ("DescribeScalableTargets", "application-autoscaling:DescribeScalableTargets"),
        ],
        endpoints: ["dynamodb", "application-autoscaling"],
        templates: [
            ("AWS::DynamoDB::Table", Resource(dynamodb::table)),
            ("AWS::Serverless::SimpleTable", Resource(dynamodb::simple_table)),
            ("AWS::ApplicationAutoScaling::ScalableTarget", Attachment(dynamodb::scalable_target)),
        ],
        kinds: { DynamodbTable = "aws.dynamodb.table" (dynamodb::Table, dynamodb::SCHEMA, "AwsDynamoDbTable", "AWS::DynamoDB::Table") },
    }
    Sqs = "sqs" {
        title: "Amazon SQS",
        listed: Region,
        calls: ["sqs:ListQueues"],
        actions: [("DescribeKey", "kms:DescribeKey")],
        endpoints: ["sqs"],
        templates: [
            ("AWS::SQS::Queue", Resource(sqs::queue)),
            ("AWS::SQS::QueuePolicy", Attachment(sqs::queue_policy)),
        ],
        kinds: { SqsQueue = "aws.sqs.queue" (sqs::Queue, sqs::SCHEMA, "AwsSqsQueue", "AWS::SQS::Queue") },
    }
    Secretsmanager = "secretsmanager" {
        title: "AWS Secrets Manager",
        listed: Region,
        calls: ["secretsmanager:ListSecrets"],
        actions: [("DescribeKey", "kms:DescribeKey")],
        endpoints: ["secretsmanager"],
        templates: [
            ("AWS::SecretsManager::Secret", Resource(secretsmanager::secret)),
            ("AWS::SecretsManager::RotationSchedule", Attachment(secretsmanager::rotation)),
        ],
        kinds: { Secret = "aws.secretsmanager.secret" (secretsmanager::Secret, secretsmanager::SCHEMA, "AwsSecretsManagerSecret", "AWS::SecretsManager::Secret") },
    }
    Ecr = "ecr" {
        title: "Amazon ECR",
        listed: Region,
        calls: ["ecr:DescribeRepositories"],
        actions: [],
        // ECR's API (not the image pulls, `ecr.dkr`) is com.amazonaws.<region>.ecr.api.
        endpoints: ["ecr.api"],
        templates: [("AWS::ECR::Repository", Resource(ecr::repository))],
        kinds: { EcrRepository = "aws.ecr.repository" (ecr::Repository, ecr::SCHEMA, "AwsEcrRepository", "AWS::ECR::Repository") },
    }
    Elbv2 = "elbv2" {
        title: "Elastic Load Balancing (Application, Network and Gateway Load Balancers)",
        listed: Region,
        calls: [
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeRules",
        ],
        // The API is Elastic Load Balancing's: its IAM prefix is not the service's name.
        actions: [
            ("DescribeLoadBalancerAttributes", "elasticloadbalancing:DescribeLoadBalancerAttributes"),
            ("DescribeListeners", "elasticloadbalancing:DescribeListeners"),
            ("DescribeTags", "elasticloadbalancing:DescribeTags"),
        ],
        endpoints: ["elasticloadbalancing"],
        templates: [
            ("AWS::ElasticLoadBalancingV2::LoadBalancer", Resource(elbv2::load_balancer)),
            ("AWS::ElasticLoadBalancingV2::Listener", Attachment(elbv2::listener)),
        ],
        kinds: { LoadBalancer = "aws.elbv2.load-balancer" (elbv2::LoadBalancer, elbv2::SCHEMA, "AwsElbv2LoadBalancer", "AWS::ElasticLoadBalancingV2::LoadBalancer") },
    }
    Securityhub = "securityhub" {
        title: "AWS Security Hub",
        listed: Region,
        calls: ["securityhub:DescribeHub"],
        actions: [],
        endpoints: ["securityhub"],
        templates: [],
        kinds: { SecurityhubRegionSettings = "aws.securityhub.region-settings" (securityhub::RegionSettings, securityhub::SCHEMA, "AwsAccount", "") },
    }
    Cloudformation = "cloudformation" {
        title: "AWS CloudFormation (template-only rules)",
        listed: Template,
        // `scan --stack`, and the Lambda on a stack's status change: the deployed
        // template, its parameters and its resources (aws/deployed.rs).
        calls: [
            "cloudformation:DescribeStacks",
            "cloudformation:GetTemplate",
            "cloudformation:ListStackResources",
        ],
        actions: [],
        endpoints: ["cloudformation"],
        templates: [],
        kinds: { StackResource = "aws.cloudformation.resource" (cloudformation::StackResource, cloudformation::SCHEMA, "Other", "") },
    }
}

impl Properties {
    /// The attributes as a JSON value, the form the rule evaluator reads.
    pub fn attributes(&self) -> serde_json::Value {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut map)) => {
                map.remove("attributes").unwrap_or(serde_json::Value::Null)
            }
            _ => serde_json::Value::Null,
        }
    }

    /// Builds the properties of `kind` from an attribute object (rule test cases).
    pub fn from_attributes(
        kind: ResourceKind,
        attributes: serde_json::Value,
    ) -> Result<Properties, serde_json::Error> {
        serde_json::from_value(serde_json::json!({"kind": kind.as_str(), "attributes": attributes}))
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ResourceKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ResourceKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                let known: Vec<_> = ResourceKind::ALL.iter().map(|k| k.as_str()).collect();
                format!("unknown resource kind `{s}` (known: {})", known.join(", "))
            })
    }
}

impl Serialize for ResourceKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ResourceKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Service {
    pub fn as_str(self) -> &'static str {
        self.spec().name
    }
}

impl FromStr for Service {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Service::ALL
            .iter()
            .copied()
            .find(|svc| svc.as_str() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = Service::ALL.iter().map(|s| s.as_str()).collect();
                format!("unknown service `{s}` (known: {})", known.join(", "))
            })
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `CollectionError::operation` of a value a template cannot tell (`scan --template`).
pub const UNRESOLVED: &str = "template";

/// Something a collector could not read. `attributes` names the resource attributes
/// that stayed unknown, so the rules that needed them report ERROR instead of a verdict.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CollectionError {
    /// In a report of several accounts: the account it was met in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    pub region: String,
    pub service: Service,
    /// The kind whose resources could not be listed or read.
    pub resource_type: ResourceKind,
    /// The resource, when one resource failed; absent when the listing itself failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// The attributes left unknown; empty when the listing itself failed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<String>,
    pub operation: String,
    pub code: String,
    pub message: String,
}
