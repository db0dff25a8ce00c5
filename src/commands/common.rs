//! Plumbing every command shares: the connection the AWS flags ask for, the progress
//! bar, where a scan's report is printed and the exit code it gives, and the wording of
//! CloudFormation's refusals.

use std::io::{self, IsTerminal};
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};

use super::files::{write_atomically, write_stdout};
use crate::aws::buckets::stored_reports;
use crate::aws::errors::CallError;
use crate::aws::session::Session;
use crate::aws::session::{Role, SessionOptions};
use crate::aws::stack::Stack;
use crate::cli::{AwsArgs, FailOn, ScanArgs, SuppressionArgs};
use crate::error::Fatal;
use crate::history;
use crate::output::{GroupBy, TableReporter};
use crate::pipeline::{self, Progress};
use crate::report::{BaselineState, EntryStatus, Report};
use crate::rules::{RuleSet, Selection, Severity, Status};
use crate::stack::Suffix;
use crate::suppress::Suppressions;

impl AwsArgs {
    /// The connection these flags ask for: `region` overrides the profile's home region;
    /// `fallback_region` stands in when neither the profile nor the environment names one.
    pub fn session_options(
        &self,
        region: Option<&String>,
        fallback_region: Option<&String>,
    ) -> SessionOptions {
        SessionOptions {
            profile: self.profile.clone(),
            region: region.cloned(),
            fallback_region: fallback_region.cloned(),
            endpoint_url: self.endpoint_url.clone(),
            role: self.role_arn.as_ref().map(|arn| self.role(arn.clone())),
        }
    }

    /// The role `arn`, assumed with these flags' external id and session name.
    pub fn role(&self, arn: String) -> Role {
        Role {
            arn,
            external_id: self.external_id.clone(),
            session_name: self.role_session_name.clone(),
        }
    }
}

/// A progress bar on stderr, drawn only when it is a terminal and not `--quiet`.
pub struct Bar(ProgressBar);

impl Bar {
    pub fn new(quiet: bool) -> Bar {
        let bar = if quiet || !io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(0)
        };
        bar.set_style(
            ProgressStyle::with_template("{spinner} collecting [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        Bar(bar)
    }
}

impl Progress for Bar {
    // Accounts scanned at once each add their units.
    fn start(&self, units: u64) {
        self.0.inc_length(units);
    }

