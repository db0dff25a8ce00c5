//! `compliance remediate`: plans the safe fixes a report (or a fresh scan) calls for,
//! and with `--apply` makes them — after asking on a terminal, or with `--yes`. Every
//! action, and every failed finding left to a person, is an audit line in the local
//! audit file and, with `--suffix`, in the stack's report bucket.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Utc;

use super::common::{load_suppressions, Bar, INCOMPLETE};
use super::files::{ask, check_distinct, check_writable, write_stdout};
use crate::aws::buckets::store_new;
use crate::aws::regions::RegionChoice;
use crate::aws::remediate::{self as fixes, execute, Mode, Runner};
use crate::aws::session::Session;
use crate::aws::stack::Stack;
use crate::cli::RemediateArgs;
use crate::engine::suppress;
use crate::error::Fatal;
use crate::history;
use crate::organization;
use crate::output::write_remediation;
use crate::pipeline::{self, Live};
use crate::remediate::{
    check_tag_keys, names, plan, AuditRecord, Filter, FixOptions, Outcome, Plan, Run,
};
use crate::report::Report;
use crate::rules::{RuleSet, Selection, Severity, Status};
use crate::stack::Suffix;
use crate::suppress::Suppressions;

pub async fn run(args: RemediateArgs) -> Result<ExitCode, Fatal> {
    // Everything the operator typed is checked before anything is read or changed.
    let suffix = args
        .suffix
        .as_deref()
        .map(Suffix::parse)
        .transpose()
        .map_err(Fatal::new)?;
    if args.kms_key.as_deref().is_some_and(|k| k.trim().is_empty()) {
        return Err(Fatal::new(
            "--kms-key is empty: give a key ARN, id or alias",
        ));
    }
    let all_rules = pipeline::load_rules(&args.rule_dirs)?;
    let suppressions = load_suppressions(&args.suppression, &all_rules)?;
    check_tag_keys(&all_rules, args.tags.iter().map(|(k, _)| k)).map_err(Fatal::new)?;
    let rules = all_rules
        .select(&Selection {
            rules: args.rules.clone(),
            skip_rules: Vec::new(),
            services: Vec::new(),
            min_severity: Severity::Info,
        })
        .map_err(Fatal::new)?;
    let from = match &args.from {
        Some(path) => Some(read_report(path)?),
        None => None,
    };
    if args.apply && !args.yes && !io::stdin().is_terminal() {
        return Err(Fatal::new(
            "remediate --apply changes resources: pass --yes to confirm (stdin is not a terminal); nothing was changed",
        ));
    }
    let audit_path = match &args.audit_log {
        Some(path) => path.clone(),
        None => default_audit_path()?,
    };
    check_writable(&audit_path)?;
    // An action whose record cannot be kept must not be made: the audit is a file the
    // records are appended to, never a device (`/dev/full`) or a pipe.
    if fs::metadata(&audit_path).is_ok_and(|m| !m.is_file()) {
        return Err(Fatal::new(format!(
            "the audit {} is not a regular file: give a file the records can be appended to; nothing was changed",
            audit_path.display()
        )));
    }
    if let Some(from) = &args.from {
        check_distinct(&[("--audit-log", &audit_path)], &[("--from", from)])?;
    }

    let session = Session::connect(&args.aws.session_options(None, args.regions.first())).await?;
    // The audit's place in the stack's bucket is found before anything is changed.
    let bucket = match &suffix {
        Some(suffix) => Some(
            Stack::new(&session, &suffix.stack_name())
                .report_bucket()
                .await
                .map_err(Fatal::new)?,
        ),
        None => None,
    };
    // A scan of several accounts: the fixes are the session's account's alone
    // (`--role-arn` names it), one account at a time.
    let from = match from {
        Some(report) if !report.accounts.is_empty() => Some(
            organization::one_account(&report, &session.account_id).map_err(|e| {
                Fatal::new(format!(
                    "{e}: remediate one account at a time, with --role-arn naming its role"
                ))
            })?,
        ),
        other => other,
    };
    let report = match from {
        Some(report) if report.scan.account_id != session.account_id => {
            return Err(Fatal::new(format!(
                "{} is a scan of account {}, but the credentials are for account {}",
                args.from.as_deref().unwrap_or(Path::new("")).display(),
                report.scan.account_id,
                session.account_id
            )))
        }
        Some(mut report) => {
            if !suppressions.entries.is_empty() {
                let evaluated = rules.rules.iter().map(|r| r.id.as_str()).collect();
                suppress(&mut report, &suppressions, &evaluated);
            }
            report
        }
        None => fresh_scan(&args, &session, &rules, &suppressions).await?,
    };

    // A --resource no finding names is most likely a typo: say so, change nothing.
    if let Some(unknown) = args
        .resources
        .iter()
        .find(|r| !report.findings.iter().any(|f| names(f, r)))
    {
        return Err(Fatal::new(format!(
            "no finding of scan {} is on resource `{}`: give its id or ARN as the scan names it",
            report.scan.id,
            unknown.escape_debug()
        )));
    }
    let filter = Filter {
        rules: args.rules.clone(),
        resources: args.resources.clone(),
    };
    // Accepted risks are never fixed.
    let accepted = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_some() && filter.keeps(f))
        .count();
    if accepted > 0 && !args.quiet {
        eprintln!("compliance: {accepted} failed findings are accepted risks (suppressed) and are left alone");
    }
    // What the scan could not read was not considered for a fix: it is said, and the run
    // does not exit 0.
    let unread = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Error && filter.keeps(f))
        .count();
    if unread > 0 {
        eprintln!(
            "warning: {unread} findings could not be judged (ERROR in the scan), so their resources were not considered; `compliance scan` lists why"
        );
    }
    let mut audit = AuditLog::open(audit_path)?;
    let planned = plan(&report, &rules, &filter, &fixes::ids());
    if planned.actions.is_empty() && planned.manual.is_empty() {
        if !args.quiet {
            eprintln!("nothing to remediate: no failed finding matches");
        }
        write_stdout(|out| write_remediation(args.format, &[], io::stdout().is_terminal(), out))?;
        return Ok(ExitCode::from(if unread > 0 { INCOMPLETE } else { 0 }));
    }

    let options = FixOptions::new(
        args.kms_key.clone(),
        args.tags.iter().cloned().collect::<BTreeMap<_, _>>(),
        &session.account_id,
    );
    let run = Run {
        run_id: uuid::Uuid::new_v4().to_string(),
        scan_id: report.scan.id.clone(),
        caller: session.caller_arn.clone(),
        account_id: session.account_id.clone(),
    };
    let mode = if args.apply {
        Mode::Apply
    } else {
        Mode::DryRun
    };
    // Set at the first record the audit file refused: no change is made after it.
    let stop = AtomicBool::new(false);
    let runner = Runner {
        session: &session,
        rules: &rules,
        options: &options,
        mode,
        run: &run,
        concurrency: usize::from(args.concurrency),
        stop: &stop,
    };
    if args.apply && !args.yes {
        let preview = Runner {
            mode: Mode::DryRun,
            ..runner
        };
        let preview = execute(&preview, &planned.actions, &mut |_| {}).await;
        confirm(&session, &preview)?;
    }

    let quiet = args.quiet;
    let mut keep = |record: &AuditRecord| {
        if !audit.keep(record) {
            stop.store(true, Ordering::SeqCst);
        }
        if mode == Mode::Apply && record.result != Outcome::Manual && !quiet {
            eprintln!(
                "{}: {} on {} {}",
                record.result.as_str(),
                record.remediation,
                record.resource_type.as_str(),
                record.resource_id
            );
        }
    };
    let mut records = execute(&runner, &planned.actions, &mut keep).await;
    for manual in &planned.manual {
        let reason = format!("{} ({})", manual.instructions, manual.url);
        let record = run.record(&manual.target, None, Outcome::Manual, reason);
        keep(&record);
        records.push(record);
    }
    let kept = audit.finish();
    write_stdout(|out| write_remediation(args.format, &records, io::stdout().is_terminal(), out))?;

    let stored = match &bucket {
        Some(bucket) => store_audit(&session, bucket, &run.run_id, &audit.lines).await,
        None => true,
    };
    if !args.quiet {
        summarize(&records, &planned, mode, &audit.path);
    }
    let failed = records.iter().any(|r| r.result == Outcome::Failed);
    Ok(if failed || !kept || !stored {
        ExitCode::from(1)
    } else if unread > 0 {
        ExitCode::from(INCOMPLETE)
    } else {
        ExitCode::SUCCESS
    })
}

