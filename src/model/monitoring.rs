//! The CIS 4.1–4.15 event classes and the account's monitoring of them: for each class,
//! whether a logging multi-region trail delivers to a log group with a metric filter
//! matching every sample event of the class, an alarm on that filter's metric, and an
//! alarm action whose SNS topic has a confirmed subscriber. The samples are the events
//! the benchmark's own filter patterns are written to catch; a filter matches a class
//! when it matches them all, however it is written (`filter_pattern.rs`).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::cloudtrail::Trail;
use super::filter_pattern;
use super::schema::{Field, Type};

/// The account's monitoring: one resource named after the account.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Monitoring {
    /// The classes (`iam-policy-changes`, …) whose events reach an alarm someone gets.
    pub monitored: Vec<String>,
    /// The multi-region, logging trails delivering to CloudWatch Logs that were looked at.
    pub trails: Vec<String>,
}

pub const SCHEMA: &[Field] = &[
    Field::listed(
        "monitored",
        Type::StringList,
        "CIS 4.x event classes a metric filter, an alarm and a subscribed topic watch",
    ),
    Field::listed(
        "trails",
        Type::StringList,
        "logging multi-region trails delivering to CloudWatch Logs",
    ),
];

/// One event class: its name (as rules name it) and the events it must catch.
pub struct Class {
    pub name: &'static str,
    pub samples: fn() -> Vec<Value>,
}

/// An API call event as CloudTrail delivers it, by an IAM user from the internet.
fn call(source: &str, name: &str) -> Value {
    json!({
        "eventVersion": "1.09",
        "eventSource": source,
        "eventName": name,
        "eventType": "AwsApiCall",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "userIdentity": {"type": "IAMUser", "userName": "alice"},
    })
}

fn calls(source: &str, names: &[&str]) -> Vec<Value> {
    names.iter().map(|n| call(source, n)).collect()
}