    fn done(&self, label: &str) {
        self.0.set_message(label.to_string());
        self.0.inc(1);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// The built-in and `--rules` rules, narrowed by the selection flags (`--list-rules`
/// may list none), and the suppression file the flags name, checked against all of them.
pub fn select_rules(args: &ScanArgs) -> Result<(RuleSet, Suppressions), Fatal> {
    let rules = pipeline::load_rules(&args.rule_dirs)?;
    let suppressions = load_suppressions(&args.suppression, &rules)?;
    let selection = Selection {
        rules: args.only_rules.clone(),
        skip_rules: args.skip_rules.clone(),
        services: args.services.clone(),
        min_severity: args.min_severity,
    };
    let selected = if args.list_rules {
        rules.select(&selection).map_err(Fatal::new)?
    } else {
        pipeline::select(rules, &selection)?
    };
    Ok((selected, suppressions))
}

/// The suppression file `args` name (or the default one), validated against `rules`.
pub fn load_suppressions(args: &SuppressionArgs, rules: &RuleSet) -> Result<Suppressions, Fatal> {
    pipeline::load_suppressions(
        args.suppressions.as_deref(),
        !args.no_suppressions,
        rules,
        args.max_suppression_days,
    )
}

/// Says on stderr which suppression entries expired (their failures count again), which
/// expire within 14 days and which matched nothing; the report lists every entry.
pub fn warn_suppressions(report: &Report) {
    for e in &report.suppressions {
        let what = format!(
            "suppression {} ({} on {}, owner {})",
            e.entry,
            e.rules.join(", "),
            e.resources.join(", "),
            e.owner
        );
        match e.status {
            EntryStatus::Expired => eprintln!(
                "warning: {what} expired on {}: its {} failure(s) count again",
                e.expires, e.findings
            ),
            EntryStatus::Expiring => eprintln!(
                "warning: {what} expires on {}; renew it or fix its {} failure(s)",
                e.expires, e.findings
            ),
            EntryStatus::Stale => eprintln!(
                "warning: {what} matched no failure in this scan: remove it from the file"
            ),
            EntryStatus::Active | EntryStatus::OutOfScope => {}
        }
    }
}

/// What the summary line adds about accepted and new failures: ` (2 more suppressed, 1 new)`.
pub fn accepted_and_new(report: &Report) -> String {
    let mut parts = Vec::new();
    if report.summary.suppressed > 0 {
        parts.push(format!("{} more suppressed", report.summary.suppressed));
    }
    if let Some(b) = &report.baseline {
        let new = report.new_failures();
        parts.push(format!(
            "{new} new, {} resolved since scan {}",
            b.resolved.len(),
            b.scan_id
        ));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

/// The earlier scan `--baseline` or `--baseline-suffix` names, read before anything is
/// scanned.
pub async fn load_baseline(args: &ScanArgs) -> Result<Option<Report>, Fatal> {
    let mut stored = match (&args.baseline, &args.baseline_suffix) {
        (Some(path), _) => history::load(std::slice::from_ref(path)).map_err(Fatal::new)?,
        (None, Some(suffix)) => stored_scans(&args.aws, args.regions.first(), suffix, None).await?,
        (None, None) => return Ok(None),
    };
    Ok(stored.pop())
}

/// Marks `report`, judged with `rules`, against the baseline, if any.
pub fn compare(
    report: &mut Report,
    baseline: Option<&Report>,
    rules: &RuleSet,
) -> Result<(), Fatal> {
    let Some(earlier) = baseline else {
        return Ok(());
    };
    let evaluated = rules.rules.iter().map(|r| r.id.as_str()).collect();
    history::baseline::mark(report, earlier, &evaluated).map_err(Fatal::new)
}

/// The scans the stack `compliance-<suffix>` stored in its report bucket (those since
/// `since` when given), oldest first.
pub async fn stored_scans(
    aws: &AwsArgs,
    region: Option<&String>,
    suffix: &str,
    since: Option<chrono::NaiveDate>,
) -> Result<Vec<Report>, Fatal> {
    let suffix = Suffix::parse(suffix).map_err(Fatal::new)?;
    let session = Session::connect(&aws.session_options(region, None)).await?;
    let bucket = Stack::new(&session, &suffix.stack_name())
        .report_bucket()
        .await
        .map_err(|e| Fatal::new(format!("{e}, or name report files")))?;
    let s3 = session.s3_in(&session.default_region());
    let texts = stored_reports(&s3, &bucket, since)
        .await
        .map_err(|e| Fatal::new(format!("cannot read the scans in s3://{bucket}: {e}")))?;
    if texts.is_empty() {
        return Err(Fatal::new(format!(
            "no scan is stored in s3://{bucket} yet"
        )));
    }
    history::parse_all(texts).map_err(Fatal::new)
}

/// Prints `report` as the flags ask and decides the exit code: the same for a local
/// scan and for one the Lambda ran.
pub fn deliver(args: &ScanArgs, report: &Report) -> Result<ExitCode, Fatal> {
    let reporter = args.format.reporter(TableReporter {
        show_suppressed: args.show_suppressed,
        group_by: args.group_by,
        verbose: args.verbose,
        ..table_view(args.output.is_none())
    });
    match &args.output {
        Some(path) => write_atomically(path, |w| reporter.write(report, w))?,
        None => write_stdout(|out| reporter.write(report, out))?,
    }
    let threshold = match args.fail_on_new {
        Some(severity) => Threshold::New(severity),
        None => Threshold::Any(args.fail_on),
    };
    Ok(ExitCode::from(exit_code(
        report,
        threshold,
        args.accept_errors,
    )))
}

/// Which failures make a scan exit 1.
#[derive(Debug, Clone, Copy)]
enum Threshold {
    /// `--fail-on`: any failure at or above it.
    Any(FailOn),
    /// `--fail-on-new`: only failures the baseline did not have.
    New(Severity),
}

/// How the table is laid out: to the terminal's width and in colour when stdout is a
/// terminal (`to_stdout`; NO_COLOR honoured), else `COLUMNS` wide (120 by default), plain;
/// grouped by rule, suppressed findings listed, no evidence.
pub fn table_view(to_stdout: bool) -> TableReporter {
    let terminal = to_stdout && io::stdout().is_terminal();
    let color = terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let columns = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok());
    let width = terminal
        .then(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
        .flatten()
        .or(columns)
        .unwrap_or(120)
        .max(60);
    TableReporter {
        width,
        color,
        show_suppressed: true,
        group_by: GroupBy::Rule,
        verbose: false,
    }
}

/// A scan's exit code: 1 when a failure no suppression accepts is at or above the
/// threshold; else 3 when something could not be read (an ERROR finding, a collection
/// error, a scan cut short, an account not scanned) and that was not accepted — "I could not look" is never
/// "compliant"; else 0.
fn exit_code(report: &Report, threshold: Threshold, accept_errors: bool) -> u8 {
    let failing = report
        .findings
        .iter()
        .filter(|f| f.fails())
        .any(|f| match threshold {
            Threshold::Any(FailOn::Never) => false,
            Threshold::Any(FailOn::AtLeast(s)) => f.severity.at_least(s),
            Threshold::New(s) => f.baseline == Some(BaselineState::New) && f.severity.at_least(s),
        });
    let unread = report.scan.incomplete
        || report.accounts_unscanned() > 0
        || !report.errors.is_empty()
        || report.findings.iter().any(|f| f.status == Status::Error);
    if failing {
        1
    } else if unread && !accept_errors {
        INCOMPLETE
    } else {
        0
    }
}

/// The exit code of a scan that could not read everything and found nothing failing.
pub const INCOMPLETE: u8 = 3;

/// CloudFormation's refusal of a call on stack `name`, in one sentence.
pub fn refused(name: &str) -> impl Fn(CallError) -> Fatal + Copy + '_ {
    move |e| Fatal::new(format!("CloudFormation refused {name}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures;
    use crate::rules::Severity;

    #[test]
    fn failures_outrank_what_could_not_be_read_which_outranks_a_pass() {
        let mut report = fixtures::report();
        report.errors.clear();
        report.findings.retain(|f| f.status != Status::Error);
        let fail_on = Threshold::Any(FailOn::AtLeast(Severity::Low));
        let never = Threshold::Any(FailOn::Never);
        let has_failures = report.findings.iter().any(|f| f.status == Status::Fail);
        assert!(has_failures);
        assert_eq!(exit_code(&report, fail_on, false), 1);
        assert_eq!(exit_code(&report, never, false), 0);

        let mut unread = report.clone();
        unread.findings[0].status = Status::Error;
        assert_eq!(
            exit_code(&unread, fail_on, false),
            1,
            "a failure still wins"
        );
        assert_eq!(exit_code(&unread, never, false), INCOMPLETE);
        assert_eq!(exit_code(&unread, never, true), 0, "--accept-errors");

        let mut cut_short = report.clone();
        cut_short.findings.clear();
        cut_short.scan.incomplete = true;
        assert_eq!(exit_code(&cut_short, fail_on, false), INCOMPLETE);

        // Accepted failures do not fail the scan; with a baseline, only new ones do.
        let mut accepted = report.clone();
        for f in &mut accepted.findings {
            f.suppressed = Some(fixtures::suppression());
        }
        assert_eq!(exit_code(&accepted, fail_on, false), 0);
        let mut compared = report;
        for f in &mut compared.findings {
            f.baseline = Some(BaselineState::Existing);
        }
        assert_eq!(
            exit_code(&compared, Threshold::New(Severity::Low), false),
            0
        );
        compared.findings[2].baseline = Some(BaselineState::New); // the critical failure
        assert_eq!(
            exit_code(&compared, Threshold::New(Severity::Critical), false),
            1
        );
        assert_eq!(
            exit_code(&compared, fail_on, false),
            1,
            "--fail-on counts existing ones"
        );
    }
}
