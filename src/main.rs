//! The `costcast` command line. All argument parsing, printing and exit codes live in
//! `cli/`; the library does the work.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(status) => status.into(),
        Err(err) => cli::output::report_error(&err),
    }
}
