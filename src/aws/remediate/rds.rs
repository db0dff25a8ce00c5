//! RDS fixes that only turn protection on: deletion protection and copying tags to
//! snapshots, on DB instances and DB clusters. Both take effect at once, without a
//! restart or a maintenance window.

use super::{failed, Fix};
use crate::aws::session::Session;
use crate::model::{Properties, ResourceKind};
use crate::remediate::{Decision, FixTarget};

/// The re-read and the write of each kind.
fn permissions(kind: ResourceKind) -> &'static [&'static str] {
    match kind {
        ResourceKind::DbInstance => &["rds:DescribeDBInstances", "rds:ModifyDBInstance"],
        ResourceKind::DbCluster => &["rds:DescribeDBClusters", "rds:ModifyDBCluster"],
        _ => &[],
    }
}

/// What each fix turns on.
#[derive(Clone, Copy, PartialEq)]
enum Setting {
    DeletionProtection,
    CopyTagsToSnapshot,
}

impl Setting {
    fn name(self) -> &'static str {
        match self {
            Setting::DeletionProtection => "DeletionProtection",
            Setting::CopyTagsToSnapshot => "CopyTagsToSnapshot",
        }
    }

    fn decide(self, before: &Properties) -> Decision {
        let (call, now) = match (self, before) {
            (Setting::DeletionProtection, Properties::DbInstance(i)) => {
                ("ModifyDBInstance", i.deletion_protection)
            }
            (Setting::CopyTagsToSnapshot, Properties::DbInstance(i)) => {
                ("ModifyDBInstance", i.copy_tags_to_snapshot)
            }
            (Setting::DeletionProtection, Properties::DbCluster(c)) => {
                ("ModifyDBCluster", c.deletion_protection)
            }
            (Setting::CopyTagsToSnapshot, Properties::DbCluster(c)) => {
                ("ModifyDBCluster", c.copy_tags_to_snapshot)
            }
            _ => return Decision::NeedsInput("not an RDS instance or cluster".into()),
        };
        Decision::Change(format!(
            "{call}: {} {now} → true, applied immediately (no restart)",
            self.name()
        ))
    }

    async fn apply(self, session: &Session, t: &FixTarget) -> Result<(), String> {
        let client = aws_sdk_rds::Client::new(&session.regional(&t.region));
        // Only this fix's setting is sent; the other is left as it is.
        let on = |s: Setting| (self == s).then_some(true);
        match t.resource_type {
            ResourceKind::DbCluster => client
                .modify_db_cluster()
                .db_cluster_identifier(&t.resource_id)
                .set_deletion_protection(on(Setting::DeletionProtection))
                .set_copy_tags_to_snapshot(on(Setting::CopyTagsToSnapshot))
                .apply_immediately(true)
                .send()
                .await
                .map(drop)
                .map_err(failed("ModifyDBCluster")),
            _ => client
                .modify_db_instance()
                .db_instance_identifier(&t.resource_id)
                .set_deletion_protection(on(Setting::DeletionProtection))
                .set_copy_tags_to_snapshot(on(Setting::CopyTagsToSnapshot))
                .apply_immediately(true)
                .send()
                .await
                .map(drop)
                .map_err(failed("ModifyDBInstance")),
        }
    }
}

pub const DELETION_PROTECTION: Fix = Fix {
    id: "rds-deletion-protection",
    permissions,
    decide: |before, _, _| Setting::DeletionProtection.decide(before),
    apply: |session, target, _, _| Box::pin(Setting::DeletionProtection.apply(session, target)),
};

pub const COPY_TAGS_TO_SNAPSHOT: Fix = Fix {
    id: "rds-copy-tags-to-snapshot",
    permissions,
    decide: |before, _, _| Setting::CopyTagsToSnapshot.decide(before),
    apply: |session, target, _, _| Box::pin(Setting::CopyTagsToSnapshot.apply(session, target)),
};
