//! `costcast merge PARTS…`: the report of a sharded run, from its partial results.

use std::path::PathBuf;

use clap::Args;
use costcast::mc::partial;
use costcast::report::compare::CompareReport;

use crate::cli::{ExitStatus, OutputFormat, output};

#[derive(Debug, Args)]
pub(crate) struct MergeArgs {
    /// The partial results (`compare --shard K/N --partial FILE`), every shard once.
    #[arg(required = true, value_name = "PART.parquet")]
    parts: Vec<PathBuf>,
    /// Give the probability that the average month costs more than this many USD.
    #[arg(long, value_name = "USD")]
    budget_usd: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: OutputFormat,
    /// Write to this file instead of stdout (`-` for stdout).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

pub(crate) fn run(args: &MergeArgs) -> anyhow::Result<ExitStatus> {
    super::compare::check_budget(args.budget_usd)?;
    let parts: Vec<&std::path::Path> = args.parts.iter().map(PathBuf::as_path).collect();
    let (info, run) = partial::merge_files(&parts)?;
    let report = CompareReport::new(&info, &run, args.budget_usd);
    output::emit(&report.render(args.format.into()), args.output.as_deref())?;
    Ok(ExitStatus::Success)
}
