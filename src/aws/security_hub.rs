//! `scan --security-hub`: the report's findings imported into Security Hub in each
//! region scanned, as the account's own product (`product/<account>/default`), so they
//! are triaged where the team already works — and what was resolved is resolved there.
//!
//! Per region: the findings to send (failures, or every verdict with `all`, never a
//! suppressed one: the accepted risk lives in the report and its suppression file), then
//! the product's ACTIVE findings already in the hub (`GetFindings`); one this run no
//! longer sends is re-imported with `RecordState: ARCHIVED` — but only for a rule this
//! run evaluated, and not where the run could not look (an ERROR for that resource, or a
//! failed listing for the rule in the region). `BatchImportFindings` takes at most 100
//! findings and 6 MB a call, at most 10 calls a second; the findings it refuses are sent
//! again twice, then counted as failed.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use aws_sdk_securityhub::types::{
    AwsSecurityFinding, AwsSecurityFindingFilters, Compliance, ComplianceStatus,
    FindingProviderFields, FindingProviderSeverity, Recommendation, RecordState, Remediation,
    Resource, Severity, SeverityLabel, StringFilter, StringFilterComparison, Workflow,
    WorkflowStatus,
};
use aws_sdk_securityhub::Client;
use chrono::{SecondsFormat, Utc};

use super::errors::CallError;
use super::session::Session;
use crate::asff::{self, AsffFinding};
use crate::report::{Place, Report};
use crate::rules::Status;

const BATCH_FINDINGS: usize = 100;
const BATCH_BYTES: usize = 6 * 1024 * 1024;
/// Security Hub's rate for `BatchImportFindings`: 10 requests a second.
const CALL_INTERVAL: Duration = Duration::from_millis(100);
const RESENDS: usize = 2;

/// What one export did.
#[derive(Debug, Default, PartialEq)]
pub struct Exported {
    pub imported: usize,
    pub archived: usize,
    /// Findings Security Hub refused after the resends: (finding id, its reason).
    pub failed: Vec<(String, String)>,
}

/// Imports `report` into Security Hub; `evaluated` names the rules the run evaluated
/// (the others' findings there are left alone),
/// `all` sends passes and undecided verdicts too. An error is one sentence: a region
/// whose hub cannot be read or written (Security Hub not enabled, access denied).
pub async fn export(
    session: &Session,
    report: &Report,
    evaluated: &BTreeSet<&str>,
    all: bool,
) -> Result<Exported, String> {
    let now = Utc::now();
    let mut out = Exported::default();
    for region in &report.scan.regions {
        let client = Client::new(&session.regional(region));
        // A template's findings (`scan --stack`) describe the template, not a resource.
        let send: Vec<AsffFinding> = report
            .findings
            .iter()
            .filter(|f| asff::hub_region(report, f) == region && f.location.is_none())
            .filter(|f| f.suppressed.is_none() && (all || f.status == Status::Fail))
            .map(|f| asff::finding(report, f, now))
            .collect();
        let product = asff::product_arn(&report.scan.account_id, region);
        let sent: BTreeSet<&str> = send.iter().map(|a| a.id.as_str()).collect();
        let stale: Vec<AwsSecurityFinding> = active(&client, &product, region)
            .await?
            .into_iter()
            .filter(|f| {
                let field = |k: &str| {
                    f.product_fields
                        .as_ref()
                        .and_then(|p| p.get(k))
                        .map_or("", String::as_str)
                };
                let id = f.id.as_deref().unwrap_or_default();
                let (rule, resource) = (field("compliance/RuleId"), field("compliance/ResourceId"));
                // A global resource's findings sit in this hub, judged under `global`.
                let own = field("compliance/Region");
                let at = if own.is_empty() { region.as_str() } else { own };
                let at = Place {
                    account: f.aws_account_id.as_deref().unwrap_or_default(),
                    region: at,
                };
                !sent.contains(id) && report.judged_again(evaluated, at, rule, resource)
            })
            .map(|mut f| {
                f.record_state = Some(RecordState::Archived);
                f.updated_at = Some(now.to_rfc3339_opts(SecondsFormat::Millis, true));
                f
            })
            .collect();
        let findings: Vec<AwsSecurityFinding> = send.iter().map(to_sdk).collect();
        let sizes: Vec<usize> = send
            .iter()
            .map(|a| serde_json::to_vec(a).map_or(BATCH_BYTES, |v| v.len()))
            .collect();
        let (imported, mut failed) = import(&client, findings, &sizes, region).await?;
        out.imported += imported;
        // An archived finding is the hub's own, no bigger than when it was imported.
        let archive_sizes = vec![BATCH_BYTES / BATCH_FINDINGS; stale.len()];
        let (archived, failed_archives) = import(&client, stale, &archive_sizes, region).await?;
        out.archived += archived;
        failed.extend(failed_archives);
        out.failed.extend(failed);
    }
    Ok(out)
}

