//! `compliance report`: renders stored scan reports — the latest or a named scan in any
//! format, grouped by a framework's controls, the trend across scans, or what changed
//! between two — or one resource's findings history from the stack's table.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use chrono::{TimeZone, Utc};

use super::common::{stored_scans, table_view};
use super::files::{check_distinct, check_writable, write_atomically, write_stdout};
use crate::aws::findings_table;
use crate::aws::session::Session;
use crate::cli::ReportArgs;
use crate::engine::suppress;
use crate::error::Fatal;
use crate::history::table::{episodes, partition, Item};
use crate::history::{self, diff::diff, framework::catalogued, pick, trend::trend};
use crate::organization;
use crate::output::{
    write_controls, write_diff, write_resource_history, write_suppressions, write_trend, Format,
    HtmlReporter, Reporter, TableReporter,
};
use crate::pipeline;
use crate::report::{Report, SuppressionEntry};
use crate::stack::Suffix;

pub async fn run(args: ReportArgs) -> Result<ExitCode, Fatal> {
    if let Some(path) = &args.output {
        check_writable(path)?;
        let inputs: Vec<(&str, &std::path::Path)> =
            args.files.iter().map(|f| ("report", f.as_path())).collect();
        check_distinct(&[("--output", path)], &inputs)?;
    }
    let terminal = args.output.is_none() && io::stdout().is_terminal();
    let emit = |fill: &dyn Fn(&mut dyn Write) -> io::Result<()>| match &args.output {
        Some(path) => write_atomically(path, |w| fill(w)),
        None => write_stdout(|w| fill(w)),
    };
    if let (Some(resource), Some(suffix)) = (&args.resource, &args.suffix) {
        let format = args.format.for_list("--resource").map_err(Fatal::new)?;
        let items = resource_history(&args, suffix, resource).await?;
        let episodes = episodes(&items);
        emit(&|w| write_resource_history(format, resource, &items, &episodes, terminal, w))?;
        return Ok(ExitCode::SUCCESS);
    }
    let stored = match &args.suffix {
        Some(suffix) => stored_scans(&args.aws, args.region.as_ref(), suffix, args.since).await?,
        None => history::load(&args.files).map_err(Fatal::new)?,
    };
    let stored = match &args.account {
        Some(id) => stored
            .iter()
            .map(|r| organization::one_account(r, id))
            .collect::<Result<Vec<_>, _>>()
            .map_err(Fatal::new)?,
        None => stored,
    };
    let compares = args.trend || args.diff.is_some() || args.format == Format::Html;
    if compares {
        history::one_account(&stored).map_err(Fatal::new)?;
    }

    if args.trend && args.format == Format::Html {
        // The page of the latest scan, charting the scans the flags keep.
        let points = trend(&stored, args.last, since(&args));
        let latest = pick(&stored, None).map_err(Fatal::new)?;
        let page = HtmlReporter { trend: points };
        emit(&|w| page.write(latest, w))?;
    } else if args.trend {
        let format = args.format.for_list("--trend").map_err(Fatal::new)?;
        let points = trend(&stored, args.last, since(&args));
        emit(&|w| write_trend(format, &points, terminal, w))?;
    } else if let Some(ids) = &args.diff {
        let format = args.format.for_list("--diff").map_err(Fatal::new)?;
        let (before, after) = match ids.as_slice() {
            [] if stored.len() >= 2 => (&stored[stored.len() - 2], &stored[stored.len() - 1]),
            [] => {
                return Err(Fatal::new(
                    "--diff needs two reports: give at least two files",
                ))
            }
            [a, b] => (
                pick(&stored, Some(a)).map_err(Fatal::new)?,
                pick(&stored, Some(b)).map_err(Fatal::new)?,
            ),
            _ => {
                return Err(Fatal::new(
                    "--diff takes two scan ids (before, after), or none for the latest two",
                ))
            }
        };
        let changes = diff(before, after);
        emit(&|w| {
            write_diff(
                format,
                &before.scan.id,
                &after.scan.id,
                &changes,
                terminal,
                w,
            )
        })?;
    } else if let Some(file) = &args.suppressions {
        let format = args.format.for_list("--suppressions").map_err(Fatal::new)?;
        let chosen = pick(&stored, args.scan.as_deref()).map_err(Fatal::new)?;
        let entries = entries_against(chosen, file.as_deref(), args.max_suppression_days)?;
        emit(&|w| write_suppressions(format, &chosen.scan.id, &entries, terminal, w))?;
    } else if let Some(framework) = &args.framework {
        let format = args.format.for_list("--framework").map_err(Fatal::new)?;
        let chosen = pick(&stored, args.scan.as_deref()).map_err(Fatal::new)?;
        let grouped = catalogued(chosen, framework).map_err(Fatal::new)?;
        emit(&|w| write_controls(format, framework, &grouped, terminal, w))?;
    } else {
        let chosen = pick(&stored, args.scan.as_deref()).map_err(Fatal::new)?;
        let reporter: Box<dyn Reporter> = if args.format == Format::Html {
            // Several scans: the page charts those up to the one shown.
            let earlier: Vec<Report> = stored
                .iter()
                .filter(|s| s.scan.finished_at <= chosen.scan.finished_at)
                .cloned()
                .collect();
            Box::new(HtmlReporter {
                trend: trend(&earlier, None, None),
            })
        } else {
            args.format.reporter(TableReporter {
                group_by: args.group_by,
                verbose: args.verbose,
                ..table_view(args.output.is_none())
            })
        };
        emit(&|w| reporter.write(chosen, w))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The entries of the suppression file `file` (else the default one when it exists,
/// else those the scan itself applied) with their status against `scan`.
fn entries_against(
    scan: &Report,
    file: Option<&std::path::Path>,
    max_days: u32,
) -> Result<Vec<SuppressionEntry>, Fatal> {
    let rules = pipeline::load_rules(&[])?;
    let set = pipeline::load_suppressions(file, true, &rules, max_days)?;
    if file.is_none() && set.entries.is_empty() {
        return Ok(scan.suppressions.clone());
    }
    // A stored scan names the rules it judged by their findings.
    let evaluated = scan.findings.iter().map(|f| f.rule_id.as_str()).collect();
    let mut judged = scan.clone();
    suppress(&mut judged, &set, &evaluated);
    Ok(judged.suppressions)
}

/// `--resource`: the resource's items in the stack's findings table (one `Query`).
async fn resource_history(
    args: &ReportArgs,
    suffix: &str,
    resource: &str,
) -> Result<Vec<Item>, Fatal> {
    let suffix = Suffix::parse(suffix).map_err(Fatal::new)?;
    let session = Session::connect(&args.aws.session_options(args.region.as_ref(), None)).await?;
    let client = aws_sdk_dynamodb::Client::new(&session.config);
    // An organisation run keys a resource with no ARN by its account too.
    let key = if resource.starts_with("arn:") {
        resource.to_string()
    } else {
        partition(args.account.as_deref(), None, resource)
    };
    let items = findings_table::history(&client, &suffix.findings_table(), &key)
        .await
        .map_err(Fatal::new)?;
    if items.is_empty() {
        return Err(Fatal::new(format!(
            "{} holds no finding for {key}: it never failed a rule; give its ARN as the report's resource_arn shows it, or, for an organisation run's resource with no ARN, its account with --account",
            suffix.findings_table()
        )));
    }
    Ok(items)
}

/// `--since` as the start of that day, UTC.
fn since(args: &ReportArgs) -> Option<chrono::DateTime<Utc>> {
    args.since
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| Utc.from_utc_datetime(&t))
}
