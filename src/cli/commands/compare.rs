//! `costcast compare [SCENARIO]`

use std::path::PathBuf;

use clap::Args;
use costcast::report::compare::CompareReport;
use costcast::scenario::ScenarioSource;

use crate::cli::{ExitStatus, OutputFormat, Pricing, load_catalog, output};

#[derive(Debug, Args)]
pub(crate) struct CompareArgs {
    /// The scenario file; without it, the default scenario built into the binary.
    scenario: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: OutputFormat,
    /// Write to this file instead of stdout (`-` for stdout).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

pub(crate) fn run(source: &Pricing, args: &CompareArgs) -> anyhow::Result<ExitStatus> {
    let scenario = match &args.scenario {
        Some(path) => ScenarioSource::read(path)?,
        None => ScenarioSource::embedded_default(),
    };
    let region = scenario.region()?;
    let catalog = load_catalog(source, &region)?;
    let plan = scenario.plan(&catalog)?;
    let run = costcast::sim::run(&plan);
    let report = CompareReport::from_run(&plan, &run);
    output::emit(&report.render(args.format.into()), args.output.as_deref())?;
    Ok(ExitStatus::Success)
}
