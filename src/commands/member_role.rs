//! `compliance deploy --member-role --trusted-account ID`: the read-only scan role of a
//! member account (infra/member-role.yaml) in the current account, as the stack
//! `compliance-member-role`, for the security account's scanner to assume. Created, or
//! updated in place when its parameters change; a rolled-back create is removed first,
//! so a failure never leaves a half-made role behind unexplained.

use std::io::Write;
use std::process::ExitCode;

use chrono::Utc;
use serde_json::json;

use super::common::refused;
use crate::aws::session::Session;
use crate::aws::stack::{Param, Stack, StackState, Update};
use crate::cli::{DeployArgs, DeployFormat};
use crate::error::Fatal;
use crate::stack::{DEFAULT_MEMBER_ROLE, MEMBER_ROLE_STACK, MEMBER_ROLE_TEMPLATE};

pub async fn run(args: DeployArgs) -> Result<ExitCode, Fatal> {
    let session = Session::connect(&args.aws.session_options(args.region.as_ref(), None)).await?;
    let stack = Stack::new(&session, MEMBER_ROLE_STACK);
    let fail = refused(&stack.name);
    let params = vec![
        Param {
            key: "TrustedAccountId",
            value: args.trusted_account.clone().unwrap_or_default(),
        },
        Param {
            key: "RoleName",
            value: role_name(&args).to_string(),
        },
        Param {
            key: "ExternalId",
            value: args.trusted_external_id.clone().unwrap_or_default(),
        },
    ];
    let tags = [("Purpose".to_string(), "compliance-scan".to_string())];
    let say = |line: &str| eprintln!("compliance: {line}");
    let event = |line: &str| eprintln!("  {line}");

    let mut existing = stack.describe().await.map_err(fail)?;
    if let Some(state) = &existing {
        if state.in_progress() {
            return Err(Fatal::new(format!(
                "stack {} is busy ({}); wait for it to finish and deploy again",
                stack.name, state.status
            )));
        }
        if stack
            .delete_failed_create(state, &say, &event)
            .await
            .map_err(fail)?
        {
            existing = None;
        }
    }
    let since = Utc::now();
    let changed = match &existing {
        None => {
            say(&format!(
                "creating stack {} (the role {} trusted by account {})",
                stack.name,
                role_name(&args),
                params[0].value
            ));
            stack
                .create(MEMBER_ROLE_TEMPLATE, &params, &tags)
                .await
                .map_err(fail)?;
            true
        }
        Some(state) => {
            let same = params
                .iter()
                .all(|p| state.parameters.get(p.key) == Some(&p.value))
                && stack.template().await.map_err(fail)? == MEMBER_ROLE_TEMPLATE;
            if same && state.succeeded() {
                false
            } else {
                say(&format!("updating stack {}", stack.name));
                let update = stack
                    .update(MEMBER_ROLE_TEMPLATE, &params, &tags)
                    .await
                    .map_err(fail)?;
                update == Update::Started
            }
        }
    };
    let state = if changed {
        say(&format!("waiting for stack {}", stack.name));
        stack.wait(since, &event).await.map_err(fail)?
    } else {
        say(&format!(
            "stack {} is up to date; nothing changed",
            stack.name
        ));
        existing
    };
    let Some(state) = state.filter(StackState::succeeded) else {
        for f in stack.failures(since).await.unwrap_or_default() {
            event(&format!(
                "{} ({}) {}: {}",
                f.logical_id, f.resource_type, f.status, f.reason
            ));
        }
        eprintln!(
            "compliance: deploy failed: stack {} was rolled back; the next deploy replaces it",
            stack.name
        );
        return Ok(ExitCode::from(1));
    };
    let role = state.outputs.get("RoleArn").cloned().unwrap_or_default();
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        DeployFormat::Json => writeln!(
            out,
            "{}",
            json!({"stack": stack.name, "status": state.status, "changed": changed, "role_arn": role})
        ),
        DeployFormat::Table => writeln!(out, "RoleArn  {role}"),
    };
    written.map_err(|e| Fatal::new(format!("cannot write the role's ARN: {e}")))?;
    Ok(ExitCode::SUCCESS)
}

/// The role's name: `--member-role-name`, else the template's default.
fn role_name(args: &DeployArgs) -> &str {
    args.member_role_name
        .as_deref()
        .unwrap_or(DEFAULT_MEMBER_ROLE)
}
