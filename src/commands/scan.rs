//! `compliance scan`: select rules, collect (or load) the inventory, evaluate, print.

use std::fs;
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use chrono::Utc;

use super::common::{
    accepted_and_new, compare, deliver, load_baseline, select_rules, warn_suppressions, Bar,
};
use super::files::{check_distinct, check_writable, write_atomically, write_stdout};
use crate::aws::regions::RegionChoice;
use crate::aws::session::Session;
use crate::cli::ScanArgs;
use crate::error::Fatal;
use crate::model::{Inventory, INVENTORY_SCHEMA_VERSION};
use crate::output::write_rules;
use crate::pipeline::{self, Live};
use crate::report::Report;
use crate::rules::Status;

pub async fn run(args: ScanArgs) -> Result<ExitCode, Fatal> {
    let (rules, suppressions) = select_rules(&args)?;
    if args.list_rules {
        let format = args.format.for_list("--list-rules").map_err(Fatal::new)?;
        write_stdout(|out| {
            write_rules(format, &rules.rules, std::io::stdout().is_terminal(), out)
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    for path in [&args.output, &args.save_inventory].into_iter().flatten() {
        check_writable(path)?;
    }
    let outputs: Vec<(&str, &Path)> = [
        ("--output", &args.output),
        ("--save-inventory", &args.save_inventory),
    ]
    .into_iter()
    .filter_map(|(flag, p)| p.as_deref().map(|p| (flag, p)))
    .collect();
    let inputs: Vec<(&str, &Path)> = args
        .inventory
        .as_deref()
        .map(|p| ("--inventory", p))
        .into_iter()
        .collect();
    let inputs: Vec<(&str, &Path)> = inputs
        .into_iter()
        .chain(args.baseline.as_deref().map(|p| ("--baseline", p)))
        .chain(
            args.suppression
                .suppressions
                .as_deref()
                .map(|p| ("--suppressions", p)),
        )
        .collect();
    check_distinct(&outputs, &inputs)?;
    let baseline = load_baseline(&args).await?;

    let started_at = Utc::now();
    let clock = Instant::now();
    let (inventory, source) = match &args.inventory {
        Some(path) => (read_inventory(path)?, "inventory"),
        None => {
            let options = args.aws.session_options(None, args.regions.first());
            let session = Session::connect(&options).await?;
            let live = Live {
                session: &session,
                regions: RegionChoice {
                    named: args.regions.clone(),
                    all: args.all_regions,
                },
                concurrency: usize::from(args.concurrency),
                deadline: None,
            };
            let inventory =
                pipeline::collect_live(&live, &rules, &suppressions, &Bar::new(args.quiet)).await?;
            (inventory, "live")
        }
    };
    if let Some(path) = &args.save_inventory {
        write_atomically(path, |w| {
            serde_json::to_writer_pretty(&mut *w, &inventory)?;
            writeln!(w)
        })?;
    }
    let mut report = pipeline::judge(&rules, &inventory, &suppressions, source, None, started_at);
    compare(&mut report, baseline.as_ref(), &rules)?;
    warn_collection_errors(&report);
    warn_suppressions(&report);
    if !args.quiet {
        let score = report
            .summary
            .score
            .map_or("n/a".to_string(), |s| format!("{s:.1}%"));
        eprintln!(
            "scanned {} resources with {} rules in {:.1}s: score {score}, {} failed{}, {} errors",
            report.summary.resources_scanned,
            report.scan.rules_evaluated,
            clock.elapsed().as_secs_f64(),
            report.summary.count(Status::Fail),
            accepted_and_new(&report),
            report.summary.count(Status::Error),
        );
    }
    deliver(&args, &report)
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
