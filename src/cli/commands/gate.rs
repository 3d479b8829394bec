//! `costcast gate [SCENARIO]`: budget rules on the comparison, as a CI check.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use costcast::gate::{self, Baseline};
use costcast::report::compare::{CompareReport, RunInfo};
use costcast::report::gate::GateFormat;
use costcast::scenario::ScenarioSource;

use crate::cli::{ExitStatus, MonteCarloArgs, Pricing, load_catalog, output};

#[derive(Debug, Args)]
pub(crate) struct GateArgs {
    /// The scenario file; without it, the default scenario built into the binary.
    scenario: Option<PathBuf>,
    #[command(flatten)]
    monte_carlo: MonteCarloArgs,
    /// Rules from this TOML file (`[[rule]]` tables) instead of the scenario's `[gate]`.
    #[arg(long, value_name = "FILE")]
    budget: Option<PathBuf>,
    /// A previous `compare --format json` or `gate --format json` result, for increase rules.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text", env = "COSTCAST_FORMAT")]
    format: GateFormatArg,
    /// Write to this file instead of stdout (`-` for stdout).
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Exit 0 even when a rule is breached (report only).
    #[arg(long)]
    exit_zero: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GateFormatArg {
    Text,
    Markdown,
    Json,
    Junit,
    Github,
}

pub(crate) fn run(pricing: &Pricing, args: &GateArgs) -> anyhow::Result<ExitStatus> {
    let scenario = ScenarioSource::read_or_default(args.scenario.as_deref())?;
    // Read every input before the run, so a bad file fails fast.
    let rules = match &args.budget {
        Some(path) => gate::read_budget(path)?,
        None => Vec::new(),
    };
    let baseline: Option<Baseline> = args
        .baseline
        .as_deref()
        .map(gate::read_baseline)
        .transpose()?;
    let catalog = load_catalog(pricing, &scenario.region()?)?;
    let plan = scenario.plan(&catalog)?;
    let rules = if args.budget.is_some() {
        rules
    } else {
        plan.gate.clone()
    };
    let run = args.monte_carlo.run(&plan, None)?;
    let report = CompareReport::new(&RunInfo::of(&plan), &run, None);
    let outcome = gate::evaluate(report, &rules, baseline.as_ref())?;
    let format = match args.format {
        GateFormatArg::Text => GateFormat::Text,
        GateFormatArg::Markdown => GateFormat::Markdown,
        GateFormatArg::Json => GateFormat::Json,
        GateFormatArg::Junit => GateFormat::Junit,
        GateFormatArg::Github => GateFormat::Github,
    };
    output::emit(&outcome.render(format), args.output.as_deref())?;
    // On GitHub Actions, the markdown summary also goes to the job's summary page.
    if format == GateFormat::Markdown
        && let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY")
    {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&summary)
            .with_context(|| {
                format!(
                    "cannot open GITHUB_STEP_SUMMARY `{}`",
                    PathBuf::from(&summary).display()
                )
            })?;
        file.write_all(outcome.render(GateFormat::Markdown).as_bytes())?;
    }
    Ok(if outcome.passed || args.exit_zero {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
