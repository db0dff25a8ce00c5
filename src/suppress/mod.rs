//! Accepted risks: a suppression file's entries (each with a reason, an owner and an
//! expiry) mark the failed findings they match as suppressed — kept in every report
//! with the entry, but out of the score, the counts and the exit code. An expired entry
//! accepts nothing, an entry that matches nothing is stale. Pure: the scan's own clock
//! (`collected_at`) decides expiry, so a replay is judged as the scan was.

pub mod apply;
pub mod draft;
pub mod file;
mod glob;

use std::collections::BTreeMap;

use chrono::NaiveDate;

pub use self::apply::apply;
use self::glob::Glob;

/// Read by default when present, relative to the current directory.
pub const DEFAULT_PATH: &str = ".compliance/suppressions.yaml";

/// How far ahead an expiry may be unless `--max-suppression-days` says otherwise.
pub const DEFAULT_MAX_DAYS: u32 = 365;

/// An entry expiring within this many days of the scan is `expiring`, and warned of.
pub const EXPIRING_DAYS: i64 = 14;

/// A validated suppression file.
#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    pub entries: Vec<Entry>,
}

/// One accepted risk.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Where it is written: `file:line`.
    pub source: String,
    pub rules: Vec<Glob>,
    /// The rule ids `rules` named when the file was read.
    pub rule_ids: Vec<String>,
    /// Ids or ARNs (or globs of either).
    pub resources: Vec<Glob>,
    /// Account ids; any when empty.
    pub accounts: Vec<String>,
    /// Regions (or globs); any when empty.
    pub regions: Vec<Glob>,
    /// Tags the resource must all carry.
    pub tags: BTreeMap<String, String>,
    pub reason: String,
    pub owner: String,
    /// The last day it accepts the risk.
    pub expires: NaiveDate,
    pub ticket: Option<String>,
}
