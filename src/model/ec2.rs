//! VPC and EC2 resources as the rules see them: the network, instances, EBS volumes and
//! snapshots, AMIs and Elastic IPs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::schema::{Field, Type};
use super::Tags;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Vpc {
    pub vpc_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cidr_block: Option<String>,
    pub is_default: bool,
    pub tags: Tags,
    /// From one DescribeFlowLogs per region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow_logs: Option<Vec<FlowLog>>,
    /// From one DescribeVpcEndpoints per region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Vec<VpcEndpoint>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FlowLog {
    pub flow_log_id: String,
    /// `ACTIVE` when delivering.
    pub status: String,
    /// `ACCEPT`, `REJECT` or `ALL`.
    pub traffic_type: String,
    /// `cloud-watch-logs`, `s3` or `kinesis-data-firehose`.
    pub destination_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_group_name: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct VpcEndpoint {
    pub endpoint_id: String,
    /// e.g. `com.amazonaws.us-east-1.s3`.
    pub service_name: String,
    /// `Gateway` or `Interface`.
    pub endpoint_type: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Subnet {
    pub subnet_id: String,
    pub vpc_id: String,
    pub availability_zone: String,
    pub map_public_ip_on_launch: bool,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityGroup {
    pub group_id: String,
    pub group_name: String,
    pub vpc_id: String,
    /// The VPC's `default` group.
    pub is_default: bool,
    pub ingress: Vec<Permission>,
    pub egress: Vec<Permission>,
    pub tags: Tags,
}

/// One permission of a security group, normalised: protocol numbers become names
/// (`tcp`, `udp`, `icmp`, `all` for -1) and `all`, or tcp/udp without ports, spans
/// ports 0–65535, so a range test sees what the rule really opens.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Permission {
    pub protocol: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ports: Option<PortRange>,
    pub ipv4_ranges: Vec<String>,
    pub ipv6_ranges: Vec<String>,
    pub source_groups: Vec<String>,
    pub prefix_lists: Vec<String>,
}

/// A protocol by name (`tcp`, `udp`, `icmp`, `all` for -1; others as numbered) and the
/// ports it opens: 0–65535 for all traffic, or for tcp/udp without a usable range.
/// The collectors' and the templates' reading alike.
pub fn protocol_ports(
    raw: &str,
    from: Option<i64>,
    to: Option<i64>,
) -> (String, Option<PortRange>) {
    let protocol = match raw.to_ascii_lowercase().as_str() {
        "-1" => "all".to_string(),
        "6" => "tcp".to_string(),
        "17" => "udp".to_string(),
        "1" => "icmp".to_string(),
        other => other.to_string(),
    };
    let ports = match (protocol.as_str(), from, to) {
        ("all", _, _) => Some(PortRange { from: 0, to: 65535 }),
        ("tcp" | "udp", Some(from), Some(to)) if from >= 0 && to >= 0 => {
            Some(PortRange { from, to })
        }
        ("tcp" | "udp", _, _) => Some(PortRange { from: 0, to: 65535 }),
        _ => None,
    };
    (protocol, ports)
}

/// An inclusive port range.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PortRange {
    pub from: i64,
    pub to: i64,
}

/// An EC2 instance, from its region's DescribeInstances.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Instance {
    pub instance_id: String,
    /// `pending`, `running`, `stopping`, `stopped`, `shutting-down` or `terminated`.
    pub state: String,
    /// `required` (IMDSv2 only) or `optional` (IMDSv1 allowed).
    pub http_tokens: String,
    /// `enabled` or `disabled`: whether the metadata service answers at all.
    pub http_endpoint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_ip_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_profile_arn: Option<String>,
    pub vpc_id: String,
    pub subnet_id: String,
    /// When a stopped instance was stopped, as its state transition reason says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_since: Option<DateTime<Utc>>,
    pub tags: Tags,
}

/// An EBS snapshot the account owns.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Snapshot {
    pub snapshot_id: String,
    pub volume_id: String,
    /// `pending`, `completed`, `error`, …
    pub state: String,
    pub encrypted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// Who may create volumes from it: account ids, and `all` for anyone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restorable_by: Option<Vec<String>>,
    pub tags: Tags,
}

/// An AMI the account owns.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Image {
    pub image_id: String,
    pub name: String,
    /// `available`, `pending`, `deregistered`, …
    pub state: String,
    /// Anyone may launch it.
    pub public: bool,
    pub tags: Tags,
}

/// An EBS volume.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Volume {
    pub volume_id: String,
    /// `available` (unattached), `in-use`, `creating`, `deleting`, …
    pub state: String,
    pub encrypted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// The instances it is attached to.
    pub attached_to: Vec<String>,
    pub tags: Tags,
}

