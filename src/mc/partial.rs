//! Partial results of a sharded run, as Parquet, and reading them back for `merge`.
//!
//! One long table, a row per (path, option, figure):
//!
//! | column     | type | meaning                                                        |
//! |------------|------|----------------------------------------------------------------|
//! | `path`     | u64  | the path's index in the whole run                              |
//! | `option`   | u32  | the option's index in the scenario                             |
//! | `kind`     | str  | `path`, `month`, `component`, `capacity` or `credits`          |
//! | `key`      | str  | the component or figure name (empty for `month`)               |
//! | `month`    | str  | `YYYY-MM` for `month` and `component` rows, empty otherwise    |
//! | `value`    | f64  | USD for months and components; the figure otherwise (NaN: none) |
//! | `run_info` | str  | the run's [`RunInfo`] as JSON on the first (`run`) row, else empty |
//! | `paths`    | u64  | paths in the whole run                                         |
//! | `seed`     | u64  | the run's seed                                                 |
//! | `shard`    | str  | `K/N`                                                          |
//!
//! Values are stored as the f64 bits the engine produced, so statistics over merged parts
//! are bit-identical to the unsharded run's.

use std::io::Cursor;
use std::path::Path;

use polars::prelude::*;

use super::{McRun, OptionPath, PathResult, Shard};
use crate::capacity::CapacityStats;
use crate::error::{Error, Result};
use crate::report::compare::RunInfo;
use crate::sim::CreditStats;

const CAPACITY_KEYS: [&str; 6] = [
    "served_fraction",
    "unserved_requests",
    "shortfall_minutes",
    "p95_utilization",
    "peak_instances",
    "peak_concurrency",
];

const CREDIT_KEYS: [&str; 7] = [
    "mode_unlimited",
    "min_balance",
    "end_balance",
    "throttled_minutes",
    "surplus_charged_credits",
    "outstanding_surplus_credits",
    "outstanding_surplus_usd",
];

#[derive(Default)]
struct Rows {
    path: Vec<u64>,
    option: Vec<u32>,
    kind: Vec<&'static str>,
    key: Vec<String>,
    month: Vec<String>,
    value: Vec<f64>,
}

impl Rows {
    fn push(
        &mut self,
        path: u64,
        option: u32,
        kind: &'static str,
        key: &str,
        month: &str,
        value: f64,
    ) {
        self.path.push(path);
        self.option.push(option);
        self.kind.push(kind);
        self.key.push(key.to_string());
        self.month.push(month.to_string());
        self.value.push(value);
    }
}

/// The Parquet bytes of shard `shard` of a run.
///
/// # Errors
/// [`Error::Invalid`] if polars cannot encode the table (not expected for these types).
pub fn to_parquet(info: &RunInfo, run: &McRun, shard: Shard) -> Result<Vec<u8>> {
    let mut rows = Rows::default();
    // One row that belongs to no path, so a shard that ran no paths still says which run
    // it is part of.
    rows.push(u64::MAX, 0, "run", "", "", 0.0);
    for result in &run.results {
        rows.push(
            result.path,
            0,
            "path",
            "mean_requests_per_second",
            "",
            result.mean_requests_per_second,
        );
        for (i, option) in result.options.iter().enumerate() {
            let o = u32::try_from(i).unwrap_or(u32::MAX);
            for (month, usd) in info.months.iter().zip(&option.monthly_usd) {
                rows.push(result.path, o, "month", "", month, *usd);
            }
            for (component, usd_by_month) in &option.components {
                for (month, usd) in info.months.iter().zip(usd_by_month) {
                    rows.push(result.path, o, "component", component, month, *usd);
                }
            }
            let c = &option.capacity;
            let none = f64::NAN;
            for (key, value) in CAPACITY_KEYS.iter().zip([
                c.served_fraction,
                c.unserved_requests,
                c.shortfall_minutes,
                c.p95_utilization.unwrap_or(none),
                c.peak_instances.unwrap_or(none),
                c.peak_concurrency.unwrap_or(none),
            ]) {
                rows.push(result.path, o, "capacity", key, "", value);
            }
            if let Some(c) = &option.credits {
                for (key, value) in CREDIT_KEYS.iter().zip([
                    if c.mode == "unlimited" { 1.0 } else { 0.0 },
                    c.min_balance,
                    c.end_balance,
                    c.throttled_minutes,
                    c.surplus_charged_credits,
                    c.outstanding_surplus_credits,
                    c.outstanding_surplus_usd,
                ]) {
                    rows.push(result.path, o, "credits", key, "", value);
                }
            }
        }
    }
    let n = rows.path.len();
    let info_json = serde_json::to_string(info)
        .map_err(|e| Error::Invalid(format!("cannot encode the run information: {e}")))?;
    let mut frame = DataFrame::new(
        n,
        vec![
            Column::new("path".into(), rows.path),
            Column::new("option".into(), rows.option),
            Column::new("kind".into(), rows.kind),
            Column::new("key".into(), rows.key),
            Column::new("month".into(), rows.month),
            Column::new("value".into(), rows.value),
            // once, on the `run` row: a copy per row would cost its size × rows in memory
            Column::new(
                "run_info".into(),
                std::iter::once(info_json.as_str())
                    .chain(std::iter::repeat_n("", n - 1))
                    .collect::<Vec<_>>(),
            ),
            Column::new("paths".into(), vec![run.paths; n]),
            Column::new("seed".into(), vec![run.seed; n]),
            Column::new("shard".into(), vec![shard.to_string(); n]),
        ],
    )
    .map_err(|e| Error::Invalid(format!("cannot build the partial table: {e}")))?;
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .finish(&mut frame)
        .map_err(|e| Error::Invalid(format!("cannot encode the partial result: {e}")))?;
    Ok(bytes)
}

