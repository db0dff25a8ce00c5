//! Which live resource each of a stack's resources is: the physical id CloudFormation
//! gives (a bucket's name, a group's `sg-…`, a topic's ARN, a queue's URL) matched
//! against the collected resources of the kinds the template maps its type to (a
//! region's settings, which the collectors name for the region, are the one resource of
//! their kind there); then the live inventory narrowed to those resources, keeping the
//! errors that concern them.

use std::collections::{BTreeMap, BTreeSet};

use super::StackResource;
use crate::model::{Inventory, Resource, ResourceKind};

/// The kinds the template's mapping gave each logical id (its `aws.cloudformation.resource`
/// aside).
pub fn template_kinds(template: &Inventory) -> BTreeMap<&str, BTreeSet<ResourceKind>> {
    let mut out: BTreeMap<&str, BTreeSet<ResourceKind>> = BTreeMap::new();
    for r in &template.resources {
        let kind = r.properties.kind();
        if kind != ResourceKind::StackResource {
            out.entry(r.id.as_str()).or_default().insert(kind);
        }
    }
    out
}

/// Logical id → index into `live.resources` of the resource it is.
pub fn link(
    stack: &[StackResource],
    kinds: &BTreeMap<&str, BTreeSet<ResourceKind>>,
    live: &Inventory,
) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for s in stack {
        let (Some(physical), Some(wanted)) = (&s.physical_id, kinds.get(s.logical_id.as_str()))
        else {
            continue;
        };
        let of_kind = |r: &Resource| wanted.contains(&r.properties.kind());
        // A region's settings (its recorder, its detector) are one resource named for
        // the region, whatever the physical id.
        let found = live
            .resources
            .iter()
            .position(|r| of_kind(r) && is(r, physical))
            .or_else(|| {
                live.resources
                    .iter()
                    .position(|r| of_kind(r) && r.id == r.region)
            });
        if let Some(i) = found {
            out.insert(s.logical_id.clone(), i);
        }
    }
    out
}

/// Whether `physical` names `r`: its id, its ARN, or the last part of either (a role's
/// name in its ARN, a queue's name in its URL).
fn is(r: &Resource, physical: &str) -> bool {
    let last = |s: &str| s.rsplit(['/', ':']).next().unwrap_or(s).to_string();
    let theirs = [Some(r.id.as_str()), r.arn.as_deref()];
    let ours = [physical.to_string(), last(physical)];
    theirs
        .into_iter()
        .flatten()
        .any(|t| ours.iter().any(|o| *o == t || *o == last(t)))
}

