//! Reports: a serializable view model built once from results, and exporters that
//! render it (text table, markdown, CSV, JSON). Exporters format; they never compute.

pub mod bundle;
pub mod charts;
pub mod compare;
pub mod gate;
pub mod quote;
pub mod recommend;
pub mod series;
pub mod sweep;
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
    /// Conditional value at risk at 95%: the mean of the worst 5% of paths (at least
    /// one path).
    #[serde(default)]
    pub cvar95: f64,
    /// Standard error of the mean (sample standard deviation / √paths; 0 for one path).
    #[serde(default)]
    pub sem: f64,
    /// A distribution-free 95% confidence interval of the 95th percentile: the order
    /// statistics whose ranks bracket it by the binomial's normal approximation.
    #[serde(default)]
    pub p95_ci: [f64; 2],
}

impl Stats {
    /// Statistics of per-path values, which must be in path order: sums run in that
    /// order, so the bits do not depend on how the paths were computed.
    ///
    /// # Panics
    /// When `values` is empty (every run has at least one path).
    #[must_use]
    pub fn of(values: &[f64]) -> Stats {
        assert!(!values.is_empty(), "invariant: statistics of no paths");
        #[allow(clippy::cast_precision_loss)]
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let sem = if values.len() > 1 {
            let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
            (var / n).sqrt()
        } else {
            0.0
        };
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let q = |p| crate::stats::quantile_sorted(&sorted, p);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let tail = ((n * 0.05).ceil() as usize).max(1);
        #[allow(clippy::cast_precision_loss)]
        let cvar95 = sorted[sorted.len() - tail..].iter().sum::<f64>() / tail as f64;
        Stats {
            mean,
            p5: q(0.05),
            p50: q(0.5),
            p95: q(0.95),
            p99: q(0.99),
            max: sorted[sorted.len() - 1],
            cvar95,
            sem,
            p95_ci: quantile_ci(&sorted, 0.95),
        }
    }
}

/// The order statistics bracketing the `p`-quantile with 95% confidence: ranks
/// `n·p ∓ 1.96·√(n·p·(1−p))`, rounded outwards and clamped to the sample.
fn quantile_ci(sorted: &[f64], p: f64) -> [f64; 2] {
    #[allow(clippy::cast_precision_loss)]
    let n = sorted.len() as f64;
    let half = 1.96 * (n * p * (1.0 - p)).sqrt();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let rank = |r: f64| (r.clamp(1.0, n) as usize) - 1;
    [
        sorted[rank((n * p - half).floor())],
        sorted[rank((n * p + half).ceil())],
    ]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_statistics_of_one_to_a_hundred() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        let s = Stats::of(&values);
        assert_eq!(s.mean, 50.5);
        // the worst 5 paths: 96..=100
        assert_eq!(s.cvar95, 98.0);
        // sd of 1..=100 is √(841.666…); / √100
        assert!((s.sem - (101.0 * 100.0 / 12.0f64).sqrt() / 10.0).abs() < 1e-12);
        // ranks 95 ∓ 1.96·√4.75 = 90.73, 99.27 → 90 and 100
        assert_eq!(s.p95_ci, [90.0, 100.0]);
        assert!((s.p95 - 95.05).abs() < 1e-12);
        let one = Stats::of(&[7.0]);
        assert_eq!((one.sem, one.cvar95, one.p95_ci), (0.0, 7.0, [7.0, 7.0]));
    }
}
