//! `costcast compare [SCENARIO]`

use std::path::PathBuf;

use clap::Args;
use costcast::mc::{Shard, partial};
use costcast::report::compare::{CompareReport, RunInfo};
use costcast::scenario::ScenarioSource;

use crate::cli::{ExitStatus, MonteCarloArgs, OutputFormat, Pricing, load_catalog, output};

#[derive(Debug, Args)]
pub(crate) struct CompareArgs {
    /// The scenario file; without it, the default scenario built into the binary.
    scenario: Option<PathBuf>,
    #[command(flatten)]
    monte_carlo: MonteCarloArgs,
    /// Give the probability that the average month costs more than this many USD.
    #[arg(long, value_name = "USD")]
    budget_usd: Option<f64>,
    /// Also find each option's cheapest size that meets the SLO, within its family (runs
    /// every size on the same paths: several times the work of the comparison).
    #[arg(long, conflicts_with = "shard")]
    rightsize: bool,
    /// Run only shard K of N (the paths whose index is K mod N) and write them to
    /// `--partial`; join the shards with `costcast merge`.
    #[arg(long, value_name = "K/N", requires = "partial")]
    shard: Option<String>,
    /// Write the per-path results to this Parquet file (for `costcast merge`).
    #[arg(long, value_name = "FILE.parquet")]
    partial: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: OutputFormat,
    /// Write to this file instead of stdout (`-` for stdout).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

pub(crate) fn run(source: &Pricing, args: &CompareArgs) -> anyhow::Result<ExitStatus> {
    let shard = args.shard.as_deref().map(Shard::parse).transpose()?;
    check_budget(args.budget_usd)?;
    let scenario = ScenarioSource::read_or_default(args.scenario.as_deref())?;
    let region = scenario.region()?;
    let catalog = load_catalog(source, &region)?;
    let plan = scenario.plan(&catalog)?;
    let run = args.monte_carlo.run(&plan, shard)?;
    let info = RunInfo::of(&plan);
    if let Some(path) = &args.partial {
        let bytes =
            partial::to_parquet(&info, &run, shard.unwrap_or(Shard { index: 0, count: 1 }))?;
        output::write_atomically(path, &bytes)?;
        output::note(&format!(
            "wrote {} of {} paths to {}",
            run.results.len(),
            run.paths,
            path.display()
        ));
        if shard.is_some() {
            return Ok(ExitStatus::Success);
        }
    }
    let mut report = CompareReport::new(&info, &run, args.budget_usd);
    if args.rightsize {
        let config = args.monte_carlo.config(None);
        let per_run = costcast::mc::run_paths(&plan, &config);
        let total = per_run * costcast::rightsize::runs(&catalog, &plan) as u64;
        let sizes = args.monte_carlo.on_pool(total, |progress| {
            costcast::rightsize::rightsize(&scenario, &catalog, &plan, &report, &config, progress)
        })??;
        report.rightsizing = Some(sizes);
    }
    output::emit(&report.render(args.format.into()), args.output.as_deref())?;
    Ok(ExitStatus::Success)
}

/// A budget must be a non-negative amount.
pub(crate) fn check_budget(budget_usd: Option<f64>) -> anyhow::Result<()> {
    match budget_usd {
        Some(b) if !(b.is_finite() && b >= 0.0) => {
            anyhow::bail!("--budget-usd {b} is not an amount of dollars; give a number such as 120")
        }
        _ => Ok(()),
    }
}
