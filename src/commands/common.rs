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
    Ok(exit_code(report, args.fail_on))
}

fn exit_code(report: &Report, fail_on: FailOn) -> ExitCode {
    let FailOn::AtLeast(threshold) = fail_on else {
        return ExitCode::SUCCESS;
    };
    let failing = report
        .findings
        .iter()
        .any(|f| f.status == Status::Fail && f.severity.at_least(threshold));
    if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// CloudFormation's refusal of a call on stack `name`, in one sentence.
pub fn refused(name: &str) -> impl Fn(CallError) -> Fatal + Copy + '_ {
    move |e| Fatal::new(format!("CloudFormation refused {name}: {e}"))
}
