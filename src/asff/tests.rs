use chrono::TimeZone;

use super::*;
use crate::model::ResourceKind;
use crate::output::fixtures;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap()
}

#[test]
fn a_failure_carries_every_required_field_in_security_hubs_vocabulary() {
    let report = fixtures::report();
    let a = finding(&report, &report.findings[2], now());
    assert_eq!(a.schema_version, "2018-10-08");
    assert_eq!(
        a.product_arn,
        "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default"
    );
    assert_eq!(
        a.id,
        "compliance/123456789012/us-east-1/s3-bucket-no-public-read/arn:aws:s3:::leaky"
    );
    assert_eq!(a.generator_id, "compliance/s3-bucket-no-public-read");
    assert_eq!(a.aws_account_id, "123456789012");
    assert_eq!(
        (a.severity.label, a.severity.original),
        ("CRITICAL", "critical")
    );
    assert_eq!(a.compliance.status, "FAILED");
    assert_eq!(
        a.compliance.related_requirements,
        ["aws-fsbp/S3.8", "cis-aws-3.0/2.1.4"]
    );
    assert_eq!(a.created_at, "2026-11-23T12:00:00.000Z");
    assert_eq!(a.updated_at, "2026-12-03T09:00:00.000Z");
    assert_eq!(a.resources[0].kind, "AwsS3Bucket");
    assert_eq!(a.resources[0].id, "arn:aws:s3:::leaky");
    assert_eq!(a.resources[0].partition, "aws");
    assert_eq!(a.record_state, "ACTIVE");
    assert!(a.types[0].starts_with("Software and Configuration Checks/"));
    // Every field Security Hub requires is in the JSON, in its spelling.
    let json = serde_json::to_value(&a).unwrap();
    for field in [
        "SchemaVersion",
        "Id",
        "ProductArn",
        "GeneratorId",
        "AwsAccountId",
        "Types",
        "CreatedAt",
        "UpdatedAt",
        "Severity",
        "Title",
        "Description",
        "Resources",
    ] {
        assert!(json.get(field).is_some(), "{field} missing: {json}");
    }
    assert_eq!(json["Resources"][0]["Type"], "AwsS3Bucket");
    assert_eq!(json["Compliance"]["Status"], "FAILED");
}

#[test]
fn errors_and_inapplicable_verdicts_are_not_available_never_passed() {
    assert_eq!(compliance_status(Status::Error), "NOT_AVAILABLE");
    assert_eq!(compliance_status(Status::NotApplicable), "NOT_AVAILABLE");
    assert_eq!(compliance_status(Status::Pass), "PASSED");
    let report = fixtures::report();
    assert_eq!(
        finding(&report, &report.findings[3], now())
            .compliance
            .status,
        "NOT_AVAILABLE"
    );
}

#[test]
fn texts_and_lists_are_cut_to_the_documented_limits() {
    let report = fixtures::report();
    let mut f = report.findings[1].clone();
    f.title = "t".repeat(300);
    f.message = "m".repeat(2000);
    f.remediation.text = "r".repeat(600);
    f.evidence = "e".repeat(3000);
    f.frameworks = BTreeMap::from([(
        "cis-aws-3.0".to_string(),
        (0..40).map(|i| format!("1.{i}")).collect(),
    )]);
    f.resource_tags = (0..60)
        .map(|i| (format!("k{i}"), "v".to_string()))
        .collect();
    let a = finding(&report, &f, now());
    assert_eq!(a.title.chars().count(), 256);
    assert!(a.title.ends_with('…'));
    assert_eq!(a.description.chars().count(), 1024);
    assert_eq!(a.remediation.recommendation.text.chars().count(), 512);
    assert_eq!(
        a.product_fields["compliance/Evidence"].chars().count(),
        2048
    );
    assert_eq!(a.compliance.related_requirements.len(), 32);
    assert_eq!(a.resources[0].tags.len(), 50);
}

#[test]
fn ids_are_stable_and_bounded_and_account_settings_are_the_account() {
    let report = fixtures::report();
    let mut f = report.findings[1].clone();
    assert_eq!(finding_id("1", &f), finding_id("1", &f.clone()));
    f.resource_arn = Some(format!("arn:aws:s3:::{}", "x".repeat(600)));
    let long = finding_id("123456789012", &f);
    assert!(long.len() <= 512, "{long}");
    f.resource_arn = Some(format!("arn:aws:s3:::{}y", "x".repeat(599)));
    assert_ne!(
        finding_id("123456789012", &f),
        long,
        "distinct resources, distinct ids"
    );

    f.resource_type = ResourceKind::Ec2RegionSettings;
    f.resource_arn = None;
    f.resource_id = "us-east-1".into();
    let a = finding(&report, &f, now());
    assert_eq!(a.resources[0].kind, "AwsAccount");
    assert_eq!(a.resources[0].id, "AWS::::Account:123456789012");
}

#[test]
fn other_partitions_are_named_in_arns_and_resources() {
    let mut report = fixtures::report();
    report.findings[1].region = "cn-north-1".into();
    let a = finding(&report, &report.findings[1], now());
    assert!(
        a.product_arn
            .starts_with("arn:aws-cn:securityhub:cn-north-1:"),
        "{}",
        a.product_arn
    );
    assert_eq!(a.resources[0].partition, "aws-cn");
}

#[test]
fn a_global_resources_finding_goes_to_the_first_regions_hub_keeping_its_own_region() {
    let mut report = fixtures::report();
    report.scan.regions = vec!["eu-west-1".into(), "us-east-1".into()];
    let mut f = report.findings[1].clone();
    f.region = "global".into();
    f.resource_type = ResourceKind::IamUser;
    f.resource_arn = Some("arn:aws:iam::123456789012:user/alice".into());
    let a = finding(&report, &f, now());
    assert_eq!(hub_region(&report, &f), "eu-west-1");
    assert_eq!(a.region, "eu-west-1");
    assert!(
        a.product_arn.starts_with("arn:aws:securityhub:eu-west-1:"),
        "{}",
        a.product_arn
    );
    assert_eq!(a.resources[0].region, "eu-west-1");
    assert_eq!(a.resources[0].kind, "AwsIamUser");
    assert_eq!(a.product_fields["compliance/Region"], "global");
    assert!(
        a.id.contains("/global/"),
        "the id stays the finding's own: {}",
        a.id
    );
}
