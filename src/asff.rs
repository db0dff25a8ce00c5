//! A report's findings in the AWS Security Finding Format (ASFF, schema 2018-10-08), the
//! shape Security Hub imports: what `--format asff` prints and `scan --security-hub`
//! sends. Pure: the SDK conversion is `aws::security_hub`'s.
//!
//! One ASFF finding per (rule, resource, region), its `Id` stable across runs so a later
//! import updates it. `Compliance.Status` is Security Hub's: PASSED, FAILED, and
//! NOT_AVAILABLE for ERROR and NOT_APPLICABLE (Security Hub's own reading of a Config
//! NOT_APPLICABLE). Texts are cut to the documented limits (Title 256 characters,
//! Description 1,024, the recommendation 512, a product field 2,048); lists too
//! (32 related requirements, 50 types, 50 tags).

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::iam::GLOBAL;
use crate::model::partition;
use crate::output::fit::cut;
use crate::report::{Finding, Report};
use crate::rules::{Severity, Status};

pub const SCHEMA_VERSION: &str = "2018-10-08";
const TITLE_LIMIT: usize = 256;
const DESCRIPTION_LIMIT: usize = 1024;
const RECOMMENDATION_LIMIT: usize = 512;
const PRODUCT_FIELD_LIMIT: usize = 2048;
const ID_LIMIT: usize = 512;
const LIST_LIMIT: usize = 32;
const MAP_LIMIT: usize = 50;

