//! `costcast trace inspect FILE`

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use costcast::trace::{GapPolicy, MetricKind, SeriesStats, TraceFormat, TraceSpec};
use serde::Serialize;

use crate::cli::{ExitStatus, output};

#[derive(Debug, Subcommand)]
pub(crate) enum TraceCommand {
    /// Print a trace's step, span, gaps and value statistics.
    Inspect(InspectArgs),
}

#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// The trace file.
    file: PathBuf,
    /// What the values measure.
    #[arg(long, value_enum, default_value = "requests-per-interval")]
    metric: MetricArg,
    /// File layout (default: from the extension).
    #[arg(long, value_enum)]
    layout: Option<LayoutArg>,
    /// Timestamp column (CSV, Parquet).
    #[arg(long, default_value = "timestamp")]
    timestamp_column: String,
    /// Value column (CSV, Parquet).
    #[arg(long, default_value = "value")]
    value_column: String,
    /// Time of the first count (counts-per-second layout).
    #[arg(long)]
    start: Option<String>,
    /// Gap policy used for the resampled rate statistics.
    #[arg(long, value_enum, default_value = "interpolate")]
    gaps: GapArg,
    /// Output as JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum MetricArg {
    RequestsPerSecond,
    RequestsPerInterval,
    CpuPercent,
    InvocationsPerInterval,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum LayoutArg {
    Csv,
    Parquet,
    CountsPerSecond,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum GapArg {
    Interpolate,
    Hold,
    Zero,
    Error,
}

#[derive(Debug, Serialize)]
struct Inspection {
    path: String,
    metric: MetricKind,
    rows: usize,
    start: String,
    end: String,
    step_seconds: i64,
    span_days: f64,
    gaps: usize,
    missing_samples: u64,
    gap_policy: GapPolicy,
    values: SeriesStats,
    rate_unit: &'static str,
    rate: SeriesStats,
}

pub(crate) fn run(command: &TraceCommand) -> anyhow::Result<ExitStatus> {
    let TraceCommand::Inspect(args) = command;
    let metric = match args.metric {
        MetricArg::RequestsPerSecond => MetricKind::RequestsPerSecond,
        MetricArg::RequestsPerInterval => MetricKind::RequestsPerInterval,
        MetricArg::CpuPercent => MetricKind::CpuPercent,
        MetricArg::InvocationsPerInterval => MetricKind::InvocationsPerInterval,
    };
    let gaps = match args.gaps {
        GapArg::Interpolate => GapPolicy::Interpolate,
        GapArg::Hold => GapPolicy::Hold,
        GapArg::Zero => GapPolicy::Zero,
        GapArg::Error => GapPolicy::Error,
    };
    let mut spec = TraceSpec::new(args.file.clone(), metric);
    spec.format = args.layout.map(|l| match l {
        LayoutArg::Csv => TraceFormat::Csv,
        LayoutArg::Parquet => TraceFormat::Parquet,
        LayoutArg::CountsPerSecond => TraceFormat::CountsPerSecond,
    });
    spec.timestamp_column.clone_from(&args.timestamp_column);
    spec.value_column.clone_from(&args.value_column);
    spec.start.clone_from(&args.start);
    spec.gaps = gaps;
    let trace = costcast::trace::load::load(&spec, Path::new(""))?;
    let regular = trace.regular(gaps)?;
    let found_gaps = trace.gaps();
    let rfc3339 = |s: i64| {
        chrono::DateTime::from_timestamp(s, 0).map_or_else(|| s.to_string(), |t| t.to_rfc3339())
    };
    let last = *trace.timestamps_s.last().unwrap_or(&0);
    #[allow(clippy::cast_precision_loss)]
    let inspection = Inspection {
        path: trace.path.display().to_string(),
        metric,
        rows: trace.values.len(),
        start: rfc3339(trace.timestamps_s[0]),
        end: rfc3339(last),
        step_seconds: trace.step_s,
        span_days: trace.span_s() as f64 / 86_400.0,
        gaps: found_gaps.len(),
        missing_samples: found_gaps.iter().map(|g| g.missing).sum(),
        gap_policy: gaps,
        values: SeriesStats::of(&trace.values).expect("invariant: a loaded trace has rows"),
        rate_unit: metric.rate_unit(),
        rate: SeriesStats::of(&regular.rates).expect("invariant: a loaded trace has rows"),
    };
    let text = if args.json {
        costcast::report::to_json(&inspection)
    } else {
        format!(
            "trace     {}\nmetric    {}\nrows      {}\nstart     {}\nend       {}\nstep      {} s\nspan      {:.2} days\ngaps      {} ({} samples missing; filled by {})\nvalues    min {}  mean {}  p95 {}  max {}\nrate      min {}  mean {}  p95 {}  max {}  ({})\n",
            inspection.path,
            metric.as_str(),
            inspection.rows,
            inspection.start,
            inspection.end,
            inspection.step_seconds,
            inspection.span_days,
            inspection.gaps,
            inspection.missing_samples,
            gaps.as_str(),
            short(inspection.values.min),
            short(inspection.values.mean),
            short(inspection.values.p95),
            short(inspection.values.max),
            short(inspection.rate.min),
            short(inspection.rate.mean),
            short(inspection.rate.p95),
            short(inspection.rate.max),
            inspection.rate_unit,
        )
    };
    output::emit(&text, None)?;
    Ok(ExitStatus::Success)
}

fn short(v: f64) -> String {
    costcast::report::table::format_quantity(v, 4)
}
