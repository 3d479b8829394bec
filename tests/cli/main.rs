//! End-to-end tests of the `costcast` binary: exit codes, stdout, stderr and files.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    clippy::float_cmp
)] // a failing test panics; a skip says why

mod compare;
mod errors;
mod gate;
mod monte_carlo;
mod pricing;
mod pricing_update;
mod quote;
mod report;
mod scaling;
mod trace;

use std::path::{Path, PathBuf};
use std::process::Command;

/// What a run of the binary printed and how it exited.
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    /// Asserts success and returns stdout.
    #[track_caller]
    pub(crate) fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "stderr: {}", self.stderr);
        &self.stdout
    }

    /// Asserts exit code 2 with `needle` in stderr, nothing on stdout, and no panic.
    #[track_caller]
    pub(crate) fn error_contains(&self, needle: &str) {
        assert_eq!(
            self.code, 2,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        assert!(
            self.stderr.starts_with("error: "),
            "stderr: {}",
            self.stderr
        );
        assert!(
            self.stderr.contains(needle),
            "wanted {needle:?} in stderr:\n{}",
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        assert!(self.stdout.is_empty(), "stdout: {}", self.stdout);
    }
}

/// Runs `costcast` with `args` from `dir` (the crate root when `None`), with a clean
/// environment so that no `COSTCAST_*` variable of the developer leaks in, and 8 Monte
/// Carlo paths unless the test passes `--paths` (the debug build runs the default
/// scenario's year of minutes at about 3 s a path).
pub(crate) fn costcast_in(dir: Option<&Path>, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_costcast"))
        .args(args)
        .current_dir(dir.unwrap_or(Path::new(env!("CARGO_MANIFEST_DIR"))))
        .env_remove("COSTCAST_PRICING_DIR")
        .env_remove("COSTCAST_SEED")
        .env_remove("COSTCAST_THREADS")
        .env("COSTCAST_PATHS", "8")
        .output()
        .expect("the binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

pub(crate) fn costcast(args: &[&str]) -> Run {
    costcast_in(None, args)
}

/// A path under `tests/fixtures`.
pub(crate) fn fixture(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
        .display()
        .to_string()
}

/// The real data in `../shared/data` beside the checkout, when it is there. CI always has
/// it; elsewhere the tests that need it say so and pass.
pub(crate) fn shared_data(path: &str) -> Option<PathBuf> {
    let root = std::env::var_os("COSTCAST_SHARED_DATA").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"),
        PathBuf::from,
    );
    let full = root.join(path);
    if full.exists() {
        return Some(full);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have the shared data: {} is missing",
        full.display()
    );
    eprintln!(
        "note: {} is absent; skipping the checks that need it",
        full.display()
    );
    None
}

/// The option called `name` in a `compare --format json` output.
pub(crate) fn option(out: &serde_json::Value, name: &str) -> serde_json::Value {
    out["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == name)
        .unwrap()
        .clone()
}

/// Parses JSON output.
pub(crate) fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("valid JSON")
}

/// Writes `text` to a file named `name` in a fresh temporary directory.
pub(crate) fn temp_file(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write temp file");
    let path = path.display().to_string();
    (dir, path)
}

/// The text of a fixture file.
pub(crate) fn fixture_text(path: &str) -> String {
    std::fs::read_to_string(fixture(path)).expect("fixture exists")
}

/// Asserts that two amounts agree to a tenth of a cent.
#[track_caller]
pub(crate) fn assert_usd(actual: &serde_json::Value, expected: f64) {
    let got = actual.as_f64().expect("a number");
    assert!(
        (got - expected).abs() < 0.001,
        "got {got}, expected {expected}"
    );
}
