//! The findings history a run writes into the stack's table (`history::table`): its
//! failures and what it resolved since the previous run, whose failures are kept in the
//! report bucket (`FAILING_KEY`, `ORGANIZATION_FAILING_KEY` for organisation runs). That
//! state is replaced only once the items are written, so a run whose writes fail leaves
//! the next one to resolve from the same point.

use std::collections::BTreeSet;

use crate::aws::buckets::{put, read};
use crate::aws::findings_table::write;
use crate::aws::session::Session;
use crate::history::record::{items, Failing};
use crate::report::Report;
use crate::rules::RuleSet;

/// Where the history goes, how long an item lives, and where the run's failures are
/// kept for the next (`state`).
pub struct Table<'a> {
    pub name: &'a str,
    pub bucket: &'a str,
    pub state: &'a str,
    pub retention_days: i64,
}

/// The previous run's failures kept at `state` (none before the first run).
pub async fn previous(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    state: &str,
) -> Result<Failing, String> {
    match read(s3, bucket, state).await {
        Err(e) if e.is(&["NoSuchKey"]) => Ok(Failing::default()),
        Err(e) => Err(format!("cannot read s3://{bucket}/{state}: {e}")),
        Ok(text) => serde_json::from_str(&text).map_err(|e| {
            format!("s3://{bucket}/{state} is not the state this version writes: {e}")
        }),
    }
}

/// Writes the run's items given the previous run's failures, then keeps its own;
/// how many, or why not.
pub async fn record(
    session: &Session,
    s3: &aws_sdk_s3::Client,
    table: &Table<'_>,
    report: &Report,
    rules: &RuleSet,
    previous: &Failing,
) -> Result<usize, String> {
    let Table { bucket, state, .. } = *table;
    let evaluated: BTreeSet<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
    let (items, failing) = items(report, previous, &evaluated, table.retention_days);
    let client = aws_sdk_dynamodb::Client::new(&session.config);
    let written = write(&client, table.name, &items).await?;
    let body = serde_json::to_vec(&failing).map_err(|e| e.to_string())?;
    put(s3, bucket, state, body, "application/json")
        .await
        .map_err(|e| format!("cannot store s3://{bucket}/{state}: {e}"))?;
    Ok(written)
}
