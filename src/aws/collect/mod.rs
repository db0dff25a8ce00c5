//! Collection: one pass over the account that fills the inventory with exactly the
//! attributes the enabled rules read. Services and regions run concurrently; calls per
//! resource share one concurrency limit. A call that fails is recorded against the
//! attributes it would have filled and the scan goes on.

pub(crate) mod accessanalyzer;
mod autoscaling;
pub(crate) mod cloudtrail;
pub(crate) mod cloudwatch;
pub(crate) mod config;
pub(crate) mod dynamodb;
pub(crate) mod ec2;
pub(crate) mod ecr;
pub(crate) mod efs;
pub(crate) mod elbv2;
pub(crate) mod guardduty;
pub(crate) mod iam;
mod keys;
pub(crate) mod kms;
pub(crate) mod lambda;
pub(crate) mod logs;
pub(crate) mod rds;
pub(crate) mod s3;
pub(crate) mod secretsmanager;
pub(crate) mod securityhub;
pub(crate) mod sns;
pub(crate) mod sqs;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use chrono::Utc;
use futures::future::{join_all, BoxFuture};
use futures::stream::{self, StreamExt};
use tokio::sync::{OnceCell, Semaphore};
use tokio::time::Instant;

use super::errors::CallError;
use super::session::Session;
use crate::model::policy::{self, PolicyFacts, ResourcePolicy};
use crate::model::registry::Listed;
use crate::model::{
    CollectionError, Elsewhere, Inventory, Properties, Resource, ResourceKind, Service,
    INVENTORY_SCHEMA_VERSION,
};
use crate::rules::Needs;

/// What a collector found: resources and the calls that failed.
#[derive(Debug, Default)]
pub struct Collected {
    pub resources: Vec<Resource>,
    pub errors: Vec<CollectionError>,
    /// Listed, but in a region the scan does not cover.
    pub elsewhere: Vec<Elsewhere>,
}

impl Collected {
    fn extend(&mut self, other: Collected) {
        self.resources.extend(other.resources);
        self.errors.extend(other.errors);
        self.elsewhere.extend(other.elsewhere);
    }
}

/// Shared by every collector of one scan.
pub struct Scope<'a> {
    pub session: &'a Session,
    pub needs: &'a Needs,
    /// The regions scanned: where a service listed once for the account keeps resources.
    pub regions: &'a [String],
    /// Bounds the per-resource calls in flight across the whole scan.
    pub limit: Arc<Semaphore>,
    /// `--concurrency`: how many resources one collector works on at once.
    pub concurrency: usize,
    /// The trails, read once for every collector that judges them.
    trails: OnceCell<cloudtrail::Listings>,
    /// The managers of the KMS keys resources name, asked once per key.
    key_managers: keys::KeyManagers,
}

impl Scope<'_> {
    /// A listing failed: every rule on `kind` in `region` will report ERROR.
    fn listing_failed(
        &self,
        kind: ResourceKind,
        region: &str,
        operation: &str,
        e: CallError,
    ) -> Collected {
        Collected {
            errors: vec![error(kind, region, None, &[], operation, e)],
            ..Collected::default()
        }
    }

    /// The items a listing of `kind` returned, each collected with `per_item`; or, when
    /// the listing (`operation`) failed, the error every rule on the kind reports.
    async fn each_listed<T, E, Fut>(
        &self,
        kind: ResourceKind,
        region: &str,
        operation: &str,
        listed: Result<Vec<T>, E>,
        per_item: impl Fn(T) -> Fut,
    ) -> Collected
    where
        E: Into<CallError>,
        Fut: Future<Output = Collected>,
    {
        match listed {
            Ok(items) => self.each(items, per_item).await,
            Err(e) => self.listing_failed(kind, region, operation, e.into()),
        }
    }

    /// Collects each listed item with `per_item`, within the scan's concurrency limit,
    /// and merges what they found.
    async fn each<T, Fut>(&self, items: Vec<T>, per_item: impl Fn(T) -> Fut) -> Collected
    where
        Fut: Future<Output = Collected>,
    {
        let mut out = Collected::default();
        for part in self.bounded(items, per_item).await {
            out.extend(part);
        }
        out
    }

    /// Runs `per_item` on each item, within the scan's concurrency limit.
    async fn bounded<T, R, Fut>(&self, items: Vec<T>, per_item: impl Fn(T) -> Fut) -> Vec<R>
    where
        Fut: Future<Output = R>,
    {
        stream::iter(items)
            .map(|item| {
                let work = per_item(item);
                async move {
                    let _permit = self.limit.acquire().await;
                    work.await
                }
            })
            .buffer_unordered(self.concurrency.max(1))
            .collect()
            .await
    }
}