/// An Elastic IP address.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ElasticIp {
    pub allocation_id: String,
    pub public_ip: String,
    /// Set while the address is associated with an instance or a network interface.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub association_id: Option<String>,
    /// The instance it is associated with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    /// The status of the network interface it is associated with (`in-use` when that
    /// interface is attached, `available` when not), from one DescribeNetworkInterfaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_interface_status: Option<String>,
    pub tags: Tags,
}

/// A network ACL of a subnet's traffic, its entries split by direction.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkAcl {
    pub network_acl_id: String,
    pub vpc_id: String,
    /// The VPC's default ACL (created with it, allowing all traffic).
    pub is_default: bool,
    pub ingress: Vec<AclEntry>,
    pub egress: Vec<AclEntry>,
    pub tags: Tags,
}

/// One entry of a network ACL, normalised like a security group's permission: protocol
/// names (`tcp`, `udp`, `icmp`, `all` for -1), and ports 0–65535 for all traffic or
/// for tcp/udp without a range.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AclEntry {
    pub rule_number: i64,
    /// `allow` or `deny`.
    pub action: String,
    pub protocol: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ports: Option<PortRange>,
    /// The IPv4 or IPv6 CIDR the entry matches.
    pub cidr: String,
}

/// Region-wide EC2 settings, one resource per scanned region.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RegionSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ebs_encryption_by_default: Option<bool>,
}

const FLOW_LOG: &[Field] = &[
    Field::listed("flow_log_id", Type::String, "flow log id"),
    Field::listed("status", Type::String, "ACTIVE when delivering"),
    Field::listed("traffic_type", Type::String, "ACCEPT, REJECT or ALL"),
    Field::listed(
        "destination_type",
        Type::String,
        "cloud-watch-logs, s3 or kinesis-data-firehose",
    ),
    Field::listed(
        "log_group_name",
        Type::String,
        "CloudWatch Logs group, for cloud-watch-logs",
    ),
];
const ENDPOINT: &[Field] = &[
    Field::listed("endpoint_id", Type::String, "endpoint id"),
    Field::listed(
        "service_name",
        Type::String,
        "e.g. com.amazonaws.us-east-1.s3",
    ),
    Field::listed("endpoint_type", Type::String, "Gateway or Interface"),
];
const PERMISSION: &[Field] = &[
    Field::listed(
        "protocol",
        Type::String,
        "tcp, udp, icmp, all, or a protocol number",
    ),
    Field::listed(
        "ports",
        Type::Range,
        "ports opened; 0-65535 for all traffic",
    ),
    Field::listed("ipv4_ranges", Type::StringList, "IPv4 CIDR sources"),
    Field::listed("ipv6_ranges", Type::StringList, "IPv6 CIDR sources"),
    Field::listed("source_groups", Type::StringList, "security group sources"),
    Field::listed("prefix_lists", Type::StringList, "prefix list sources"),
];

pub const VPC_SCHEMA: &[Field] = &[
    Field::listed("vpc_id", Type::String, "VPC id"),
    Field::listed("cidr_block", Type::String, "primary IPv4 CIDR"),
    Field::listed("is_default", Type::Bool, "the region's default VPC"),
    Field::listed("tags", Type::Map, "VPC tags"),
    Field::called(
        "flow_logs",
        Type::List(FLOW_LOG),
        "DescribeFlowLogs",
        "flow logs of the VPC",
    ),
    Field::called(
        "endpoints",
        Type::List(ENDPOINT),
        "DescribeVpcEndpoints",
        "VPC endpoints",
    ),
];

pub const SUBNET_SCHEMA: &[Field] = &[
    Field::listed("subnet_id", Type::String, "subnet id"),
    Field::listed("vpc_id", Type::String, "its VPC"),
    Field::listed("availability_zone", Type::String, "its AZ"),
    Field::listed(
        "map_public_ip_on_launch",
        Type::Bool,
        "assigns public IPv4 addresses",
    ),
    Field::listed("tags", Type::Map, "subnet tags"),
];

pub const SECURITY_GROUP_SCHEMA: &[Field] = &[
    Field::listed("group_id", Type::String, "group id"),
    Field::listed("group_name", Type::String, "group name"),
    Field::listed("vpc_id", Type::String, "its VPC"),
    Field::listed("is_default", Type::Bool, "the VPC's default group"),
    Field::listed("ingress", Type::List(PERMISSION), "inbound permissions"),
    Field::listed("egress", Type::List(PERMISSION), "outbound permissions"),
    Field::listed("tags", Type::Map, "group tags"),
];