/// Reads a partial result written by [`to_parquet`].
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; [`Error::Invalid`] naming the file when it
/// is not a costcast partial result or is inconsistent.
pub fn read(path: &Path) -> Result<(RunInfo, McRun)> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::io(format!("cannot read `{}`", path.display()), e))?;
    let bad = |what: String| {
        Error::Invalid(format!(
            "`{}` is not a costcast partial result: {what}; write one with `costcast compare --shard K/N --partial FILE`",
            path.display()
        ))
    };
    let frame = ParquetReader::new(Cursor::new(bytes))
        .finish()
        .map_err(|e| bad(format!("cannot read as Parquet ({e})")))?;
    let column = |name: &str| {
        frame
            .column(name)
            .map_err(|_| bad(format!("no column `{name}`")))
    };
    let typed = |name: &str, dtype: DataType| -> Result<Series> {
        column(name)?
            .as_materialized_series()
            .strict_cast(&dtype)
            .map_err(|e| bad(format!("column `{name}`: {e}")))
    };
    let (paths_s, option_s, total_s, seed_s) = (
        typed("path", DataType::UInt64)?,
        typed("option", DataType::UInt32)?,
        typed("paths", DataType::UInt64)?,
        typed("seed", DataType::UInt64)?,
    );
    let (kind_s, key_s, month_s, info_s) = (
        typed("kind", DataType::String)?,
        typed("key", DataType::String)?,
        typed("month", DataType::String)?,
        typed("run_info", DataType::String)?,
    );
    let value_s = typed("value", DataType::Float64)?;
    let wrong = |e: PolarsError| bad(e.to_string());
    let (paths_col, option_col, total_col, seed_col) = (
        paths_s.u64().map_err(wrong)?,
        option_s.u32().map_err(wrong)?,
        total_s.u64().map_err(wrong)?,
        seed_s.u64().map_err(wrong)?,
    );
    let (kind_col, key_col, month_col, info_col) = (
        kind_s.str().map_err(wrong)?,
        key_s.str().map_err(wrong)?,
        month_s.str().map_err(wrong)?,
        info_s.str().map_err(wrong)?,
    );
    let value_col = value_s.f64().map_err(wrong)?;
    let info_json = info_col
        .get(0)
        .filter(|_| kind_col.get(0) == Some("run"))
        .ok_or_else(|| bad("its first row is not the run's".to_string()))?;
    let info: RunInfo =
        serde_json::from_str(info_json).map_err(|e| bad(format!("bad run_info ({e})")))?;
    let paths = total_col.get(0).unwrap_or(0);
    let seed = seed_col.get(0).unwrap_or(0);
    let mut results: Vec<PathResult> = Vec::new();
    for row in 0..frame.height() {
        let empty = || bad(format!("row {} has an empty cell", row + 1));
        let path = paths_col.get(row).ok_or_else(empty)?;
        if kind_col.get(row).ok_or_else(empty)? == "run" {
            continue;
        }
        let option = option_col.get(row).ok_or_else(empty)? as usize;
        let kind = kind_col.get(row).ok_or_else(empty)?;
        let key = key_col.get(row).ok_or_else(empty)?;
        let month = month_col.get(row).ok_or_else(empty)?;
        let value = value_col.get(row).ok_or_else(empty)?;
        if option >= info.options.len() {
            return Err(bad(format!("row {} names option {option}", row + 1)));
        }
        if results.last().is_none_or(|r| r.path != path) {
            results.push(PathResult {
                path,
                mean_requests_per_second: 0.0,
                options: vec![empty_option(info.months.len()); info.options.len()],
            });
        }
        if kind == "path" {
            if let Some(r) = results.last_mut() {
                r.mean_requests_per_second = value;
            }
            continue;
        }
        let month_index = || {
            info.months
                .iter()
                .position(|label| label == month)
                .ok_or_else(|| {
                    bad(format!(
                        "row {}: month `{month}` is outside the run",
                        row + 1
                    ))
                })
        };
        let target = results
            .last_mut()
            .map(|r| &mut r.options[option])
            .ok_or_else(|| bad("no path".to_string()))?;
        match kind {
            "month" => target.monthly_usd[month_index()?] = value,
            "component" => {
                let m = month_index()?;
                match target.components.iter_mut().find(|(name, _)| name == key) {
                    Some((_, usd)) => usd[m] = value,
                    None => {
                        let mut usd = vec![0.0; info.months.len()];
                        usd[m] = value;
                        target.components.push((key.to_string(), usd));
                    }
                }
            }
            "capacity" => set_capacity(&mut target.capacity, key, value)
                .ok_or_else(|| bad(format!("row {}: unknown capacity figure `{key}`", row + 1)))?,
            "credits" => {
                let credits = target.credits.get_or_insert(CreditStats {
                    mode: "standard",
                    min_balance: 0.0,
                    end_balance: 0.0,
                    throttled_minutes: 0.0,
                    surplus_charged_credits: 0.0,
                    outstanding_surplus_credits: 0.0,
                    outstanding_surplus_usd: 0.0,
                });
                set_credit(credits, key, value).ok_or_else(|| {
                    bad(format!("row {}: unknown credit figure `{key}`", row + 1))
                })?;
            }
            other => return Err(bad(format!("row {}: unknown kind `{other}`", row + 1))),
        }
    }
    Ok((
        info,
        McRun {
            paths,
            seed,
            results,
        },
    ))
}