impl Scope<'_> {
    /// A call that answers for up to `size` resources at once (`names`), made only when
    /// a rule reads one of `attrs`: each name's answer, or the error of the call that
    /// should have carried it. A name the answer leaves out is an error, never a default.
    async fn batched<V, Fut>(
        &self,
        kind: ResourceKind,
        attrs: &[&str],
        names: &[String],
        size: usize,
        call: impl Fn(Vec<String>) -> Fut,
    ) -> HashMap<String, Result<V, CallError>>
    where
        Fut: Future<Output = Result<HashMap<String, V>, CallError>>,
    {
        let mut out = HashMap::new();
        if !self.needs.any(kind, attrs) {
            return out;
        }
        let chunks: Vec<Vec<String>> = names.chunks(size).map(<[String]>::to_vec).collect();
        let answers = self
            .bounded(chunks, |chunk| {
                let answer = call(chunk.clone());
                async move { (chunk, answer.await) }
            })
            .await;
        for (chunk, answer) in answers {
            match answer {
                Ok(mut found) => {
                    for name in chunk {
                        let value = found.remove(&name).ok_or_else(|| CallError {
                            code: "MissingFromAnswer".to_string(),
                            message: format!("the answer did not include {name}"),
                        });
                        out.insert(name, value);
                    }
                }
                Err(e) => out.extend(chunk.into_iter().map(|name| (name, Err(e.clone())))),
            }
        }
        out
    }
}

/// A failed call: for one resource (`resource_id`), or for every resource of the kind
/// in the region; `attributes` empty when the listing itself failed.
fn error(
    kind: ResourceKind,
    region: &str,
    resource_id: Option<&str>,
    attributes: &[&str],
    operation: &str,
    e: CallError,
) -> CollectionError {
    CollectionError {
        account_id: None,
        region: region.to_string(),
        service: kind.service(),
        resource_type: kind,
        resource_id: resource_id.map(str::to_string),
        attributes: attributes.iter().map(|a| a.to_string()).collect(),
        operation: operation.to_string(),
        code: e.code,
        message: e.message,
    }
}

/// A resource as a collector found it.
fn resource(id: &str, arn: Option<&str>, region: &str, properties: Properties) -> Resource {
    Resource {
        id: id.to_string(),
        arn: arn.map(str::to_string),
        region: region.to_string(),
        location: None,
        properties,
    }
}

/// A region's one settings resource (services judged per region), named after the
/// region: `read`'s answer; or, when it failed, the default settings with `attrs` an
/// error naming the operation.
async fn region_settings<T: Default>(
    kind: ResourceKind,
    region: &str,
    attrs: &[&str],
    read: impl Future<Output = Result<T, (&'static str, CallError)>>,
    wrap: fn(T) -> Properties,
) -> Collected {
    let mut out = Collected::default();
    let settings = read.await.unwrap_or_else(|(operation, e)| {
        out.errors
            .push(error(kind, region, Some(region), attrs, operation, e));
        T::default()
    });
    out.resources
        .push(resource(region, None, region, wrap(settings)));
    out
}

/// Fills the on-demand attributes of one resource, recording each failed call.
pub(crate) struct Attributes<'a> {
    kind: ResourceKind,
    id: String,
    region: String,
    needs: &'a Needs,
    errors: Vec<CollectionError>,
}

impl<'a> Attributes<'a> {
    fn new(scope: &Scope<'a>, kind: ResourceKind, id: &str, region: &str) -> Attributes<'a> {
        Attributes {
            kind,
            id: id.to_string(),
            region: region.to_string(),
            needs: scope.needs,
            errors: Vec::new(),
        }
    }

    /// Runs `call` when a rule needs any of `attrs` (which one call fills); `None`
    /// when not needed or when the call failed (then recorded).
    async fn get<T, F, Fut>(&mut self, attrs: &[&str], call: F) -> Option<T>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, CallError>>,
    {
        if !self.needs.any(self.kind, attrs) {
            return None;
        }
        match call().await {
            Ok(value) => Some(value),
            Err(e) => {
                let operation = self
                    .kind
                    .schema()
                    .iter()
                    .find(|f| f.name == attrs[0])
                    .and_then(|f| f.call)
                    .unwrap_or("unknown");
                self.fail(attrs, operation, e);
                None
            }
        }
    }

    /// Records that `attrs` could not be read.
    fn fail(&mut self, attrs: &[&str], operation: &str, e: CallError) {
        self.errors.push(error(
            self.kind,
            &self.region,
            Some(&self.id),
            attrs,
            operation,
            e,
        ));
    }

    /// Records that nothing the rules need could be read (the resource's own
    /// description failed).
    fn fail_all(&mut self, operation: &str, e: CallError) {
        let needed: Vec<&str> = self
            .needs
            .0
            .get(&self.kind)
            .map(|s| s.iter().map(String::as_str).collect())
            .unwrap_or_default();
        self.fail(&needed, operation, e);
    }

    fn finish(self, arn: Option<String>, properties: Properties) -> Collected {
        Collected {
            resources: vec![Resource {
                id: self.id,
                arn,
                region: self.region,
                location: None,
                properties,
            }],
            errors: self.errors,
            elsewhere: Vec::new(),
        }
    }
}

/// How a service's collector is called: everything of the service in one region (for
/// a service listed once for the account, the home region, with `Scope::regions` to
/// keep), or one resource again (the re-read a fix decides and verifies on).
pub(crate) struct Collector {
    pub all: for<'a> fn(&'a Scope<'a>, &'a str) -> BoxFuture<'a, Collected>,
    pub one: for<'a> fn(&'a Scope<'a>, &'a Wanted) -> BoxFuture<'a, Collected>,
}

