//! The report a scan produces: what every printer reads and `--format json` writes.
//! Its JSON form is a versioned, documented schema (docs/report-format.md).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{CollectionError, ResourceKind};
use crate::rules::{Remediation, Severity, Status};

/// Version of the report's JSON schema; the minor part grows with added fields, the
/// major part with anything an existing reader could misread.
pub const REPORT_SCHEMA_VERSION: &str = "1.1";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub schema_version: String,
    pub scan: ScanInfo,
    pub summary: Summary,
    pub findings: Vec<Finding>,
    pub errors: Vec<CollectionError>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScanInfo {
    pub id: String,
    pub tool: String,
    pub tool_version: String,
    pub account_id: String,
    pub regions: Vec<String>,
    /// `live` for a scan of AWS, `inventory` for a replayed snapshot.
    pub source: String,
    /// When the inventory was collected (for a replay: when the snapshot was taken).
    pub collected_at: DateTime<Utc>,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub rules_evaluated: usize,
    /// The scan stopped at a deadline: some services or regions were not collected.
    #[serde(default)]
    pub incomplete: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    /// passed / (passed + failed) × 100, one decimal; null when nothing passed or failed.
    pub score: Option<f64>,
    pub resources_scanned: usize,
    pub findings: usize,
    pub by_status: BTreeMap<Status, usize>,
    pub failed_by_severity: BTreeMap<Severity, usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    pub resource_type: ResourceKind,
    /// The resource's id; `*` when a whole listing failed.
    pub resource_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_arn: Option<String>,
    pub region: String,
    /// The observed value that decided the verdict.
    pub message: String,
    pub remediation: Remediation,
    /// Framework → control ids the rule evidences.
    pub frameworks: BTreeMap<String, Vec<String>>,
    /// When the resource was observed.
    pub timestamp: DateTime<Utc>,
}

impl Finding {
    /// Framework ids in one string, `aws-fsbp:S3.8;cis-aws-3.0:2.1.4`.
    pub fn frameworks_joined(&self) -> String {
        self.frameworks
            .iter()
            .flat_map(|(fw, ids)| ids.iter().map(move |id| format!("{fw}:{id}")))
            .collect::<Vec<_>>()
            .join(";")
    }
}

impl Summary {
    pub fn count(&self, status: Status) -> usize {
        self.by_status.get(&status).copied().unwrap_or(0)
    }
}
