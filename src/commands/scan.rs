//! `compliance scan`: select rules, collect (or load) the inventory, evaluate, print.

use std::fs;
use std::io::{self, IsTerminal};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};

use super::files::{check_writable, write_atomically, write_stdout};
use crate::aws::collect::{collect, task_count};
use crate::aws::regions::{self, RegionChoice};
use crate::aws::session::{Session, Target};
use crate::cli::{AwsArgs, FailOn, ScanArgs};
use crate::engine::{build_report, RunInfo};
use crate::error::Fatal;
use crate::model::{Inventory, INVENTORY_SCHEMA_VERSION};
use crate::output::write_rules;
use crate::report::Report;
use crate::rules::{load, RuleSet, Selection, Status};

pub async fn run(args: ScanArgs) -> Result<ExitCode, Fatal> {
    if args.remote {
        return super::remote::run(args).await;
    }
    let rules = select_rules(&args)?;
    if args.list_rules {
        let format = args.format.for_list("--list-rules").map_err(Fatal::new)?;
        write_stdout(|out| write_rules(format, &rules.rules, out))?;
        return Ok(ExitCode::SUCCESS);
    }
    for path in [&args.output, &args.save_inventory].into_iter().flatten() {
        check_writable(path)?;
    }

    let started_at = Utc::now();
    let clock = Instant::now();
    let (inventory, source) = match &args.inventory {
        Some(path) => (read_inventory(path)?, "inventory"),
        None => {
            let session = Session::connect(&target(&args.aws, &args.regions)).await?;
            let choice = RegionChoice {
                named: args.regions.clone(),
                all: args.all_regions,
            };
            let quiet = args.quiet;
            let inventory = collect_live(
                &session,
                &choice,
                &rules,
                usize::from(args.concurrency),
                quiet,
            )
            .await?;
            (inventory, "live")
        }
    };
    if let Some(path) = &args.save_inventory {
        write_atomically(path, |w| {
            serde_json::to_writer_pretty(&mut *w, &inventory)?;
            writeln!(w)
        })?;
    }
    let run = RunInfo {
        scan_id: uuid::Uuid::new_v4().to_string(),
        source: source.to_string(),
        started_at,
        finished_at: Utc::now(),
    };
    let report = build_report(&rules, &inventory, run);
    warn_collection_errors(&report);
    if !args.quiet {
        let score = report
            .summary
            .score
            .map_or("n/a".to_string(), |s| format!("{s:.1}%"));
        eprintln!(
            "scanned {} resources with {} rules in {:.1}s: score {score}, {} failed, {} errors",
            report.summary.resources_scanned,
            report.scan.rules_evaluated,
            clock.elapsed().as_secs_f64(),
            report.summary.count(Status::Fail),
            report.summary.count(Status::Error),
        );
    }
    deliver(&args, &report)
}

/// Prints `report` as the flags ask and decides the exit code: the same for a local
/// scan and for one the Lambda ran.
pub(super) fn deliver(args: &ScanArgs, report: &Report) -> Result<ExitCode, Fatal> {
    let terminal = args.output.is_none() && io::stdout().is_terminal();
    let color = terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let reporter = args.format.reporter(terminal, color);
    match &args.output {
        Some(path) => write_atomically(path, |w| reporter.write(report, w))?,
        None => write_stdout(|out| reporter.write(report, out))?,
    }
    Ok(exit_code(report, args.fail_on))
}

/// The built-in and `--rules` rules, narrowed by the selection flags.
pub(super) fn select_rules(args: &ScanArgs) -> Result<RuleSet, Fatal> {
    let rules = load::load(&args.rule_dirs).map_err(|e| Fatal::new(e.to_string()))?;
    let selection = Selection {
        rules: args.only_rules.clone(),
        skip_rules: args.skip_rules.clone(),
        services: args.services.clone(),
        min_severity: args.min_severity,
    };
    let rules = rules.select(&selection).map_err(Fatal::new)?;
    if rules.rules.is_empty() && !args.list_rules {
        return Err(Fatal::new(
            "no rule is left to evaluate: loosen --rule, --skip-rule, --service or --min-severity",
        ));
    }
    Ok(rules)
}

/// Where a scan of `regions` connects: the profile's home region, else the first named.
pub(super) fn target(aws: &AwsArgs, regions: &[String]) -> Target {
    Target {
        profile: aws.profile.clone(),
        region: None,
        fallback_region: regions.first().cloned(),
        endpoint_url: aws.endpoint_url.clone(),
    }
}

/// Collects what `rules` need in the chosen regions, with a progress bar on a terminal.
pub(super) async fn collect_live(
    session: &Session,
    choice: &RegionChoice,
    rules: &RuleSet,
    concurrency: usize,
    quiet: bool,
) -> Result<Inventory, Fatal> {
    let regions = regions::resolve(session, choice).await?;
    let needs = rules.needs();

    let progress = if quiet || !io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(task_count(&needs, regions.len()))
    };
    progress.set_style(
        ProgressStyle::with_template("{spinner} collecting [{bar:30}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let tick = |label: &str| {
        progress.set_message(label.to_string());
        progress.inc(1);
    };
    let inventory = collect(session, &regions, &needs, concurrency, None, &tick).await;
    progress.finish_and_clear();
    Ok(inventory)
}

fn read_inventory(path: &Path) -> Result<Inventory, Fatal> {
    let text = fs::read_to_string(path)
        .map_err(|e| Fatal::new(format!("cannot read inventory {}: {e}", path.display())))?;
    let inventory: Inventory = serde_json::from_str(&text).map_err(|e| {
        Fatal::new(format!(
            "{} is not an inventory saved by `scan --save-inventory`: {e}",
            path.display()
        ))
    })?;
    if inventory.schema_version != INVENTORY_SCHEMA_VERSION {
        return Err(Fatal::new(format!(
            "{} has inventory schema version {}, this build reads version {INVENTORY_SCHEMA_VERSION}",
            path.display(),
            inventory.schema_version
        )));
    }
    Ok(inventory)
}

/// Says on stderr what the scan could not see; the report holds the full list.
fn warn_collection_errors(report: &Report) {
    const SHOWN: usize = 10;
    for e in report.errors.iter().take(SHOWN) {
        let what = match &e.resource_id {
            Some(id) if e.attributes.is_empty() => format!("{} {id}", e.resource_type),
            Some(id) => format!("{} of {} {id}", e.attributes.join(", "), e.resource_type),
            None if e.attributes.is_empty() => format!("the {} list", e.resource_type),
            None => format!("{} of every {}", e.attributes.join(", "), e.resource_type),
        };
        eprintln!(
            "warning: could not read {what} in {}: {} failed: {}: {}",
            e.region, e.operation, e.code, e.message
        );
    }
    if report.errors.len() > SHOWN {
        eprintln!(
            "warning: … and {} more collection errors (listed in the JSON report)",
            report.errors.len() - SHOWN
        );
    }
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
