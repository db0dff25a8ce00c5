//! CloudTrail as the rules see it: each trail (filed under its home region) with its
//! logging status and what its event selectors record, and one account resource that
//! sums the trails up for the controls asking "is there at least one trail that …"
//! (CloudTrail.1, CIS 3.8 and 3.9).

use serde::{Deserialize, Serialize};

use super::schema::{Field, Type};

/// A trail, from `DescribeTrails` in its home region.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Trail {
    pub name: String,
    pub is_multi_region: bool,
    pub is_organization_trail: bool,
    pub include_global_service_events: bool,
    pub log_file_validation_enabled: bool,
    /// The KMS key encrypting its log files; absent with SSE-S3 only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_bucket_name: Option<String>,
    /// The log group it delivers to; absent when it delivers to S3 only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_watch_logs_log_group_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<TrailStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Events>,
    /// Server access logging on its log bucket (CIS 3.4); not enabled when the bucket
    /// no longer exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_bucket_logging: Option<super::s3::Logging>,
    /// Its log bucket's policy or ACL lets everyone (anonymous or any AWS user) read or
    /// write it (CloudTrail.6); false when the bucket no longer exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_bucket_public: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct TrailStatus {
    pub is_logging: bool,
}

/// What the trail's event selectors (basic or advanced) record.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Events {
    pub management_read: bool,
    pub management_write: bool,
    /// Management event sources left out (`kms.amazonaws.com`, …).
    pub excluded_management_sources: Vec<String>,
    /// Data events of every S3 bucket, reads and writes.
    pub s3_data_read: bool,
    pub s3_data_write: bool,
}

const STATUS: &[Field] = &[Field::listed(
    "is_logging",
    Type::Bool,
    "the trail is logging",
)];

const EVENTS: &[Field] = &[
    Field::listed("management_read", Type::Bool, "read management events"),
    Field::listed("management_write", Type::Bool, "write management events"),
    Field::listed(
        "excluded_management_sources",
        Type::StringList,
        "management event sources left out",
    ),
    Field::listed(
        "s3_data_read",
        Type::Bool,
        "S3 object-level reads of every bucket",
    ),
    Field::listed(
        "s3_data_write",
        Type::Bool,
        "S3 object-level writes of every bucket",
    ),
];

pub const TRAIL_SCHEMA: &[Field] = &[
    Field::listed("name", Type::String, "trail name"),
    Field::listed("is_multi_region", Type::Bool, "records every region"),
    Field::listed(
        "is_organization_trail",
        Type::Bool,
        "an organisation's trail",
    ),
    Field::listed(
        "include_global_service_events",
        Type::Bool,
        "records global services (IAM, STS)",
    ),
    Field::listed(
        "log_file_validation_enabled",
        Type::Bool,
        "digest files let log integrity be checked",
    ),
    Field::listed("kms_key_id", Type::String, "KMS key of its log files"),
    Field::listed("s3_bucket_name", Type::String, "bucket of its log files"),
    Field::listed(
        "cloud_watch_logs_log_group_arn",
        Type::String,
        "log group it delivers to",
    ),
    Field::called(
        "status",
        Type::Object(STATUS),
        "GetTrailStatus",
        "whether it is logging",
    ),
    Field::called(
        "events",
        Type::Object(EVENTS),
        "GetEventSelectors",
        "what its event selectors record",
    ),
    // S3's calls (GetBucketLocation, GetBucketLogging, …): in the service's `calls`.
    Field::listed(
        "s3_bucket_logging",
        Type::Object(super::s3::LOGGING),
        "server access logging on its log bucket (S3's GetBucketLogging)",
    ),
    Field::listed(
        "s3_bucket_public",
        Type::Bool,
        "its log bucket's policy or ACL lets everyone read or write it (S3's GetBucketPolicy, GetBucketAcl)",
    ),
];

/// The account's trails, summed up: one resource named after the account.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Account {
    pub trails: Vec<TrailSummary>,
}

/// A trail as the account-wide controls read it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct TrailSummary {
    pub name: String,
    pub home_region: String,
    pub is_multi_region: bool,
    pub is_logging: bool,
    pub events: Events,
}

const TRAIL_SUMMARY: &[Field] = &[
    Field::listed("name", Type::String, "trail name"),
    Field::listed("home_region", Type::String, "region it was created in"),
    Field::listed("is_multi_region", Type::Bool, "records every region"),
    Field::listed("is_logging", Type::Bool, "the trail is logging"),
    Field::listed(
        "events",
        Type::Object(EVENTS),
        "what its event selectors record",
    ),
];

pub const ACCOUNT_SCHEMA: &[Field] = &[Field::listed(
    "trails",
    Type::List(TRAIL_SUMMARY),
    "every trail of the scanned regions, with its status and selectors",
)];
