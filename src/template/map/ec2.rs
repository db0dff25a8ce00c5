//! EC2 and VPC types: `AWS::EC2::SecurityGroup` (with the standalone
//! `SecurityGroupIngress`/`Egress` folded in), `VPC` (with its `FlowLog`s and
//! `VPCEndpoint`s), `Subnet`, `EIP` (in use when an instance, an `EIPAssociation` or a
//! `NatGateway` takes it), `Volume`. Defaults from the EC2 User Guide: a new VPC
//! security group has no inbound rule and one outbound rule allowing all traffic to
//! 0.0.0.0/0, removed when the template lists its own egress; a subnet does not assign
//! public addresses; a volume is unencrypted unless the template (or the account's
//! encryption by default, which only a live scan sees) says so.

use crate::model::ec2::{
    protocol_ports, ElasticIp, FlowLog, Permission, SecurityGroup, Subnet, Volume, Vpc, VpcEndpoint,
};
use crate::model::{Properties, ResourceKind};
use crate::template::node::{optional, Node};

use super::{tags, Input, Marks, Targets};

pub fn security_group(input: &mut Input<'_>) -> Properties {
    let group_name = input.named("GroupName");
    let ingress = input.attr("ingress", &["SecurityGroupIngress"], |p| {
        permissions(p.get("SecurityGroupIngress"))
    });
    let egress = input.attr("egress", &["SecurityGroupEgress"], |p| {
        match p.get("SecurityGroupEgress") {
            Some(rules) => permissions(Some(rules)),
            None => Ok(vec![Permission {
                protocol: "all".into(),
                ports: protocol_ports("-1", None, None).1,
                ipv4_ranges: vec!["0.0.0.0/0".into()],
                ..Permission::default()
            }]),
        }
    });
    let vpc_id = input.attr("vpc_id", &["VpcId"], |p| {
        Ok(optional(p.get("VpcId"), Node::text)?.unwrap_or_default())
    });
    let tags = input.attr("tags", &["Tags"], tags);
    Properties::SecurityGroup(SecurityGroup {
        group_id: input.id.to_string(),
        group_name,
        vpc_id: vpc_id.unwrap_or_default(),
        is_default: false,
        ingress: ingress.unwrap_or_default(),
        egress: egress.unwrap_or_default(),
        tags: tags.unwrap_or_default(),
    })
}

fn permissions(rules: Option<&Node>) -> Result<Vec<Permission>, String> {
    match rules {
        None => Ok(Vec::new()),
        Some(rules) => rules.list()?.into_iter().map(permission).collect(),
    }
}

/// One rule, inline or standalone (`CidrIp`, `CidrIpv6`, a source or destination
/// group, a prefix list).
fn permission(rule: &Node) -> Result<Permission, String> {
    let protocol = rule
        .get("IpProtocol")
        .ok_or("a rule without IpProtocol")?
        .text()?;
    let from = optional(rule.get("FromPort"), Node::integer)?;
    let to = optional(rule.get("ToPort"), Node::integer)?;
    let (protocol, ports) = protocol_ports(&protocol, from, to);
    let texts = |keys: &[&str]| -> Result<Vec<String>, String> {
        keys.iter()
            .filter_map(|k| rule.get(k))
            .map(Node::text)
            .collect()
    };
    Ok(Permission {
        protocol,
        ports,
        ipv4_ranges: texts(&["CidrIp"])?,
        ipv6_ranges: texts(&["CidrIpv6"])?,
        source_groups: texts(&[
            "SourceSecurityGroupId",
            "SourceSecurityGroupName",
            "DestinationSecurityGroupId",
        ])?,
        prefix_lists: texts(&["SourcePrefixListId", "DestinationPrefixListId"])?,
    })
}

/// `AWS::EC2::SecurityGroupIngress`: one more inbound rule of its group.
pub fn ingress(input: &mut Input<'_>, targets: &mut Targets<'_>) {
    standalone(input, targets, "ingress");
}

/// `AWS::EC2::SecurityGroupEgress`: one more outbound rule (the group keeps its
/// default allow-all rule unless it lists its own egress).
pub fn egress(input: &mut Input<'_>, targets: &mut Targets<'_>) {
    standalone(input, targets, "egress");
}

