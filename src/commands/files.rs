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

/// Writes a regular file whole or not at all: through a temporary file beside it, then
/// renamed into place. A symbolic link is followed (the file it names is replaced, the
/// link stays); a device or a pipe (`/dev/stdout`, a FIFO) is written to directly.
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), Fatal> {
    let failed = |e: io::Error| Fatal::new(format!("cannot write {}: {e}", path.display()));
    let target = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if fs::metadata(&target).is_ok_and(|m| !m.is_file()) {
        let mut out = io::BufWriter::new(
            fs::OpenOptions::new()
                .write(true)
                .open(&target)
                .map_err(failed)?,
        );
        return fill(&mut out).and_then(|()| out.flush()).map_err(failed);
    }
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let partial = target.with_file_name(format!(".{name}.partial"));
    let result = (|| {
        let mut file = io::BufWriter::new(fs::File::create(&partial)?);
        fill(&mut file)?;
        file.flush()?;
        drop(file);
        fs::rename(&partial, &target)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&partial);
        failed(e)
    })
}

/// Refuses to write an output over a file the same run reads or writes: the first
/// `(flag, path)` of `outputs` that is the same file as a later output or as any of
/// `inputs` (`scan --inventory e.json -o e.json` would replace the evidence).
pub fn check_distinct(outputs: &[(&str, &Path)], inputs: &[(&str, &Path)]) -> Result<(), Fatal> {
    let same = |a: &Path, b: &Path| {
        a == b || matches!((fs::canonicalize(a), fs::canonicalize(b)), (Ok(x), Ok(y)) if x == y)
    };
    for (i, (flag, path)) in outputs.iter().enumerate() {
        let others = outputs[i + 1..].iter().chain(inputs);
        if let Some((other, _)) = others.clone().find(|(_, p)| same(path, p)) {
            return Err(Fatal::new(format!(
                "{flag} {} is also the {other} file: give them different paths",
                path.display()
            )));
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_may_not_be_an_input_or_another_output() {
        let dir = std::env::temp_dir().join(format!("compliance-files-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let (a, b) = (dir.join("a.json"), dir.join("b.json"));
        fs::write(&a, "{}").unwrap();
        let link = dir.join("link.json");
        let _ = fs::remove_file(&link);
        std::os::unix::fs::symlink(&a, &link).unwrap();
        assert!(check_distinct(&[("--output", &b)], &[("--inventory", &a)]).is_ok());
        let e = check_distinct(&[("--output", &link)], &[("--inventory", &a)])
            .unwrap_err()
            .0;
        assert!(e.contains("is also the --inventory file"), "{e}");
        let e = check_distinct(&[("--output", &b), ("--save-inventory", &b)], &[])
            .unwrap_err()
            .0;
        assert!(
            e.contains("--output") && e.contains("--save-inventory"),
            "{e}"
        );
    }
}
