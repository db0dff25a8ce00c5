//! The embedded CloudFormation template, read as data: what the emulator ignores
//! (versioning, lifecycle, public access block, tracing, managed policies…) is asserted
//! here, and cfn-lint checks it as CloudFormation would.

mod common;

use std::process::Command;

use serde_yaml_ng::Value;

fn template() -> Value {
    let text = std::fs::read_to_string(common::repo().join("infra/template.yaml")).unwrap();
    serde_yaml_ng::from_str(&text).unwrap()
}

/// A `!Ref`/`!GetAtt`/`!Sub` value as "Tag value" text, plain values as themselves.
fn text(v: &Value) -> String {
    match v {
        Value::Tagged(t) => format!("{} {}", t.tag, text(&t.value)),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Sequence(items) => items.iter().map(text).collect::<Vec<_>>().join(","),
        other => format!("{other:?}"),
    }
}

fn resources(doc: &Value) -> Vec<(String, Value)> {
    doc["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str().unwrap().to_string(), v.clone()))
        .collect()
}

fn of_type(doc: &Value, ty: &str) -> Vec<(String, Value)> {
    resources(doc)
        .into_iter()
        .filter(|(_, r)| r["Type"] == ty)
        .collect()
}

#[test]
fn cfn_lint_accepts_the_templates() {
    let lint = common::repo().join(".venv/bin/cfn-lint");
    assert!(lint.exists(), "cfn-lint is missing: run scripts/setup.sh");
    let out = Command::new(lint)
        .arg(common::repo().join("infra/template.yaml"))
        .arg(common::repo().join("infra/member-role.yaml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cfn-lint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn buckets_are_versioned_encrypted_with_their_own_key_private_and_tls_only() {
    let doc = template();
    // Reports, artifacts, and (with ConfigRecorder) Config's deliveries.
    let buckets = of_type(&doc, "AWS::S3::Bucket");
    assert_eq!(buckets.len(), 3);
    let mut keys = Vec::new();
    for (name, b) in &buckets {
        let p = &b["Properties"];
        assert_eq!(p["VersioningConfiguration"]["Status"], "Enabled", "{name}");
        let rule = &p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0];
        assert_eq!(
            rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"], "aws:kms",
            "{name}"
        );
        assert_eq!(rule["BucketKeyEnabled"], true, "{name}");
        keys.push(text(
            &rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"],
        ));
        for flag in [
            "BlockPublicAcls",
            "IgnorePublicAcls",
            "BlockPublicPolicy",
            "RestrictPublicBuckets",
        ] {
            assert_eq!(
                p["PublicAccessBlockConfiguration"][flag], true,
                "{name} {flag}"
            );
        }
        assert_eq!(
            p["OwnershipControls"]["Rules"][0]["ObjectOwnership"],
            "BucketOwnerEnforced"
        );
        assert!(
            !p["LifecycleConfiguration"]["Rules"]
                .as_sequence()
                .unwrap()
                .is_empty(),
            "{name} lifecycle"
        );
        let policy = of_type(&doc, "AWS::S3::BucketPolicy")
            .into_iter()
            .find(|(_, pol)| text(&pol["Properties"]["Bucket"]) == format!("!Ref {name}"))
            .unwrap_or_else(|| panic!("{name} has no bucket policy"));
        let statement = &policy.1["Properties"]["PolicyDocument"]["Statement"][0];
        assert_eq!(statement["Effect"], "Deny");
        assert_eq!(
            statement["Condition"]["Bool"]["aws:SecureTransport"],
            "false"
        );
    }
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 3, "each bucket has its own key: {keys:?}");

    // Scans and audits expire after the retention; the suppression file never does,
    // only its replaced versions.
    let rules = &doc["Resources"]["ReportBucket"]["Properties"]["LifecycleConfiguration"]["Rules"];
    let rule = |prefix: &str| {
        rules
            .as_sequence()
            .unwrap()
            .iter()
            .find(|r| r["Prefix"] == prefix)
            .unwrap_or_else(|| panic!("no lifecycle rule for {prefix}"))
            .clone()
    };
    for prefix in ["scans/", "remediation/"] {
        let expiring = rule(prefix);
        assert_eq!(
            text(&expiring["ExpirationInDays"]),
            "!Ref ReportRetentionDays",
            "{prefix}"
        );
        assert_eq!(
            text(&expiring["NoncurrentVersionExpiration"]["NoncurrentDays"]),
            "!Ref ReportRetentionDays",
            "{prefix}"
        );
    }
    let config = rule("config/");
    assert!(
        config.get("ExpirationInDays").is_none(),
        "the suppression file is kept"
    );
    assert_eq!(
        text(&config["NoncurrentVersionExpiration"]["NoncurrentDays"]),
        "!Ref ReportRetentionDays"
    );
    assert!(
        rules
            .as_sequence()
            .unwrap()
            .iter()
            .all(|r| r.get("Prefix").is_some()),
        "no rule expires the whole bucket"
    );
    assert_eq!(doc["Parameters"]["ReportRetentionDays"]["Default"], 90);
}

#[test]
fn keys_rotate_and_topics_are_encrypted() {
    let doc = template();
    let keys = of_type(&doc, "AWS::KMS::Key");
    assert_eq!(keys.len(), 4, "one per bucket, one for topics and logs");
    for (name, k) in &keys {
        assert_eq!(k["Properties"]["EnableKeyRotation"], true, "{name}");
    }
    for (name, t) in of_type(&doc, "AWS::SNS::Topic") {
        assert_eq!(
            text(&t["Properties"]["KmsMasterKeyId"]),
            "!Ref AlertsKey",
            "{name}"
        );
    }
    assert_eq!(
        text(&doc["Resources"]["CriticalEmail"]["Condition"]),
        "HasAlertEmail"
    );
}

#[test]
fn the_scanner_is_traced_reserved_private_and_on_a_schedule() {
    let doc = template();
    let f = &doc["Resources"]["ScannerFunction"]["Properties"];
    assert_eq!(f["Runtime"], "provided.al2023");
    assert_eq!(f["Handler"], "bootstrap");
    assert_eq!(f["MemorySize"], 1024);
    assert_eq!(f["TracingConfig"]["Mode"], "Active");
    // An organisation run may run MaxConcurrency accounts at once; otherwise two runs.
    assert_eq!(
        text(&f["ReservedConcurrentExecutions"]),
        "!If ScansOrganization,!Ref OrganizationMaxConcurrency,2"
    );
    let Value::Tagged(vpc_config) = &f["VpcConfig"] else {
        panic!("VpcConfig depends on the network mode")
    };
    let in_vpc = &vpc_config.value[1];
    assert_eq!(in_vpc["SubnetIds"].as_sequence().unwrap().len(), 2);
    assert_eq!(text(&f["Code"]["S3Bucket"]), "!Ref ArtifactBucket");
    let env = &f["Environment"]["Variables"];
    for var in [
        "COMPLIANCE_REPORT_BUCKET",
        "COMPLIANCE_CRITICAL_TOPIC_ARN",
        "COMPLIANCE_WARNING_TOPIC_ARN",
    ] {
        assert!(!env[var].is_null(), "{var}");
    }
    let log_group = &doc["Resources"]["ScannerLogGroup"]["Properties"];
    assert!(log_group["RetentionInDays"].as_u64().is_some());

    let r = &doc["Resources"];
    assert_eq!(
        text(&r["ScheduledScan"]["Properties"]["ScheduleExpression"]),
        "!Ref ScheduleExpression"
    );
    assert_eq!(
        doc["Parameters"]["ScheduleExpression"]["Default"],
        "rate(6 hours)"
    );
    let pattern = &r["OnDemandScan"]["Properties"]["EventPattern"];
    assert_eq!(pattern["source"][0], "compliance.audit");
    assert_eq!(pattern["detail-type"][0], "Compliance Scan Request");
    // A stack created or updated is judged by `scan --stack` (docs/templates.md).
    let pattern = &r["StackChangeScan"]["Properties"]["EventPattern"];
    assert_eq!(pattern["source"][0], "aws.cloudformation");
    assert_eq!(
        pattern["detail-type"][0],
        "CloudFormation Stack Status Change"
    );
    assert_eq!(
        pattern["detail"]["status-details"]["status"],
        serde_yaml_ng::from_str::<serde_yaml_ng::Value>("[CREATE_COMPLETE, UPDATE_COMPLETE]")
            .unwrap()
    );
    for rule in ["ScheduledScan", "OnDemandScan", "StackChangeScan"] {
        let targets = &r[rule]["Properties"]["Targets"][0];
        // The schedule's target is the function unless the organisation is scanned.
        let target = match targets {
            Value::Tagged(when) => &when.value[2],
            target => target,
        };
        assert_eq!(text(&target["Arn"]), "!GetAtt ScannerFunction.Arn");
        let permission = of_type(&doc, "AWS::Lambda::Permission")
            .into_iter()
            .any(|(_, p)| text(&p["Properties"]["SourceArn"]) == format!("!GetAtt {rule}.Arn"));
        assert!(permission, "{rule} may invoke the function");
    }
    assert_eq!(
        text(&r["ScannerErrorsAlarm"]["Properties"]["AlarmActions"][0]),
        "!Ref CriticalTopic"
    );
}

#[test]
fn roles_use_managed_policies_only() {
    let doc = template();
    assert!(
        of_type(&doc, "AWS::IAM::Policy").is_empty(),
        "no inline policy resources"
    );
    for (name, role) in of_type(&doc, "AWS::IAM::Role") {
        assert!(
            role["Properties"]["Policies"].is_null(),
            "{name} has inline policies"
        );
        assert!(
            !role["Properties"]["ManagedPolicyArns"]
                .as_sequence()
                .unwrap()
                .is_empty(),
            "{name}"
        );
    }
    let remediation = &doc["Resources"]["RemediationPolicy"];
    assert_eq!(remediation["Condition"], "Remediates");
    let attached = text(&doc["Resources"]["ScannerRole"]["Properties"]["ManagedPolicyArns"]);
    assert!(
        attached.contains("!If Remediates,!Ref RemediationPolicy"),
        "{attached}"
    );
}

#[test]
fn the_findings_history_is_on_demand_recoverable_encrypted_and_expires() {
    let doc = template();
    let table = &doc["Resources"]["FindingsTable"]["Properties"];
    assert_eq!(table["BillingMode"], "PAY_PER_REQUEST");
    assert_eq!(
        table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
        true
    );
    assert_eq!(table["SSESpecification"]["SSEType"], "KMS");
    assert_eq!(
        text(&table["SSESpecification"]["KMSMasterKeyId"]),
        "!GetAtt ReportBucketKey.Arn"
    );
    assert_eq!(
        table["TimeToLiveSpecification"]["AttributeName"],
        "expires_at"
    );
    assert_eq!(table["TimeToLiveSpecification"]["Enabled"], true);
    let keys: Vec<(String, String)> = table["KeySchema"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|k| (text(&k["AttributeName"]), text(&k["KeyType"])))
        .collect();
    assert_eq!(
        keys,
        [
            ("resource".to_string(), "HASH".to_string()),
            ("evaluated".to_string(), "RANGE".to_string())
        ]
    );
    // The function writes it, and only it; the retention is the reports'.
    let statements = doc["Resources"]["ReportWritePolicy"]["Properties"]["PolicyDocument"]
        ["Statement"]
        .as_sequence()
        .unwrap();
    let table_access: Vec<(String, String)> = statements
        .iter()
        .filter(|s| text(&s["Action"]).starts_with("dynamodb:"))
        .map(|s| (text(&s["Action"]), text(&s["Resource"])))
        .collect();
    assert_eq!(
        table_access,
        [(
            "dynamodb:BatchWriteItem".to_string(),
            "!GetAtt FindingsTable.Arn".to_string()
        )]
    );
    let env = &doc["Resources"]["ScannerFunction"]["Properties"]["Environment"]["Variables"];
    assert_eq!(
        text(&env["COMPLIANCE_FINDINGS_TABLE"]),
        "!Ref FindingsTable"
    );
    assert_eq!(
        text(&env["COMPLIANCE_RETENTION_DAYS"]),
        "!Ref ReportRetentionDays"
    );
}

#[test]
fn config_rules_are_opt_in_answered_by_the_scanner_and_allowed_only_from_this_account() {
    let doc = template();
    assert_eq!(doc["Parameters"]["ConfigRules"]["Default"], "false");
    for name in [
        "PeriodicConfigRule",
        "ChangeConfigRule",
        "ConfigRulesPermission",
        "ConfigEvaluationsPolicy",
    ] {
        assert_eq!(
            doc["Resources"][name]["Condition"], "HasConfigRules",
            "{name}"
        );
    }
    let periodic = &doc["Resources"]["PeriodicConfigRule"]["Properties"]["Source"];
    assert_eq!(periodic["Owner"], "CUSTOM_LAMBDA");
    assert_eq!(
        text(&periodic["SourceIdentifier"]),
        "!GetAtt ScannerFunction.Arn"
    );
    assert_eq!(
        periodic["SourceDetails"][0]["MessageType"],
        "ScheduledNotification"
    );
    assert_eq!(
        periodic["SourceDetails"][0]["MaximumExecutionFrequency"],
        "Six_Hours"
    );
    let change = &doc["Resources"]["ChangeConfigRule"]["Properties"]["Source"]["SourceDetails"];
    let kinds: Vec<String> = change
        .as_sequence()
        .unwrap()
        .iter()
        .map(|d| text(&d["MessageType"]))
        .collect();
    assert_eq!(
        kinds,
        [
            "ConfigurationItemChangeNotification",
            "OversizedConfigurationItemChangeNotification"
        ]
    );
    let permission = &doc["Resources"]["ConfigRulesPermission"]["Properties"];
    assert_eq!(permission["Principal"], "config.amazonaws.com");
    assert_eq!(text(&permission["SourceAccount"]), "!Ref AWS::AccountId");
    let policy =
        &doc["Resources"]["ConfigEvaluationsPolicy"]["Properties"]["PolicyDocument"]["Statement"];
    assert_eq!(text(&policy[0]["Action"]), "config:PutEvaluations");
    let attached = text(&doc["Resources"]["ScannerRole"]["Properties"]["ManagedPolicyArns"]);
    assert!(
        attached.contains("!If HasConfigRules,!Ref ConfigEvaluationsPolicy"),
        "{attached}"
    );
}

#[test]
fn the_optional_config_recorder_records_everything_with_the_service_linked_role() {
    let doc = template();
    assert_eq!(doc["Parameters"]["ConfigRecorder"]["Default"], "false");
    for name in [
        "ConfigBucketKey",
        "ConfigBucketKeyAlias",
        "ConfigBucket",
        "ConfigBucketPolicy",
        "ConfigurationRecorder",
        "ConfigDeliveryChannel",
        "ConfigAggregator",
    ] {
        assert_eq!(
            doc["Resources"][name]["Condition"], "RecordsConfig",
            "{name}"
        );
    }
    let recorder = &doc["Resources"]["ConfigurationRecorder"]["Properties"];
    assert_eq!(recorder["RecordingGroup"]["AllSupported"], true);
    assert_eq!(
        recorder["RecordingGroup"]["IncludeGlobalResourceTypes"],
        true
    );
    let role = text(&recorder["RoleARN"]);
    assert!(
        role.ends_with("role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"),
        "{role}"
    );
    let channel = &doc["Resources"]["ConfigDeliveryChannel"]["Properties"];
    assert_eq!(text(&channel["S3BucketName"]), "!Ref ConfigBucket");
    assert_eq!(text(&channel["S3KmsKeyArn"]), "!GetAtt ConfigBucketKey.Arn");
    // Config alone writes to the bucket, from this account, over TLS.
    let statements = doc["Resources"]["ConfigBucketPolicy"]["Properties"]["PolicyDocument"]
        ["Statement"]
        .as_sequence()
        .unwrap();
    let put = statements
        .iter()
        .find(|s| s["Sid"] == "ConfigDelivers")
        .unwrap();
    assert_eq!(put["Principal"]["Service"], "config.amazonaws.com");
    assert_eq!(
        text(&put["Condition"]["StringEquals"]["aws:SourceAccount"]),
        "!Ref AWS::AccountId"
    );
    let key = &doc["Resources"]["ConfigBucketKey"]["Properties"]["KeyPolicy"]["Statement"];
    let config_use = key
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s["Principal"]["Service"] == "config.amazonaws.com")
        .unwrap();
    assert_eq!(
        text(&config_use["Condition"]["StringEquals"]["aws:SourceAccount"]),
        "!Ref AWS::AccountId"
    );
    let sources =
        &doc["Resources"]["ConfigAggregator"]["Properties"]["AccountAggregationSources"][0];
    assert_eq!(text(&sources["AccountIds"]), "!Ref AWS::AccountId");
    assert_eq!(sources["AllAwsRegions"], true);
}

