//! Command-line arguments and dispatch. Only the binary compiles this module.

mod commands;
pub(crate) mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use costcast::catalog::{CatalogSource, PriceCatalog};
use costcast::report::Format;

/// Cost and capacity planning for AWS compute.
///
/// Exit codes: 0 success; 1 a budget gate was breached; 2 error (bad input, missing
/// pricing, I/O).
#[derive(Debug, Parser)]
#[command(name = "costcast", version, about, long_about = None)]
pub(crate) struct Args {
    /// Read prices from this `pricing-data` directory instead of the catalog built into
    /// the binary.
    #[arg(long, global = true, env = "COSTCAST_PRICING_DIR", value_name = "DIR")]
    pricing_dir: Option<PathBuf>,

    /// Warn when the pricing catalog was retrieved more than this many days ago.
    #[arg(
        long,
        global = true,
        env = "COSTCAST_MAX_CATALOG_AGE_DAYS",
        default_value_t = 90,
        value_name = "DAYS"
    )]
    max_catalog_age_days: i64,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Price a usage file like an invoice (the point estimate).
    Quote(commands::quote::QuoteArgs),
    /// Compare a scenario's options month by month (default: the embedded scenario).
    Compare(commands::compare::CompareArgs),
    /// Check a scenario against budget rules: exit 1 when one is breached.
    Gate(commands::gate::GateArgs),
    /// Write a full report (HTML, markdown, CSV, Parquet, JSON, charts) to a directory.
    Report(commands::report::ReportArgs),
    /// Cost of every option across a range of load, and where the cheapest changes.
    Sweep(commands::sweep::SweepArgs),
    /// Join the partial results of a sharded `compare` into its report.
    Merge(commands::merge::MergeArgs),
    /// Write every step of a scenario's run (demand, capacity, instances, credits,
    /// unserved demand, cost) to a CSV file.
    Simulate(commands::simulate::SimulateArgs),
    /// Work with workload traces.
    #[command(subcommand)]
    Trace(commands::trace::TraceCommand),
    /// Browse the pricing catalog.
    #[command(subcommand)]
    Pricing(commands::pricing::PricingCommand),
}

/// Output formats on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// Aligned text.
    Table,
    /// JSON with `schema_version`.
    Json,
    /// CSV rows.
    Csv,
    /// Markdown tables.
    Markdown,
}

impl From<OutputFormat> for Format {
    fn from(f: OutputFormat) -> Format {
        match f {
            OutputFormat::Table => Format::Table,
            OutputFormat::Json => Format::Json,
            OutputFormat::Csv => Format::Csv,
            OutputFormat::Markdown => Format::Markdown,
        }
    }
}

/// How a run ended, mapped to the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExitStatus {
    /// Everything passed.
    Success,
    /// The run completed but a budget gate was breached (used by `gate`).
    Failure,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        match status {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
        }
    }
}

/// Runs the parsed command.
pub(crate) fn run(args: Args) -> anyhow::Result<ExitStatus> {
    let source = Pricing {
        source: catalog_source(args.pricing_dir),
        max_age_days: args.max_catalog_age_days,
    };
    match args.command {
        Command::Quote(a) => commands::quote::run(&source, &a),
        Command::Compare(a) => commands::compare::run(&source, &a),
        Command::Gate(a) => commands::gate::run(&source, &a),
        Command::Merge(a) => commands::merge::run(&a),
        Command::Sweep(a) => commands::sweep::run(&source, &a),
        Command::Report(a) => commands::report::run(&source, &a),
        Command::Simulate(a) => commands::simulate::run(&source, &a),
        Command::Trace(c) => commands::trace::run(&c),
        Command::Pricing(c) => commands::pricing::run(&source, &c),
    }
}

fn catalog_source(dir: Option<PathBuf>) -> CatalogSource {
    dir.map_or(CatalogSource::Embedded, CatalogSource::Dir)
}

/// Where prices come from, and how old they may be before a warning.
pub(crate) struct Pricing {
    /// The catalog's location.
    pub(crate) source: CatalogSource,
    /// `--max-catalog-age-days`.
    pub(crate) max_age_days: i64,
}