/// Where every record goes as it is made: appended to the local audit file and flushed
/// line by line (a run cut short keeps what it did), and kept for the stack's bucket.
struct AuditLog {
    path: PathBuf,
    file: File,
    lines: Vec<String>,
    error: Option<io::Error>,
}

impl AuditLog {
    fn open(path: PathBuf) -> Result<AuditLog, Fatal> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| {
                Fatal::new(format!(
                    "cannot append to the audit {}: {e}",
                    path.display()
                ))
            })?;
        Ok(AuditLog {
            path,
            file,
            lines: Vec::new(),
            error: None,
        })
    }

    /// Appends `record`; false once an append failed.
    fn keep(&mut self, record: &AuditRecord) -> bool {
        let line = serde_json::to_string(record).unwrap_or_default();
        // One write of the whole line: appends from other runs never interleave in it.
        if let Err(e) = self.file.write_all(format!("{line}\n").as_bytes()) {
            self.error.get_or_insert(e);
        }
        self.lines.push(line);
        self.error.is_none()
    }

    /// Whether every record reached the file; says on stderr when one did not.
    fn finish(&self) -> bool {
        match &self.error {
            None => true,
            Some(e) => {
                eprintln!(
                    "compliance: error: could not append to the audit {}: {e}",
                    self.path.display()
                );
                false
            }
        }
    }
}