#[test]
fn the_webhook_secret_is_readable_only_when_set_and_only_that_secret() {
    let doc = template();
    assert_eq!(doc["Parameters"]["WebhookSecretArn"]["Default"], "");
    assert_eq!(
        text(&doc["Conditions"]["HasWebhook"]),
        "!Not !Equals !Ref WebhookSecretArn,"
    );
    let policy = &doc["Resources"]["WebhookSecretPolicy"];
    assert_eq!(policy["Condition"], "HasWebhook");
    let statement = &policy["Properties"]["PolicyDocument"]["Statement"][0];
    assert_eq!(
        (text(&statement["Action"]), text(&statement["Resource"])),
        (
            "secretsmanager:GetSecretValue".to_string(),
            "!Ref WebhookSecretArn".to_string()
        )
    );
    let attached = text(&doc["Resources"]["ScannerRole"]["Properties"]["ManagedPolicyArns"]);
    assert!(
        attached.contains("!If HasWebhook,!Ref WebhookSecretPolicy"),
        "{attached}"
    );
    let env = &doc["Resources"]["ScannerFunction"]["Properties"]["Environment"]["Variables"];
    for (var, parameter) in [
        ("COMPLIANCE_WEBHOOK_SECRET_ARN", "WebhookSecretArn"),
        ("COMPLIANCE_WEBHOOK_FORMAT", "WebhookFormat"),
        ("COMPLIANCE_WEBHOOK_MIN_SEVERITY", "WebhookMinSeverity"),
    ] {
        assert_eq!(text(&env[var]), format!("!Ref {parameter}"));
    }
}

