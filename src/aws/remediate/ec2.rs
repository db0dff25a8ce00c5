//! The VPC flow-logs fix: a flow log of all traffic to a CloudWatch Logs group named
//! by the audit convention, delivered by a role that may only write to such groups.
//! The group and the role are created only when absent (and tagged `ManagedBy`), so
//! several VPCs, concurrent actions and later runs share them.

use std::time::Duration;

use aws_sdk_ec2::types::{FlowLogsResourceType, LogDestinationType, TrafficType};
use serde_json::json;

use super::{failed, Fix};
use crate::aws::errors::CallError;
use crate::aws::session::Session;
use crate::remediate::{Decision, FixOptions, FixTarget};

/// The flow-log delivery role `remediate` creates (once per account) when it is absent.
const FLOW_LOG_ROLE: &str = "compliance-flowlogs-delivery";
/// Days the flow-log groups `remediate` creates keep their events.
const FLOW_LOG_RETENTION_DAYS: i32 = 365;

pub const FLOW_LOGS: Fix = Fix {
    id: "vpc-flow-logs",
    permissions: |_| {
        &[
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
        ]
    },
    decide: |_, target, options| {
        Decision::Change(format!(
            "CreateFlowLogs: ALL traffic → CloudWatch Logs group {} (created if absent, \
             {FLOW_LOG_RETENTION_DAYS}-day retention), delivered by role {FLOW_LOG_ROLE} \
             (created if absent)",
            flow_log_group(&target.region, options)
        ))
    },
    apply: |session, target, options, _| Box::pin(create_flow_log(session, target, options)),
};

/// The log group `remediate` delivers a region's flow logs to: the audit convention,
/// dated the day it is created.
fn flow_log_group(region: &str, options: &FixOptions) -> String {
    format!(
        "audit-flowlogs-{region}-{}",
        options.today.format("%Y-%m-%d")
    )
}

async fn create_flow_log(
    session: &Session,
    t: &FixTarget,
    options: &FixOptions,
) -> Result<(), String> {
    let group = flow_log_group(&t.region, options);
    ensure_log_group(session, &t.region, &group).await?;
    let (role_arn, fresh) = ensure_role(session, &options.account_id).await?;
    // IAM is eventually consistent: a role made a moment ago may not be assumable yet,
    // and EC2 then refuses the flow log. Only then is it worth asking again.
    let attempts = if fresh { 4 } else { 1 };
    let ec2 = aws_sdk_ec2::Client::new(&session.regional(&t.region));
    for attempt in 1..=attempts {
        let out = ec2
            .create_flow_logs()
            .resource_ids(&t.resource_id)
            .resource_type(FlowLogsResourceType::Vpc)
            .traffic_type(TrafficType::All)
            .log_destination_type(LogDestinationType::CloudWatchLogs)
            .log_group_name(&group)
            .deliver_logs_permission_arn(&role_arn)
            .send()
            .await
            .map_err(failed("CreateFlowLogs"))?;
        // Refusals per resource come back in the answer, not as an error.
        let Some(e) = out.unsuccessful().first().and_then(|u| u.error()) else {
            return Ok(());
        };
        if attempt == attempts {
            return Err(format!(
                "CreateFlowLogs failed: {}: {}",
                e.code().unwrap_or("Unknown"),
                e.message().unwrap_or_default()
            ));
        }
        tokio::time::sleep(Duration::from_secs(2 << (attempt - 1))).await;
    }
    unreachable!("the last attempt returns")
}

async fn ensure_log_group(session: &Session, region: &str, group: &str) -> Result<(), String> {
    let logs = aws_sdk_cloudwatchlogs::Client::new(&session.regional(region));
    let existing = logs
        .describe_log_groups()
        .log_group_name_prefix(group)
        .send()
        .await
        .map_err(failed("DescribeLogGroups"))?;
    if existing
        .log_groups()
        .iter()
        .any(|g| g.log_group_name() == Some(group))
    {
        return Ok(());
    }
    let created = logs
        .create_log_group()
        .log_group_name(group)
        .tags("ManagedBy", "compliance")
        .send()
        .await
        .map_err(CallError::from);
    match created {
        Ok(_) => {}
        // Another action of this run (another VPC in the region) made it in between.
        Err(e) if e.is(&["ResourceAlreadyExistsException"]) => return Ok(()),
        Err(e) => return Err(format!("CreateLogGroup failed: {e}")),
    }
    logs.put_retention_policy()
        .log_group_name(group)
        .retention_in_days(FLOW_LOG_RETENTION_DAYS)
        .send()
        .await
        .map(drop)
        .map_err(failed("PutRetentionPolicy"))
}

/// The delivery role's ARN, creating the role when the account has none, and whether it
/// was missing a moment ago.
async fn ensure_role(session: &Session, account_id: &str) -> Result<(String, bool), String> {
    let iam = aws_sdk_iam::Client::new(&session.config);
    let get = || async {
        iam.get_role()
            .role_name(FLOW_LOG_ROLE)
            .send()
            .await
            .map(|out| out.role().map(|r| r.arn().to_string()).unwrap_or_default())
            .map_err(CallError::from)
    };
    match get().await {
        Ok(arn) => return Ok((arn, false)),
        Err(e) if e.is(&["NoSuchEntity"]) => {}
        Err(e) => return Err(format!("GetRole failed: {e}")),
    }
    let trust = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
    }]});
    let created = iam
        .create_role()
        .role_name(FLOW_LOG_ROLE)
        .description("Delivers VPC flow logs to audit-flowlogs-* log groups (created by compliance remediate)")
        .assume_role_policy_document(trust.to_string())
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key("ManagedBy")
                .value("compliance")
                .build()
                .map_err(|e| e.to_string())?,
        )
        .send()
        .await
        .map_err(CallError::from);
    let arn = match created {
        Ok(out) => out.role().map(|r| r.arn().to_string()).unwrap_or_default(),
        // Another action of this run (another VPC) made it in between.
        Err(e) if e.is(&["EntityAlreadyExists"]) => {
            get().await.map_err(|e| format!("GetRole failed: {e}"))?
        }
        Err(e) => return Err(format!("CreateRole failed: {e}")),
    };
    let groups = format!("arn:aws:logs:*:{account_id}:log-group:audit-flowlogs-*");
    let policy = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents",
                   "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
        "Resource": [groups.clone(), format!("{groups}:*")],
    }]});
    iam.put_role_policy()
        .role_name(FLOW_LOG_ROLE)
        .policy_name("deliver-flow-logs")
        .policy_document(policy.to_string())
        .send()
        .await
        .map_err(failed("PutRolePolicy"))?;
    Ok((arn, true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::remediate::tests::{options, target};
    use crate::model::{Properties, ResourceKind};

    #[test]
    fn flow_logs_go_to_the_conventional_group() {
        let vpc =
            Properties::from_attributes(ResourceKind::Vpc, json!({"vpc_id": "vpc-1"})).unwrap();
        let Decision::Change(change) = (FLOW_LOGS.decide)(&vpc, &target(&[]), &options(None, &[]))
        else {
            panic!()
        };
        assert!(
            change.contains("audit-flowlogs-eu-west-1-2026-11-23"),
            "{change}"
        );
    }
}
