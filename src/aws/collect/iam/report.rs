//! The IAM credential report: one CSV with every user's password, MFA and access-key
//! facts, generated on request and polled for (a bounded wait). Read by column name,
//! never by position; the secret parts of a credential are not in it.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_iam::types::ReportStateType;
use aws_sdk_iam::Client;
use chrono::{DateTime, Utc};

use crate::aws::errors::CallError;
use crate::model::iam::{AccessKey, Credentials};

/// How long to wait for a report being generated: a quarter second at first (IAM
/// often has it by then), doubling to 4 s, for a minute at most.
const FIRST_WAIT: Duration = Duration::from_millis(250);
const LONGEST_WAIT: Duration = Duration::from_secs(4);
const GIVE_UP_AFTER: Duration = Duration::from_secs(60);

pub(super) struct Report {
    /// When IAM generated it, as IAM says.
    pub generated: String,
    /// Users by name.
    pub users: BTreeMap<String, Credentials>,
    /// The root user's row (`<root_account>`), which every real report has.
    pub root: Option<Credentials>,
}

/// Asks IAM for a report no older than four hours (it makes one when it has none) and
/// reads it.
pub(super) async fn read(client: &Client) -> Result<Report, CallError> {
    let mut wait = FIRST_WAIT;
    let mut waited = Duration::ZERO;
    loop {
        let state = client.generate_credential_report().send().await?;
        if state.state() == Some(&ReportStateType::Complete) {
            match client.get_credential_report().send().await {
                Ok(answer) => {
                    let content = answer
                        .content()
                        .ok_or_else(|| invalid("the report came without content"))?;
                    let (users, root) = parse(content.as_ref()).map_err(|e| invalid(&e))?;
                    let generated = answer
                        .generated_time()
                        .map_or_else(|| "at an unknown time".to_string(), |t| t.to_string());
                    return Ok(Report {
                        generated,
                        users,
                        root,
                    });
                }
                Err(e) => {
                    let e = CallError::from(e);
                    if !e.is(&["ReportInProgress", "ReportNotPresent"]) {
                        return Err(e);
                    }
                }
            }
        }
        if waited >= GIVE_UP_AFTER {
            return Err(CallError {
                code: "ReportNotReady".to_string(),
                message: format!(
                    "the credential report was still being generated after {} s",
                    waited.as_secs()
                ),
            });
        }
        tokio::time::sleep(wait).await;
        waited += wait;
        wait = (wait * 2).min(LONGEST_WAIT);
    }
}

fn invalid(message: &str) -> CallError {
    CallError {
        code: "InvalidCredentialReport".to_string(),
        message: message.to_string(),
    }
}

/// The report's rows: the users' by name, and the root user's.
type Rows = (BTreeMap<String, Credentials>, Option<Credentials>);

pub(super) fn parse(csv_bytes: &[u8]) -> Result<Rows, String> {
    let mut reader = csv::Reader::from_reader(csv_bytes);
    let headers = reader.headers().map_err(|e| e.to_string())?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("the credential report has no column {name}"))
    };
    let user = column("user")?;
    let password_enabled = column("password_enabled")?;
    let password_last_used = column("password_last_used")?;
    let password_last_changed = column("password_last_changed")?;
    let mfa_active = column("mfa_active")?;
    let keys = [1, 2]
        .map(|n| -> Result<_, String> {
            Ok((
                n,
                column(&format!("access_key_{n}_active"))?,
                column(&format!("access_key_{n}_last_rotated"))?,
                column(&format!("access_key_{n}_last_used_date"))?,
            ))
        })
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = BTreeMap::new();
    let mut root = None;
    for row in reader.records() {
        let row = row.map_err(|e| e.to_string())?;
        let cell = |i: usize| row.get(i).unwrap_or_default();
        let access_keys: Vec<AccessKey> = keys
            .iter()
            .filter_map(|&(number, active, rotated, used)| {
                // A key that does not exist has no rotation date.
                let last_rotated = time(cell(rotated));
                (last_rotated.is_some() || flag(cell(active))).then(|| AccessKey {
                    number,
                    active: flag(cell(active)),
                    last_rotated,
                    last_used: time(cell(used)),
                })
            })
            .collect();
        let credentials = Credentials {
            password_enabled: flag(cell(password_enabled)),
            password_last_used: time(cell(password_last_used)),
            password_last_changed: time(cell(password_last_changed)),
            mfa_active: flag(cell(mfa_active)),
            active_access_keys: access_keys.iter().filter(|k| k.active).count() as i64,
            access_keys,
        };
        match cell(user) {
            "<root_account>" => root = Some(credentials),
            name => {
                out.insert(name.to_string(), credentials);
            }
        }
    }
    Ok((out, root))
}

fn flag(cell: &str) -> bool {
    cell.eq_ignore_ascii_case("true")
}

/// A date cell; `N/A`, `no_information` and `not_supported` are no date.
fn time(cell: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(cell)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

    #[test]
    fn rows_become_each_user_s_credentials_and_the_root_row_its_own() {
        let report = format!(
            "{HEADER}\n\
             <root_account>,arn:aws:iam::123456789012:root,2020-01-01T00:00:00+00:00,not_supported,2026-11-30T10:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\
             alice,arn:aws:iam::123456789012:user/alice,2024-03-01T08:00:00+00:00,true,no_information,2024-03-01T08:05:00+00:00,N/A,false,true,2024-03-01T08:10:00+00:00,2026-11-01T00:00:00+00:00,us-east-1,s3,false,2025-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A\n\
             robot,arn:aws:iam::123456789012:user/robot,2024-03-01T08:00:00+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        );
        let (users, root) = parse(report.as_bytes()).unwrap();
        assert_eq!(users.keys().collect::<Vec<_>>(), ["alice", "robot"]);
        let root = root.expect("the root row");
        assert_eq!(
            root.password_last_used,
            Some("2026-11-30T10:00:00Z".parse().unwrap())
        );
        assert!(!root.password_enabled, "not_supported is no password flag");
        assert!(root.mfa_active && root.access_keys.is_empty());
        let alice = &users["alice"];
        assert!(alice.password_enabled && !alice.mfa_active);
        assert_eq!(alice.password_last_used, None, "no_information is no date");
        assert_eq!(
            alice.password_last_changed,
            Some("2024-03-01T08:05:00Z".parse().unwrap())
        );
        assert_eq!(alice.active_access_keys, 1);
        assert_eq!(alice.access_keys.len(), 2, "an inactive key is still a key");
        assert_eq!(
            alice.access_keys[0].last_used,
            Some("2026-11-01T00:00:00Z".parse().unwrap())
        );
        assert!(!alice.access_keys[1].active && alice.access_keys[1].last_used.is_none());
        let robot = &users["robot"];
        assert!(!robot.password_enabled && robot.access_keys.is_empty());
        assert_eq!(robot.active_access_keys, 0);
    }

    #[test]
    fn columns_are_read_by_name_and_a_missing_one_is_an_error() {
        let reordered = "mfa_active,user,password_enabled,password_last_used,password_last_changed,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date\n\
                         true,bob,true,2026-11-30T00:00:00Z,2026-01-01T00:00:00Z,false,N/A,N/A,false,N/A,N/A\n";
        let (users, root) = parse(reordered.as_bytes()).unwrap();
        assert!(root.is_none());
        assert!(users["bob"].mfa_active && users["bob"].password_enabled);
        let err = parse(b"user,arn\nbob,arn:aws:iam::1:user/bob\n").unwrap_err();
        assert!(err.contains("password_enabled"), "{err}");
    }
}