#[test]
fn security_hub_export_is_opt_in_with_exactly_its_two_calls() {
    let doc = template();
    let parameter = &doc["Parameters"]["SecurityHubExport"];
    assert_eq!(parameter["Default"], "false");
    let policy = &doc["Resources"]["SecurityHubExportPolicy"];
    assert_eq!(policy["Condition"], "ExportsToSecurityHub");
    assert_eq!(
        text(&doc["Conditions"]["ExportsToSecurityHub"]),
        "!Equals !Ref SecurityHubExport,true"
    );
    let statements = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_sequence()
        .unwrap();
    let granted: Vec<(String, String)> = statements
        .iter()
        .map(|s| (text(&s["Action"]), text(&s["Resource"])))
        .collect();
    assert_eq!(
        granted,
        [
            (
                "securityhub:BatchImportFindings".to_string(),
                "!Sub arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:product/${AWS::AccountId}/default".to_string()
            ),
            (
                "securityhub:GetFindings".to_string(),
                "!Sub arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:hub/default".to_string()
            ),
        ]
    );
    let attached = text(&doc["Resources"]["ScannerRole"]["Properties"]["ManagedPolicyArns"]);
    assert!(
        attached.contains("!If ExportsToSecurityHub,!Ref SecurityHubExportPolicy"),
        "{attached}"
    );
    let env = &doc["Resources"]["ScannerFunction"]["Properties"]["Environment"]["Variables"];
    assert_eq!(
        text(&env["COMPLIANCE_SECURITY_HUB_EXPORT"]),
        "!Ref SecurityHubExport"
    );
}