fn empty_option(months: usize) -> OptionPath {
    OptionPath {
        monthly_usd: vec![0.0; months],
        components: Vec::new(),
        capacity: CapacityStats {
            served_fraction: 1.0,
            unserved_requests: 0.0,
            shortfall_minutes: 0.0,
            p95_utilization: None,
            peak_instances: None,
            peak_concurrency: None,
        },
        credits: None,
    }
}

fn set_capacity(c: &mut CapacityStats, key: &str, value: f64) -> Option<()> {
    let optional = (!value.is_nan()).then_some(value);
    match key {
        "served_fraction" => c.served_fraction = value,
        "unserved_requests" => c.unserved_requests = value,
        "shortfall_minutes" => c.shortfall_minutes = value,
        "p95_utilization" => c.p95_utilization = optional,
        "peak_instances" => c.peak_instances = optional,
        "peak_concurrency" => c.peak_concurrency = optional,
        _ => return None,
    }
    Some(())
}

fn set_credit(c: &mut CreditStats, key: &str, value: f64) -> Option<()> {
    match key {
        "mode_unlimited" => c.mode = if value > 0.0 { "unlimited" } else { "standard" },
        "min_balance" => c.min_balance = value,
        "end_balance" => c.end_balance = value,
        "throttled_minutes" => c.throttled_minutes = value,
        "surplus_charged_credits" => c.surplus_charged_credits = value,
        "outstanding_surplus_credits" => c.outstanding_surplus_credits = value,
        "outstanding_surplus_usd" => c.outstanding_surplus_usd = value,
        _ => return None,
    }
    Some(())
}

/// Reads every part and joins them: they must come from the same scenario, prices, seed
/// and path count, and together hold every path exactly once.
///
/// # Errors
/// As [`read`], and [`Error::Invalid`] when the parts do not belong together.
pub fn merge_files(parts: &[&Path]) -> Result<(RunInfo, McRun)> {
    let mut info: Option<RunInfo> = None;
    let mut runs = Vec::with_capacity(parts.len());
    for path in parts {
        let (part_info, run) = read(path)?;
        match &info {
            None => info = Some(part_info),
            Some(first) if *first != part_info => {
                return Err(Error::Invalid(format!(
                    "`{}` is from another scenario or catalog than `{}`; merge parts of one run",
                    path.display(),
                    parts[0].display()
                )));
            }
            Some(_) => {}
        }
        runs.push(run);
    }
    let info =
        info.ok_or_else(|| Error::Invalid("give at least one partial result".to_string()))?;
    Ok((info, McRun::merge(runs)?))
}
