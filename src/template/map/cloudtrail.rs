//! `AWS::CloudTrail::Trail`. Defaults from the CloudFormation reference: a single-region
//! trail that includes global service events, without log file validation, KMS
//! encryption or CloudWatch Logs delivery, recording all management events (no event
//! selectors). Advanced event selectors are not read: the events a trail with them
//! records are left unknown. The trail's bucket is judged from the template's bucket
//! when it is one (its access logging and public exposure).

use crate::model::cloudtrail::{Events, Trail, TrailStatus};
use crate::model::{Properties, ResourceKind};
use crate::template::node::{optional, Node, Value};

use super::{Input, Targets};

pub fn trail(input: &mut Input<'_>) -> Properties {
    let name = input.named("TrailName");
    let p = input.props;
    let text = |key| optional(p.get(key), Node::text).ok().flatten();
    let (kms_key_id, s3_bucket_name, logs) = (
        text("KMSKeyId"),
        text("S3BucketName"),
        text("CloudWatchLogsLogGroupArn"),
    );
    let status = input.attr("status", &["IsLogging"], |p| {
        Ok(TrailStatus {
            is_logging: p
                .get("IsLogging")
                .ok_or("IsLogging is required")?
                .boolean()?,
        })
    });
    let events = input.attr(
        "events",
        &["EventSelectors", "AdvancedEventSelectors"],
        events,
    );
    Properties::Trail(Trail {
        name,
        is_multi_region: input.flag("is_multi_region", "IsMultiRegionTrail", false),
        is_organization_trail: input.flag("is_organization_trail", "IsOrganizationTrail", false),
        include_global_service_events: input.flag(
            "include_global_service_events",
            "IncludeGlobalServiceEvents",
            true,
        ),
        log_file_validation_enabled: input.flag(
            "log_file_validation_enabled",
            "EnableLogFileValidation",
            false,
        ),
        kms_key_id,
        s3_bucket_name,
        cloud_watch_logs_log_group_arn: logs,
        status,
        events,
        s3_bucket_logging: None,
        s3_bucket_public: None,
    })
}

/// What the (basic) event selectors record; all management events without any.
fn events(p: &Node) -> Result<Events, String> {
    if p.get("AdvancedEventSelectors").is_some() {
        return Err("advanced event selectors are not read by a template scan".into());
    }
    let Some(selectors) = p.get("EventSelectors") else {
        return Ok(Events {
            management_read: true,
            management_write: true,
            ..Events::default()
        });
    };
    let mut out = Events::default();
    for s in selectors.list()? {
        let kind = optional(s.get("ReadWriteType"), Node::text)?.unwrap_or_else(|| "All".into());
        let (read, write) = (kind != "WriteOnly", kind != "ReadOnly");
        if optional(s.get("IncludeManagementEvents"), Node::boolean)?.unwrap_or(true) {
            out.management_read |= read;
            out.management_write |= write;
            out.excluded_management_sources.extend(
                optional(s.get("ExcludeManagementEventSources"), Node::texts)?.unwrap_or_default(),
            );
        }
        for data in optional(s.get("DataResources"), Node::list)?.unwrap_or_default() {
            if optional(data.get("Type"), Node::text)?.as_deref() == Some("AWS::S3::Object") {
                out.s3_data_read |= read;
                out.s3_data_write |= write;
            }
        }
    }
    Ok(out)
}

/// The trail's bucket, when the template has it: its access logging and exposure.
pub fn trail_bucket(input: &mut Input<'_>, targets: &mut Targets<'_>) {
    let Some(bucket) = input.props.get("S3BucketName") else {
        return;
    };
    let mut found = None;
    targets.each(bucket, ResourceKind::S3Bucket, |props, marks| {
        if let Properties::S3Bucket(b) = props {
            let public = b.policy.as_ref().map(|p| p.public_read || p.public_write);
            let acl = b.acl.as_ref().map(|a| a.public_read || a.public_write);
            let unknown = ["logging", "policy", "acl", "public_access_block"]
                .iter()
                .any(|a| marks.unknown.contains_key(*a));
            found = Some((
                b.logging.clone(),
                match (public, acl) {
                    // As the collector reads it: a public policy or ACL.
                    (Some(p), Some(a)) if !unknown => Some(p || a),
                    _ => None,
                },
            ));
        }
    });
    let itself = Node::new(
        Value::Ref {
            target: input.id.to_string(),
            attr: None,
        },
        input.props.line,
    );
    let line = input.props.entry("S3BucketName").map(|e| e.line);
    targets.each(&itself, ResourceKind::Trail, |props, marks| {
        let Properties::Trail(t) = props else {
            return;
        };
        if let Some(line) = line {
            marks.lines.insert("s3_bucket_logging".into(), line);
            marks.lines.insert("s3_bucket_public".into(), line);
        }
        match &found {
            Some((logging, public)) => {
                t.s3_bucket_logging = logging.clone();
                t.s3_bucket_public = *public;
                if logging.is_none() || public.is_none() {
                    let why = "its bucket's settings cannot be told from the template".to_string();
                    marks.unknown("s3_bucket_logging", why.clone());
                    marks.unknown("s3_bucket_public", why);
                }
            }
            None => {
                let why = "its bucket is not in the template; a live scan judges it".to_string();
                marks.unknown("s3_bucket_logging", why.clone());
                marks.unknown("s3_bucket_public", why);
            }
        }
    });
}