/// Loads the catalog for `region`, warning when it is older than `--max-catalog-age-days`.
pub(crate) fn load_catalog(pricing: &Pricing, region: &str) -> anyhow::Result<PriceCatalog> {
    let catalog = PriceCatalog::load(&pricing.source, region)?;
    let max_days = pricing.max_age_days;
    let retrieved = catalog.info().retrieved_date;
    let age = (chrono::Utc::now().date_naive() - retrieved).num_days();
    if age > max_days {
        output::warn(&format!(
            "the {} pricing catalog was retrieved on {retrieved}, {age} days ago (more than {max_days}); prices may have changed: run `costcast pricing update`",
            catalog.info().origin
        ));
    }
    Ok(catalog)
}

/// Paths when `--paths` is not given.
const DEFAULT_PATHS: u64 = 1000;
/// Paths per load point of a sweep when `--paths` is not given.
const DEFAULT_SWEEP_PATHS: u64 = 100;

/// Monte Carlo settings shared by `compare`, `gate`, `sweep` and `report`.
#[derive(Debug, clap::Args)]
pub(crate) struct MonteCarloArgs {
    /// Monte Carlo paths [default: 1000; sweep: 100 per load point] (a scenario without
    /// [uncertainty] runs one: every path would be the same).
    #[arg(long, env = "COSTCAST_PATHS", value_parser = clap::value_parser!(u64).range(1..))]
    paths: Option<u64>,
    /// Seed of the paths: the same scenario and seed give the same bits.
    #[arg(long, default_value_t = 1, env = "COSTCAST_SEED")]
    seed: u64,
    /// Worker threads (default: one per core); results do not depend on it.
    #[arg(long, env = "COSTCAST_THREADS", value_parser = clap::value_parser!(u64).range(1..=1024))]
    threads: Option<u64>,
    /// No progress bar (there is none anyway when stderr is not a terminal).
    #[arg(long, short)]
    quiet: bool,
}

impl MonteCarloArgs {
    /// `--paths`, or 1,000.
    pub(crate) fn paths(&self) -> u64 {
        self.paths.unwrap_or(DEFAULT_PATHS)
    }

    /// The run configuration for `shard` (all paths when `None`).
    pub(crate) fn config(&self, shard: Option<costcast::mc::Shard>) -> costcast::mc::RunConfig {
        costcast::mc::RunConfig {
            paths: self.paths(),
            seed: self.seed,
            shard,
        }
    }

    /// The run configuration of a sweep: `--paths`, or 100 per load point (a sweep
    /// compares expected costs, which need fewer paths than tail statistics).
    pub(crate) fn sweep_config(&self) -> costcast::mc::RunConfig {
        costcast::mc::RunConfig {
            paths: self.paths.unwrap_or(DEFAULT_SWEEP_PATHS),
            seed: self.seed,
            shard: None,
        }
    }

    /// Runs `work` on a pool of `--threads` workers with a progress bar of `total` paths
    /// (on a terminal, unless `--quiet`).
    pub(crate) fn on_pool<T: Send>(
        &self,
        total: u64,
        work: impl FnOnce(&(dyn Fn() + Sync)) -> T + Send,
    ) -> anyhow::Result<T> {
        let threads = self
            .threads
            .map_or(0, |t| usize::try_from(t).unwrap_or(usize::MAX));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| anyhow::anyhow!("cannot start {threads} worker threads: {e}"))?;
        let bar = output::progress_bar(total, self.quiet);
        let result = pool.install(|| work(&|| bar.inc(1)));
        bar.finish_and_clear();
        Ok(result)
    }

    /// Runs the paths of `plan` (those of `shard`, when given) on `--threads` workers.
    pub(crate) fn run(
        &self,
        plan: &costcast::scenario::Plan,
        shard: Option<costcast::mc::Shard>,
    ) -> anyhow::Result<costcast::mc::McRun> {
        let config = self.config(shard);
        let total = costcast::mc::paths_here(plan, &config);
        self.on_pool(total, |progress| costcast::mc::run(plan, &config, progress))
    }
}