#[test]
fn the_network_is_private_with_flow_logs_and_a_way_out_per_network_mode() {
    let doc = template();
    let mode = &doc["Parameters"]["NetworkMode"];
    assert_eq!(mode["Default"], "endpoints");
    assert_eq!(text(&mode["AllowedValues"]), "endpoints,nat,none");
    // Whatever leads to the internet exists in nat mode only.
    for ty in [
        "AWS::EC2::InternetGateway",
        "AWS::EC2::VPCGatewayAttachment",
        "AWS::EC2::NatGateway",
        "AWS::EC2::EIP",
        "AWS::EC2::Route",
    ] {
        let found = of_type(&doc, ty);
        assert!(!found.is_empty(), "{ty}");
        for (name, r) in found {
            assert_eq!(r["Condition"], "UsesNat", "{name}");
        }
    }
    let subnets = of_type(&doc, "AWS::EC2::Subnet");
    assert_eq!(subnets.len(), 3);
    for (name, subnet) in &subnets {
        assert_eq!(subnet["Properties"]["MapPublicIpOnLaunch"], false, "{name}");
        let always = subnet["Condition"].is_null();
        assert_eq!(always, name.starts_with("Private"), "{name}");
    }
    // Interface endpoints in endpoints mode only (IAM's in us-east-1 alone); the S3
    // gateway endpoint, free, in every mode.
    for (name, endpoint) in of_type(&doc, "AWS::EC2::VPCEndpoint") {
        let condition = endpoint["Condition"].as_str();
        match endpoint["Properties"]["VpcEndpointType"].as_str() {
            Some("Gateway") => assert_eq!(condition, None, "{name}"),
            _ if name == "IamEndpoint" => assert_eq!(condition, Some("HasIamEndpoint")),
            _ => assert_eq!(condition, Some("UsesEndpoints"), "{name}"),
        }
    }
    assert_eq!(
        text(&doc["Conditions"]["HasIamEndpoint"]),
        "!And !Condition UsesEndpoints,!Equals !Ref AWS::Region,us-east-1"
    );
    // In none mode the function leaves the VPC.
    let vpc_config = text(&doc["Resources"]["ScannerFunction"]["Properties"]["VpcConfig"]);
    assert!(
        vpc_config.starts_with("!If InVpc,") && vpc_config.ends_with("!Ref AWS::NoValue"),
        "{vpc_config}"
    );
    let flow = &doc["Resources"]["VpcFlowLog"]["Properties"];
    assert_eq!(flow["TrafficType"], "ALL");
    assert_eq!(text(&flow["LogGroupName"]), "!Ref FlowLogGroup");
    assert_eq!(
        text(&doc["Resources"]["FlowLogGroup"]["Properties"]["LogGroupName"]),
        "!Sub audit-flowlogs-${AWS::Region}-${FlowLogDate}-${EnvironmentSuffix}"
    );
    // Which services have an endpoint is checked against the service registry by the
    // unit test `registry_check::the_vpc_has_an_endpoint_for_exactly_the_services_the_scanner_calls`.
}

