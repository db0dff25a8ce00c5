//! `compliance`: audits an AWS account against security and compliance rules.
//! Parses arguments, dispatches to a command, and maps failures to exit code 2.

mod asff;
mod aws;
mod catalogue;
mod cli;
mod commands;
mod deployed;
mod engine;
mod error;
mod history;
mod lambda;
mod model;
mod notify;
mod organization;
mod output;
#[cfg(test)]
mod permissions_doc;
mod pipeline;
#[cfg(test)]
mod registry_check;
mod remediate;
mod report;
mod rules;
mod stack;
mod suppress;
mod template;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};

use cli::{Cli, Command};

fn main() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fatal(&format!("cannot start the async runtime: {e}")),
    };
    // Inside Lambda the same binary serves the Runtime API instead of parsing arguments.
    #[cfg(feature = "lambda")]
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        return match runtime.block_on(lambda::serve()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fatal(&e.0),
        };
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage(&e),
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Scan(args) if args.remote => commands::remote::run(*args).await,
            Command::Scan(args) => commands::scan::run(*args).await,
            Command::Deploy(args) if args.member_role => commands::member_role::run(args).await,
            Command::Deploy(args) => commands::deploy::run(args).await,
            Command::Destroy(args) => commands::destroy::run(args).await,
            Command::Report(args) => commands::report::run(args).await,
            Command::Remediate(args) => commands::remediate::run(args).await,
            Command::Notify(args) => commands::notify::run(args).await,
            Command::Baseline(command) => commands::baseline::run(command),
            Command::Completions { shell } => commands::shell::completions(shell),
            Command::Man { dir } => commands::shell::man(dir.as_deref()),
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => fatal(&e.0),
    }
}

/// Help and the version as clap prints them; a usage error as one line: clap's own
/// first line and where the flags are explained.
fn usage(e: &clap::Error) -> ExitCode {
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
    }
    let text = e.render().to_string();
    let mut lines = text.lines().skip_while(|l| l.trim().is_empty());
    let mut first = lines
        .next()
        .unwrap_or("the arguments are not valid")
        .trim_start_matches("error: ")
        .to_string();
    // "the following required arguments were not provided:" lists them indented below.
    if first.ends_with(':') {
        let listed: Vec<&str> = lines
            .take_while(|l| l.starts_with("  "))
            .map(str::trim)
            .collect();
        first = format!("{} {}", first, listed.join(", "));
    }
    let command = std::env::args()
        .nth(1)
        .filter(|a| Cli::command().find_subcommand(a).is_some());
    let help = match command {
        Some(c) => format!("compliance {c} --help"),
        None => "compliance --help".to_string(),
    };
    fatal(&format!("{first} (see `{help}`)"))
}

fn fatal(message: &str) -> ExitCode {
    let _ = writeln!(io::stderr(), "compliance: error: {message}");
    ExitCode::from(2)
}
