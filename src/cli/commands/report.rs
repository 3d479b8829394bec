//! `costcast report [SCENARIO] --out DIR`: the full report, for finance and engineering.

use std::path::PathBuf;

use clap::Args;
use costcast::mc::{self, RunConfig};
use costcast::report::bundle::{ReportBundle, write_dir};
use costcast::report::compare::{CompareReport, RunInfo};
use costcast::report::series::PathSeries;
use costcast::scenario::ScenarioSource;
use costcast::sweep::{LoadRange, sweep};

use crate::cli::{ExitStatus, MonteCarloArgs, Pricing, load_catalog, output};

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// The scenario file; without it, the default scenario built into the binary.
    scenario: Option<PathBuf>,
    /// The directory to write (created, or replaced if it holds a previous report).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    #[command(flatten)]
    monte_carlo: MonteCarloArgs,
    /// Give the probability that the average month costs more than this many USD.
    #[arg(long, value_name = "USD")]
    budget_usd: Option<f64>,
    /// Leave out the break-even sweep.
    #[arg(long)]
    no_sweep: bool,
    /// Multipliers of the load for the sweep, `A..B`.
    #[arg(long, default_value = "0.1..10", value_name = "A..B")]
    sweep_load: String,
    /// Load points in the sweep.
    #[arg(long, default_value_t = 7)]
    sweep_points: usize,
    /// Paths per sweep point (at most `--paths`): the sweep compares expected costs, which
    /// need fewer paths than tail statistics.
    #[arg(long, default_value_t = 100)]
    sweep_paths: u64,
}

pub(crate) fn run(source: &Pricing, args: &ReportArgs) -> anyhow::Result<ExitStatus> {
    super::compare::check_budget(args.budget_usd)?;
    let range = (!args.no_sweep)
        .then(|| LoadRange::parse(&args.sweep_load, args.sweep_points))
        .transpose()?;
    let scenario = ScenarioSource::read_or_default(args.scenario.as_deref())?;
    let catalog = load_catalog(source, &scenario.region()?)?;
    let plan = scenario.plan(&catalog)?;
    let run = args.monte_carlo.run(&plan, None)?;
    let info = RunInfo::of(&plan);
    let compare = CompareReport::new(&info, &run, args.budget_usd);
    let sweep_report = match range {
        Some(range) => {
            let config = RunConfig {
                paths: args.sweep_paths.clamp(1, args.monte_carlo.paths()),
                ..args.monte_carlo.config(None)
            };
            let per_point = costcast::mc::run_paths(&plan, &config);
            let total = per_point * range.points as u64;
            Some(
                args.monte_carlo
                    .on_pool(total, |progress| sweep(&plan, &range, &config, progress))?,
            )
        }
        None => None,
    };
    // The representative path of the recommended option (or the first), hour by hour.
    let chosen = compare
        .recommendation
        .winner
        .as_ref()
        .and_then(|w| compare.options.iter().position(|o| &o.name == w))
        .unwrap_or(0);
    let option = &compare.options[chosen];
    let (recorded, _) = mc::record_path(&plan, run.seed, option.representative_path);
    let series = recorded.options.get(chosen).map(|o| {
        PathSeries::hourly(
            &o.name,
            o.service,
            option.representative_path,
            plan.timeline.step_seconds(),
            &o.steps,
        )
    });
    let bundle = ReportBundle::new(
        chrono::Utc::now().date_naive().to_string(),
        scenario.file.display().to_string(),
        scenario.text.clone(),
        compare,
        &run,
        sweep_report,
        series,
    )?;
    let files = bundle.files()?;
    write_dir(&args.out, &files)?;
    output::note(&format!(
        "wrote the report to {} ({} files; open index.html)",
        args.out.display(),
        files.len()
    ));
    Ok(ExitStatus::Success)
}
