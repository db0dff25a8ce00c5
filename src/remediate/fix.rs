//! The fixes this build applies: their ids (as rules name them in
//! `remediation.automatic`), the IAM permissions each needs, and the pure decision on a
//! resource's re-read state — already fine, missing a value, or this exact change.
//!
//! Each fix reads a small JSON state (the fields `aws::remediate` reads back):
//! S3 encryption `{algorithm, kms_key_id}`, public access block `{block_public_acls, …}`,
//! versioning `{status}`, Lambda `{tracing_mode}`, VPC `{flow_logs: [{status, …}]}`,
//! SNS `{kms_master_key_id}`, any resource's `{tags}`.

use serde_json::Value;

use super::{Context, Target};
use crate::model::ResourceKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fix {
    /// Default encryption: SSE-KMS with `--kms-key`, else SSE-S3.
    S3DefaultEncryption,
    /// Default encryption with a customer-managed key (needs `--kms-key`).
    S3KmsEncryption,
    S3BlockPublicAccess,
    S3Versioning,
    LambdaTracing,
    /// A flow log of all traffic to a conventionally named log group, with its role.
    VpcFlowLogs,
    SnsKmsEncryption,
    /// The missing mandatory tags, with values from `--tag` (existing tags are kept).
    MandatoryTags,
}

/// What to do with a resource, decided on its re-read state.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Make this change (described naming the API call).
    Change(String),
    /// The state already passes: nothing to do.
    Compliant(String),
    /// Not done unattended: a value only the operator can give is missing, or the
    /// change would replace what someone chose.
    NeedsInput(String),
}

/// The flow-log delivery role `remediate` creates (once per account) when it is absent.
pub const FLOW_LOG_ROLE: &str = "compliance-flowlogs-delivery";
/// Days the flow-log groups `remediate` creates keep their events.
pub const FLOW_LOG_RETENTION_DAYS: i32 = 365;
/// SNS's AWS-managed key, used when no `--kms-key` is given.
pub const SNS_MANAGED_KEY: &str = "alias/aws/sns";