/// One finding as Security Hub takes it (the fields this product fills).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AsffFinding {
    pub schema_version: &'static str,
    pub id: String,
    pub product_arn: String,
    pub product_name: &'static str,
    pub company_name: &'static str,
    pub generator_id: String,
    pub aws_account_id: String,
    pub region: String,
    pub types: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub severity: AsffSeverity,
    /// Severity and types again, where a finding provider updates them (Security Hub
    /// keeps the top-level ones for the customer's own changes).
    pub finding_provider_fields: AsffProviderFields,
    pub title: String,
    pub description: String,
    pub remediation: AsffRemediation,
    pub product_fields: BTreeMap<String, String>,
    pub resources: Vec<AsffResource>,
    pub compliance: AsffCompliance,
    /// A failure a suppression accepts (not sent to Security Hub; see `scan --security-hub`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow: Option<AsffWorkflow>,
    pub record_state: &'static str,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AsffWorkflow {
    pub status: &'static str,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AsffSeverity {
    pub label: &'static str,
    pub original: &'static str,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AsffProviderFields {
    pub severity: AsffSeverity,
    pub types: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AsffRemediation {
    pub recommendation: AsffRecommendation,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AsffRecommendation {
    pub text: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AsffResource {
    #[serde(rename = "Type")]
    pub kind: &'static str,
    pub id: String,
    pub partition: &'static str,
    pub region: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AsffCompliance {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_requirements: Vec<String>,
}

/// The product ARN of an account's own findings (`product/<account>/default`), which
/// any account may import into without a partner integration.
pub fn product_arn(account: &str, region: &str) -> String {
    format!(
        "arn:{}:securityhub:{region}:{account}:product/{account}/default",
        partition(region)
    )
}

/// The stable id of the ASFF finding for (rule, resource, region) in `account`.
pub fn finding_id(account: &str, f: &Finding) -> String {
    let resource = f.resource_arn.as_deref().unwrap_or(&f.resource_id);
    let id = format!("compliance/{account}/{}/{}/{resource}", f.region, f.rule_id);
    if id.len() <= ID_LIMIT {
        return id;
    }
    let digest = Sha256::digest(resource.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("compliance/{account}/{}/{}/{hex}", f.region, f.rule_id)
}

/// Security Hub's name for a verdict.
pub fn compliance_status(status: Status) -> &'static str {
    match status {
        Status::Pass => "PASSED",
        Status::Fail => "FAILED",
        Status::Error | Status::NotApplicable => "NOT_AVAILABLE",
    }
}

fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "CRITICAL",
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
        Severity::Info => "INFORMATIONAL",
    }
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The region whose hub takes `f`: its own, or for a global resource (IAM's) the
/// scan's first region, where Security Hub keeps findings on global resources.
pub fn hub_region<'r>(report: &'r Report, f: &'r Finding) -> &'r str {
    if f.region == GLOBAL {
        report
            .scan
            .regions
            .first()
            .map_or("us-east-1", String::as_str)
    } else {
        &f.region
    }
}

/// `f` of `report` as an active ASFF finding observed at `now`.
pub fn finding(report: &Report, f: &Finding, now: DateTime<Utc>) -> AsffFinding {
    // The finding's own account; the product is the importing (scanning) account's, as
    // Security Hub takes a delegated administrator's imports for its member accounts.
    let account = report.account_of(f).to_string();
    let region = hub_region(report, f);
    let asff_type = f.resource_type.asff_type();
    let resource_id = match (&f.resource_arn, asff_type) {
        (Some(arn), _) => arn.clone(),
        (None, "AwsAccount") => format!("AWS::::Account:{account}"),
        (None, _) => f.resource_id.clone(),
    };
    let mut types =
        vec!["Software and Configuration Checks/AWS Security Best Practices".to_string()];
    types.extend(f.frameworks.keys().map(|k| {
        format!("Software and Configuration Checks/Industry and Regulatory Standards/{k}")
    }));
    types.truncate(MAP_LIMIT);
    let mut requirements = f.controls("/");
    requirements.truncate(LIST_LIMIT);
    let mut fields = BTreeMap::from([
        ("compliance/RuleId".to_string(), f.rule_id.clone()),
        (
            "compliance/ResourceId".to_string(),
            cut(&f.resource_id, PRODUCT_FIELD_LIMIT),
        ),
        ("compliance/Region".to_string(), f.region.clone()),
        ("compliance/ScanId".to_string(), report.scan.id.clone()),
        (
            "compliance/ResourceType".to_string(),
            f.resource_type.as_str().to_string(),
        ),
        (
            "compliance/Evidence".to_string(),
            cut(&f.evidence, PRODUCT_FIELD_LIMIT),
        ),
    ]);
    if let Some(s) = &f.suppressed {
        let accepted = format!("{}: {}", s.entry, s.reason);
        fields.insert(
            "compliance/SuppressedBy".to_string(),
            cut(&accepted, PRODUCT_FIELD_LIMIT),
        );
    }
    if let Some(location) = &f.location {
        fields.insert(
            "compliance/Location".to_string(),
            cut(
                &format!("{}:{}", location.file, location.line),
                PRODUCT_FIELD_LIMIT,
            ),
        );
    }
    let description = if f.evidence.is_empty() || f.evidence == f.message {
        f.message.clone()
    } else {
        format!("{} ({})", f.message, f.evidence)
    };
    let severity = AsffSeverity {
        label: severity_label(f.severity),
        original: f.severity.as_str(),
    };
    AsffFinding {
        schema_version: SCHEMA_VERSION,
        id: finding_id(&account, f),
        product_arn: product_arn(&report.scan.account_id, region),
        product_name: "compliance",
        company_name: "compliance",
        generator_id: format!("compliance/{}", f.rule_id),
        aws_account_id: account,
        region: region.to_string(),
        finding_provider_fields: AsffProviderFields {
            severity: severity.clone(),
            types: types.clone(),
        },
        types,
        created_at: time(f.timestamp),
        updated_at: time(now),
        severity,
        title: cut(&f.title, TITLE_LIMIT),
        description: cut(&description, DESCRIPTION_LIMIT),
        remediation: AsffRemediation {
            recommendation: AsffRecommendation {
                text: cut(&f.remediation.text, RECOMMENDATION_LIMIT),
                url: f.remediation.url.clone(),
            },
        },
        product_fields: fields,
        resources: vec![AsffResource {
            kind: asff_type,
            id: resource_id,
            partition: partition(region),
            region: region.to_string(),
            tags: f
                .resource_tags
                .iter()
                .take(MAP_LIMIT)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }],
        compliance: AsffCompliance {
            status: compliance_status(f.status),
            related_requirements: requirements,
        },
        workflow: f.suppressed.as_ref().map(|_| AsffWorkflow {
            status: "SUPPRESSED",
        }),
        record_state: "ACTIVE",
    }
}

#[cfg(test)]
mod tests;