/// The product's ACTIVE findings in the region's hub (filtered here too, so a hub that
/// ignores a filter cannot make another product's findings ours).
async fn active(
    client: &Client,
    product: &str,
    region: &str,
) -> Result<Vec<AwsSecurityFinding>, String> {
    let equals = |value: &str| {
        StringFilter::builder()
            .comparison(StringFilterComparison::Equals)
            .value(value)
            .build()
    };
    let filters = AwsSecurityFindingFilters::builder()
        .product_arn(equals(product))
        .record_state(equals("ACTIVE"))
        .build();
    let mut pages = client
        .get_findings()
        .filters(filters)
        .max_results(100)
        .into_paginator()
        .send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| failed("GetFindings", region, e.into()))?;
        out.extend(page.findings.unwrap_or_default().into_iter().filter(|f| {
            f.product_arn.as_deref() == Some(product)
                && f.record_state
                    .as_ref()
                    .is_none_or(|s| *s == RecordState::Active)
        }));
    }
    Ok(out)
}

fn failed(call: &str, region: &str, e: CallError) -> String {
    format!("cannot export to Security Hub in {region}: {call} failed: {e}")
}

/// Sends `findings` in batches within the call's limits; resends what the hub refuses.
/// Returns how many it took and what it refused at the end.
async fn import(
    client: &Client,
    findings: Vec<AwsSecurityFinding>,
    sizes: &[usize],
    region: &str,
) -> Result<(usize, Vec<(String, String)>), String> {
    let mut pending: Vec<(AwsSecurityFinding, usize)> =
        findings.into_iter().zip(sizes.iter().copied()).collect();
    let mut took = 0;
    let mut refused: BTreeMap<String, String> = BTreeMap::new();
    for attempt in 0..=RESENDS {
        if pending.is_empty() {
            break;
        }
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(500 << attempt)).await;
        }
        let mut again = Vec::new();
        for batch in batches(pending) {
            let started = tokio::time::Instant::now();
            let out = client
                .batch_import_findings()
                .set_findings(Some(batch.iter().map(|(f, _)| f.clone()).collect()))
                .send()
                .await
                .map_err(|e| failed("BatchImportFindings", region, e.into()))?;
            let errors: BTreeMap<String, String> = out
                .failed_findings()
                .iter()
                .map(|e| {
                    (
                        e.id().unwrap_or_default().to_string(),
                        format!(
                            "{}: {}",
                            e.error_code().unwrap_or_default(),
                            e.error_message().unwrap_or_default()
                        ),
                    )
                })
                .collect();
            took += batch.len() - errors.len().min(batch.len());
            for (finding, size) in batch {
                if let Some(reason) = errors.get(finding.id.as_deref().unwrap_or_default()) {
                    refused.insert(finding.id.clone().unwrap_or_default(), reason.clone());
                    again.push((finding, size));
                }
            }
            tokio::time::sleep_until(started + CALL_INTERVAL).await;
        }
        pending = again;
    }
    let left: BTreeSet<String> = pending.iter().filter_map(|(f, _)| f.id.clone()).collect();
    refused.retain(|id, _| left.contains(id));
    Ok((took, refused.into_iter().collect()))
}

