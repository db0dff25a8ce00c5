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
use crate::aws::organizations;
use crate::aws::regions::RegionChoice;
use crate::aws::security_hub;
use crate::aws::session::Session;
use crate::cli::ScanArgs;
use crate::deployed;
use crate::error::Fatal;
use crate::model::{Inventory, INVENTORY_SCHEMA_VERSION};
use crate::organization::scan::{Hooks, Plan};
use crate::organization::{self, Account, Outcome};
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
    let several = args.several.organization || !args.several.accounts.is_empty();
    if args.several.organization && args.several.role_name.is_none() {
        return Err(Fatal::new("--organization needs --role-name: the role to assume in each account (or --remote --suffix S to start the deployed stack's organisation run)"));
    }
    if let Some(path) = &args.output {
        check_writable(path)?;
    }
    match &args.save_inventory {
        Some(dir) if several => check_directory(dir)?,
        Some(path) => check_writable(path)?,
        None => {}
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
    let (mut report, inventory) = if let Some(dir) = args.inventory.as_ref().filter(|p| p.is_dir())
    {
        (
            replay_accounts(dir, &rules, &suppressions, started_at)?,
            None,
        )
    } else if let Some(path) = &args.inventory {
        let inventory = read_inventory(path)?;
        (judge(&inventory, "inventory"), Some(inventory))
    } else if !args.templates.is_empty() {
        let scanned = read_templates(&args, started_at)?;
        let mut report = judge(&scanned.inventory, "template");
        apply_template_suppressions(&mut report, &scanned);
        (report, Some(scanned.inventory))
    } else if several {
        let options = args.aws.session_options(None, args.regions.first());
        let caller = Session::connect(&options).await?;
        let report = scan_accounts(&args, &caller, &rules, &suppressions, started_at).await?;
        (report, None)
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
        let (report, inventory) = match &args.stack {
            Some(name) => scan_stack(&args, name, live, &rules, &suppressions, &bar).await?,
            None => {
                let inventory = pipeline::collect_live(&live, &rules, &suppressions, &bar).await?;
                (judge(&inventory, "live"), inventory)
            }
        };
        (report, Some(inventory))
    };
    if let (Some(path), Some(inventory)) = (&args.save_inventory, &inventory) {
        save_inventory(path, inventory)?;
    }
    drop(inventory);
    compare(&mut report, baseline.as_ref(), &rules)?;
    warn_collection_errors(&report);
    warn_outside_regions(&report);
    warn_suppressions(&report);
    if !args.quiet {
        let score = report
            .summary
            .score
            .map_or("n/a".to_string(), |s| format!("{s:.1}%"));
        let unscanned = match report.accounts_unscanned() {
            0 => String::new(),
            n => format!(", {n} account(s) not scanned"),
        };
        eprintln!(
            "scanned {} resources with {} rules in {:.1}s: score {score}, {} failed{}, {} errors{unscanned}",
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

/// `--accounts` or `--organization`: every account scanned as its role, at most
/// `--account-concurrency` at once, in one report by account.
async fn scan_accounts(
    args: &ScanArgs,
    caller: &Session,
    rules: &RuleSet,
    suppressions: &Suppressions,
    started_at: chrono::DateTime<Utc>,
) -> Result<Report, Fatal> {
    let several = &args.several;
    let role_name = several.role_name.as_deref().unwrap_or_default();
    let accounts = if several.organization {
        let listed = organizations::active_accounts(caller, &several.ous).await?;
        for id in &several.excluded {
            if !listed.iter().any(|(listed, _)| listed == id) {
                eprintln!(
                    "warning: --exclude-account {id} is not an active account of the organisation"
                );
            }
        }
        listed
            .into_iter()
            .filter(|(id, _)| !several.excluded.contains(id))
            .map(|(id, name)| organization::scan::reached(caller, id, Some(name), role_name))
            .collect()
    } else {
        organization::scan::named(caller, &several.accounts, role_name)
    };
    if accounts.is_empty() {
        return Err(Fatal::new(
            "no account is left to scan: the organisation's active accounts are all excluded or outside --ou",
        ));
    }
    let at_once = usize::from(several.account_concurrency).min(accounts.len());
    if !args.quiet {
        eprintln!("scanning {} accounts, {at_once} at a time", accounts.len());
    }
    let scan_id = uuid::Uuid::new_v4().to_string();
    let role = |arn: String| args.aws.role(arn);
    let plan = Plan {
        caller,
        role: &role,
        regions: RegionChoice {
            named: args.regions.clone(),
            all: args.all_regions,
        },
        concurrency: usize::from(args.concurrency),
        account_concurrency: at_once,
        rules,
        suppressions,
        scan_id: &scan_id,
        source: "live",
        started_at,
        deadline: None,
    };
    let keep = |inventory: &Inventory| match &args.save_inventory {
        Some(dir) => {
            fs::create_dir_all(dir).map_err(|e| {
                Fatal::new(format!("cannot create directory {}: {e}", dir.display()))
            })?;
            save_inventory(
                &dir.join(format!("{}.json", inventory.account_id)),
                inventory,
            )
        }
        None => Ok(()),
    };
    let done = |outcome: &Outcome| {
        let who = &outcome.account.id;
        match &outcome.result {
            Err(reason) => eprintln!("error: account {who} was not scanned: {reason}"),
            Ok(r) if !args.quiet => eprintln!(
                "account {who}: {} resources, score {}, {} failed, {} errors",
                r.summary.resources_scanned,
                r.summary
                    .score
                    .map_or("n/a".to_string(), |s| format!("{s:.1}%")),
                r.summary.count(Status::Fail),
                r.summary.count(Status::Error)
            ),
            Ok(_) => {}
        }
    };
    let bar = Bar::new(args.quiet);
    let hooks = Hooks {
        keep: &keep,
        done: &done,
    };
    let outcomes = organization::scan::scan_all(&plan, accounts, &bar, &hooks).await;
    let run = organization::Run {
        scan_id,
        caller_account: caller.account_id.clone(),
        source: "live".into(),
        started_at,
        finished_at: Utc::now(),
        rules_evaluated: rules.rules.len(),
    };
    Ok(organization::combine(run, outcomes))
}

/// `--inventory DIR`: the snapshots a scan of several accounts saved, one per account,
/// judged again as one report.
fn replay_accounts(
    dir: &Path,
    rules: &RuleSet,
    suppressions: &Suppressions,
    started_at: chrono::DateTime<Utc>,
) -> Result<Report, Fatal> {
    let unreadable = |e: std::io::Error| Fatal::new(format!("cannot read {}: {e}", dir.display()));
    let mut paths: Vec<_> = fs::read_dir(dir)
        .map_err(unreadable)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(unreadable)?;
    paths.retain(|p| p.extension().is_some_and(|e| e == "json"));
    paths.sort();
    if paths.is_empty() {
        return Err(Fatal::new(format!(
            "{} holds no inventory (*.json, as `scan --accounts … --save-inventory DIR` writes)",
            dir.display()
        )));
    }
    let scan_id = uuid::Uuid::new_v4().to_string();
    let mut outcomes = Vec::new();
    for path in paths {
        let inventory = read_inventory(&path)?;
        let report = pipeline::judge(
            rules,
            &inventory,
            suppressions,
            "inventory",
            Some(scan_id.clone()),
            started_at,
        );
        let account = Account {
            id: inventory.account_id.clone(),
            name: None,
            role_arn: None,
        };
        outcomes.push(Outcome {
            account,
            result: Ok(report),
        });
    }
    let run = organization::Run {
        scan_id,
        caller_account: outcomes[0].account.id.clone(),
        source: "inventory".into(),
        started_at,
        finished_at: Utc::now(),
        rules_evaluated: rules.rules.len(),
    };
    Ok(organization::combine(run, outcomes))
}

/// `--save-inventory` of several accounts names a directory: an existing one, or a new
/// one in an existing directory.
fn check_directory(dir: &Path) -> Result<(), Fatal> {
    if dir.exists() && !dir.is_dir() {
        return Err(Fatal::new(format!(
            "--save-inventory {} is a file: a scan of several accounts saves one inventory per account in a directory",
            dir.display()
        )));
    }
    if !dir.exists() {
        check_writable(dir)?;
    }
    Ok(())
}

/// One inventory, as `--inventory` reads it back.
fn save_inventory(path: &Path, inventory: &Inventory) -> Result<(), Fatal> {
    write_atomically(path, |w| {
        serde_json::to_writer_pretty(&mut *w, inventory)?;
        writeln!(w)
    })
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

/// Names on stderr what a global listing returned from regions the scan did not cover
/// (S3's buckets), and the flags that judge them; the report's scope lists them all.
fn warn_outside_regions(report: &Report) {
    const SHOWN: usize = 10;
    let outside = &report.scan.outside_regions;
    if outside.is_empty() {
        return;
    }
    let mut regions: Vec<&str> = outside.iter().map(|e| e.region.as_str()).collect();
    regions.sort_unstable();
    regions.dedup();
    let mut named: Vec<String> = outside
        .iter()
        .take(SHOWN)
        .map(|e| format!("{} {} ({})", e.resource_type, e.resource_id, e.region))
        .collect();
    if outside.len() > SHOWN {
        named.push(format!(
            "… {} more in the JSON report",
            outside.len() - SHOWN
        ));
    }
    eprintln!(
        "warning: {} resource(s) are in regions this scan did not cover and were not judged: {}; add --region {} or use --all-regions to judge them",
        outside.len(),
        named.join(", "),
        regions.join(" --region ")
    );
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