#[test]
fn every_taggable_resource_carries_the_four_tags() {
    // KMS keys take the same tags from the stack (deploy always sets them): moto's
    // CloudFormation cannot create a KMS key with Tags (moto 5.2.5, KeyError 'TagKey').
    const TAGGABLE: [&str; 11] = [
        "AWS::S3::Bucket",
        "AWS::SNS::Topic",
        "AWS::EC2::VPC",
        "AWS::EC2::Subnet",
        "AWS::EC2::RouteTable",
        "AWS::EC2::SecurityGroup",
        "AWS::EC2::FlowLog",
        "AWS::Logs::LogGroup",
        "AWS::IAM::Role",
        "AWS::Lambda::Function",
        "AWS::CloudWatch::Alarm",
    ];
    let doc = template();
    for (name, r) in resources(&doc) {
        if !TAGGABLE.contains(&r["Type"].as_str().unwrap()) {
            continue;
        }
        let keys: Vec<String> = r["Properties"]["Tags"]
            .as_sequence()
            .unwrap_or_else(|| panic!("{name} has no Tags"))
            .iter()
            .map(|t| text(&t["Key"]))
            .collect();
        for key in ["Environment", "Owner", "CostCenter", "ComplianceLevel"] {
            assert!(keys.iter().any(|k| k == key), "{name} lacks {key}");
        }
    }
}

