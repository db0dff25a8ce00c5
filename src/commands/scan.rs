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
use crate::aws::security_hub;
use crate::aws::session::Session;
use crate::cli::ScanArgs;
use crate::deployed;
use crate::error::Fatal;
use crate::model::{Inventory, INVENTORY_SCHEMA_VERSION};
use crate::output::write_rules;
use crate::pipeline::{self, Live};
use crate::report::Report;
use crate::rules::RuleSet;
use crate::rules::Status;
use crate::suppress::Suppressions;
use crate::template::{self, Scanned};

pub async fn run(args: ScanArgs) -> Result<ExitCode, Fatal> {
    if args.stack.is_some() && args.regions.len() > 1 {
        return Err(Fatal::new(
            "a stack lives in one region: give --region once with --stack",
        ));
    }
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
    let judge = |inventory: &Inventory, source: &str| {
        pipeline::judge(&rules, inventory, &suppressions, source, None, started_at)
    };
    let mut session = None;
    let (mut report, inventory) = if let Some(path) = &args.inventory {
        let inventory = read_inventory(path)?;
        (judge(&inventory, "inventory"), inventory)
    } else if !args.templates.is_empty() {
        let scanned = read_templates(&args, started_at)?;
        let mut report = judge(&scanned.inventory, "template");
        apply_template_suppressions(&mut report, &scanned);
        (report, scanned.inventory)
    } else {
        let options = args.aws.session_options(None, args.regions.first());
        let session = session.insert(Session::connect(&options).await?);
        let live = Live {
            session,
            regions: RegionChoice {
                named: args.regions.clone(),
                all: args.all_regions,
            },
            concurrency: usize::from(args.concurrency),
            deadline: None,
        };
        let bar = Bar::new(args.quiet);
        match &args.stack {
            Some(name) => scan_stack(&args, name, live, &rules, &suppressions, &bar).await?,
            None => {
                let inventory = pipeline::collect_live(&live, &rules, &suppressions, &bar).await?;
                (judge(&inventory, "live"), inventory)
            }
        }
    };
    if let Some(path) = &args.save_inventory {
        write_atomically(path, |w| {
            serde_json::to_writer_pretty(&mut *w, &inventory)?;
            writeln!(w)
        })?;
    }
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
    let code = deliver(&args, &report)?;
    if let (true, Some(session)) = (args.security_hub, &session) {
        export_to_security_hub(&args, session, &report, &rules).await?;
    }
    Ok(code)
}

/// `--security-hub`, once the report is delivered: a failed export is exit 2, the report
/// kept.
async fn export_to_security_hub(
    args: &ScanArgs,
    session: &Session,
    report: &Report,
    rules: &RuleSet,
) -> Result<(), Fatal> {
    let evaluated = rules.rules.iter().map(|r| r.id.as_str()).collect();
    let exported = security_hub::export(session, report, &evaluated, args.security_hub_all)
        .await
        .map_err(Fatal::new)?;
    if let Some((id, reason)) = exported.failed.first() {
        return Err(Fatal::new(format!(
            "Security Hub refused {} finding(s) even when sent again (first: {id}: {reason}); {} imported, {} archived",
            exported.failed.len(),
            exported.imported,
            exported.archived
        )));
    }
    if !args.quiet {
        eprintln!(
            "security hub: {} finding(s) imported, {} archived as resolved",
            exported.imported, exported.archived
        );
    }
    Ok(())
}

/// `--stack NAME`: the deployed stack's template and live resources, and their drift.
async fn scan_stack(
    args: &ScanArgs,
    name: &str,
    live: Live<'_>,
    rules: &RuleSet,
    suppressions: &Suppressions,
    bar: &Bar,
) -> Result<(Report, Inventory), Fatal> {
    let region = live
        .regions
        .named
        .first()
        .cloned()
        .unwrap_or_else(|| live.session.default_region());
    let deployed = crate::aws::deployed::read(live.session, name, &region)
        .await
        .map_err(Fatal::new)?;
    if !args.quiet {
        eprintln!(
            "read stack {} ({}): {} resources",
            deployed.name,
            deployed.status,
            deployed.resources.len()
        );
    }
    let run = deployed::Run {
        live,
        scan_id: None,
        started_at: Utc::now(),
    };
    let judged = deployed::judge(&deployed, &run, rules, suppressions, bar).await?;
    if !args.quiet {
        for warning in &judged.warnings {
            eprintln!("warning: {warning}");
        }
    }
    Ok((judged.report, judged.live))
}

/// The templates `--template` names, read with the parameters given.
fn read_templates(args: &ScanArgs, at: chrono::DateTime<Utc>) -> Result<Scanned, Fatal> {
    let mut parameters = match &args.parameters_file {
        Some(path) => {
            let text = fs::read_to_string(path).map_err(|e| {
                Fatal::new(format!(
                    "cannot read parameters file {}: {e}",
                    path.display()
                ))
            })?;
            template::parameters::parse(&path.display().to_string(), &text).map_err(Fatal::new)?
        }
        None => Default::default(),
    };
    parameters.extend(args.parameters.iter().cloned());
    let options = template::Options {
        parameters,
        region: args
            .regions
            .first()
            .cloned()
            .unwrap_or_else(|| "us-east-1".into()),
        at,
    };
    let scanned = template::scan(&args.templates, &options).map_err(Fatal::new)?;
    // An entry naming a rule that does not exist is refused like a suppression file's.
    let known = pipeline::load_rules(&args.rule_dirs)?;
    if let Some(e) = scanned
        .suppressions
        .iter()
        .find(|e| !known.rules.iter().any(|r| r.id == e.rule))
    {
        return Err(Fatal::new(format!(
            "{}:{}: {}'s suppression names the rule {}, which does not exist",
            e.file, e.line, e.resource, e.rule
        )));
    }
    if !args.quiet {
        for warning in &scanned.warnings {
            eprintln!("warning: {warning}");
        }
        let all = scanned
            .inventory
            .resources
            .iter()
            .filter(|r| r.properties.kind() == crate::model::ResourceKind::StackResource)
            .count();
        let only: usize = scanned.unmapped.values().sum();
        eprintln!(
            "read {} template(s): {all} resources; {only} of types only the template rules judge{}",
            scanned.templates,
            if only > 0 {
                let types: Vec<&str> = scanned.unmapped.keys().map(String::as_str).collect();
                format!(" ({})", types.join(", "))
            } else {
                String::new()
            }
        );
    }
    Ok(scanned)
}

/// Marks the failures the templates' own `Metadata.compliance.suppress` accepts, and
/// warns of entries that accept a rule that passes.
fn apply_template_suppressions(report: &mut Report, scanned: &Scanned) {
    let warnings = template::suppress::accept(
        report,
        &scanned.suppressions,
        template::suppress::in_template,
    );
    for w in warnings {
        eprintln!("warning: {w}");
    }
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
        if e.operation == crate::model::UNRESOLVED {
            eprintln!("warning: the template cannot tell {what}: {}", e.message);
        } else {
            eprintln!(
                "warning: could not read {what} in {}: {} failed: {}: {}",
                e.region, e.operation, e.code, e.message
            );
        }
    }
    if report.errors.len() > SHOWN {
        eprintln!(
            "warning: … and {} more collection errors (listed in the JSON report)",
            report.errors.len() - SHOWN
        );
    }
}
