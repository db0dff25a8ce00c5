//! The report a scan produces: what every printer reads and `--format json` writes.
//! Its JSON form is a versioned, documented schema (docs/report-format.md).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{CollectionError, Location, ResourceKind, Tags};
use crate::rules::{Remediation, Severity, Status};

/// Version of the report's JSON schema; the minor part grows with added fields, the
/// major part with anything an existing reader could misread.
pub const REPORT_SCHEMA_VERSION: &str = "1.6";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub schema_version: String,
    pub scan: ScanInfo,
    pub summary: Summary,
    pub findings: Vec<Finding>,
    pub errors: Vec<CollectionError>,
    /// Every entry of the suppression file the scan applied, with its status.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressions: Vec<SuppressionEntry>,
    /// The comparison with an earlier scan (`--baseline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Baseline>,
    /// With `scan --stack`: the stack, and each resource's template and live state side
    /// by side (1.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<StackScan>,
    /// A scan of several accounts: each one, scanned or not, with its own summary (1.6).
    /// Every finding and collection error then names its account.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<AccountScan>,
}

/// One account of a scan of several (`scan --accounts`, `--organization`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AccountScan {
    pub account_id: String,
    /// Its name in the organisation, when the accounts were listed from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The role assumed into it; absent for the caller's own account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// Why it could not be scanned (its role could not be assumed, its regions not
    /// listed): the account's one ERROR entry, its summary then empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub regions: Vec<String>,
    #[serde(default)]
    pub incomplete: bool,
    pub summary: Summary,
}

/// A deployed stack as `scan --stack` judged it: the template's findings, the live
/// findings, and where the two disagree.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StackScan {
    pub name: String,
    pub stack_id: String,
    /// The stack's status when it was read (`UPDATE_COMPLETE`, …).
    pub status: String,
    /// Every resource `ListStackResources` names, in its order.
    pub resources: Vec<ResourceDrift>,
}

/// One of the stack's resources: its template declaration against what is live.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ResourceDrift {
    pub logical_id: String,
    pub resource_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub physical_id: Option<String>,
    /// The live resource judged for it, by its findings' `resource_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_id: Option<String>,
    pub drift: DriftStatus,
    /// The attributes whose template and live values differ (`MODIFIED`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<Difference>,
    /// Why it was not compared (`NOT_CHECKED`) or not found (`DELETED`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// CloudFormation's own drift statuses, judged on the attributes the rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DriftStatus {
    /// Every compared attribute is as the template makes it.
    InSync,
    /// At least one compared attribute differs.
    Modified,
    /// The stack names it, but the live scan does not find it.
    Deleted,
    /// Not compared: no rule reads its type, or it configures another resource.
    NotChecked,
}

impl DriftStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DriftStatus::InSync => "IN_SYNC",
            DriftStatus::Modified => "MODIFIED",
            DriftStatus::Deleted => "DELETED",
            DriftStatus::NotChecked => "NOT_CHECKED",
        }
    }
}

/// One attribute (a dotted path, as rules name it) and its two values.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Difference {
    pub attribute: String,
    pub template: serde_json::Value,
    pub live: serde_json::Value,
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
    /// Resources a global listing named in regions the scan did not cover (S3's
    /// buckets): not judged; `--region` with their region, or `--all-regions`, judges
    /// them (1.6).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outside_regions: Vec<crate::model::Elsewhere>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    /// passed / (passed + failed) × 100, one decimal; null when nothing passed or failed.
    pub score: Option<f64>,
    pub resources_scanned: usize,
    pub findings: usize,
    /// Counts of the findings that are not suppressed.
    pub by_status: BTreeMap<Status, usize>,
    pub failed_by_severity: BTreeMap<Severity, usize>,
    /// Failed findings an unexpired suppression entry accepts: out of the score, the
    /// counts above and the exit code.
    #[serde(default)]
    pub suppressed: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    pub resource_type: ResourceKind,
    /// The resource's account, in a report of several accounts (1.6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The resource's id; `*` when a whole listing failed.
    pub resource_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_arn: Option<String>,
    pub region: String,
    /// The sentence a person reads: the rule's written message, filled from the values
    /// that decided the verdict (the evaluator's explanation when the rule has none).
    pub message: String,
    /// The evaluator's full explanation: the observed value and, for a failure, what was
    /// expected (1.3).
    #[serde(default)]
    pub evidence: String,
    pub remediation: Remediation,
    /// Framework → control ids the rule evidences.
    pub frameworks: BTreeMap<String, Vec<String>>,
    /// When the resource was observed.
    pub timestamp: DateTime<Utc>,
    /// The resource's tags, as collected (what suppression entries' `tags` match).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub resource_tags: Tags,
    /// The suppression entry that accepts this failure, when one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
    /// For a failure, with `--baseline`: whether the earlier scan failed it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineState>,
    /// For a template's resource: the file, the line of the property the rule reads (or
    /// of the resource), its CloudFormation type and CDK path (1.4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// The accepted risk a suppressed finding falls under.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Suppression {
    /// The entry, as `file:line`.
    pub entry: String,
    pub reason: String,
    /// Always given in a suppression file; optional in a template's `Metadata` (1.4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The last day the entry accepts the risk (UTC); a template's entry may have none
    /// (1.4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
}

