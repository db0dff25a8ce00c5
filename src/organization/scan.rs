//! The scan of several accounts: each account scanned by the one pipeline as the role
//! assumed into it (the caller's own account as the caller), at most
//! `--account-concurrency` at once so one slow account never holds the others, and each
//! account's inventory dropped as soon as its findings are made, so memory follows the
//! accounts in flight, not the organisation's size. A role that cannot be assumed, or
//! regions that cannot be listed, cost that account only.

use futures::stream::{self, StreamExt};

use super::{Account, Outcome};
use crate::aws::regions::RegionChoice;
use crate::aws::session::{Role, Session};
use crate::error::Fatal;
use crate::model::Inventory;
use crate::pipeline::{self, Live, Progress};
use crate::rules::RuleSet;
use crate::suppress::Suppressions;

/// How every account is scanned.
pub struct Plan<'a> {
    /// The session the roles are assumed from.
    pub caller: &'a Session,
    /// Builds the role to assume from its ARN (external id, session name).
    pub role: &'a (dyn Fn(String) -> Role + Sync),
    pub regions: RegionChoice,
    /// Calls in flight at once within one account.
    pub concurrency: usize,
    pub account_concurrency: usize,
    pub rules: &'a RuleSet,
    pub suppressions: &'a Suppressions,
    pub scan_id: &'a str,
    /// The reports' `scan.source`: `live` from the CLI, `lambda` in the function.
    pub source: &'a str,
    pub started_at: chrono::DateTime<chrono::Utc>,
    /// When each account's collection stops (the Lambda's deadline); none from the CLI.
    pub deadline: Option<tokio::time::Instant>,
}

/// What the caller does with each account's inventory before it is dropped (writes it
/// with `--save-inventory`), and with each outcome as it comes (a line on stderr).
pub struct Hooks<'a> {
    pub keep: &'a (dyn Fn(&Inventory) -> Result<(), Fatal> + Sync),
    pub done: &'a (dyn Fn(&Outcome) + Sync),
}

/// Scans `accounts` by `plan`, in the order they finish.
pub async fn scan_all(
    plan: &Plan<'_>,
    accounts: Vec<Account>,
    progress: &dyn Progress,
    hooks: &Hooks<'_>,
) -> Vec<Outcome> {
    stream::iter(accounts)
        .map(|account| async move {
            let result = match scan_account(plan, &account, progress).await {
                Ok((report, inventory)) => {
                    (hooks.keep)(&inventory).map(|()| report).map_err(|e| e.0)
                }
                Err(reason) => Err(reason),
            };
            let outcome = Outcome { account, result };
            (hooks.done)(&outcome);
            outcome
        })
        .buffer_unordered(plan.account_concurrency.max(1))
        .collect()
        .await
}

/// One account's report and inventory, as the role assumed into it; why not, when the
/// role cannot be assumed or its regions cannot be listed.
pub async fn scan_account(
    plan: &Plan<'_>,
    account: &Account,
    progress: &dyn Progress,
) -> Result<(crate::report::Report, Inventory), String> {
    let inventory = collect_share(plan, account, None, progress).await?;
    let report = pipeline::judge(
        plan.rules,
        &inventory,
        plan.suppressions,
        plan.source,
        Some(plan.scan_id.to_string()),
        plan.started_at,
    );
    Ok((report, inventory))
}

/// What `account` holds, as the role assumed into it — or with `share`, only that
/// region's share of it (an organisation run's item; `pipeline::collect_share`).
pub async fn collect_share(
    plan: &Plan<'_>,
    account: &Account,
    share: Option<&str>,
    progress: &dyn Progress,
) -> Result<Inventory, String> {
    let assumed = match &account.role_arn {
        None => None,
        Some(arn) => Some(plan.caller.assume(&(plan.role)(arn.clone())).await?),
    };
    let live = Live {
        session: assumed.as_ref().unwrap_or(plan.caller),
        regions: plan.regions.clone(),
        concurrency: plan.concurrency,
        deadline: plan.deadline,
    };
    pipeline::collect_share(&live, share, plan.rules, plan.suppressions, progress)
        .await
        .map_err(|e| e.0)
}

/// The accounts `ids` names, each reached through the role `role_name` in it, except
/// the caller's own (its own credentials); duplicates once.
pub fn named(caller: &Session, ids: &[String], role_name: &str) -> Vec<Account> {
    let mut accounts: Vec<Account> = Vec::new();
    for id in ids {
        if !accounts.iter().any(|a| &a.id == id) {
            accounts.push(reached(caller, id.clone(), None, role_name));
        }
    }
    accounts
}

/// The account `id` (named `name`), reached as the caller if it is the caller's, else
/// through `role_name` in it, in the caller's partition.
pub fn reached(caller: &Session, id: String, name: Option<String>, role_name: &str) -> Account {
    let role_arn = (id != caller.account_id).then(|| {
        let partition = crate::model::partition(&caller.default_region());
        format!("arn:{partition}:iam::{id}:role/{role_name}")
    });
    Account { id, name, role_arn }
}
