//! The resource model: what a scan knows about an account, as plain serde structs.
//!
//! Collectors (`crate::aws::collect`) fill it from the SDK; rules only read it; a saved
//! snapshot (`scan --save-inventory`) is this model serialized, so a scan can be
//! replayed offline with exactly the same verdicts. Nothing here knows about the SDK.

pub mod ec2;
pub mod kms;
pub mod lambda;
pub mod policy;
pub mod s3;
pub mod schema;
pub mod sns;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Version of the snapshot schema written by `--save-inventory`; bumped on any change
/// that an older reader could misread.
pub const INVENTORY_SCHEMA_VERSION: u32 = 1;

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
}

/// One AWS resource with the attributes the collectors read.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Resource {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    pub region: String,
    #[serde(flatten)]
    pub properties: Properties,
}

/// The attributes of a resource, tagged with its kind.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", content = "attributes")]
pub enum Properties {
    #[serde(rename = "aws.s3.bucket")]
    S3Bucket(s3::Bucket),
    #[serde(rename = "aws.ec2.vpc")]
    Vpc(ec2::Vpc),
    #[serde(rename = "aws.ec2.subnet")]
    Subnet(ec2::Subnet),
    #[serde(rename = "aws.ec2.security-group")]
    SecurityGroup(ec2::SecurityGroup),
    #[serde(rename = "aws.ec2.region-settings")]
    Ec2RegionSettings(ec2::RegionSettings),
    #[serde(rename = "aws.lambda.function")]
    LambdaFunction(lambda::Function),
    #[serde(rename = "aws.kms.key")]
    KmsKey(kms::Key),
    #[serde(rename = "aws.sns.topic")]
    SnsTopic(sns::Topic),
}

impl Properties {
    pub fn kind(&self) -> ResourceKind {
        match self {
            Properties::S3Bucket(_) => ResourceKind::S3Bucket,
            Properties::Vpc(_) => ResourceKind::Vpc,
            Properties::Subnet(_) => ResourceKind::Subnet,
            Properties::SecurityGroup(_) => ResourceKind::SecurityGroup,
            Properties::Ec2RegionSettings(_) => ResourceKind::Ec2RegionSettings,
            Properties::LambdaFunction(_) => ResourceKind::LambdaFunction,
            Properties::KmsKey(_) => ResourceKind::KmsKey,
            Properties::SnsTopic(_) => ResourceKind::SnsTopic,
        }
    }

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

/// The kinds of resource a rule can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceKind {
    S3Bucket,
    Vpc,
    Subnet,
    SecurityGroup,
    Ec2RegionSettings,
    LambdaFunction,
    KmsKey,
    SnsTopic,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 8] = [
        ResourceKind::S3Bucket,
        ResourceKind::Vpc,
        ResourceKind::Subnet,
        ResourceKind::SecurityGroup,
        ResourceKind::Ec2RegionSettings,
        ResourceKind::LambdaFunction,
        ResourceKind::KmsKey,
        ResourceKind::SnsTopic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::S3Bucket => "aws.s3.bucket",
            ResourceKind::Vpc => "aws.ec2.vpc",
            ResourceKind::Subnet => "aws.ec2.subnet",
            ResourceKind::SecurityGroup => "aws.ec2.security-group",
            ResourceKind::Ec2RegionSettings => "aws.ec2.region-settings",
            ResourceKind::LambdaFunction => "aws.lambda.function",
            ResourceKind::KmsKey => "aws.kms.key",
            ResourceKind::SnsTopic => "aws.sns.topic",
        }
    }

    /// The AWS service that owns this kind, as `--service` names it.
    pub fn service(self) -> Service {
        match self {
            ResourceKind::S3Bucket => Service::S3,
            ResourceKind::Vpc
            | ResourceKind::Subnet
            | ResourceKind::SecurityGroup
            | ResourceKind::Ec2RegionSettings => Service::Ec2,
            ResourceKind::LambdaFunction => Service::Lambda,
            ResourceKind::KmsKey => Service::Kms,
            ResourceKind::SnsTopic => Service::Sns,
        }
    }

    /// The attributes a rule may read on this kind.
    pub fn schema(self) -> &'static [schema::Field] {
        match self {
            ResourceKind::S3Bucket => s3::SCHEMA,
            ResourceKind::Vpc => ec2::VPC_SCHEMA,
            ResourceKind::Subnet => ec2::SUBNET_SCHEMA,
            ResourceKind::SecurityGroup => ec2::SECURITY_GROUP_SCHEMA,
            ResourceKind::Ec2RegionSettings => ec2::REGION_SETTINGS_SCHEMA,
            ResourceKind::LambdaFunction => lambda::SCHEMA,
            ResourceKind::KmsKey => kms::SCHEMA,
            ResourceKind::SnsTopic => sns::SCHEMA,
        }
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
            .into_iter()
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

/// The services a scan can be narrowed to with `--service`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    S3,
    Ec2,
    Lambda,
    Kms,
    Sns,
}

impl Service {
    pub fn as_str(self) -> &'static str {
        match self {
            Service::S3 => "s3",
            Service::Ec2 => "ec2",
            Service::Lambda => "lambda",
            Service::Kms => "kms",
            Service::Sns => "sns",
        }
    }
}

impl FromStr for Service {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [
            Service::S3,
            Service::Ec2,
            Service::Lambda,
            Service::Kms,
            Service::Sns,
        ]
        .into_iter()
        .find(|svc| svc.as_str() == s)
        .ok_or_else(|| format!("unknown service `{s}` (known: s3, ec2, lambda, kms, sns)"))
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something a collector could not read. `attributes` names the resource attributes
/// that stayed unknown, so the rules that needed them report ERROR instead of a verdict.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CollectionError {
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