fn standalone(input: &mut Input<'_>, targets: &mut Targets<'_>, attr: &str) {
    let Some(group) = input.props.get("GroupId").or(input.props.get("GroupName")) else {
        return;
    };
    let rule = permission(input.props);
    let line = input.props.line;
    targets.each(group, ResourceKind::SecurityGroup, |props, marks| {
        let Properties::SecurityGroup(g) = props else {
            return;
        };
        marks.lines.entry(attr.to_string()).or_insert(line);
        match &rule {
            Ok(p) if attr == "ingress" => g.ingress.push(p.clone()),
            Ok(p) => g.egress.push(p.clone()),
            Err(why) => marks.unknown(attr, why.clone()),
        }
    });
}

pub fn vpc(input: &mut Input<'_>) -> Properties {
    let cidr_block = input
        .attr("cidr_block", &["CidrBlock"], |p| {
            optional(p.get("CidrBlock"), Node::text)
        })
        .flatten();
    let tags = input.attr("tags", &["Tags"], tags);
    Properties::Vpc(Vpc {
        vpc_id: input.id.to_string(),
        cidr_block,
        is_default: false,
        tags: tags.unwrap_or_default(),
        // None until a FlowLog or VPCEndpoint of the template attaches one.
        flow_logs: Some(Vec::new()),
        endpoints: Some(Vec::new()),
    })
}

/// `AWS::EC2::FlowLog` on a VPC (`ResourceType: VPC`).
pub fn flow_log(input: &mut Input<'_>, targets: &mut Targets<'_>) {
    let p = input.props;
    let kind = p.get("ResourceType").and_then(|t| t.text().ok());
    let (Some(vpc), Some("VPC")) = (p.get("ResourceId"), kind.as_deref()) else {
        return;
    };
    let read = || -> Result<FlowLog, String> {
        Ok(FlowLog {
            flow_log_id: input.id.to_string(),
            status: "ACTIVE".into(),
            traffic_type: optional(p.get("TrafficType"), Node::text)?.unwrap_or_default(),
            destination_type: optional(p.get("LogDestinationType"), Node::text)?
                .unwrap_or_else(|| "cloud-watch-logs".into()),
            log_group_name: optional(p.get("LogGroupName"), Node::text)?,
        })
    };
    let read = read();
    attach(targets, vpc, "flow_logs", p.line, &read, |v, log| {
        v.flow_logs.get_or_insert_with(Vec::new).push(log.clone())
    });
}

/// `AWS::EC2::VPCEndpoint` in a VPC.
pub fn endpoint(input: &mut Input<'_>, targets: &mut Targets<'_>) {
    let p = input.props;
    let Some(vpc) = p.get("VpcId") else {
        return;
    };
    let read = (|| -> Result<VpcEndpoint, String> {
        Ok(VpcEndpoint {
            endpoint_id: input.id.to_string(),
            service_name: p.get("ServiceName").ok_or("no ServiceName")?.text()?,
            endpoint_type: optional(p.get("VpcEndpointType"), Node::text)?
                .unwrap_or_else(|| "Gateway".into()),
        })
    })();
    attach(targets, vpc, "endpoints", p.line, &read, |v, e| {
        v.endpoints.get_or_insert_with(Vec::new).push(e.clone())
    });
}

/// Adds `read` to the VPC `vpc` names, or marks its `attr` unknown.
fn attach<T>(
    targets: &mut Targets<'_>,
    vpc: &Node,
    attr: &str,
    line: usize,
    read: &Result<T, String>,
    add: impl Fn(&mut Vpc, &T),
) {
    targets.each(vpc, ResourceKind::Vpc, |props, marks: &mut Marks| {
        let Properties::Vpc(v) = props else {
            return;
        };
        marks.lines.entry(attr.to_string()).or_insert(line);
        match read {
            Ok(item) => add(v, item),
            Err(why) => marks.unknown(attr, why.clone()),
        }
    });
}

pub fn subnet(input: &mut Input<'_>) -> Properties {
    let p = input.props;
    let text = |key| {
        optional(p.get(key), Node::text)
            .ok()
            .flatten()
            .unwrap_or_default()
    };
    let (vpc_id, availability_zone) = (text("VpcId"), text("AvailabilityZone"));
    let map_public_ip_on_launch =
        input.attr("map_public_ip_on_launch", &["MapPublicIpOnLaunch"], |p| {
            Ok(optional(p.get("MapPublicIpOnLaunch"), Node::boolean)?.unwrap_or(false))
        });
    let tags = input.attr("tags", &["Tags"], tags);
    Properties::Subnet(Subnet {
        subnet_id: input.id.to_string(),
        vpc_id,
        availability_zone,
        map_public_ip_on_launch: map_public_ip_on_launch.unwrap_or_default(),
        tags: tags.unwrap_or_default(),
    })
}

