//! Recognises the invocations the scanner Lambda answers: EventBridge's scheduled event,
//! the on-demand `Compliance Scan Request` (whose detail may narrow the scan), and the
//! direct invocation `scan --remote` sends. Anything else is refused with the reason.

use serde::Serialize;
use serde_json::Value;

use super::event::{ScanRequest, DIRECT_KEY, ON_DEMAND_DETAIL_TYPE, ON_DEMAND_SOURCE};
use crate::rules::{Selection, Severity};

/// What started the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    Scheduled,
    OnDemand,
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
        _ => Err(format!(
            "unsupported event (source {}, detail-type {}): expected an EventBridge scheduled event, a `{ON_DEMAND_DETAIL_TYPE}` from {ON_DEMAND_SOURCE}, or a direct `{DIRECT_KEY}` invocation",
            source.unwrap_or("none"),
            detail_type.unwrap_or("none")
        )),
    }
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
