//! Where commands meet the user's files and terminal: output files are checked before
//! any work starts and written whole or not at all (a failed run never leaves a
//! truncated report where a good one is expected); questions are asked on stderr.

use std::fs;
use std::io::{self, BufRead, Write};
use std::path::Path;

use crate::error::Fatal;

/// Fails early when `path` cannot be created (missing directory, a directory itself).
pub fn check_writable(path: &Path) -> Result<(), Fatal> {
    if path.is_dir() {
        return Err(Fatal::new(format!(
            "cannot write {}: it is a directory",
            path.display()
        )));
    }
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(Fatal::new(format!(
            "cannot write {}: directory {} does not exist",
            path.display(),
            parent.display()
        )));
    }
    Ok(())
}

/// Writes through a temporary file beside `path`, then renames it into place.
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), Fatal> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let partial = path.with_file_name(format!(".{name}.partial"));
    let result = (|| {
        let mut file = io::BufWriter::new(fs::File::create(&partial)?);
        fill(&mut file)?;
        file.flush()?;
        drop(file);
        fs::rename(&partial, path)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&partial);
        Fatal::new(format!("cannot write {}: {e}", path.display()))
    })
}

/// Writes to stdout; a reader that closed the pipe early (`| head`) is not an error.
pub fn write_stdout(fill: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), Fatal> {
    let mut out = io::stdout().lock();
    match fill(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(Fatal::new(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}

/// Asks `question` on stderr and returns the line typed on stdin, trimmed.
pub fn ask(question: &str) -> Result<String, Fatal> {
    eprint!("{question}");
    let _ = io::stderr().flush();
    let mut answer = String::new();
    io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Fatal::new(format!("cannot read the answer: {e}")))?;
    Ok(answer.trim().to_string())
}
