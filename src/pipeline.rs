//! The one scan pipeline — select rules → resolve regions → collect → run info → report —
//! shared by `scan`, `remediate` and the Lambda handler, so the three can never judge
//! an account differently. Progress is the caller's (a bar on a terminal, nothing in
//! Lambda); printing and storing are theirs too.

use std::path::Path;

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
use crate::rules::{load, Needs, RuleSet, Selection};
use crate::suppress::{self, Suppressions};

/// The built-in rules and those under `dirs`, validated against the fixes this build
/// applies.
pub fn load_rules(dirs: &[std::path::PathBuf]) -> Result<RuleSet, Fatal> {
    load::load(dirs, &remediate::ids()).map_err(|e| Fatal::new(e.to_string()))
}

/// The suppression file `path`, else `.compliance/suppressions.yaml` when it exists (and
/// `default` allows it), else none; validated against `rules` (all that this run
/// knows, before any selection) on `today`, with expiries at most `max_days` ahead.
pub fn load_suppressions(
    path: Option<&Path>,
    default: bool,
    rules: &RuleSet,
    max_days: u32,
) -> Result<Suppressions, Fatal> {
    let path = match path {
        Some(path) => path,
        None if default && Path::new(suppress::DEFAULT_PATH).is_file() => {
            Path::new(suppress::DEFAULT_PATH)
        }
        None => return Ok(Suppressions::default()),
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        Fatal::new(format!(
            "cannot read suppression file {}: {e}",
            path.display()
        ))
    })?;
    parse_suppressions(&path.display().to_string(), &text, rules, max_days)
}

/// A suppression file's text (`name`: where it came from), validated as `load_suppressions` does.
pub fn parse_suppressions(
    name: &str,
    text: &str,
    rules: &RuleSet,
    max_days: u32,
) -> Result<Suppressions, Fatal> {
    let known: Vec<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
    let context = suppress::file::Context {
        known_rules: &known,
        today: Utc::now().date_naive(),
        max_days,
    };
    suppress::file::parse(name, text, &context).map_err(Fatal::new)
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

/// Resolves the regions and collects what `rules` need in them, and the tags that
/// `suppressions` match on.
pub async fn collect_live(
    live: &Live<'_>,
    rules: &RuleSet,
    suppressions: &Suppressions,
    progress: &dyn Progress,
) -> Result<Inventory, Fatal> {
    collect_share(live, None, rules, suppressions, progress).await
}

/// `collect_live`, or with `share` only that region's share of it (see `collect`).
pub async fn collect_share(
    live: &Live<'_>,
    share: Option<&str>,
    rules: &RuleSet,
    suppressions: &Suppressions,
    progress: &dyn Progress,
) -> Result<Inventory, Fatal> {
    let regions = regions::resolve(live.session, &live.regions).await?;
    let needs = needs(rules, suppressions);
    progress.start(task_count(&needs, &regions));
    let tick = |label: &str| progress.done(label);
    Ok(collect(
        live.session,
        &regions,
        share,
        &needs,
        live.concurrency,
        live.deadline,
        &tick,
    )
    .await)
}

/// What a collection reads for `rules`, and the tags `suppressions` match on.
pub fn needs(rules: &RuleSet, suppressions: &Suppressions) -> Needs {
    let mut needs = rules.needs();
    if suppressions.entries.iter().any(|e| !e.tags.is_empty()) {
        // Entries that match by tag need the tags of every resource they may accept.
        for (kind, attributes) in needs.0.iter_mut() {
            if kind.schema().iter().any(|f| f.name == "tags") {
                attributes.insert("tags".to_string());
            }
        }
    }
    needs
}

/// Judges `inventory` with `rules` as one run (`source`: live, inventory, lambda) that
/// started at `started_at`, its failures matched against `suppressions`; a fresh scan id
/// unless one is given.
pub fn judge(
    rules: &RuleSet,
    inventory: &Inventory,
    suppressions: &Suppressions,
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
    build_report(rules, inventory, run, suppressions)
}