/// Each service's collector: the one line a new service adds here (the compiler asks).
/// A template-only service has none.
fn collector(service: Service) -> Option<Collector> {
    Some(match service {
        Service::S3 => s3::COLLECTOR,
        Service::Ec2 => ec2::COLLECTOR,
        Service::Lambda => lambda::COLLECTOR,
        Service::Kms => kms::COLLECTOR,
        Service::Sns => sns::COLLECTOR,
        Service::Logs => logs::COLLECTOR,
        Service::Iam => iam::COLLECTOR,
        Service::Cloudtrail => cloudtrail::COLLECTOR,
        Service::Cloudwatch => cloudwatch::COLLECTOR,
        Service::Config => config::COLLECTOR,
        Service::Guardduty => guardduty::COLLECTOR,
        Service::Securityhub => securityhub::COLLECTOR,
        Service::Accessanalyzer => accessanalyzer::COLLECTOR,
        Service::Rds => rds::COLLECTOR,
        Service::Efs => efs::COLLECTOR,
        Service::Sqs => sqs::COLLECTOR,
        Service::Secretsmanager => secretsmanager::COLLECTOR,
        Service::Dynamodb => dynamodb::COLLECTOR,
        Service::Ecr => ecr::COLLECTOR,
        Service::Elbv2 => elbv2::COLLECTOR,
        Service::Cloudformation => return None,
    })
}

/// One resource to read again, as a finding names it.
#[derive(Debug, Clone)]
pub struct Wanted {
    pub kind: ResourceKind,
    pub id: String,
    pub arn: Option<String>,
    pub region: String,
}

/// The (service, region) units of work `needs` calls for in `regions`.
fn units<'r>(needs: &Needs, regions: &'r [String]) -> Vec<(Service, &'r str)> {
    let home = regions.first().map_or("us-east-1", String::as_str);
    let mut out = Vec::new();
    for service in Service::ALL {
        if !service.spec().kinds.iter().any(|k| needs.kind(*k)) {
            continue;
        }
        match service.spec().listed {
            Listed::Account => out.push((*service, home)),
            Listed::Region => out.extend(regions.iter().map(|r| (*service, r.as_str()))),
            Listed::Template => {}
        }
    }
    out
}

/// Collects everything `needs` asks for in `regions` — or, with `share`, only the tasks
/// run in that one region (an organisation run's item: the account's global services
/// belong to the first region's share, read for all of `regions`). `tick` is called as
/// each service finishes in a region (for a progress bar), with a short label.
/// A `deadline` (the Lambda's) stops what has not finished by then: those services and
/// regions get an error each, what was collected is kept, and the inventory is marked
/// incomplete.
pub async fn collect(
    session: &Session,
    regions: &[String],
    share: Option<&str>,
    needs: &Needs,
    concurrency: usize,
    deadline: Option<Instant>,
    tick: &(dyn Fn(&str) + Sync),
) -> Inventory {
    let collected_at = Utc::now();
    let scope = Scope {
        session,
        needs,
        regions,
        limit: Arc::new(Semaphore::new(concurrency.max(1))),
        concurrency,
        trails: OnceCell::new(),
        key_managers: keys::KeyManagers::default(),
    };
    let scope = &scope;
    let tasks: Vec<BoxFuture<'_, Collected>> = units(needs, regions)
        .into_iter()
        .filter(|(_, region)| share.is_none_or(|r| r == *region))
        .filter_map(|(service, region)| {
            let collector = collector(service)?;
            Some(labelled(
                service,
                region,
                (collector.all)(scope, region),
                deadline,
                tick,
            ))
        })
        .collect();

    let mut all = Collected::default();
    for part in join_all(tasks).await {
        all.extend(part);
    }
    all.resources.sort_by(|a, b| {
        (a.properties.kind(), &a.region, &a.id).cmp(&(b.properties.kind(), &b.region, &b.id))
    });
    let incomplete = all.errors.iter().any(|e| e.code == DEADLINE);
    Inventory {
        schema_version: INVENTORY_SCHEMA_VERSION,
        incomplete,
        account_id: session.account_id.clone(),
        regions: regions.to_vec(),
        collected_at,
        resources: all.resources,
        errors: all.errors,
        elsewhere: all.elsewhere,
    }
}

