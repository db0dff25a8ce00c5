//! `compliance completions SHELL` and `compliance man`: the completion scripts and the
//! manual pages, generated from the same clap definitions as the parser, so they never
//! drift from the flags.

use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory;

use super::files::write_stdout;
use crate::cli::Cli;
use crate::error::Fatal;

pub fn completions(shell: clap_complete::Shell) -> Result<ExitCode, Fatal> {
    let mut command = Cli::command();
    write_stdout(|out| {
        clap_complete::generate(shell, &mut command, "compliance", out);
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The top-level page on stdout, or every page (`compliance-<subcommand>.1` beside
/// `compliance.1`) in `dir`.
pub fn man(dir: Option<&Path>) -> Result<ExitCode, Fatal> {
    let command = Cli::command();
    match dir {
        None => write_stdout(|mut out| clap_mangen::Man::new(command).render(&mut out))?,
        Some(dir) => {
            if !dir.is_dir() {
                return Err(Fatal::new(format!(
                    "cannot write the manual pages: {} is not a directory",
                    dir.display()
                )));
            }
            clap_mangen::generate_to(command, dir).map_err(|e| {
                Fatal::new(format!(
                    "cannot write the manual pages to {}: {e}",
                    dir.display()
                ))
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