pub const CLASSES: &[Class] = &[
    Class {
        name: "unauthorized-api-calls",
        samples: || {
            let mut a = call("ec2.amazonaws.com", "DescribeInstances");
            a["errorCode"] = json!("Client.UnauthorizedOperation");
            let mut b = call("s3.amazonaws.com", "GetObject");
            b["errorCode"] = json!("AccessDenied");
            vec![a, b]
        },
    },
    Class {
        name: "console-sign-in-without-mfa",
        samples: || {
            let mut e = call("signin.amazonaws.com", "ConsoleLogin");
            e["eventType"] = json!("AwsConsoleSignIn");
            e["additionalEventData"] = json!({"MFAUsed": "No"});
            e["responseElements"] = json!({"ConsoleLogin": "Success"});
            vec![e]
        },
    },
    Class {
        name: "root-usage",
        samples: || {
            let mut e = call("iam.amazonaws.com", "CreateAccessKey");
            e["userIdentity"] = json!({"type": "Root", "arn": "arn:aws:iam::123456789012:root"});
            let mut login = call("signin.amazonaws.com", "ConsoleLogin");
            login["eventType"] = json!("AwsConsoleSignIn");
            login["userIdentity"] =
                json!({"type": "Root", "arn": "arn:aws:iam::123456789012:root"});
            vec![e, login]
        },
    },
    Class {
        name: "iam-policy-changes",
        samples: || {
            calls(
                "iam.amazonaws.com",
                &[
                    "DeleteGroupPolicy",
                    "DeleteRolePolicy",
                    "DeleteUserPolicy",
                    "PutGroupPolicy",
                    "PutRolePolicy",
                    "PutUserPolicy",
                    "CreatePolicy",
                    "DeletePolicy",
                    "CreatePolicyVersion",
                    "DeletePolicyVersion",
                    "AttachRolePolicy",
                    "DetachRolePolicy",
                    "AttachUserPolicy",
                    "DetachUserPolicy",
                    "AttachGroupPolicy",
                    "DetachGroupPolicy",
                ],
            )
        },
    },
    Class {
        name: "cloudtrail-changes",
        samples: || {
            calls(
                "cloudtrail.amazonaws.com",
                &[
                    "CreateTrail",
                    "UpdateTrail",
                    "DeleteTrail",
                    "StartLogging",
                    "StopLogging",
                ],
            )
        },
    },
    Class {
        name: "console-authentication-failures",
        samples: || {
            let mut e = call("signin.amazonaws.com", "ConsoleLogin");
            e["eventType"] = json!("AwsConsoleSignIn");
            e["errorMessage"] = json!("Failed authentication");
            e["responseElements"] = json!({"ConsoleLogin": "Failure"});
            vec![e]
        },
    },
    Class {
        name: "cmk-disabling-or-deletion",
        samples: || calls("kms.amazonaws.com", &["DisableKey", "ScheduleKeyDeletion"]),
    },
    Class {
        name: "s3-bucket-policy-changes",
        samples: || {
            calls(
                "s3.amazonaws.com",
                &[
                    "PutBucketAcl",
                    "PutBucketPolicy",
                    "PutBucketCors",
                    "PutBucketLifecycle",
                    "PutBucketReplication",
                    "DeleteBucketPolicy",
                    "DeleteBucketCors",
                    "DeleteBucketLifecycle",
                    "DeleteBucketReplication",
                ],
            )
        },
    },
    Class {
        name: "config-changes",
        samples: || {
            calls(
                "config.amazonaws.com",
                &[
                    "StopConfigurationRecorder",
                    "DeleteDeliveryChannel",
                    "PutDeliveryChannel",
                    "PutConfigurationRecorder",
                ],
            )
        },
    },
    Class {
        name: "security-group-changes",
        samples: || {
            calls(
                "ec2.amazonaws.com",
                &[
                    "AuthorizeSecurityGroupIngress",
                    "AuthorizeSecurityGroupEgress",
                    "RevokeSecurityGroupIngress",
                    "RevokeSecurityGroupEgress",
                    "CreateSecurityGroup",
                    "DeleteSecurityGroup",
                ],
            )
        },
    },
    Class {
        name: "nacl-changes",
        samples: || {
            calls(
                "ec2.amazonaws.com",
                &[
                    "CreateNetworkAcl",
                    "CreateNetworkAclEntry",
                    "DeleteNetworkAcl",
                    "DeleteNetworkAclEntry",
                    "ReplaceNetworkAclEntry",
                    "ReplaceNetworkAclAssociation",
                ],
            )
        },
    },
    Class {
        name: "network-gateway-changes",
        samples: || {
            calls(
                "ec2.amazonaws.com",
                &[
                    "CreateCustomerGateway",
                    "DeleteCustomerGateway",
                    "AttachInternetGateway",
                    "CreateInternetGateway",
                    "DeleteInternetGateway",
                    "DetachInternetGateway",
                ],
            )
        },
    },
    Class {
        name: "route-table-changes",
        samples: || {
            calls(
                "ec2.amazonaws.com",
                &[
                    "CreateRoute",
                    "CreateRouteTable",
                    "ReplaceRoute",
                    "ReplaceRouteTableAssociation",
                    "DeleteRouteTable",
                    "DeleteRoute",
                    "DisassociateRouteTable",
                ],
            )
        },
    },
    Class {
        name: "vpc-changes",
        samples: || {
            calls(
                "ec2.amazonaws.com",
                &[
                    "CreateVpc",
                    "DeleteVpc",
                    "ModifyVpcAttribute",
                    "AcceptVpcPeeringConnection",
                    "CreateVpcPeeringConnection",
                    "DeleteVpcPeeringConnection",
                    "RejectVpcPeeringConnection",
                    "AttachClassicLinkVpc",
                    "DetachClassicLinkVpc",
                    "DisableVpcClassicLink",
                    "EnableVpcClassicLink",
                ],
            )
        },
    },
    Class {
        name: "organizations-changes",
        samples: || {
            calls(
                "organizations.amazonaws.com",
                &[
                    "AcceptHandshake",
                    "AttachPolicy",
                    "CreateAccount",
                    "CreateOrganizationalUnit",
                    "CreatePolicy",
                    "DeclineHandshake",
                    "DeleteOrganization",
                    "DeleteOrganizationalUnit",
                    "DeletePolicy",
                    "DetachPolicy",
                    "DisablePolicyType",
                    "EnablePolicyType",
                    "InviteAccountToOrganization",
                    "LeaveOrganization",
                    "MoveAccount",
                    "RemoveAccountFromOrganization",
                    "UpdatePolicy",
                    "UpdateOrganizationalUnit",
                ],
            )
        },
    },
];

/// The log group (region, name) a trail feeds the CIS 4.x chain through: only a
/// multi-region trail that is logging, records every management event (read and write,
/// no event source left out: a trail without KMS's events cannot feed the filters that
/// watch them) and delivers to CloudWatch Logs.
pub fn monitored_group(trail: &Trail) -> Option<(String, String)> {
    let logging = trail.status.as_ref().is_some_and(|s| s.is_logging);
    let all_management = trail.events.as_ref().is_some_and(|e| {
        e.management_read && e.management_write && e.excluded_management_sources.is_empty()
    });
    if !(trail.is_multi_region && logging && all_management) {
        return None;
    }
    // arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME:*
    let arn = trail.cloud_watch_logs_log_group_arn.as_deref()?;
    match arn.splitn(7, ':').collect::<Vec<_>>().as_slice() {
        [_, _, "logs", region, _, "log-group", rest] => {
            Some((region.to_string(), rest.trim_end_matches(":*").to_string()))
        }
        _ => None,
    }
}