impl Fix {
    pub const ALL: [Fix; 8] = [
        Fix::S3DefaultEncryption,
        Fix::S3KmsEncryption,
        Fix::S3BlockPublicAccess,
        Fix::S3Versioning,
        Fix::LambdaTracing,
        Fix::VpcFlowLogs,
        Fix::SnsKmsEncryption,
        Fix::MandatoryTags,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Fix::S3DefaultEncryption => "s3-default-encryption",
            Fix::S3KmsEncryption => "s3-kms-encryption",
            Fix::S3BlockPublicAccess => "s3-block-public-access",
            Fix::S3Versioning => "s3-versioning",
            Fix::LambdaTracing => "lambda-tracing",
            Fix::VpcFlowLogs => "vpc-flow-logs",
            Fix::SnsKmsEncryption => "sns-kms-encryption",
            Fix::MandatoryTags => "mandatory-tags",
        }
    }

    pub fn parse(id: &str) -> Option<Fix> {
        Fix::ALL.into_iter().find(|f| f.id() == id)
    }

    /// Every IAM action the fix calls on a resource of `kind`, reads included.
    pub fn permissions(self, kind: ResourceKind) -> &'static [&'static str] {
        match self {
            Fix::S3DefaultEncryption | Fix::S3KmsEncryption => &[
                "s3:GetEncryptionConfiguration",
                "s3:PutEncryptionConfiguration",
            ],
            Fix::S3BlockPublicAccess => &[
                "s3:GetBucketPublicAccessBlock",
                "s3:PutBucketPublicAccessBlock",
            ],
            Fix::S3Versioning => &["s3:GetBucketVersioning", "s3:PutBucketVersioning"],
            Fix::LambdaTracing => &[
                "lambda:GetFunctionConfiguration",
                "lambda:UpdateFunctionConfiguration",
            ],
            Fix::VpcFlowLogs => &[
                "ec2:DescribeVpcs",
                "ec2:DescribeFlowLogs",
                "ec2:CreateFlowLogs",
                "logs:DescribeLogGroups",
                "logs:CreateLogGroup",
                "logs:PutRetentionPolicy",
                "iam:GetRole",
                "iam:CreateRole",
                "iam:PutRolePolicy",
                "iam:PassRole",
            ],
            Fix::SnsKmsEncryption => &["sns:GetTopicAttributes", "sns:SetTopicAttributes"],
            Fix::MandatoryTags => match kind {
                ResourceKind::S3Bucket => &["s3:GetBucketTagging", "s3:PutBucketTagging"],
                ResourceKind::Vpc => &["ec2:DescribeVpcs", "ec2:CreateTags"],
                ResourceKind::KmsKey => &["kms:ListResourceTags", "kms:TagResource"],
                ResourceKind::LambdaFunction => &["lambda:ListTags", "lambda:TagResource"],
                ResourceKind::SnsTopic => &["sns:ListTagsForResource", "sns:TagResource"],
                _ => &[],
            },
        }
    }

    /// Whether `state` passes what this fix is for.
    pub fn satisfied(self, state: &Value, target: &Target) -> bool {
        let text = |key: &str| state[key].as_str().unwrap_or_default();
        match self {
            Fix::S3DefaultEncryption => !matches!(text("algorithm"), "" | "none"),
            Fix::S3KmsEncryption => {
                text("algorithm").starts_with("aws:kms")
                    && state["kms_key_id"]
                        .as_str()
                        .is_some_and(|k| !k.starts_with("alias/aws/"))
            }
            Fix::S3BlockPublicAccess => [
                "block_public_acls",
                "ignore_public_acls",
                "block_public_policy",
                "restrict_public_buckets",
            ]
            .iter()
            .all(|k| state[*k] == Value::Bool(true)),
            Fix::S3Versioning => text("status") == "Enabled",
            Fix::LambdaTracing => text("tracing_mode") == "Active",
            Fix::VpcFlowLogs => state["flow_logs"]
                .as_array()
                .is_some_and(|logs| logs.iter().any(|l| l["status"] == "ACTIVE")),
            Fix::SnsKmsEncryption => state["kms_master_key_id"]
                .as_str()
                .is_some_and(|k| !k.is_empty()),
            Fix::MandatoryTags => missing_tags(state, target).is_empty(),
        }
    }

    /// The decision on a resource whose state was just read.
    pub fn decide(self, before: &Value, target: &Target, ctx: &Context) -> Decision {
        if self.satisfied(before, target) {
            return Decision::Compliant(
                "the resource passes now (it changed since the scan)".to_string(),
            );
        }
        let text = |key: &str| before[key].as_str().unwrap_or("none").to_string();
        let change = match self {
            Fix::S3DefaultEncryption => match &ctx.kms_key {
                Some(key) => format!(
                    "PutBucketEncryption: default encryption {} → SSE-KMS with {key}",
                    text("algorithm")
                ),
                None => format!(
                    "PutBucketEncryption: default encryption {} → SSE-S3 (AES256)",
                    text("algorithm")
                ),
            },
            Fix::S3KmsEncryption if text("algorithm").starts_with("aws:kms") => {
                return Decision::NeedsInput(
                    "the bucket already uses SSE-KMS with an AWS-managed key; replacing a \
                     bucket's key is left to a person"
                        .to_string(),
                )
            }
            Fix::S3KmsEncryption => match &ctx.kms_key {
                Some(key) => format!(
                    "PutBucketEncryption: default encryption {} → SSE-KMS with {key}",
                    text("algorithm")
                ),
                None => {
                    return Decision::NeedsInput(
                        "the rule asks for a customer-managed key: pass --kms-key ARN".to_string(),
                    )
                }
            },
            Fix::S3BlockPublicAccess => {
                "PutPublicAccessBlock: BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy and \
                 RestrictPublicBuckets on (public ACLs and policies stop granting access)"
                    .to_string()
            }
            Fix::S3Versioning => format!(
                "PutBucketVersioning: {} → Enabled (MFA delete unchanged)",
                text("status")
            ),
            Fix::LambdaTracing => format!(
                "UpdateFunctionConfiguration: TracingConfig {} → Active (the function's role \
                 needs xray:PutTraceSegments and xray:PutTelemetryRecords)",
                text("tracing_mode")
            ),
            Fix::VpcFlowLogs => format!(
                "CreateFlowLogs: ALL traffic → CloudWatch Logs group {} (created if absent, \
                 {FLOW_LOG_RETENTION_DAYS}-day retention), delivered by role {FLOW_LOG_ROLE} \
                 (created if absent)",
                flow_log_group(&target.region, ctx)
            ),
            Fix::SnsKmsEncryption => format!(
                "SetTopicAttributes: KmsMasterKeyId none → {}",
                ctx.kms_key.as_deref().unwrap_or(SNS_MANAGED_KEY)
            ),
            Fix::MandatoryTags => {
                let missing = missing_tags(before, target);
                let (given, lacking): (Vec<&String>, Vec<&String>) =
                    missing.iter().partition(|k| ctx.tags.contains_key(*k));
                if !lacking.is_empty() {
                    let keys: Vec<&str> = lacking.iter().map(|k| k.as_str()).collect();
                    return Decision::NeedsInput(format!(
                        "no value for {}: pass --tag KEY=VALUE for each",
                        keys.join(", ")
                    ));
                }
                let pairs: Vec<String> = given
                    .iter()
                    .map(|k| format!("{k}={}", ctx.tags[*k]))
                    .collect();
                format!("add tags {} (existing tags are kept)", pairs.join(", "))
            }
        };
        Decision::Change(change)
    }
}