#[test]
fn nothing_is_retained_and_names_carry_the_suffix() {
    let doc = template();
    const NAMES: [&str; 12] = [
        "TableName",
        "BucketName",
        "TopicName",
        "FunctionName",
        "RoleName",
        "ManagedPolicyName",
        "GroupName",
        "Name",
        "AlarmName",
        "DashboardName",
        "AliasName",
        "LogGroupName",
    ];
    for (name, r) in resources(&doc) {
        for policy in ["DeletionPolicy", "UpdateReplacePolicy"] {
            assert_ne!(r[policy], "Retain", "{name} {policy}");
        }
        for field in NAMES {
            let t = text(&r["Properties"][field]);
            // A reference names another resource, checked where that one is defined.
            if t == "Null" || t.starts_with("!Ref ") || t.starts_with("!GetAtt ") {
                continue;
            }
            let by_convention = t.contains("audit-flowlogs-");
            assert!(
                t.contains("${EnvironmentSuffix}") || by_convention,
                "{name}.{field} = {t}"
            );
        }
    }
    for output in [
        "ReportBucketName",
        "CriticalTopicArn",
        "WarningTopicArn",
        "FunctionName",
        "FunctionArn",
        "DashboardName",
        "VpcId",
        "FindingsTableName",
    ] {
        assert!(!doc["Outputs"][output].is_null(), "output {output}");
    }
}

