//! What a scan request to the scanner Lambda holds, and the names of the events that
//! carry one: shared by the function and by `scan --remote`, which sends them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::Service;
use crate::rules::Severity;

/// The source and detail-type of the on-demand event.
pub const ON_DEMAND_SOURCE: &str = "compliance.audit";
pub const ON_DEMAND_DETAIL_TYPE: &str = "Compliance Scan Request";
/// The key of a direct invocation's payload.
pub const DIRECT_KEY: &str = "compliance_scan";

/// What a run is asked to scan; every field may be left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScanRequest {
    /// Chosen by the requester (`scan --async` prints it); a new one otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan_id: Option<String>,
    /// Regions to scan; the function's own region when empty.
    pub regions: Vec<String>,
    pub rules: Vec<String>,
    pub skip_rules: Vec<String>,
    pub services: Vec<Service>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_severity: Option<Severity>,
    /// A deployed stack (name or id) to judge as `scan --stack` does, instead of the
    /// account; in the first of `regions`, or the function's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
}

impl ScanRequest {
    /// The payload of a direct invocation carrying this request.
    pub fn direct_payload(&self) -> Value {
        serde_json::json!({ DIRECT_KEY: self })
    }
}