impl Suppression {
    /// The owner, or `-` for a template entry that names none.
    pub fn owner_text(&self) -> &str {
        self.owner.as_deref().unwrap_or("-")
    }

    /// The last day, or `no expiry` for a template entry that sets none.
    pub fn expires_text(&self) -> String {
        self.expires
            .map_or_else(|| "no expiry".to_string(), |d| d.to_string())
    }
}

/// A suppression entry and what it did in this scan.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SuppressionEntry {
    pub entry: String,
    pub rules: Vec<String>,
    pub resources: Vec<String>,
    pub reason: String,
    pub owner: String,
    pub expires: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    pub status: EntryStatus,
    /// Failed findings it matched (for an expired entry: those it no longer accepts).
    pub findings: usize,
}

/// Where a suppression entry stands at the scan's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// Accepting failures, and expiring more than 14 days after the scan.
    Active,
    /// Accepting failures, and expiring within 14 days of the scan.
    Expiring,
    /// Past its expiry: what it matches fails again.
    Expired,
    /// Matched no failure in a scan that evaluated all its rules: prune it.
    Stale,
    /// Matched nothing, but the scan did not evaluate all its rules or regions.
    OutOfScope,
}

impl EntryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Active => "active",
            EntryStatus::Expiring => "expiring",
            EntryStatus::Expired => "expired",
            EntryStatus::Stale => "stale",
            EntryStatus::OutOfScope => "out_of_scope",
        }
    }
}

/// Whether a failure is new since the baseline scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaselineState {
    New,
    Existing,
}

/// What the scan is compared with, and the failures that went away.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// The baseline scan's id and when it ran.
    pub scan_id: String,
    pub started_at: DateTime<Utc>,
    pub new: usize,
    pub existing: usize,
    /// Failures of the baseline that no longer fail.
    pub resolved: Vec<Resolved>,
}

/// Where a finding was made: its account and region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place<'a> {
    pub account: &'a str,
    pub region: &'a str,
}

/// A failure of the baseline scan that this scan does not have.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Resolved {
    /// In a report of several accounts: the failure's account (1.6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    pub resource_type: ResourceKind,
    pub resource_id: String,
    pub region: String,
}

impl Finding {
    /// Framework ids in one string, `aws-fsbp:S3.8;cis-aws-3.0:2.1.4`.
    pub fn frameworks_joined(&self) -> String {
        self.controls(":").join(";")
    }

    /// Each control the rule evidences as `framework{sep}control`.
    pub fn controls(&self, sep: &str) -> Vec<String> {
        self.frameworks
            .iter()
            .flat_map(|(fw, ids)| ids.iter().map(move |id| format!("{fw}{sep}{id}")))
            .collect()
    }

    /// Failed and not accepted: what the score, `--fail-on` and alerts count.
    pub fn fails(&self) -> bool {
        self.status == Status::Fail && self.suppressed.is_none()
    }

    /// Where a person looks for the resource: `file:line` for a template's, else the
    /// region (after the account, in a report of several).
    pub fn place(&self) -> String {
        match (&self.location, &self.account_id) {
            (Some(l), _) => format!("{}:{}", l.file, l.line),
            (None, Some(account)) => format!("{account} {}", self.region),
            (None, None) => self.region.clone(),
        }
    }
}

impl Report {
    /// The account `finding` is of: its own in a report of several accounts, else the
    /// scan's.
    pub fn account_of<'r>(&'r self, finding: &'r Finding) -> &'r str {
        finding
            .account_id
            .as_deref()
            .unwrap_or(&self.scan.account_id)
    }

    /// How many accounts of a scan of several could not be scanned at all.
    pub fn accounts_unscanned(&self) -> usize {
        self.accounts.iter().filter(|a| a.error.is_some()).count()
    }

    /// Whether this run would have reported (rule, region, resource) failing had it
    /// still failed: the rule was evaluated (`evaluated`), the region scanned, and
    /// nothing of the rule there was ERROR for that resource or for a whole listing.
    /// What it could not see is never taken as resolved.
    pub fn judged_again(
        &self,
        evaluated: &BTreeSet<&str>,
        at: Place<'_>,
        rule: &str,
        resource_id: &str,
    ) -> bool {
        let Place { account, region } = at;
        let regions = match self.accounts.iter().find(|a| a.account_id == account) {
            Some(a) if a.error.is_none() => &a.regions,
            Some(_) => return false,
            None if self.accounts.is_empty() && account == self.scan.account_id => {
                &self.scan.regions
            }
            None => return false,
        };
        evaluated.contains(rule)
            && (region == "global" || regions.iter().any(|r| r == region))
            && !self.findings.iter().any(|f| {
                f.status == Status::Error
                    && self.account_of(f) == account
                    && f.rule_id == rule
                    && f.region == region
                    && (f.resource_id == resource_id || f.resource_id == "*")
            })
    }

    /// Failures no suppression accepts that the baseline did not have.
    pub fn new_failures(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.fails() && f.baseline == Some(BaselineState::New))
            .count()
    }
}

impl Summary {
    pub fn count(&self, status: Status) -> usize {
        self.by_status.get(&status).copied().unwrap_or(0)
    }
}
