//! `compliance baseline create`: drafts a suppression file from a report's failures, so
//! a team adopting the scanner on an account with a backlog reviews what it accepts in
//! one pull request, and CI fails from then on only on what is new.

use std::fs;
use std::process::ExitCode;

use super::common::load_suppressions;
use super::files::{check_distinct, check_writable, write_atomically};
use crate::cli::{BaselineCommand, BaselineCreateArgs};
use crate::engine::suppress;
use crate::error::Fatal;
use crate::history;
use crate::pipeline;
use crate::suppress::draft::draft;

pub fn run(command: BaselineCommand) -> Result<ExitCode, Fatal> {
    match command {
        BaselineCommand::Create(args) => create(&args),
    }
}

fn create(args: &BaselineCreateArgs) -> Result<ExitCode, Fatal> {
    if args.output.exists() {
        return Err(Fatal::new(format!(
            "{} exists: give another --output (the draft never replaces a file), and merge what it lists by hand",
            args.output.display()
        )));
    }
    let mut inputs = vec![("--from", args.from.as_path())];
    if let Some(path) = &args.suppression.suppressions {
        inputs.push(("--suppressions", path.as_path()));
    }
    check_distinct(&[("--output", &args.output)], &inputs)?;
    let mut report = history::load(std::slice::from_ref(&args.from))
        .map_err(Fatal::new)?
        .pop()
        .ok_or_else(|| Fatal::new(format!("{} holds no report", args.from.display())))?;
    let rules = pipeline::load_rules(&[])?;
    let set = load_suppressions(&args.suppression, &rules)?;
    if !set.entries.is_empty() {
        let evaluated = report
            .findings
            .iter()
            .map(|f| f.rule_id.clone())
            .collect::<Vec<_>>();
        let evaluated = evaluated.iter().map(String::as_str).collect();
        suppress(&mut report, &set, &evaluated);
    }
    let Some(text) = draft(&report) else {
        eprintln!(
            "compliance: scan {} has no failure left to accept; nothing was written",
            report.scan.id
        );
        return Ok(ExitCode::SUCCESS);
    };
    if let Some(parent) = args.output.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| {
            Fatal::new(format!("cannot create directory {}: {e}", parent.display()))
        })?;
    }
    check_writable(&args.output)?;
    write_atomically(&args.output, |w| w.write_all(text.as_bytes()))?;
    let entries = text.matches("\n- rules:").count();
    eprintln!(
        "compliance: drafted {entries} entries in {}: fill in each reason, owner and expiry, then commit it through review (until then it is refused)",
        args.output.display()
    );
    Ok(ExitCode::SUCCESS)
}
