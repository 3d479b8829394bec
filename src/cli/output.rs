//! The only place that prints or writes output files.

#![allow(clippy::print_stderr, clippy::print_stdout)]

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

/// Writes `text` to stdout, or atomically to `path` (a temporary file beside it, renamed
/// into place once complete, so a failed run never leaves half a file). `-` is stdout.
pub(crate) fn emit(text: &str, path: Option<&Path>) -> anyhow::Result<()> {
    match path {
        None => write_stdout(text),
        Some(p) if p.as_os_str() == "-" => write_stdout(text),
        Some(p) => write_atomically(p, text.as_bytes()),
    }
}

fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file in the same directory.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot create a temporary file in `{}`", dir.display()))?;
    temp.write_all(bytes)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    temp.persist(path)
        .with_context(|| format!("cannot move the output into `{}`", path.display()))?;
    Ok(())
}

/// A progress bar of `total` steps on stderr, drawn only when stderr is a terminal and
/// not `quiet` (hidden otherwise, so pipes and CI logs stay clean).
pub(crate) fn progress_bar(total: u64, quiet: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} {pos}/{len} paths [{bar:40}] {elapsed} elapsed, about {eta} left",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Prints a warning on stderr.
pub(crate) fn warn(message: &str) {
    eprintln!("warning: {message}");
}

/// Prints a note for people on stderr (stdout carries data only).
pub(crate) fn note(message: &str) {
    eprintln!("{message}");
}

/// Prints an error with its causes and returns exit code 2; a closed pipe is not an error.
pub(crate) fn report_error(err: &anyhow::Error) -> ExitCode {
    let broken_pipe = err
        .chain()
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe);
    if broken_pipe {
        return ExitCode::SUCCESS;
    }
    eprintln!("error: {err}");
    for cause in err.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
    ExitCode::from(2)
}
