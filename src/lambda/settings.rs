//! The stack's settings, read once per container from the function's environment (the
//! template's parameters): where reports go, who is alerted, what a run scans and
//! delivers, and how an organisation run reaches its member accounts.

use crate::aws::regions::RegionChoice;
use crate::error::Fatal;
use crate::notify::WebhookFormat;
use crate::rules::Severity;
use crate::stack::DEFAULT_MEMBER_ROLE;

use super::deliveries::WebhookSettings;

/// The stack's settings, from the function's environment.
pub struct Settings {
    pub bucket: String,
    pub critical_topic: Option<String>,
    pub warning_topic: Option<String>,
    pub threshold: Severity,
    pub suffix: String,
    /// The stack's `AutoRemediate`: apply the safe remediations after each scan.
    pub auto_remediate: bool,
    /// The stack's `SecurityHubExport`: import each run's failures into Security Hub.
    pub security_hub_export: bool,
    /// The findings history table, and how long its items live (`ReportRetentionDays`).
    pub findings_table: Option<String>,
    pub retention_days: i64,
    /// `WebhookSecretArn`, `WebhookFormat` and `WebhookMinSeverity`.
    pub webhook: Option<WebhookSettings>,
    /// `ScanRegions`: what a run whose event names no regions scans.
    pub regions: RegionChoice,
    /// `MemberRoleName` and `MemberRoleExternalId`: how an organisation run's account
    /// step reaches each member account.
    pub member_role: String,
    pub member_external_id: Option<String>,
    /// `OrganizationUnits` and `ExcludedAccounts`: which accounts an organisation run
    /// lists (the whole organisation when no unit is named).
    pub organization_units: Vec<String>,
    pub excluded_accounts: Vec<String>,
    /// `OrganizationItems` `account-region`: an organisation run's items are one
    /// account × region each (`shares.rs`), not one account.
    pub region_items: bool,
}

impl Settings {
    pub fn from_env() -> Result<Settings, Fatal> {
        Settings::from_vars(|name| std::env::var(name).ok())
    }

    /// The settings from the variables `get` gives (an empty one is unset).
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Settings, Fatal> {
        let var = |name: &str| get(name).filter(|v| !v.is_empty());
        Ok(Settings {
            bucket: var("COMPLIANCE_REPORT_BUCKET")
                .ok_or_else(|| Fatal::new("COMPLIANCE_REPORT_BUCKET is not set: deploy the function with `compliance deploy`"))?,
            critical_topic: var("COMPLIANCE_CRITICAL_TOPIC_ARN"),
            warning_topic: var("COMPLIANCE_WARNING_TOPIC_ARN"),
            threshold: var("COMPLIANCE_ALERT_THRESHOLD").map_or(Ok(Severity::High), |s| s.parse().map_err(Fatal::new))?,
            suffix: var("COMPLIANCE_SUFFIX").unwrap_or_default(),
            auto_remediate: var("COMPLIANCE_AUTO_REMEDIATE").as_deref() == Some("true"),
            security_hub_export: var("COMPLIANCE_SECURITY_HUB_EXPORT").as_deref() == Some("true"),
            findings_table: var("COMPLIANCE_FINDINGS_TABLE"),
            webhook: match var("COMPLIANCE_WEBHOOK_SECRET_ARN") {
                None => None,
                Some(secret_arn) => Some(WebhookSettings {
                    secret_arn,
                    format: var("COMPLIANCE_WEBHOOK_FORMAT").map_or(Ok(WebhookFormat::Slack), |f| f.parse().map_err(Fatal::new))?,
                    min_severity: var("COMPLIANCE_WEBHOOK_MIN_SEVERITY").map_or(Ok(Severity::High), |s| s.parse().map_err(Fatal::new))?,
                }),
            },
            retention_days: var("COMPLIANCE_RETENTION_DAYS").map_or(Ok(90), |d| {
                d.parse().map_err(|_| Fatal::new(format!("COMPLIANCE_RETENTION_DAYS is {d}, not a number of days")))
            })?,
            regions: scan_regions(var("COMPLIANCE_SCAN_REGIONS").as_deref()),
            member_role: var("COMPLIANCE_MEMBER_ROLE_NAME").unwrap_or_else(|| DEFAULT_MEMBER_ROLE.to_string()),
            member_external_id: var("COMPLIANCE_MEMBER_EXTERNAL_ID"),
            organization_units: list(var("COMPLIANCE_ORGANIZATION_UNITS")),
            excluded_accounts: list(var("COMPLIANCE_EXCLUDED_ACCOUNTS")),
            region_items: var("COMPLIANCE_ORGANIZATION_ITEMS").as_deref() == Some("account-region"),
        })
    }
}

/// A comma-separated list's items; none for an unset variable.
fn list(raw: Option<String>) -> Vec<String> {
    raw.iter()
        .flat_map(|r| r.split(','))
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_string)
        .collect()
}

/// The stack's `ScanRegions`: `all` (every region enabled in the account), regions
/// separated by commas, or nothing (the function's own region).
fn scan_regions(raw: Option<&str>) -> RegionChoice {
    match raw.map(str::trim) {
        Some("all") => RegionChoice {
            named: Vec::new(),
            all: true,
        },
        Some(list) => RegionChoice {
            named: list
                .split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_string)
                .collect(),
            all: false,
        },
        None => RegionChoice::default(),
    }
}
