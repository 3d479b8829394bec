//! `costcast sweep [SCENARIO] --load A..B`: cost of every option across load.

use std::path::PathBuf;

use clap::Args;
use costcast::scenario::ScenarioSource;
use costcast::sweep::{LoadRange, sweep};

use crate::cli::{ExitStatus, MonteCarloArgs, OutputFormat, Pricing, load_catalog, output};

#[derive(Debug, Args)]
pub(crate) struct SweepArgs {
    /// The scenario file; without it, the default scenario built into the binary.
    scenario: Option<PathBuf>,
    /// Multipliers of the scenario's load to sweep, `A..B`, log-spaced.
    #[arg(long, default_value = "0.1..10", value_name = "A..B")]
    load: String,
    /// Number of load points.
    #[arg(long, default_value_t = 13)]
    points: usize,
    #[command(flatten)]
    monte_carlo: MonteCarloArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: OutputFormat,
    /// Write to this file instead of stdout (`-` for stdout).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

pub(crate) fn run(source: &Pricing, args: &SweepArgs) -> anyhow::Result<ExitStatus> {
    let range = LoadRange::parse(&args.load, args.points)?;
    let scenario = ScenarioSource::read_or_default(args.scenario.as_deref())?;
    let catalog = load_catalog(source, &scenario.region()?)?;
    let plan = scenario.plan(&catalog)?;
    let config = args.monte_carlo.sweep_config();
    let per_point = costcast::mc::run_paths(&plan, &config);
    let total = per_point * range.points as u64;
    let report = args
        .monte_carlo
        .on_pool(total, |progress| sweep(&plan, &range, &config, progress))?;
    output::emit(&report.render(args.format.into()), args.output.as_deref())?;
    Ok(ExitStatus::Success)
}
