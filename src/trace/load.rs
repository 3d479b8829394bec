//! Reading trace files: CSV and Parquet through polars, and whitespace-separated
//! per-second counts (the NASA HTTP trace's layout).
//!
//! Cells are parsed here, one by one, so that a bad cell is reported with its data-row
//! number (1-based, header excluded) rather than as a polars cast failure.

use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime};
use polars::prelude::*;

use super::{GapPolicy, MetricKind, Trace};
use crate::error::{Error, Result};

/// The layout of a trace file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceFormat {
    /// CSV with a header row.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// Whitespace-separated integers, one per second from `start` (the NASA trace layout).
    CountsPerSecond,
}

/// How to read a trace: the `[workload.trace]` table of a scenario.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct TraceSpec {
    /// The file; relative paths resolve against the scenario's directory.
    pub path: PathBuf,
    /// The layout; inferred from the extension (`.csv`, `.parquet`) when absent.
    #[serde(default)]
    pub format: Option<TraceFormat>,
    /// What the values measure.
    pub metric: MetricKind,
    /// The timestamp column (CSV and Parquet).
    #[serde(default = "default_timestamp_column")]
    pub timestamp_column: String,
    /// The value column (CSV and Parquet).
    #[serde(default = "default_value_column")]
    pub value_column: String,
    /// The time of the first count (`counts_per_second` only), in any timestamp form.
    #[serde(default)]
    pub start: Option<String>,
    /// How missing samples are filled.
    #[serde(default)]
    pub gaps: GapPolicy,
    /// The instance type whose CPU a `cpu_percent` trace measures.
    #[serde(default)]
    pub instance_type: Option<String>,
}

fn default_timestamp_column() -> String {
    "timestamp".to_string()
}

fn default_value_column() -> String {
    "value".to_string()
}

impl TraceSpec {
    /// A spec for `path` with every other field at its default.
    #[must_use]
    pub fn new(path: PathBuf, metric: MetricKind) -> TraceSpec {
        TraceSpec {
            path,
            format: None,
            metric,
            timestamp_column: default_timestamp_column(),
            value_column: default_value_column(),
            start: None,
            gaps: GapPolicy::default(),
            instance_type: None,
        }
    }

    /// The format, given or inferred from the file extension.
    ///
    /// # Errors
    /// [`Error::Trace`] when it is absent and the extension does not tell.
    pub fn resolved_format(&self) -> Result<TraceFormat> {
        if let Some(format) = self.format {
            return Ok(format);
        }
        match self
            .path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("csv") => Ok(TraceFormat::Csv),
            Some("parquet" | "pq") => Ok(TraceFormat::Parquet),
            _ => Err(Error::trace(
                &self.path,
                "cannot tell the format from the extension; set `format` to csv, parquet or counts_per_second",
            )),
        }
    }
}

/// Reads and validates the trace `spec` describes, resolving its path against `base_dir`.
///
/// # Errors
/// [`Error::Trace`] naming the row for any bad cell, and for unreadable or empty files.
pub fn load(spec: &TraceSpec, base_dir: &Path) -> Result<Trace> {
    let path = if spec.path.is_absolute() {
        spec.path.clone()
    } else {
        base_dir.join(&spec.path)
    };
    let format = TraceSpec {
        path: path.clone(),
        ..spec.clone()
    }
    .resolved_format()?;
    let metadata = std::fs::metadata(&path)
        .map_err(|e| Error::io(format!("cannot read trace `{}`", path.display()), e))?;
    if metadata.len() == 0 {
        return Err(Error::trace(&path, "the file is empty"));
    }
    let (timestamps, values) = match format {
        TraceFormat::Csv => read_table(&path, spec, read_csv(&path)?)?,
        TraceFormat::Parquet => read_table(&path, spec, read_parquet(&path)?)?,
        TraceFormat::CountsPerSecond => read_counts(&path, spec)?,
    };
    Trace::new(&path, spec.metric, timestamps, values)
}

fn read_csv(path: &Path) -> Result<DataFrame> {
    // Every column as text: cells are parsed below so errors carry row numbers.
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .and_then(SerReader::finish)
        .map_err(|e| Error::trace(path, format!("cannot read as CSV: {e}")))
}

fn read_parquet(path: &Path) -> Result<DataFrame> {
    let file = File::open(path)
        .map_err(|e| Error::io(format!("cannot open trace `{}`", path.display()), e))?;
    ParquetReader::new(file)
        .finish()
        .map_err(|e| Error::trace(path, format!("cannot read as Parquet: {e}")))
}

fn column<'a>(path: &Path, frame: &'a DataFrame, name: &str, field: &str) -> Result<&'a Column> {
    frame.column(name).map_err(|_| {
        let names: Vec<String> = frame
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        Error::trace(
            path,
            format!(
                "no column `{name}`; the file has: {}; set `{field}` to one of them",
                names.join(", ")
            ),
        )
    })
}

fn read_table(path: &Path, spec: &TraceSpec, frame: DataFrame) -> Result<(Vec<i64>, Vec<f64>)> {
    let ts_col = column(path, &frame, &spec.timestamp_column, "timestamp_column")?;
    let value_col = column(path, &frame, &spec.value_column, "value_column")?;
    let timestamps = timestamps_of(path, ts_col)?;
    let values = values_of(path, value_col)?;
    Ok((timestamps, values))
}