/// The one report `--from` names, refused by name when it is not a report.
fn read_report(path: &Path) -> Result<Report, Fatal> {
    let mut reports = history::load(&[path.to_path_buf()]).map_err(Fatal::new)?;
    reports
        .pop()
        .ok_or_else(|| Fatal::new(format!("{} holds no report", path.display())))
}

async fn fresh_scan(
    args: &RemediateArgs,
    session: &Session,
    rules: &RuleSet,
    suppressions: &Suppressions,
) -> Result<Report, Fatal> {
    let started_at = Utc::now();
    let live = Live {
        session,
        regions: RegionChoice {
            named: args.regions.clone(),
            all: false,
        },
        concurrency: usize::from(args.concurrency),
        deadline: None,
    };
    let inventory =
        pipeline::collect_live(&live, rules, suppressions, &Bar::new(args.quiet)).await?;
    Ok(pipeline::judge(
        rules,
        &inventory,
        suppressions,
        "live",
        None,
        started_at,
    ))
}

/// `$XDG_STATE_HOME/compliance/remediation-audit.jsonl`, else under `~/.local/state`;
/// its directory is created when missing.
fn default_audit_path() -> Result<PathBuf, Fatal> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
        .ok_or_else(|| {
            Fatal::new("no home directory to keep the audit in: pass --audit-log FILE")
        })?;
    let dir = state.join("compliance");
    fs::create_dir_all(&dir).map_err(|e| {
        Fatal::new(format!(
            "cannot create {} for the audit: {e}",
            dir.display()
        ))
    })?;
    Ok(dir.join("remediation-audit.jsonl"))
}

/// Shows what `--apply` would change and asks; anything but `y`/`yes` stops the run.
fn confirm(session: &Session, preview: &[AuditRecord]) -> Result<(), Fatal> {
    let changes: Vec<&AuditRecord> = preview
        .iter()
        .filter(|r| r.result == Outcome::Planned)
        .collect();
    if changes.is_empty() {
        return Ok(());
    }
    eprintln!("These changes will be made as {}:", session.caller_arn);
    for r in &changes {
        eprintln!(
            "  {} {} ({}): {}",
            r.resource_type.as_str(),
            r.resource_id,
            r.region,
            r.change
        );
    }
    let answer = ask(&format!(
        "Apply {} changes in account {}? [y/N] ",
        changes.len(),
        session.account_id
    ))?;
    match answer.to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => Err(Fatal::new("not confirmed; nothing was changed")),
    }
}

/// Stores the run's audit lines as `remediation/YYYY/MM/DD/<run id>.audit.jsonl` in the
/// stack's report bucket; says on stderr when it cannot (the local audit has them).
async fn store_audit(session: &Session, bucket: &str, run_id: &str, lines: &[String]) -> bool {
    let key = format!(
        "remediation/{}/{run_id}.audit.jsonl",
        Utc::now().format("%Y/%m/%d")
    );
    let body = (lines.join("\n") + "\n").into_bytes();
    let s3 = session.s3_in(&session.default_region());
    match store_new(&s3, bucket, &key, body, "application/x-ndjson").await {
        Ok(()) => {
            eprintln!("audit stored at s3://{bucket}/{key}");
            true
        }
        Err(e) => {
            eprintln!("compliance: error: could not store the audit in s3://{bucket}/{key}: {e}");
            false
        }
    }
}

/// One line per outcome on stderr, the permissions a dry run's plan needs, and where
/// the audit is.
fn summarize(records: &[AuditRecord], planned: &Plan, mode: Mode, audit_path: &Path) {
    let count = |o: Outcome| records.iter().filter(|r| r.result == o).count();
    let counts = [
        Outcome::Planned,
        Outcome::Applied,
        Outcome::Skipped,
        Outcome::Failed,
        Outcome::Manual,
    ]
    .into_iter()
    .filter(|o| count(*o) > 0)
    .map(|o| format!("{} {}", count(o), o.as_str()))
    .collect::<Vec<_>>()
    .join(", ");
    eprintln!("{counts}; audit appended to {}", audit_path.display());
    if mode == Mode::DryRun && count(Outcome::Planned) > 0 {
        eprintln!(
            "dry run: nothing was changed. --apply needs: {}",
            fixes::permissions(&planned.actions).join(", ")
        );
    }
}
