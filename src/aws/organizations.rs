//! The organisation's accounts for `scan --organization`: every active account, or those
//! under the organizational units given (at any depth), listed with Organizations from
//! the management account or a delegated administrator. Suspended, closing and closed
//! accounts are left out: their roles cannot be assumed and they hold nothing to fix.

use aws_sdk_organizations::types::{Account, AccountState, AccountStatus};
use aws_sdk_organizations::Client;

use super::errors::CallError;
use super::session::Session;
use crate::error::Fatal;

/// The active accounts, as (id, name), by id; those under `ous` when any are given.
pub async fn active_accounts(
    session: &Session,
    ous: &[String],
) -> Result<Vec<(String, String)>, Fatal> {
    let client = Client::new(&session.config);
    let listed = if ous.is_empty() {
        all(&client).await
    } else {
        under(&client, ous).await
    };
    let accounts = listed.map_err(|(operation, e)| {
        Fatal::new(format!(
            "cannot list the organisation's accounts (organizations:{operation} failed: {e}): run from the management account or a delegated administrator, allowed organizations:{operation}"
        ))
    })?;
    let mut active: Vec<(String, String)> = accounts
        .iter()
        .filter(|a| is_active(a))
        .filter_map(|a| {
            Some((
                a.id()?.to_string(),
                a.name().unwrap_or_default().to_string(),
            ))
        })
        .collect();
    active.sort();
    active.dedup();
    Ok(active)
}

/// Whether the account is active: its `State`, or where an older endpoint answers only
/// the retired `Status`, that.
fn is_active(account: &Account) -> bool {
    match (account.state(), account.status()) {
        (Some(state), _) => *state == AccountState::Active,
        (None, Some(status)) => *status == AccountStatus::Active,
        (None, None) => false,
    }
}

type Failed = (&'static str, CallError);

async fn all(client: &Client) -> Result<Vec<Account>, Failed> {
    client
        .list_accounts()
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map(|pages| pages.iter().flat_map(|p| p.accounts().to_vec()).collect())
        .map_err(|e| ("ListAccounts", CallError::from(e)))
}

/// The accounts under each of `ous` and under their children, at any depth.
async fn under(client: &Client, ous: &[String]) -> Result<Vec<Account>, Failed> {
    let mut accounts = Vec::new();
    let mut parents: Vec<String> = ous.to_vec();
    while let Some(parent) = parents.pop() {
        let listed = client
            .list_accounts_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|e| ("ListAccountsForParent", CallError::from(e)))?;
        accounts.extend(listed.iter().flat_map(|p| p.accounts().to_vec()));
        let children = client
            .list_organizational_units_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|e| ("ListOrganizationalUnitsForParent", CallError::from(e)))?;
        let ids = children.iter().flat_map(|p| p.organizational_units());
        parents.extend(ids.filter_map(|ou| ou.id().map(str::to_string)));
    }
    Ok(accounts)
}