/// The log group `remediate` delivers a region's flow logs to: the audit convention,
/// dated the day it is created.
pub fn flow_log_group(region: &str, ctx: &Context) -> String {
    format!("audit-flowlogs-{region}-{}", ctx.today.format("%Y-%m-%d"))
}

/// The required tag keys the state lacks, in the rule's order.
pub fn missing_tags(state: &Value, target: &Target) -> Vec<String> {
    target
        .required_tags
        .iter()
        .filter(|k| state["tags"].get(k.as_str()).is_none())
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::NaiveDate;
    use serde_json::json;

    use super::*;

    fn ctx(kms_key: Option<&str>, tags: &[(&str, &str)]) -> Context {
        Context {
            kms_key: kms_key.map(str::to_string),
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            account_id: "123456789012".into(),
            today: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        }
    }

    fn target(required: &[&str]) -> Target {
        Target {
            rule_id: "r".into(),
            resource_type: ResourceKind::S3Bucket,
            resource_id: "b".into(),
            resource_arn: None,
            region: "eu-west-1".into(),
            required_tags: required.iter().map(|k| k.to_string()).collect(),
        }
    }

    #[test]
    fn every_fix_round_trips_its_id_and_declares_permissions() {
        for fix in Fix::ALL {
            assert_eq!(Fix::parse(fix.id()), Some(fix));
        }
        // Every rule that names a fix names one that declares its permissions for the
        // rule's resource kind.
        for rule in crate::rules::load::load(&[]).unwrap().rules {
            if let Some(fix) = rule.remediation.automatic.as_deref().and_then(Fix::parse) {
                assert!(!fix.permissions(rule.resource).is_empty(), "{}", rule.id);
            }
        }
        assert_eq!(
            Fix::MandatoryTags.permissions(ResourceKind::KmsKey),
            ["kms:ListResourceTags", "kms:TagResource"]
        );
        assert_eq!(Fix::parse("delete-everything"), None);
    }

    #[test]
    fn default_encryption_uses_the_given_key_else_sse_s3_and_leaves_any_existing_one() {
        let none = json!({"algorithm": "none", "kms_key_id": null});
        let t = target(&[]);
        assert_eq!(
            Fix::S3DefaultEncryption.decide(&none, &t, &ctx(None, &[])),
            Decision::Change(
                "PutBucketEncryption: default encryption none → SSE-S3 (AES256)".into()
            )
        );
        let Decision::Change(with_key) =
            Fix::S3DefaultEncryption.decide(&none, &t, &ctx(Some("arn:k"), &[]))
        else {
            panic!()
        };
        assert!(with_key.ends_with("SSE-KMS with arn:k"), "{with_key}");
        let aes = json!({"algorithm": "AES256", "kms_key_id": null});
        assert!(matches!(
            Fix::S3DefaultEncryption.decide(&aes, &t, &ctx(Some("arn:k"), &[])),
            Decision::Compliant(_)
        ));
    }

    #[test]
    fn a_customer_managed_key_must_be_given() {
        let aes = json!({"algorithm": "AES256", "kms_key_id": null});
        let t = target(&[]);
        assert!(matches!(
            Fix::S3KmsEncryption.decide(&aes, &t, &ctx(None, &[])),
            Decision::NeedsInput(_)
        ));
        assert!(matches!(
            Fix::S3KmsEncryption.decide(&aes, &t, &ctx(Some("arn:k"), &[])),
            Decision::Change(_)
        ));
        let managed = json!({"algorithm": "aws:kms", "kms_key_id": "alias/aws/s3"});
        assert!(!Fix::S3KmsEncryption.satisfied(&managed, &t));
        assert!(
            matches!(
                Fix::S3KmsEncryption.decide(&managed, &t, &ctx(Some("arn:k"), &[])),
                Decision::NeedsInput(reason) if reason.contains("left to a person")
            ),
            "an existing key is never replaced"
        );
        let cmk = json!({"algorithm": "aws:kms", "kms_key_id": "arn:aws:kms:eu-west-1:1:key/k"});
        assert!(Fix::S3KmsEncryption.satisfied(&cmk, &t));
    }

    #[test]
    fn missing_tags_are_added_only_with_values_for_all_of_them() {
        let state = json!({"tags": {"Owner": "team"}});
        let t = target(&["Owner", "CostCenter", "Environment"]);
        assert_eq!(
            Fix::MandatoryTags.decide(&state, &t, &ctx(None, &[("CostCenter", "7")])),
            Decision::NeedsInput("no value for Environment: pass --tag KEY=VALUE for each".into())
        );
        let all = ctx(
            None,
            &[("CostCenter", "7"), ("Environment", "prod"), ("Owner", "x")],
        );
        assert_eq!(
            Fix::MandatoryTags.decide(&state, &t, &all),
            Decision::Change(
                "add tags CostCenter=7, Environment=prod (existing tags are kept)".into()
            ),
            "an existing Owner is not overwritten"
        );
    }

    #[test]
    fn flow_logs_go_to_the_conventional_group_and_active_ones_suffice() {
        let t = target(&[]);
        let Decision::Change(change) =
            Fix::VpcFlowLogs.decide(&json!({"flow_logs": []}), &t, &ctx(None, &[]))
        else {
            panic!()
        };
        assert!(
            change.contains("audit-flowlogs-eu-west-1-2026-11-23"),
            "{change}"
        );
        let active = json!({"flow_logs": [{"status": "ACTIVE"}]});
        assert!(Fix::VpcFlowLogs.satisfied(&active, &t));
    }

    #[test]
    fn switches_are_decided_on_their_current_value() {
        let t = target(&[]);
        let c = ctx(None, &[]);
        assert!(Fix::S3Versioning.satisfied(&json!({"status": "Enabled"}), &t));
        assert!(matches!(
            Fix::S3Versioning.decide(&json!({"status": "Suspended"}), &t, &c),
            Decision::Change(s) if s.contains("Suspended → Enabled")
        ));
        assert!(Fix::LambdaTracing.satisfied(&json!({"tracing_mode": "Active"}), &t));
        let half = json!({"block_public_acls": true, "ignore_public_acls": true,
                          "block_public_policy": false, "restrict_public_buckets": true});
        assert!(!Fix::S3BlockPublicAccess.satisfied(&half, &t));
        assert_eq!(
            Fix::SnsKmsEncryption.decide(&json!({"kms_master_key_id": null}), &t, &c),
            Decision::Change("SetTopicAttributes: KmsMasterKeyId none → alias/aws/sns".into())
        );
    }
}
