//! Reports: a serializable view model built once from results, and exporters that
//! render it (text table, markdown, CSV, JSON). Exporters format; they never compute.

pub mod compare;
pub mod gate;
pub mod quote;
pub mod table;

use serde::Serialize;

/// Output formats every report supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned text for a terminal.
    Table,
    /// JSON, the stable integration contract (with `schema_version`).
    Json,
    /// CSV rows for spreadsheets.
    Csv,
    /// GitHub-flavoured markdown.
    Markdown,
}

/// Statistics over Monte Carlo paths of one quantity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct Stats {
    /// Mean.
    pub mean: f64,
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// The largest path.
    #[serde(default)]
    pub max: f64,
}

impl Stats {
    /// Statistics of per-path values (one value: a deterministic run).
    ///
    /// # Panics
    /// When `values` is empty (every run has at least one path).
    #[must_use]
    pub fn of(values: &[f64]) -> Stats {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        #[allow(clippy::cast_precision_loss)]
        let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
        let q = |p| crate::stats::quantile_sorted(&sorted, p);
        Stats {
            mean,
            p5: q(0.05),
            p50: q(0.5),
            p95: q(0.95),
            p99: q(0.99),
            max: sorted[sorted.len() - 1],
        }
    }
}

/// Serializes `value` as pretty JSON with a trailing newline.
///
/// # Panics
/// Never for the report types here, whose fields all serialize.
#[must_use]
pub fn to_json<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("invariant: report types serialize");
    text.push('\n');
    text
}

/// Writes CSV rows to a string.
pub(crate) fn to_csv(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail; a failure here is a broken invariant.
    writer
        .write_record(header)
        .expect("invariant: in-memory CSV");
    for row in rows {
        writer.write_record(&row).expect("invariant: in-memory CSV");
    }
    String::from_utf8(writer.into_inner().expect("invariant: in-memory CSV"))
        .expect("invariant: CSV of UTF-8 cells")
}