/// Reads `wanted` again with the attributes `needs` names, through its service's own
/// collector: the resource (none when it is gone) and the calls that failed.
pub async fn collect_one(session: &Session, wanted: &Wanted, needs: &Needs) -> Collected {
    let regions = [wanted.region.clone()];
    let scope = Scope {
        session,
        needs,
        regions: &regions,
        limit: Arc::new(Semaphore::new(1)),
        concurrency: 1,
        trails: OnceCell::new(),
        key_managers: keys::KeyManagers::default(),
    };
    match collector(wanted.kind.service()) {
        Some(collector) => (collector.one)(&scope, wanted).await,
        None => Collected::default(),
    }
}

/// Runs a collector until done or until the deadline, then reports it done.
fn labelled<'s>(
    service: Service,
    region: &'s str,
    collector: impl Future<Output = Collected> + Send + 's,
    deadline: Option<Instant>,
    tick: &'s (dyn Fn(&str) + Sync),
) -> BoxFuture<'s, Collected> {
    Box::pin(async move {
        let out = match deadline {
            None => collector.await,
            Some(at) => tokio::time::timeout_at(at, collector)
                .await
                .unwrap_or_else(|_| {
                    let stopped = CallError {
                        code: DEADLINE.to_string(),
                        message: "stopped before the deadline".to_string(),
                    };
                    let errors = service
                        .spec()
                        .kinds
                        .iter()
                        .map(|k| error(*k, region, None, &[], "collection", stopped.clone()))
                        .collect();
                    Collected {
                        errors,
                        ..Collected::default()
                    }
                }),
        };
        tick(&format!("{service} {region}"));
        out
    })
}

/// The error code of collection cut short by the deadline.
pub const DEADLINE: &str = "DeadlineExceeded";

/// The errors that stand for `region`'s share of a collection over `regions` that left
/// nothing (`why`): one per resource kind its tasks would have read, so the rules that
/// needed them are ERROR, never PASS.
#[cfg(feature = "lambda")]
pub fn share_lost(
    needs: &Needs,
    regions: &[String],
    region: &str,
    why: &str,
) -> Vec<CollectionError> {
    let lost = CallError {
        code: SHARE_LOST.to_string(),
        message: why.to_string(),
    };
    units(needs, regions)
        .into_iter()
        .filter(|(_, r)| *r == region)
        .flat_map(|(service, _)| service.spec().kinds.iter().filter(|k| needs.kind(**k)))
        .map(|kind| error(*kind, region, None, &[], "collection", lost.clone()))
        .collect()
}

/// The error code of a region's share that left nothing.
#[cfg(feature = "lambda")]
pub const SHARE_LOST: &str = "RegionNotCollected";

/// How many (service, region) collection tasks `collect` will run, for a progress bar.
pub fn task_count(needs: &Needs, regions: &[String]) -> u64 {
    units(needs, regions).len() as u64
}

/// A resource policy document read into facts: `None` when the resource has none (a
/// fact, not a failure); a document that cannot be read is an error.
fn policy_facts(document: Option<&str>) -> Result<Option<PolicyFacts>, CallError> {
    document
        .map(|d| {
            policy::analyze(d).map_err(|reason| CallError {
                code: "InvalidPolicy".to_string(),
                message: reason,
            })
        })
        .transpose()
}

/// Whether a resource has a policy and whether it grants access to anyone.
fn resource_policy(document: Option<&str>) -> Result<ResourcePolicy, CallError> {
    Ok(match policy_facts(document)? {
        None => ResourcePolicy::default(),
        Some(facts) => ResourcePolicy::from_facts(&facts),
    })
}

/// An SDK timestamp as the model keeps it.
fn time(t: Option<&aws_smithy_types::DateTime>) -> Option<chrono::DateTime<Utc>> {
    t.and_then(|t| chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
}

/// Tags as the model keeps them.
fn tag_map<'t>(
    pairs: impl Iterator<Item = (Option<&'t str>, Option<&'t str>)>,
) -> crate::model::Tags {
    pairs
        .filter_map(|(k, v)| Some((k?.to_string(), v.unwrap_or_default().to_string())))
        .collect()
}
