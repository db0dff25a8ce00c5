//! Recognises the invocations the scanner Lambda answers: EventBridge's scheduled event,
//! the on-demand `Compliance Scan Request` (whose detail may narrow the scan),
//! CloudFormation's `Stack Status Change` for a finished create or update (that stack is
//! judged, template and live), and the direct invocation `scan --remote` sends.
//! Anything else is refused with the reason.

use serde::Serialize;
use serde_json::Value;

use super::event::{ScanRequest, DIRECT_KEY, ON_DEMAND_DETAIL_TYPE, ON_DEMAND_SOURCE};
use crate::rules::{Selection, Severity};

/// CloudFormation's event for a stack whose status changed (the stack's `StackChangeScan`
/// rule forwards it), and the statuses judged: a stack mid-change or rolled back is not.
const STACK_SOURCE: &str = "aws.cloudformation";
const STACK_DETAIL_TYPE: &str = "CloudFormation Stack Status Change";
const STACK_STATUSES: [&str; 2] = ["CREATE_COMPLETE", "UPDATE_COMPLETE"];

/// What started the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    Scheduled,
    OnDemand,
    StackChange,
    Direct,
}

impl ScanRequest {
    pub fn selection(&self) -> Selection {
        Selection {
            rules: self.rules.clone(),
            skip_rules: self.skip_rules.clone(),
            services: self.services.clone(),
            min_severity: self.min_severity.unwrap_or(Severity::Info),
        }
    }
}

/// Recognises an invocation.
pub fn parse(event: &Value) -> Result<(Trigger, ScanRequest), String> {
    if let Some(request) = event.get(DIRECT_KEY) {
        return decode(request).map(|r| (Trigger::Direct, r));
    }
    let source = event.get("source").and_then(Value::as_str);
    let detail_type = event.get("detail-type").and_then(Value::as_str);
    match (source, detail_type) {
        (Some("aws.events"), Some("Scheduled Event")) => Ok((Trigger::Scheduled, ScanRequest::default())),
        (Some(ON_DEMAND_SOURCE), Some(ON_DEMAND_DETAIL_TYPE)) => {
            let detail = event.get("detail").cloned().unwrap_or(Value::Null);
            let detail = if detail.is_null() { Value::Object(Default::default()) } else { detail };
            decode(&detail).map(|r| (Trigger::OnDemand, r))
        }
        (Some(STACK_SOURCE), Some(STACK_DETAIL_TYPE)) => stack_change(event).map(|r| (Trigger::StackChange, r)),
        _ => Err(format!(
            "unsupported event (source {}, detail-type {}): expected an EventBridge scheduled event, a `{ON_DEMAND_DETAIL_TYPE}` from {ON_DEMAND_SOURCE}, a `{STACK_DETAIL_TYPE}`, an AWS Config rule's invocation, or a direct `{DIRECT_KEY}` invocation",
            source.unwrap_or("none"),
            detail_type.unwrap_or("none")
        )),
    }
}

/// The stack a `Stack Status Change` names, in the event's region; a status other than a
/// finished create or update is refused (the stack's rule never sends one).
fn stack_change(event: &Value) -> Result<ScanRequest, String> {
    let text = |pointer: &str| event.pointer(pointer).and_then(Value::as_str);
    let stack = text("/detail/stack-id").ok_or(format!(
        "the `{STACK_DETAIL_TYPE}` event has no detail.stack-id"
    ))?;
    let status = text("/detail/status-details/status").unwrap_or("none");
    if !STACK_STATUSES.contains(&status) {
        return Err(format!(
            "the `{STACK_DETAIL_TYPE}` event for {stack} has status {status}: only {} are judged",
            STACK_STATUSES.join(" and ")
        ));
    }
    Ok(ScanRequest {
        stack: Some(stack.to_string()),
        regions: text("/region").map(str::to_string).into_iter().collect(),
        ..ScanRequest::default()
    })
}