fn timestamps_of(path: &Path, col: &Column) -> Result<Vec<i64>> {
    if col.dtype().is_integer() {
        let cast = col
            .cast(&DataType::Int64)
            .map_err(|e| Error::trace(path, e.to_string()))?;
        let ints = cast.i64().map_err(|e| Error::trace(path, e.to_string()))?;
        return ints
            .iter()
            .enumerate()
            .map(|(i, v)| v.ok_or_else(|| Error::trace_row(path, i + 1, "empty timestamp")))
            .collect();
    }
    let text = col.str().map_err(|_| {
        Error::trace(
            path,
            format!(
                "timestamp column has type {}; store RFC 3339 text or Unix seconds",
                col.dtype()
            ),
        )
    })?;
    text.iter()
        .enumerate()
        .map(|(i, cell)| {
            let cell = cell.unwrap_or("").trim();
            parse_timestamp(cell).ok_or_else(|| {
                Error::trace_row(
                    path,
                    i + 1,
                    format!("`{cell}` is not a timestamp (RFC 3339, `YYYY-MM-DD HH:MM:SS` or Unix seconds)"),
                )
            })
        })
        .collect()
}

fn values_of(path: &Path, col: &Column) -> Result<Vec<f64>> {
    if col.dtype().is_primitive_numeric() {
        let cast = col
            .cast(&DataType::Float64)
            .map_err(|e| Error::trace(path, e.to_string()))?;
        let floats = cast.f64().map_err(|e| Error::trace(path, e.to_string()))?;
        return floats
            .iter()
            .enumerate()
            .map(|(i, v)| v.ok_or_else(|| Error::trace_row(path, i + 1, "empty value")))
            .collect();
    }
    let text = col.str().map_err(|_| {
        Error::trace(
            path,
            format!("value column has type {}; store numbers", col.dtype()),
        )
    })?;
    text.iter()
        .enumerate()
        .map(|(i, cell)| {
            let cell = cell.unwrap_or("").trim();
            cell.parse::<f64>()
                .map_err(|_| Error::trace_row(path, i + 1, format!("`{cell}` is not a number")))
        })
        .collect()
}

fn read_counts(path: &Path, spec: &TraceSpec) -> Result<(Vec<i64>, Vec<f64>)> {
    let start = spec.start.as_deref().ok_or_else(|| {
        Error::trace(
            path,
            "a counts_per_second trace needs `start`, the time of its first count",
        )
    })?;
    let start_s = parse_timestamp(start)
        .ok_or_else(|| Error::trace(path, format!("`start` = `{start}` is not a timestamp")))?;
    if !spec.metric.is_count() {
        return Err(Error::trace(
            path,
            "a counts_per_second trace holds counts; set `metric` to requests_per_interval or invocations_per_interval",
        ));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("cannot read trace `{}`", path.display()), e))?;
    let mut timestamps = Vec::new();
    let mut values = Vec::new();
    for (i, token) in text.split_ascii_whitespace().enumerate() {
        let value = token.parse::<u64>().map_err(|_| {
            Error::trace_row(path, i + 1, format!("`{token}` is not a whole count"))
        })?;
        timestamps.push(start_s + i64::try_from(i).unwrap_or(i64::MAX));
        #[allow(clippy::cast_precision_loss)] // request counts per second are small
        values.push(value as f64);
    }
    Ok((timestamps, values))
}

/// Parses RFC 3339, `YYYY-MM-DD HH:MM:SS` / `YYYY-MM-DDTHH:MM:SS` (taken as UTC), a bare
/// `YYYY-MM-DD` (midnight UTC) or Unix seconds.
#[must_use]
pub fn parse_timestamp(text: &str) -> Option<i64> {
    if let Ok(secs) = text.parse::<i64>() {
        return Some(secs);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp());
    }
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc().timestamp());
        }
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_parquet(frame: &mut DataFrame) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trace.parquet");
        ParquetWriter::new(File::create(&path).unwrap())
            .finish(frame)
            .unwrap();
        (dir, path)
    }

    #[test]
    fn parquet_with_unix_seconds_and_numbers() {
        let mut frame = df!(
            "ts" => [1_700_000_000i64, 1_700_000_300, 1_700_000_600],
            "requests" => [30.0f64, 60.0, 90.0],
        )
        .unwrap();
        let (_dir, path) = write_parquet(&mut frame);
        let mut spec = TraceSpec::new(path, MetricKind::RequestsPerInterval);
        spec.timestamp_column = "ts".into();
        spec.value_column = "requests".into();
        let trace = load(&spec, Path::new("")).unwrap();
        assert_eq!(
            trace.timestamps_s,
            vec![1_700_000_000, 1_700_000_300, 1_700_000_600]
        );
        assert_eq!(trace.values, vec![30.0, 60.0, 90.0]);
        assert_eq!(trace.step_s, 300);
    }

    #[test]
    fn parquet_with_text_timestamps_and_a_bad_cell() {
        let mut frame = df!(
            "timestamp" => ["2024-01-01T00:00:00Z", "2024-01-01T00:01:00Z", "soon"],
            "value" => [1i64, 2, 3],
        )
        .unwrap();
        let (_dir, path) = write_parquet(&mut frame);
        let err = load(
            &TraceSpec::new(path, MetricKind::RequestsPerSecond),
            Path::new(""),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.ends_with(
                "row 3: `soon` is not a timestamp (RFC 3339, `YYYY-MM-DD HH:MM:SS` or Unix seconds)"
            ),
            "{err}"
        );
    }

    #[test]
    fn timestamps_in_every_accepted_form() {
        assert_eq!(parse_timestamp("2014-02-14 14:27:00"), Some(1_392_388_020));
        assert_eq!(parse_timestamp("2014-02-14T14:27:00Z"), Some(1_392_388_020));
        assert_eq!(
            parse_timestamp("2014-02-14T16:27:00+02:00"),
            Some(1_392_388_020)
        );
        assert_eq!(parse_timestamp("1392388020"), Some(1_392_388_020));
        assert_eq!(parse_timestamp("2014-02-14"), Some(1_392_336_000));
        assert_eq!(parse_timestamp("14/02/2014"), None);
    }
}