/// `items` cut into calls of at most 100 findings and 6 MB.
fn batches<T>(items: Vec<(T, usize)>) -> Vec<Vec<(T, usize)>> {
    let mut out: Vec<Vec<(T, usize)>> = Vec::new();
    let mut bytes = 0;
    for (item, size) in items {
        let full = out
            .last()
            .is_none_or(|b| b.len() == BATCH_FINDINGS || bytes + size > BATCH_BYTES);
        if full {
            out.push(Vec::new());
            bytes = 0;
        }
        bytes += size;
        out.last_mut().expect("a batch").push((item, size));
    }
    out
}

/// The SDK's finding for an ASFF one (the same fields, the SDK's types).
fn to_sdk(a: &AsffFinding) -> AwsSecurityFinding {
    let resources = a
        .resources
        .iter()
        .map(|r| {
            Resource::builder()
                .r#type(r.kind)
                .id(&r.id)
                .partition(r.partition.into())
                .region(&r.region)
                .set_tags((!r.tags.is_empty()).then(|| r.tags.clone().into_iter().collect()))
                .build()
        })
        .collect();
    let provider = &a.finding_provider_fields;
    AwsSecurityFinding::builder()
        .schema_version(a.schema_version)
        .id(&a.id)
        .product_arn(&a.product_arn)
        .product_name(a.product_name)
        .company_name(a.company_name)
        .generator_id(&a.generator_id)
        .aws_account_id(&a.aws_account_id)
        .region(&a.region)
        .set_types(Some(a.types.clone()))
        .created_at(&a.created_at)
        .updated_at(&a.updated_at)
        .severity(
            Severity::builder()
                .label(SeverityLabel::from(a.severity.label))
                .original(a.severity.original)
                .build(),
        )
        .finding_provider_fields(
            FindingProviderFields::builder()
                .severity(
                    FindingProviderSeverity::builder()
                        .label(SeverityLabel::from(provider.severity.label))
                        .original(provider.severity.original)
                        .build(),
                )
                .set_types(Some(provider.types.clone()))
                .build(),
        )
        .title(&a.title)
        .description(&a.description)
        .remediation(
            Remediation::builder()
                .recommendation(
                    Recommendation::builder()
                        .text(&a.remediation.recommendation.text)
                        .url(&a.remediation.recommendation.url)
                        .build(),
                )
                .build(),
        )
        .set_product_fields(Some(a.product_fields.clone().into_iter().collect()))
        .set_resources(Some(resources))
        .compliance(
            Compliance::builder()
                .status(ComplianceStatus::from(a.compliance.status))
                .set_related_requirements(
                    (!a.compliance.related_requirements.is_empty())
                        .then(|| a.compliance.related_requirements.clone()),
                )
                .build(),
        )
        .set_workflow(a.workflow.as_ref().map(|w| {
            Workflow::builder()
                .status(WorkflowStatus::from(w.status))
                .build()
        }))
        .record_state(RecordState::from(a.record_state))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_hold_at_most_100_findings_and_6_mb() {
        let sizes: Vec<usize> = batches((0..250).map(|i| (i, 10)).collect())
            .iter()
            .map(Vec::len)
            .collect();
        assert_eq!(sizes, [100, 100, 50]);
        let big = 2 * 1024 * 1024;
        let sizes: Vec<usize> = batches((0..7).map(|i| (i, big)).collect())
            .iter()
            .map(Vec::len)
            .collect();
        assert_eq!(sizes, [3, 3, 1], "three 2 MB findings make 6 MB");
        assert!(batches::<u8>(Vec::new()).is_empty());
    }
}