fn decode(request: &Value) -> Result<ScanRequest, String> {
    let request: ScanRequest = serde_json::from_value(request.clone())
        .map_err(|e| format!("the scan request is not valid: {e}"))?;
    // The id names the stored objects: letters, digits and hyphens only.
    if let Some(id) = &request.scan_id {
        if id.is_empty()
            || id.len() > 64
            || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(format!("the scan request is not valid: scan_id `{id}` must be 1 to 64 letters, digits or hyphens"));
        }
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Service;
    use serde_json::json;

    #[test]
    fn the_schedule_scans_everything() {
        let event = json!({"version": "0", "id": "1", "detail-type": "Scheduled Event", "source": "aws.events",
                           "account": "123456789012", "time": "2026-11-23T00:00:00Z", "region": "us-east-1",
                           "resources": ["arn:aws:events:us-east-1:123456789012:rule/compliance-scheduled-x"], "detail": {}});
        assert_eq!(
            parse(&event).unwrap(),
            (Trigger::Scheduled, ScanRequest::default())
        );
    }

    #[test]
    fn an_on_demand_request_may_narrow_the_scan() {
        let event = json!({"source": "compliance.audit", "detail-type": "Compliance Scan Request",
                           "detail": {"scan_id": "abc", "regions": ["eu-west-1"], "services": ["s3"], "min_severity": "high"}});
        let (trigger, request) = parse(&event).unwrap();
        assert_eq!(trigger, Trigger::OnDemand);
        assert_eq!(request.scan_id.as_deref(), Some("abc"));
        assert_eq!(request.selection().services, vec![Service::S3]);
        assert_eq!(request.selection().min_severity, Severity::High);
    }

    #[test]
    fn a_finished_stack_create_or_update_judges_that_stack() {
        // The example of CloudFormation's "Stack Status Change event detail" page.
        let stack_id = "arn:aws:cloudformation:us-west-1:111122223333:stack/teststack/6a7e8feb";
        let event = |status: &str| {
            json!({"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
                   "detail-type": "CloudFormation Stack Status Change", "source": "aws.cloudformation",
                   "account": "111122223333", "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
                   "resources": [stack_id],
                   "detail": {"stack-id": stack_id,
                              "status-details": {"status": status, "status-reason": ""}}})
        };
        for status in ["CREATE_COMPLETE", "UPDATE_COMPLETE"] {
            let (trigger, request) = parse(&event(status)).unwrap();
            assert_eq!(trigger, Trigger::StackChange);
            assert_eq!(request.stack.as_deref(), Some(stack_id));
            assert_eq!(request.regions, ["us-west-1"]);
        }
        let e = parse(&event("DELETE_COMPLETE")).unwrap_err();
        assert!(e.contains("has status DELETE_COMPLETE"), "{e}");
    }

    #[test]
    fn a_direct_invocation_round_trips() {
        let request = ScanRequest {
            rules: vec!["s3-bucket-versioning-enabled".into()],
            ..ScanRequest::default()
        };
        assert_eq!(
            parse(&request.direct_payload()).unwrap(),
            (Trigger::Direct, request)
        );
    }

    #[test]
    fn a_scan_id_cannot_reach_outside_its_key() {
        for bad in ["../x", "a/b", ""] {
            let event = json!({"source": "compliance.audit", "detail-type": "Compliance Scan Request", "detail": {"scan_id": bad}});
            assert!(
                parse(&event)
                    .unwrap_err()
                    .contains("must be 1 to 64 letters, digits or hyphens"),
                "{bad}"
            );
        }
    }

    #[test]
    fn anything_else_is_refused_with_a_reason() {
        let e = parse(&json!({"hello": "world"})).unwrap_err();
        assert!(
            e.starts_with("unsupported event (source none, detail-type none)"),
            "{e}"
        );
        let e = parse(&json!({"source": "compliance.audit", "detail-type": "Compliance Scan Request", "detail": {"rgions": []}})).unwrap_err();
        assert!(e.contains("unknown field `rgions`"), "{e}");
    }
}
