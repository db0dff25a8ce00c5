//! Application, Network and Gateway Load Balancers as the rules see them.
//! DescribeLoadBalancers carries the type, scheme and zones; the attributes and the
//! listeners cost a call each per load balancer (and one per plain-HTTP listener for its
//! rules), tags one call per 20 load balancers, each only when a rule reads them.

use serde::{Deserialize, Serialize};

use super::schema::{Field, Type};
use super::Tags;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LoadBalancer {
    pub name: String,
    /// `application`, `network` or `gateway`.
    #[serde(rename = "type")]
    pub lb_type: String,
    /// `internet-facing` or `internal`.
    pub scheme: String,
    /// The Availability Zones it has nodes in.
    pub availability_zones: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<LoadBalancerAttributes>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listeners: Option<Vec<Listener>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
}

/// What DescribeLoadBalancerAttributes answers, with AWS's defaults for a key the answer
/// leaves out (deletion protection, access logs and header dropping are off until turned
/// on). An unknown desync mode stays unknown.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LoadBalancerAttributes {
    pub deletion_protection: bool,
    pub access_logs: bool,
    /// Application Load Balancers only.
    pub drop_invalid_header_fields: bool,
    /// Application Load Balancers only: `monitor`, `defensive` or `strictest`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desync_mitigation_mode: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Listener {
    pub port: i64,
    /// `HTTP`, `HTTPS`, `TCP`, `TLS`, `UDP`, `TCP_UDP` or `GENEVE`.
    pub protocol: String,
    /// The TLS security policy of an HTTPS or TLS listener.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssl_policy: Option<String>,
    /// An HTTP listener of an Application Load Balancer: whether every one of its rules,
    /// the default one too, redirects to HTTPS (nothing is served over plain HTTP).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirects_to_https: Option<bool>,
}

const ATTRIBUTES: &[Field] = &[
    Field::listed(
        "deletion_protection",
        Type::Bool,
        "deletion refused until turned off",
    ),
    Field::listed("access_logs", Type::Bool, "access logs delivered to S3"),
    Field::listed(
        "drop_invalid_header_fields",
        Type::Bool,
        "invalid HTTP headers dropped (Application Load Balancers)",
    ),
    Field::listed(
        "desync_mitigation_mode",
        Type::String,
        "monitor, defensive or strictest (Application Load Balancers)",
    ),
];

const LISTENER: &[Field] = &[
    Field::listed("port", Type::Int, "listener port"),
    Field::listed(
        "protocol",
        Type::String,
        "HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP or GENEVE",
    ),
    Field::listed(
        "ssl_policy",
        Type::String,
        "TLS security policy of an HTTPS or TLS listener",
    ),
    Field::listed(
        "redirects_to_https",
        Type::Bool,
        "an HTTP listener whose every rule redirects to HTTPS (DescribeRules)",
    ),
];

pub const SCHEMA: &[Field] = &[
    Field::listed("name", Type::String, "load balancer name"),
    Field::listed("type", Type::String, "application, network or gateway"),
    Field::listed("scheme", Type::String, "internet-facing or internal"),
    Field::listed(
        "availability_zones",
        Type::StringList,
        "Availability Zones with a node",
    ),
    Field::called(
        "attributes",
        Type::Object(ATTRIBUTES),
        "DescribeLoadBalancerAttributes",
        "load balancer attributes",
    ),
    Field::called(
        "listeners",
        Type::List(LISTENER),
        "DescribeListeners",
        "listeners and, for plain HTTP, their rules",
    ),
    Field::called("tags", Type::Map, "DescribeTags", "load balancer tags"),
];