/// The classes a filter pattern catches every sample of; none when it does not parse.
pub fn classes_caught(pattern: &str) -> Vec<&'static str> {
    let Ok(expr) = filter_pattern::parse(pattern) else {
        return Vec::new();
    };
    CLASSES
        .iter()
        .filter(|c| (c.samples)().iter().all(|e| expr.matches(e)))
        .map(|c| c.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_logging_multi_region_trail_with_every_management_event_feeds_the_chain() {
        use crate::model::cloudtrail::{Events, TrailStatus};
        let good = Trail {
            name: "org".to_string(),
            is_multi_region: true,
            cloud_watch_logs_log_group_arn: Some(
                "arn:aws-us-gov:logs:us-gov-west-1:123456789012:log-group:trail/org:*".to_string(),
            ),
            status: Some(TrailStatus { is_logging: true }),
            events: Some(Events {
                management_read: true,
                management_write: true,
                ..Events::default()
            }),
            ..Trail::default()
        };
        assert_eq!(
            monitored_group(&good),
            Some(("us-gov-west-1".to_string(), "trail/org".to_string()))
        );
        let mut kms_left_out = good.clone();
        kms_left_out
            .events
            .as_mut()
            .unwrap()
            .excluded_management_sources = vec!["kms.amazonaws.com".to_string()];
        let mut write_only = good.clone();
        write_only.events.as_mut().unwrap().management_read = false;
        let mut stopped = good.clone();
        stopped.status = Some(TrailStatus { is_logging: false });
        let mut one_region = good.clone();
        one_region.is_multi_region = false;
        let mut s3_only = good.clone();
        s3_only.cloud_watch_logs_log_group_arn = None;
        let mut unread = good.clone();
        unread.events = None;
        for (why, trail) in [
            ("KMS events left out", kms_left_out),
            ("write events only", write_only),
            ("not logging", stopped),
            ("one region", one_region),
            ("no log group", s3_only),
            ("selectors unknown", unread),
        ] {
            assert_eq!(monitored_group(&trail), None, "{why}");
        }
    }

    /// The benchmark's own patterns, as its remediation steps give them.
    const CIS: &[(&str, &str)] = &[
        ("unauthorized-api-calls", r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }"#),
        ("console-sign-in-without-mfa", r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#),
        ("root-usage", r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#),
        ("iam-policy-changes", "{(($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy))}"),
        ("cloudtrail-changes", "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }"),
        ("console-authentication-failures", r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#),
        ("cmk-disabling-or-deletion", "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }"),
        ("s3-bucket-policy-changes", "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }"),
        ("config-changes", "{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel) ||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }"),
        ("security-group-changes", "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }"),
        ("nacl-changes", "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }"),
        ("network-gateway-changes", "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }"),
        ("route-table-changes", "{($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }"),
        ("vpc-changes", "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }"),
        ("organizations-changes", "{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = \"AcceptHandshake\") || ($.eventName = \"AttachPolicy\") || ($.eventName = \"CreateAccount\") || ($.eventName = \"CreateOrganizationalUnit\") || ($.eventName = \"CreatePolicy\") || ($.eventName = \"DeclineHandshake\") || ($.eventName = \"DeleteOrganization\") || ($.eventName = \"DeleteOrganizationalUnit\") || ($.eventName = \"DeletePolicy\") || ($.eventName = \"DetachPolicy\") || ($.eventName = \"DisablePolicyType\") || ($.eventName = \"EnablePolicyType\") || ($.eventName = \"InviteAccountToOrganization\") || ($.eventName = \"LeaveOrganization\") || ($.eventName = \"MoveAccount\") || ($.eventName = \"RemoveAccountFromOrganization\") || ($.eventName = \"UpdatePolicy\") || ($.eventName = \"UpdateOrganizationalUnit\")) }"),
    ];

    #[test]
    fn each_benchmark_pattern_catches_its_class_and_only_it() {
        assert_eq!(CIS.len(), CLASSES.len());
        for (class, pattern) in CIS {
            assert_eq!(classes_caught(pattern), [*class], "{pattern}");
        }
    }

    #[test]
    fn a_pattern_written_otherwise_still_counts_and_a_narrowed_one_does_not() {
        // Reordered, unparenthesised, quoted: the same events.
        let reordered = r#"{$.eventName="StopLogging"||$.eventName="StartLogging"||$.eventName="DeleteTrail"||$.eventName="UpdateTrail"||$.eventName="CreateTrail"}"#;
        assert_eq!(classes_caught(reordered), ["cloudtrail-changes"]);
        // Missing one of the events.
        let partial = "{ ($.eventName = CreateTrail) || ($.eventName = DeleteTrail) }";
        assert!(classes_caught(partial).is_empty());
        // Narrowed to one user: most changes go unseen.
        let narrowed = r#"{ (($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging)) && ($.userIdentity.userName = "bob") }"#;
        assert!(classes_caught(narrowed).is_empty());
        // A wildcard on the event source catches the KMS class (and nothing narrower).
        let kms = "{ ($.eventSource = kms*) && ($.eventName = DisableKey || $.eventName = ScheduleKeyDeletion) }";
        assert_eq!(classes_caught(kms), ["cmk-disabling-or-deletion"]);
        assert!(classes_caught("ERROR").is_empty());
    }
}
