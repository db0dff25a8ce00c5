//! S3: one ListBuckets for the account, then per bucket only the calls the enabled
//! rules need, each against the bucket's own region.

use std::collections::HashMap;
use std::sync::Mutex;

use aws_sdk_s3::types::Permission as AclPermission;
use aws_sdk_s3::Client;

use super::{Attributes, Collected, Collector, Scope, Wanted};
use crate::aws::errors::{or_absent, CallError};
use crate::model::s3::{
    Acl, Bucket, BucketPolicy, Encryption, Lifecycle, Logging, Ownership, PublicAccessBlock,
    Versioning,
};
use crate::model::{Elsewhere, Properties, ResourceKind};

const KIND: ResourceKind = ResourceKind::S3Bucket;
const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

pub(crate) const COLLECTOR: Collector = Collector {
    all: |scope, home| Box::pin(collect(scope, home)),
    one: |scope, wanted| Box::pin(one(scope, wanted)),
};

/// Clients per region.
struct Clients<'a> {
    scope: &'a Scope<'a>,
    s3: Mutex<HashMap<String, Client>>,
}

impl Clients<'_> {
    fn s3(&self, region: &str) -> Client {
        let mut map = self.s3.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(region.to_string())
            .or_insert_with(|| self.scope.session.s3_in(region))
            .clone()
    }
}

impl<'a> Clients<'a> {
    fn new(scope: &'a Scope<'a>) -> Clients<'a> {
        Clients {
            scope,
            s3: Mutex::new(HashMap::new()),
        }
    }
}

/// Every bucket of the account (listed from `home`) whose region is scanned; the others
/// are named as `elsewhere`, so the scan can say what it left out.
async fn collect(scope: &Scope<'_>, home: &str) -> Collected {
    let clients = Clients::new(scope);
    let regions = scope.regions;
    let listed = clients
        .s3(home)
        .list_buckets()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let buckets = match listed {
        Ok(buckets) => buckets,
        Err(e) => return scope.listing_failed(KIND, home, "ListBuckets", e.into()),
    };
    let clients = &clients;
    scope
        .each(buckets, |b| async move {
            let name = b.name().unwrap_or_default().to_string();
            let region = match b.bucket_region() {
                Some(r) => Ok(r.to_string()),
                None => location(&clients.s3(home), &name).await,
            };
            match region {
                Ok(region) if regions.contains(&region) => bucket(clients, name, region).await,
                Ok(region) => Collected {
                    elsewhere: vec![Elsewhere {
                        account_id: None,
                        resource_type: KIND,
                        resource_id: name,
                        region,
                    }],
                    ..Collected::default()
                },
                Err(e) => {
                    // Without its region nothing else about the bucket can be read: it
                    // stays in the inventory (where it was listed) with every attribute
                    // a rule needs unknown, so each of its rules reports ERROR.
                    let mut attrs = Attributes::new(scope, KIND, &name, home);
                    attrs.fail_all("GetBucketLocation", e);
                    let bucket = Bucket {
                        name: name.clone(),
                        ..Bucket::default()
                    };
                    attrs.finish(
                        Some(format!("arn:aws:s3:::{name}")),
                        Properties::S3Bucket(bucket),
                    )
                }
            }
        })
        .await
}

/// One bucket again, in the region the finding names.
async fn one(scope: &Scope<'_>, wanted: &Wanted) -> Collected {
    let clients = Clients::new(scope);
    bucket(&clients, wanted.id.clone(), wanted.region.clone()).await
}

