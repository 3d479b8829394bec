//! `costcast simulate SCENARIO --series FILE.csv`: every step of the run, so a user can
//! see why a verdict holds.

use std::path::PathBuf;

use clap::Args;
use costcast::scenario::ScenarioSource;

use crate::cli::{ExitStatus, Pricing, load_catalog, output};

#[derive(Debug, Args)]
pub(crate) struct SimulateArgs {
    /// The scenario file; without it, the default scenario built into the binary.
    scenario: Option<PathBuf>,
    /// Write the per-step series here (CSV; `-` for stdout).
    #[arg(long, value_name = "FILE.csv")]
    series: PathBuf,
    /// Only this option (by name); all options when absent.
    #[arg(long)]
    option: Option<String>,
    /// Record Monte Carlo path N of the scenario's [uncertainty] (as `compare` runs it
    /// with the same `--seed`) instead of the demand as given.
    #[arg(long, value_name = "N")]
    path: Option<u64>,
    /// The seed of the path.
    #[arg(long, default_value_t = 1, env = "COSTCAST_SEED")]
    seed: u64,
}

pub(crate) fn run(source: &Pricing, args: &SimulateArgs) -> anyhow::Result<ExitStatus> {
    let scenario = ScenarioSource::read_or_default(args.scenario.as_deref())?;
    let catalog = load_catalog(source, &scenario.region()?)?;
    let plan = scenario.plan(&catalog)?;
    if let Some(name) = &args.option
        && !plan.options.iter().any(|o| &o.name == name)
    {
        let names: Vec<_> = plan.options.iter().map(|o| o.name.as_str()).collect();
        anyhow::bail!(
            "no option `{name}` in {}; its options: {}",
            scenario.file.display(),
            names.join(", ")
        );
    }
    // Without --path: the scenario's demand as given; a scenario whose every path is
    // the same (fixed [uncertainty] values only) has that one path.
    let (run, rps) = match args.path {
        None if !plan.uncertainty.is_deterministic() => costcast::sim::run_recording(&plan),
        None => costcast::mc::record_path(&plan, args.seed, 0),
        Some(path) => costcast::mc::record_path(&plan, args.seed, path),
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "option",
        "time",
        "demand_rps",
        "served_rps",
        "unserved_rps",
        "capacity_rps",
        "running",
        "in_service",
        "credit_balance",
        "surplus_credits",
        "cost_usd",
    ])?;
    let mut rows = 0usize;
    for option in run
        .options
        .iter()
        .filter(|o| args.option.as_ref().is_none_or(|n| n == &o.name))
    {
        for (k, step) in option.steps.iter().enumerate() {
            let time = chrono::DateTime::from_timestamp(plan.timeline.time_s(k), 0)
                .map_or_else(String::new, |t| t.to_rfc3339());
            writer.write_record([
                option.name.clone(),
                time,
                rps[k].to_string(),
                step.served_rps.to_string(),
                (rps[k] - step.served_rps).max(0.0).to_string(),
                step.capacity_rps.to_string(),
                step.running.to_string(),
                step.in_service.to_string(),
                step.credit_balance.to_string(),
                step.surplus_credits.to_string(),
                step.cost_usd.to_string(),
            ])?;
            rows += 1;
        }
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("cannot write the series: {e}"))?;
    let text = String::from_utf8(bytes)?;
    output::emit(&text, Some(&args.series))?;
    if args.series.as_os_str() != "-" {
        output::note(&format!("wrote {rows} steps to {}", args.series.display()));
    }
    Ok(ExitStatus::Success)
}
