//! The VPC flow-logs fix: a flow log of all traffic to a CloudWatch Logs group named
//! by the audit convention, delivered by a role that may only write to such groups.
//! The group and the role are created only when absent (and tagged `ManagedBy`), so
//! several VPCs, concurrent actions and later runs share them.

use std::time::Duration;

use aws_sdk_ec2::types::{Filter, FlowLogsResourceType, LogDestinationType, TrafficType};
use serde_json::{json, Value};

use super::failed;
use crate::aws::errors::CallError;
use crate::aws::session::Session;
use crate::remediate::{flow_log_group, Context, Target, FLOW_LOG_RETENTION_DAYS, FLOW_LOG_ROLE};

/// `{flow_logs: [{flow_log_id, status, destination_type, log_group_name}]}`.
pub async fn flow_logs(session: &Session, t: &Target) -> Result<Value, CallError> {
    let ec2 = aws_sdk_ec2::Client::new(&session.regional(&t.region));
    // DescribeFlowLogs answers an empty list for a VPC that does not exist: ask first.
    ec2.describe_vpcs().vpc_ids(&t.resource_id).send().await?;
    let out = ec2
        .describe_flow_logs()
        .filter(
            Filter::builder()
                .name("resource-id")
                .values(&t.resource_id)
                .build(),
        )
        .send()
        .await?;
    let logs: Vec<Value> = out
        .flow_logs()
        .iter()
        .map(|l| {
            json!({
                "flow_log_id": l.flow_log_id(),
                "status": l.flow_log_status(),
                "destination_type": l.log_destination_type().map(|d| d.as_str()),
                "log_group_name": l.log_group_name(),
            })
        })
        .collect();
    Ok(json!({ "flow_logs": logs }))
}

pub async fn create_flow_log(session: &Session, t: &Target, ctx: &Context) -> Result<(), String> {
    let group = flow_log_group(&t.region, ctx);
    ensure_log_group(session, &t.region, &group).await?;
    let (role_arn, fresh) = ensure_role(session, &ctx.account_id).await?;
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