pub fn elastic_ip(input: &mut Input<'_>) -> Properties {
    let instance_id = input
        .attr("instance_id", &["InstanceId"], |p| {
            optional(p.get("InstanceId"), Node::text)
        })
        .flatten();
    let tags = input.attr("tags", &["Tags"], tags);
    Properties::ElasticIp(ElasticIp {
        allocation_id: input.id.to_string(),
        public_ip: String::new(),
        association_id: None,
        instance_id,
        network_interface_status: None,
        tags: tags.unwrap_or_default(),
    })
}

/// `AWS::EC2::NatGateway` and `AWS::EC2::EIPAssociation`: the address they take is in use.
pub fn takes_address(input: &mut Input<'_>, targets: &mut Targets<'_>) {
    let Some(address) = input.props.get("AllocationId").or(input.props.get("EIP")) else {
        return;
    };
    let holder = input.id.to_string();
    targets.each(address, ResourceKind::ElasticIp, |props, _| {
        if let Properties::ElasticIp(e) = props {
            e.association_id = Some(holder.clone());
            e.network_interface_status = Some("in-use".into());
        }
    });
}

pub fn volume(input: &mut Input<'_>) -> Properties {
    let encrypted = input.flag("encrypted", "Encrypted", false);
    let kms_key_id = input.text("kms_key_id", "KmsKeyId");
    let tags = input.attr("tags", &["Tags"], tags);
    Properties::Volume(Volume {
        volume_id: input.id.to_string(),
        state: "available".into(),
        encrypted,
        kms_key_id,
        attached_to: Vec::new(),
        tags: tags.unwrap_or_default(),
    })
}

/// `AWS::EC2::VolumeAttachment`: the volume it names is in use by the instance.
pub fn volume_attachment(input: &mut Input<'_>, targets: &mut Targets<'_>) {
    let Some(volume) = input.props.get("VolumeId") else {
        return;
    };
    let instance = input.props.get("InstanceId").and_then(|i| i.text().ok());
    targets.each(volume, ResourceKind::Volume, |props, _| {
        if let Properties::Volume(v) = props {
            v.state = "in-use".into();
            v.attached_to.extend(instance.clone());
        }
    });
}

/// `AWS::EC2::Instance`, running once deployed. Its metadata options live in a launch
/// template when it has one (not read: the setting is then unknown); without one, EC2
/// allows IMDSv1 (`optional`) unless the AMI says otherwise, which only a live scan
/// sees. Whether it gets a public address depends on its subnet: see `instance_subnet`.
pub fn instance(input: &mut Input<'_>) -> Properties {
    let p = input.props;
    let http_tokens = input.attr("http_tokens", &["LaunchTemplate"], |p| {
        match p.get("LaunchTemplate") {
            Some(_) => Err("the metadata options are in its launch template, which a template scan does not read".into()),
            None => Ok("optional".to_string()),
        }
    });
    let instance_profile_arn = input
        .attr("instance_profile_arn", &["IamInstanceProfile"], |p| {
            optional(p.get("IamInstanceProfile"), Node::text)
        })
        .flatten();
    let interface = p
        .path(&["NetworkInterfaces"])
        .and_then(|n| n.list().ok())
        .and_then(|l| l.first().copied());
    let public_ip_address = input
        .attr(
            "public_ip_address",
            &["NetworkInterfaces", "SubnetId"],
            |_| {
                let asked = optional(
                    interface.and_then(|i| i.get("AssociatePublicIpAddress")),
                    Node::boolean,
                )?;
                Ok(match asked {
                    Some(true) => Some("(assigned at launch)".to_string()),
                    Some(false) => None,
                    // Without a subnet it lands in the default VPC, whose subnets assign one.
                    None if p.get("SubnetId").is_none() && interface.is_none() => {
                        Some("(assigned at launch by the default subnet)".to_string())
                    }
                    None => None,
                })
            },
        )
        .flatten();
    let text = |key| {
        optional(p.get(key), Node::text)
            .ok()
            .flatten()
            .unwrap_or_default()
    };
    let tags = input.attr("tags", &["Tags"], tags).unwrap_or_default();
    Properties::Instance(crate::model::ec2::Instance {
        instance_id: input.id.to_string(),
        state: "running".into(),
        http_tokens: http_tokens.unwrap_or_default(),
        http_endpoint: "enabled".into(),
        public_ip_address,
        instance_profile_arn,
        vpc_id: String::new(),
        subnet_id: text("SubnetId"),
        stopped_since: None,
        tags,
    })
}