#[test]
fn the_organisation_run_is_opt_in_logged_encrypted_traced_and_reaches_only_the_member_role() {
    let doc = template();
    let r = &doc["Resources"];
    assert_eq!(doc["Parameters"]["OrganizationScan"]["Default"], "false");
    for name in [
        "OrganizationStateMachine",
        "OrganizationRunRole",
        "OrganizationRunPolicy",
        "OrganizationLogGroup",
        "OrganizationAccessPolicy",
        "ScheduleRole",
        "SchedulePolicy",
    ] {
        assert_eq!(text(&r[name]["Condition"]), "ScansOrganization", "{name}");
    }
    let machine = &r["OrganizationStateMachine"]["Properties"];
    assert_eq!(machine["TracingConfiguration"]["Enabled"], true);
    let logging = &machine["LoggingConfiguration"];
    assert_eq!(
        text(&logging["Destinations"][0]["CloudWatchLogsLogGroup"]["LogGroupArn"]),
        "!GetAtt OrganizationLogGroup.Arn"
    );
    assert_eq!(
        text(&r["OrganizationLogGroup"]["Properties"]["KmsKeyId"]),
        "!GetAtt AlertsKey.Arn"
    );
    assert_eq!(text(&machine["RoleArn"]), "!GetAtt OrganizationRunRole.Arn");

    // The scanner may assume the member role by its name in any account, nothing else.
    let access = &r["OrganizationAccessPolicy"]["Properties"]["PolicyDocument"]["Statement"];
    let assume = access
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s["Action"] == "sts:AssumeRole")
        .unwrap();
    assert_eq!(
        text(&assume["Resource"]),
        "!Sub arn:${AWS::Partition}:iam::*:role/${MemberRoleName}"
    );
    let attached = text(&r["ScannerRole"]["Properties"]["ManagedPolicyArns"]);
    assert!(
        attached.contains("!If ScansOrganization,!Ref OrganizationAccessPolicy,!Ref AWS::NoValue"),
        "{attached}"
    );
    // The schedule starts the machine when the stack scans the organisation.
    let target = text(&r["ScheduledScan"]["Properties"]["Targets"]);
    assert!(target.starts_with("!If ScansOrganization"), "{target}");
    assert_eq!(
        text(&r["ScheduledScanPermission"]["Condition"]),
        "ScansOneAccount"
    );
}
