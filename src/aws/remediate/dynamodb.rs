//! DynamoDB fixes that only turn protection on: point-in-time recovery (continuous
//! backups, billed by the table's size) and deletion protection. Both take effect at
//! once and leave the table's data and capacity as they are.

use super::{failed, Fix};
use crate::aws::session::Session;
use crate::model::Properties;
use crate::remediate::{Decision, FixTarget};

fn client(session: &Session, t: &FixTarget) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&session.regional(&t.region))
}

pub const POINT_IN_TIME_RECOVERY: Fix = Fix {
    id: "dynamodb-point-in-time-recovery",
    permissions: |_| {
        &[
            "dynamodb:DescribeTable",
            "dynamodb:DescribeContinuousBackups",
            "dynamodb:UpdateContinuousBackups",
        ]
    },
    decide: |before, _, _| match before {
        Properties::DynamodbTable(t) => Decision::Change(format!(
            "UpdateContinuousBackups: point-in-time recovery {} → ENABLED (35 days of \
             restorable history, billed by the table's size)",
            t.point_in_time_recovery.as_deref().unwrap_or("unknown")
        )),
        _ => Decision::NeedsInput("not a DynamoDB table".into()),
    },
    apply: |session, t, _, _| {
        Box::pin(async move {
            let on = aws_sdk_dynamodb::types::PointInTimeRecoverySpecification::builder()
                .point_in_time_recovery_enabled(true)
                .build()
                .map_err(|e| e.to_string())?;
            client(session, t)
                .update_continuous_backups()
                .table_name(&t.resource_id)
                .point_in_time_recovery_specification(on)
                .send()
                .await
                .map(drop)
                .map_err(failed("UpdateContinuousBackups"))
        })
    },
};

pub const DELETION_PROTECTION: Fix = Fix {
    id: "dynamodb-deletion-protection",
    permissions: |_| &["dynamodb:DescribeTable", "dynamodb:UpdateTable"],
    decide: |before, _, _| match before {
        Properties::DynamodbTable(t) => Decision::Change(format!(
            "UpdateTable: DeletionProtectionEnabled {} → true",
            t.deletion_protection
        )),
        _ => Decision::NeedsInput("not a DynamoDB table".into()),
    },
    apply: |session, t, _, _| {
        Box::pin(async move {
            client(session, t)
                .update_table()
                .table_name(&t.resource_id)
                .deletion_protection_enabled(true)
                .send()
                .await
                .map(drop)
                .map_err(failed("UpdateTable"))
        })
    },
};
