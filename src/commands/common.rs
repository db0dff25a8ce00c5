//! Plumbing every command shares: the connection the AWS flags ask for, the progress
//! bar, where a scan's report is printed and the exit code it gives, and the wording of
//! CloudFormation's refusals.

use std::io::{self, IsTerminal};
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};

use super::files::{write_atomically, write_stdout};
use crate::aws::errors::CallError;
use crate::aws::session::SessionOptions;
use crate::cli::{AwsArgs, FailOn, ScanArgs};
use crate::error::Fatal;
use crate::pipeline::{self, Progress};
use crate::report::Report;
use crate::rules::{RuleSet, Selection, Status};

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
    fn start(&self, units: u64) {
        self.0.set_length(units);
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
/// may list none).
pub fn select_rules(args: &ScanArgs) -> Result<RuleSet, Fatal> {
    let rules = pipeline::load_rules(&args.rule_dirs)?;
    let selection = Selection {
        rules: args.only_rules.clone(),
        skip_rules: args.skip_rules.clone(),
        services: args.services.clone(),
        min_severity: args.min_severity,
    };
    if args.list_rules {
        return rules.select(&selection).map_err(Fatal::new);
    }
    pipeline::select(rules, &selection)
}

/// Prints `report` as the flags ask and decides the exit code: the same for a local
/// scan and for one the Lambda ran.
pub fn deliver(args: &ScanArgs, report: &Report) -> Result<ExitCode, Fatal> {
    let terminal = args.output.is_none() && io::stdout().is_terminal();
    let color = terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let reporter = args.format.reporter(terminal, color);
    match &args.output {
        Some(path) => write_atomically(path, |w| reporter.write(report, w))?,
        None => write_stdout(|out| reporter.write(report, out))?,
    }
    Ok(ExitCode::from(exit_code(
        report,
        args.fail_on,
        args.accept_errors,
    )))
}

/// A scan's exit code: 1 when a finding at or above `fail_on` failed; else 3 when
/// something could not be read (an ERROR finding, a collection error, a scan cut
/// short) and that was not accepted — "I could not look" is never "compliant"; else 0.
fn exit_code(report: &Report, fail_on: FailOn, accept_errors: bool) -> u8 {
    let failing = match fail_on {
        FailOn::Never => false,
        FailOn::AtLeast(threshold) => report
            .findings
            .iter()
            .any(|f| f.status == Status::Fail && f.severity.at_least(threshold)),
    };
    let unread = report.scan.incomplete
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
        let fail_on = FailOn::AtLeast(Severity::Low);
        let has_failures = report.findings.iter().any(|f| f.status == Status::Fail);
        assert!(has_failures);
        assert_eq!(exit_code(&report, fail_on, false), 1);
        assert_eq!(exit_code(&report, FailOn::Never, false), 0);

        let mut unread = report.clone();
        unread.findings[0].status = Status::Error;
        assert_eq!(
            exit_code(&unread, fail_on, false),
            1,
            "a failure still wins"
        );
        assert_eq!(exit_code(&unread, FailOn::Never, false), INCOMPLETE);
        assert_eq!(
            exit_code(&unread, FailOn::Never, true),
            0,
            "--accept-errors"
        );

        let mut cut_short = report;
        cut_short.findings.clear();
        cut_short.scan.incomplete = true;
        assert_eq!(exit_code(&cut_short, fail_on, false), INCOMPLETE);
    }
}
