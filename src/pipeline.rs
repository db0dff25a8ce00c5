//! The one scan pipeline — select rules → resolve regions → collect → run info → report —
//! shared by `scan`, `remediate` and the Lambda handler, so the three can never judge
//! an account differently. Progress is the caller's (a bar on a terminal, nothing in
//! Lambda); printing and storing are theirs too.

use chrono::{DateTime, Utc};
use tokio::time::Instant;

use crate::aws::collect::{collect, task_count};
use crate::aws::regions::{self, RegionChoice};
use crate::aws::remediate;
use crate::aws::session::Session;
use crate::engine::{build_report, RunInfo};
use crate::error::Fatal;
use crate::model::Inventory;
use crate::report::Report;
use crate::rules::{load, RuleSet, Selection};

/// The built-in rules and those under `dirs`, validated against the fixes this build
/// applies.
pub fn load_rules(dirs: &[std::path::PathBuf]) -> Result<RuleSet, Fatal> {
    load::load(dirs, &remediate::ids()).map_err(|e| Fatal::new(e.to_string()))
}

/// `rules` narrowed by `selection`; an unknown id, or nothing left, is refused.
pub fn select(rules: RuleSet, selection: &Selection) -> Result<RuleSet, Fatal> {
    let rules = rules.select(selection).map_err(Fatal::new)?;
    if rules.rules.is_empty() {
        return Err(Fatal::new(
            "no rule is left to evaluate: loosen --rule, --skip-rule, --service or --min-severity",
        ));
    }
    Ok(rules)
}

/// How collection reports its progress: the number of (service, region) units once
/// regions are known, then each unit as it finishes.
pub trait Progress: Sync {
    fn start(&self, units: u64);
    fn done(&self, label: &str);
}

/// No progress: the Lambda's.
#[cfg(feature = "lambda")]
pub struct Silent;

#[cfg(feature = "lambda")]
impl Progress for Silent {
    fn start(&self, _: u64) {}
    fn done(&self, _: &str) {}
}

/// How a live collection runs.
pub struct Live<'a> {
    pub session: &'a Session,
    pub regions: RegionChoice,
    pub concurrency: usize,
    /// The Lambda's deadline: what has not finished by then is an error, the rest kept.
    pub deadline: Option<Instant>,
}

/// Resolves the regions and collects what `rules` need in them.
pub async fn collect_live(
    live: &Live<'_>,
    rules: &RuleSet,
    progress: &dyn Progress,
) -> Result<Inventory, Fatal> {
    let regions = regions::resolve(live.session, &live.regions).await?;
    let needs = rules.needs();
    progress.start(task_count(&needs, &regions));
    let tick = |label: &str| progress.done(label);
    Ok(collect(
        live.session,
        &regions,
        &needs,
        live.concurrency,
        live.deadline,
        &tick,
    )
    .await)
}

/// Judges `inventory` with `rules` as one run (`source`: live, inventory, lambda) that
/// started at `started_at`; a fresh scan id unless one is given.
pub fn judge(
    rules: &RuleSet,
    inventory: &Inventory,
    source: &str,
    scan_id: Option<String>,
    started_at: DateTime<Utc>,
) -> Report {
    let run = RunInfo {
        scan_id: scan_id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        source: source.to_string(),
        started_at,
        finished_at: Utc::now(),
    };
    build_report(rules, inventory, run)
}