/// `live` narrowed to the resources at `keep`, with the errors that concern them: their
/// own, and the listings and regional reads of their kinds that failed.
pub fn narrow(live: Inventory, keep: &BTreeSet<usize>) -> Inventory {
    let kept: Vec<Resource> = live
        .resources
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep.contains(i))
        .map(|(_, r)| r)
        .collect();
    let ids: BTreeSet<(ResourceKind, &str)> = kept
        .iter()
        .map(|r| (r.properties.kind(), r.id.as_str()))
        .collect();
    let errors = live
        .errors
        .into_iter()
        .filter(|e| match &e.resource_id {
            Some(id) => ids.contains(&(e.resource_type, id.as_str())),
            None => true,
        })
        .collect();
    drop(ids);
    Inventory {
        resources: kept,
        errors,
        ..live
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::s3::Bucket;
    use crate::model::sqs::Queue;
    use crate::model::{CollectionError, Properties, INVENTORY_SCHEMA_VERSION};

    fn resource(id: &str, arn: Option<&str>, properties: Properties) -> Resource {
        Resource {
            id: id.into(),
            arn: arn.map(str::to_string),
            region: "us-east-1".into(),
            location: None,
            properties,
        }
    }

    fn inventory(resources: Vec<Resource>, errors: Vec<CollectionError>) -> Inventory {
        Inventory {
            schema_version: INVENTORY_SCHEMA_VERSION,
            account_id: "123456789012".into(),
            regions: vec!["us-east-1".into()],
            collected_at: chrono::Utc::now(),
            incomplete: false,
            resources,
            errors,
            elsewhere: Vec::new(),
        }
    }

    fn recorder() -> Properties {
        Properties::ConfigRegionSettings(crate::model::config::RegionSettings::default())
    }

    fn stack(logical: &str, physical: &str, kind: &str) -> StackResource {
        StackResource {
            logical_id: logical.into(),
            physical_id: Some(physical.into()),
            resource_type: kind.into(),
            status: "CREATE_COMPLETE".into(),
        }
    }

    fn error(kind: ResourceKind, id: Option<&str>) -> CollectionError {
        CollectionError {
            service: kind.service(),
            resource_type: kind,
            account_id: None,
            region: "us-east-1".into(),
            resource_id: id.map(str::to_string),
            attributes: vec!["policy".into()],
            operation: "GetBucketPolicy".into(),
            code: "AccessDenied".into(),
            message: "no".into(),
        }
    }

    #[test]
    fn physical_ids_find_their_resources_by_id_arn_or_url() {
        let bucket = |name: &str| {
            Properties::S3Bucket(Bucket {
                name: name.into(),
                ..Bucket::default()
            })
        };
        let live = inventory(
            vec![
                resource("other", None, bucket("other")),
                resource("logs-ci", Some("arn:aws:s3:::logs-ci"), bucket("logs-ci")),
                resource(
                    "arn:aws:sqs:us-east-1:123456789012:jobs",
                    Some("arn:aws:sqs:us-east-1:123456789012:jobs"),
                    Properties::SqsQueue(Queue::default()),
                ),
                resource("us-east-1", None, recorder()),
            ],
            vec![],
        );
        let template = inventory(
            vec![
                resource("Logs", None, bucket("Logs")),
                resource("Jobs", None, Properties::SqsQueue(Queue::default())),
                // A queue's logical id that happens to name a bucket is not that bucket.
                resource("Other", None, Properties::SqsQueue(Queue::default())),
                resource("Recorder", None, recorder()),
            ],
            vec![],
        );
        let kinds = template_kinds(&template);
        let links = link(
            &[
                stack("Logs", "logs-ci", "AWS::S3::Bucket"),
                stack(
                    "Jobs",
                    "https://sqs.us-east-1.amazonaws.com/123456789012/jobs",
                    "AWS::SQS::Queue",
                ),
                stack("Other", "other", "AWS::SQS::Queue"),
                stack("Gone", "gone", "AWS::S3::Bucket"),
                stack("Recorder", "default", "AWS::Config::ConfigurationRecorder"),
            ],
            &kinds,
            &live,
        );
        assert_eq!(
            links,
            BTreeMap::from([
                ("Jobs".to_string(), 2),
                ("Logs".to_string(), 1),
                ("Recorder".to_string(), 3)
            ])
        );
    }

    #[test]
    fn the_narrowed_inventory_keeps_its_own_errors_and_the_listings() {
        let live = inventory(
            vec![
                resource("a", None, Properties::S3Bucket(Bucket::default())),
                resource("b", None, Properties::S3Bucket(Bucket::default())),
            ],
            vec![
                error(ResourceKind::S3Bucket, Some("a")),
                error(ResourceKind::S3Bucket, Some("b")),
                error(ResourceKind::S3Bucket, None),
            ],
        );
        let narrowed = narrow(live, &BTreeSet::from([0]));
        assert_eq!(narrowed.resources.len(), 1);
        assert_eq!(narrowed.resources[0].id, "a");
        let ids: Vec<Option<&str>> = narrowed
            .errors
            .iter()
            .map(|e| e.resource_id.as_deref())
            .collect();
        assert_eq!(ids, [Some("a"), None]);
    }
}