/// An instance in a subnet of the template that assigns public addresses gets one,
/// unless its network interface says not to.
pub fn instance_subnet(input: &mut Input<'_>, targets: &mut Targets<'_>) {
    let Some(subnet) = input.props.get("SubnetId") else {
        return;
    };
    let declines = input
        .props
        .path(&["NetworkInterfaces"])
        .and_then(|n| n.list().ok())
        .and_then(|l| {
            l.first()
                .and_then(|i| i.get("AssociatePublicIpAddress"))
                .map(|v| v.boolean())
        })
        .is_some();
    let mut public = false;
    targets.each(subnet, ResourceKind::Subnet, |props, _| {
        if let Properties::Subnet(s) = props {
            public |= s.map_public_ip_on_launch;
        }
    });
    if !public || declines {
        return;
    }
    let itself = Node::new(
        crate::template::node::Value::Ref {
            target: input.id.to_string(),
            attr: None,
        },
        input.props.line,
    );
    targets.each(&itself, ResourceKind::Instance, |props, _| {
        if let Properties::Instance(i) = props {
            i.public_ip_address = Some("(assigned at launch by its subnet)".into());
        }
    });
}

/// `AWS::EC2::NetworkAcl`: a new ACL has only its implicit deny-all rules.
pub fn network_acl(input: &mut Input<'_>) -> Properties {
    let vpc_id = optional(input.props.get("VpcId"), Node::text)
        .ok()
        .flatten()
        .unwrap_or_default();
    let tags = input.attr("tags", &["Tags"], tags).unwrap_or_default();
    Properties::NetworkAcl(crate::model::ec2::NetworkAcl {
        network_acl_id: input.id.to_string(),
        vpc_id,
        is_default: false,
        ingress: Vec::new(),
        egress: Vec::new(),
        tags,
    })
}

/// `AWS::EC2::NetworkAclEntry`: one more rule of its ACL, inbound unless `Egress`.
pub fn network_acl_entry(input: &mut Input<'_>, targets: &mut Targets<'_>) {
    let p = input.props;
    let Some(acl) = p.get("NetworkAclId") else {
        return;
    };
    let egress = optional(p.get("Egress"), Node::boolean)
        .ok()
        .flatten()
        .unwrap_or(false);
    let attr = if egress { "egress" } else { "ingress" };
    let read = (|| -> Result<crate::model::ec2::AclEntry, String> {
        let protocol = p.get("Protocol").ok_or("no Protocol")?.text()?;
        let from = optional(p.path(&["PortRange", "From"]), Node::integer)?;
        let to = optional(p.path(&["PortRange", "To"]), Node::integer)?;
        let (protocol, ports) = protocol_ports(&protocol, from, to);
        Ok(crate::model::ec2::AclEntry {
            rule_number: p.get("RuleNumber").ok_or("no RuleNumber")?.integer()?,
            action: p
                .get("RuleAction")
                .ok_or("no RuleAction")?
                .text()?
                .to_ascii_lowercase(),
            protocol,
            ports,
            cidr: match p.get("CidrBlock").or(p.get("Ipv6CidrBlock")) {
                Some(c) => c.text()?,
                None => String::new(),
            },
        })
    })();
    let line = p.line;
    targets.each(acl, ResourceKind::NetworkAcl, |props, marks| {
        let Properties::NetworkAcl(a) = props else {
            return;
        };
        marks.lines.entry(attr.to_string()).or_insert(line);
        match &read {
            Ok(entry) if egress => a.egress.push(entry.clone()),
            Ok(entry) => a.ingress.push(entry.clone()),
            Err(why) => marks.unknown(attr, why.clone()),
        }
    });
}