/// Why a fact about a bucket another service names could not be read.
pub(super) type Failed = (&'static str, CallError);

/// What rules on another service (a trail's) ask of a bucket it names: its server
/// access logging, and whether its policy or ACL lets everyone read or write it.
#[derive(Default)]
pub(super) struct NamedBucket {
    pub logging: Option<Result<Logging, Failed>>,
    pub public: Option<Result<bool, Failed>>,
}

/// Reads what is asked of bucket `name`, wherever it is. A bucket that no longer
/// exists logs nothing and grants nothing.
pub(super) async fn named_bucket(
    scope: &Scope<'_>,
    name: &str,
    want_logging: bool,
    want_public: bool,
) -> NamedBucket {
    let home = scope.regions.first().map_or("us-east-1", String::as_str);
    let gone = |e: &CallError| e.is(&["NoSuchBucket"]);
    let region = match location(&scope.session.s3_in(home), name).await {
        Ok(region) => region,
        Err(e) => {
            let failed = || ("GetBucketLocation", e.clone());
            let logging = (!gone(&e)).then(failed).map_or(Ok(Logging::default()), Err);
            let public = (!gone(&e)).then(failed).map_or(Ok(false), Err);
            return NamedBucket {
                logging: want_logging.then_some(logging),
                public: want_public.then_some(public),
            };
        }
    };
    let c = &scope.session.s3_in(&region);
    let mut out = NamedBucket::default();
    if want_logging {
        out.logging = Some(match logging(c, name).await {
            Err(e) if gone(&e) => Ok(Logging::default()),
            other => other.map_err(|e| ("GetBucketLogging", e)),
        });
    }
    if want_public {
        let public = async {
            let policy = bucket_policy(c, name)
                .await
                .map_err(|e| ("GetBucketPolicy", e))?;
            let acl = acl(c, name).await.map_err(|e| ("GetBucketAcl", e))?;
            Ok(policy.public_read || policy.public_write || acl.public_read || acl.public_write)
        };
        out.public = Some(match public.await {
            Err((_, e)) if gone(&e) => Ok(false),
            other => other,
        });
    }
    out
}

async fn location(client: &Client, name: &str) -> Result<String, CallError> {
    let out = client.get_bucket_location().bucket(name).send().await?;
    Ok(match out.location_constraint().map(|c| c.as_str()) {
        None | Some("") => "us-east-1".to_string(),
        Some("EU") => "eu-west-1".to_string(),
        Some(other) => other.to_string(),
    })
}

async fn bucket(clients: &Clients<'_>, name: String, region: String) -> Collected {
    let client = clients.s3(&region);
    let (c, n) = (&client, name.as_str());
    let mut attrs = Attributes::new(clients.scope, KIND, n, &region);
    let mut b = Bucket {
        name: name.clone(),
        ..Bucket::default()
    };
    b.encryption = attrs
        .get(&["encryption"], || encryption(clients, c, n, &region))
        .await;
    b.versioning = attrs.get(&["versioning"], || versioning(c, n)).await;
    b.public_access_block = attrs
        .get(&["public_access_block"], || public_access_block(c, n))
        .await;
    b.policy = attrs.get(&["policy"], || bucket_policy(c, n)).await;
    b.acl = attrs.get(&["acl"], || acl(c, n)).await;
    b.ownership = attrs.get(&["ownership"], || ownership(c, n)).await;
    b.logging = attrs.get(&["logging"], || logging(c, n)).await;
    b.lifecycle = attrs.get(&["lifecycle"], || lifecycle(c, n)).await;
    b.tags = attrs.get(&["tags"], || tags(c, n)).await;
    attrs.finish(
        Some(format!("arn:aws:s3:::{name}")),
        Properties::S3Bucket(b),
    )
}

async fn encryption(
    clients: &Clients<'_>,
    c: &Client,
    name: &str,
    region: &str,
) -> Result<Encryption, CallError> {
    let out = c
        .get_bucket_encryption()
        .bucket(name)
        .send()
        .await
        .map_err(CallError::from);
    let Some(out) = or_absent(
        out.map(Some),
        &["ServerSideEncryptionConfigurationNotFoundError"],
        || None,
    )?
    else {
        return Ok(Encryption::default());
    };
    let rule = out
        .server_side_encryption_configuration()
        .and_then(|c| c.rules().first());
    let default = rule.and_then(|r| r.apply_server_side_encryption_by_default());
    let mut enc = Encryption {
        enabled: default.is_some(),
        algorithm: default.map(|d| d.sse_algorithm().as_str().to_string()),
        kms_key_id: default
            .and_then(|d| d.kms_master_key_id())
            .map(str::to_string),
        kms_key_manager: None,
        bucket_key_enabled: rule.and_then(|r| r.bucket_key_enabled()).unwrap_or(false),
    };
    if enc
        .algorithm
        .as_deref()
        .is_some_and(|a| a.starts_with("aws:kms"))
    {
        enc.kms_key_manager = Some(
            clients
                .scope
                .key_manager(enc.kms_key_id.as_deref(), region)
                .await?,
        );
    }
    Ok(enc)
}

async fn versioning(c: &Client, name: &str) -> Result<Versioning, CallError> {
    let (status, mfa_delete) = match c.get_bucket_versioning().bucket(name).send().await {
        Ok(out) => (
            out.status().map(|s| s.as_str().to_string()),
            out.mfa_delete().map(|m| m.as_str().to_string()),
        ),
        Err(e) => {
            // Some S3-compatible endpoints (moto among them) name the XML root after the
            // operation, which the SDK refuses; the elements inside are the same.
            let body = e
                .raw_response()
                .and_then(|r| r.body().bytes())
                .map(String::from_utf8_lossy);
            match body.filter(|b| b.contains("<GetBucketVersioningResponse")) {
                Some(b) => (xml_text(&b, "Status"), xml_text(&b, "MfaDelete")),
                None => return Err(e.into()),
            }
        }
    };
    Ok(Versioning {
        status: status.unwrap_or_else(|| "Disabled".to_string()),
        mfa_delete: mfa_delete.as_deref() == Some("Enabled"),
    })
}

/// The text of the first `<tag>` element in a small XML document.
fn xml_text(xml: &str, tag: &str) -> Option<String> {
    let start = xml.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = start + xml[start..].find(&format!("</{tag}>"))?;
    Some(xml[start..end].trim().to_string())
}

async fn public_access_block(c: &Client, name: &str) -> Result<PublicAccessBlock, CallError> {
    let out = c
        .get_public_access_block()
        .bucket(name)
        .send()
        .await
        .map_err(CallError::from);
    let block = out.map(|out| {
        let conf = out.public_access_block_configuration();
        PublicAccessBlock {
            block_public_acls: conf.and_then(|c| c.block_public_acls()).unwrap_or(false),
            ignore_public_acls: conf.and_then(|c| c.ignore_public_acls()).unwrap_or(false),
            block_public_policy: conf.and_then(|c| c.block_public_policy()).unwrap_or(false),
            restrict_public_buckets: conf
                .and_then(|c| c.restrict_public_buckets())
                .unwrap_or(false),
        }
    });
    or_absent(
        block,
        &["NoSuchPublicAccessBlockConfiguration"],
        PublicAccessBlock::default,
    )
}

async fn bucket_policy(c: &Client, name: &str) -> Result<BucketPolicy, CallError> {
    let out = c
        .get_bucket_policy()
        .bucket(name)
        .send()
        .await
        .map_err(CallError::from);
    let document = or_absent(
        out.map(|o| o.policy().map(str::to_string)),
        &["NoSuchBucketPolicy"],
        || None,
    )?;
    let Some(facts) = super::policy_facts(document.as_deref())? else {
        return Ok(BucketPolicy::default());
    };
    Ok(BucketPolicy::from_facts(&facts))
}

async fn acl(c: &Client, name: &str) -> Result<Acl, CallError> {
    let out = c.get_bucket_acl().bucket(name).send().await?;
    let mut acl = Acl::default();
    for grant in out.grants() {
        let uri = grant.grantee().and_then(|g| g.uri()).unwrap_or_default();
        if uri != ALL_USERS && uri != AUTHENTICATED_USERS {
            continue;
        }
        match grant.permission() {
            Some(AclPermission::Read) => acl.public_read = true,
            Some(AclPermission::Write | AclPermission::WriteAcp) => acl.public_write = true,
            Some(AclPermission::FullControl) => {
                acl.public_read = true;
                acl.public_write = true;
            }
            _ => {}
        }
    }
    Ok(acl)
}

async fn ownership(c: &Client, name: &str) -> Result<Ownership, CallError> {
    let out = c
        .get_bucket_ownership_controls()
        .bucket(name)
        .send()
        .await
        .map_err(CallError::from);
    let ownership = out.map(|out| Ownership {
        object_ownership: out
            .ownership_controls()
            .and_then(|o| o.rules().first())
            .map(|r| r.object_ownership().as_str().to_string()),
    });
    or_absent(
        ownership,
        &["OwnershipControlsNotFoundError"],
        Ownership::default,
    )
}

async fn logging(c: &Client, name: &str) -> Result<Logging, CallError> {
    let out = c.get_bucket_logging().bucket(name).send().await?;
    let target = out.logging_enabled().map(|l| l.target_bucket().to_string());
    Ok(Logging {
        enabled: target.is_some(),
        target_bucket: target,
    })
}

async fn lifecycle(c: &Client, name: &str) -> Result<Lifecycle, CallError> {
    let out = c
        .get_bucket_lifecycle_configuration()
        .bucket(name)
        .send()
        .await
        .map_err(CallError::from);
    let lifecycle = out.map(|out| Lifecycle {
        rule_count: out.rules().len() as i64,
        enabled_rule_count: out
            .rules()
            .iter()
            .filter(|r| r.status().as_str() == "Enabled")
            .count() as i64,
    });
    or_absent(
        lifecycle,
        &["NoSuchLifecycleConfiguration"],
        Lifecycle::default,
    )
}

async fn tags(c: &Client, name: &str) -> Result<crate::model::Tags, CallError> {
    let out = c
        .get_bucket_tagging()
        .bucket(name)
        .send()
        .await
        .map_err(CallError::from);
    let tags = out.map(|out| {
        super::tag_map(
            out.tag_set()
                .iter()
                .map(|t| (Some(t.key()), Some(t.value()))),
        )
    });
    or_absent(tags, &["NoSuchTagSet"], Default::default)
}