pub const INSTANCE_SCHEMA: &[Field] = &[
    Field::listed("instance_id", Type::String, "instance id"),
    Field::listed(
        "state",
        Type::String,
        "pending, running, stopping, stopped, shutting-down or terminated",
    ),
    Field::listed(
        "http_tokens",
        Type::String,
        "required (IMDSv2 only) or optional (IMDSv1 allowed)",
    ),
    Field::listed(
        "http_endpoint",
        Type::String,
        "enabled or disabled: the metadata service answers",
    ),
    Field::listed("public_ip_address", Type::String, "public IPv4 address"),
    Field::listed(
        "instance_profile_arn",
        Type::String,
        "the IAM instance profile attached",
    ),
    Field::listed("vpc_id", Type::String, "its VPC"),
    Field::listed("subnet_id", Type::String, "its subnet"),
    Field::listed(
        "stopped_since",
        Type::Time,
        "when a stopped instance was stopped (from its state transition reason)",
    ),
    Field::listed("tags", Type::Map, "instance tags"),
];

pub const SNAPSHOT_SCHEMA: &[Field] = &[
    Field::listed("snapshot_id", Type::String, "snapshot id"),
    Field::listed("volume_id", Type::String, "the volume it was taken of"),
    Field::listed("state", Type::String, "pending, completed, error, …"),
    Field::listed("encrypted", Type::Bool, "encrypted at rest"),
    Field::listed("kms_key_id", Type::String, "the KMS key encrypting it"),
    Field::called(
        "restorable_by",
        Type::StringList,
        "DescribeSnapshotAttribute",
        "who may create volumes from it: account ids, all for anyone",
    ),
    Field::listed("tags", Type::Map, "snapshot tags"),
];

pub const IMAGE_SCHEMA: &[Field] = &[
    Field::listed("image_id", Type::String, "AMI id"),
    Field::listed("name", Type::String, "AMI name"),
    Field::listed("state", Type::String, "available, pending, deregistered, …"),
    Field::listed("public", Type::Bool, "anyone may launch it"),
    Field::listed("tags", Type::Map, "image tags"),
];

pub const VOLUME_SCHEMA: &[Field] = &[
    Field::listed("volume_id", Type::String, "volume id"),
    Field::listed(
        "state",
        Type::String,
        "available (unattached), in-use, creating, deleting, …",
    ),
    Field::listed("encrypted", Type::Bool, "encrypted at rest"),
    Field::listed("kms_key_id", Type::String, "the KMS key encrypting it"),
    Field::listed(
        "attached_to",
        Type::StringList,
        "instances it is attached to",
    ),
    Field::listed("tags", Type::Map, "volume tags"),
];

pub const ELASTIC_IP_SCHEMA: &[Field] = &[
    Field::listed("allocation_id", Type::String, "allocation id"),
    Field::listed("public_ip", Type::String, "the address"),
    Field::listed(
        "association_id",
        Type::String,
        "set while associated with an instance or interface",
    ),
    Field::listed(
        "instance_id",
        Type::String,
        "the instance it is associated with",
    ),
    // Listed: not set when the address has no interface (the collector asks
    // DescribeNetworkInterfaces once per region, for the interfaces the listing names).
    Field::listed(
        "network_interface_status",
        Type::String,
        "in-use or available: whether its network interface is attached",
    ),
    Field::listed("tags", Type::Map, "address tags"),
];

const ACL_ENTRY: &[Field] = &[
    Field::listed("rule_number", Type::Int, "evaluation order, lowest first"),
    Field::listed("action", Type::String, "allow or deny"),
    Field::listed(
        "protocol",
        Type::String,
        "tcp, udp, icmp, all, or a protocol number",
    ),
    Field::listed(
        "ports",
        Type::Range,
        "ports matched; 0-65535 for all traffic",
    ),
    Field::listed("cidr", Type::String, "IPv4 or IPv6 CIDR matched"),
];

pub const NETWORK_ACL_SCHEMA: &[Field] = &[
    Field::listed("network_acl_id", Type::String, "network ACL id"),
    Field::listed("vpc_id", Type::String, "its VPC"),
    Field::listed("is_default", Type::Bool, "the VPC's default ACL"),
    Field::listed("ingress", Type::List(ACL_ENTRY), "inbound entries"),
    Field::listed("egress", Type::List(ACL_ENTRY), "outbound entries"),
    Field::listed("tags", Type::Map, "ACL tags"),
];

pub const REGION_SETTINGS_SCHEMA: &[Field] = &[Field::called(
    "ebs_encryption_by_default",
    Type::Bool,
    "GetEbsEncryptionByDefault",
    "new EBS volumes are encrypted",
)];
