//! Workload traces: a measured series turned into a regular demand series.
//!
//! A [`Trace`] is what was read from a file (timestamps and values, validated). It becomes
//! demand through [`Trace::resample`], which fills gaps by a stated [`GapPolicy`] and
//! aggregates onto the scenario's step: counts are summed per step, rates averaged, and
//! the result is always a *rate* (per second, or a CPU fraction) so that models can use it
//! without knowing the source's interval. Reading files is in [`load`].

pub mod load;

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

pub use load::{TraceFormat, TraceSpec, parse_timestamp};

/// What a trace's values measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    /// Average requests per second over each sample's interval.
    RequestsPerSecond,
    /// Requests counted in each sample's interval (e.g. ELB `RequestCount` sums).
    RequestsPerInterval,
    /// Average CPU utilisation, percent of one instance of a named type.
    CpuPercent,
    /// Lambda invocations counted in each sample's interval.
    InvocationsPerInterval,
}

impl MetricKind {
    /// Whether values are counts per interval (summed on resampling) rather than rates.
    #[must_use]
    pub fn is_count(self) -> bool {
        matches!(
            self,
            MetricKind::RequestsPerInterval | MetricKind::InvocationsPerInterval
        )
    }

    /// The name used in scenario files.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            MetricKind::RequestsPerSecond => "requests_per_second",
            MetricKind::RequestsPerInterval => "requests_per_interval",
            MetricKind::CpuPercent => "cpu_percent",
            MetricKind::InvocationsPerInterval => "invocations_per_interval",
        }
    }

    /// The unit of a resampled value.
    #[must_use]
    pub fn rate_unit(self) -> &'static str {
        match self {
            MetricKind::CpuPercent => "CPU %",
            _ => "requests/s",
        }
    }
}

/// How missing samples are filled before resampling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GapPolicy {
    /// Straight line between the samples either side (the default: CloudWatch gaps are
    /// missing data points, not missing load).
    #[default]
    Interpolate,
    /// Repeat the last sample.
    Hold,
    /// Missing time had no load (right for per-request logs, where silence is zero).
    Zero,
    /// Refuse a trace with gaps.
    Error,
}

impl GapPolicy {
    /// The name used in scenario files.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            GapPolicy::Interpolate => "interpolate",
            GapPolicy::Hold => "hold",
            GapPolicy::Zero => "zero",
            GapPolicy::Error => "error",
        }
    }
}

/// A validated trace: strictly increasing timestamps with finite, non-negative values.
#[derive(Debug, Clone)]
pub struct Trace {
    /// Where it was read from.
    pub path: PathBuf,
    /// What the values measure.
    pub kind: MetricKind,
    /// Unix seconds (UTC) at the start of each sample's interval.
    pub timestamps_s: Vec<i64>,
    /// Sample values, in the unit `kind` implies.
    pub values: Vec<f64>,
    /// The sampling interval: the most common difference between timestamps.
    pub step_s: i64,
}

/// A gap: samples missing between two present ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Gap {
    /// Unix seconds of the last sample before the gap.
    pub after_s: i64,
    /// Number of missing samples.
    pub missing: u64,
}

/// A regular series on a fixed step: rates (per second) or CPU percent.
#[derive(Debug, Clone)]
pub struct RegularSeries {
    /// Unix seconds of the first step.
    pub start_s: i64,
    /// The step in seconds.
    pub step_s: i64,
    /// One rate per step.
    pub rates: Vec<f64>,
}

impl Trace {
    /// Builds a trace, checking order, duplicates and values.
    ///
    /// Errors name the 1-based data row (the header excluded) of the offending sample.
    ///
    /// # Errors
    /// [`Error::Trace`] for an empty trace, a non-increasing timestamp or a bad value.
    pub fn new(
        path: &Path,
        kind: MetricKind,
        timestamps_s: Vec<i64>,
        values: Vec<f64>,
    ) -> Result<Trace> {
        if timestamps_s.is_empty() {
            return Err(Error::trace(path, "the trace has no data rows"));
        }
        for (i, v) in values.iter().enumerate() {
            if !v.is_finite() {
                return Err(Error::trace_row(
                    path,
                    i + 1,
                    format!("value {v} is not a finite number"),
                ));
            }
            if *v < 0.0 {
                return Err(Error::trace_row(
                    path,
                    i + 1,
                    format!("value {v} is negative; load cannot be negative"),
                ));
            }
            if kind == MetricKind::CpuPercent && *v > 100.0 {
                return Err(Error::trace_row(
                    path,
                    i + 1,
                    format!("CPU value {v} is above 100 percent"),
                ));
            }
        }
        for (i, pair) in timestamps_s.windows(2).enumerate() {
            if pair[1] == pair[0] {
                return Err(Error::trace_row(
                    path,
                    i + 2,
                    "duplicate timestamp (the same as the row before)",
                ));
            }
            if pair[1] < pair[0] {
                return Err(Error::trace_row(
                    path,
                    i + 2,
                    "timestamp earlier than the row before; sort the trace by time",
                ));
            }
        }
        let step_s = most_common_step(&timestamps_s);
        Ok(Trace {
            path: path.to_path_buf(),
            kind,
            timestamps_s,
            values,
            step_s,
        })
    }

    /// Seconds from the first sample's start to the last sample's end.
    #[must_use]
    pub fn span_s(&self) -> i64 {
        self.timestamps_s.last().copied().unwrap_or(0) - self.timestamps_s[0] + self.step_s
    }

    /// Places where samples are missing.
    #[must_use]
    pub fn gaps(&self) -> Vec<Gap> {
        self.timestamps_s
            .windows(2)
            .filter_map(|w| {
                let slots = slots_between(w[0], w[1], self.step_s);
                (slots > 1).then(|| Gap {
                    after_s: w[0],
                    missing: (slots - 1).unsigned_abs(),
                })
            })
            .collect()
    }

    /// Each sample as a rate: counts divided by the interval, rates as they are.
    fn sample_rates(&self) -> impl Iterator<Item = f64> + '_ {
        #[allow(clippy::cast_precision_loss)] // a step is far below 2^52 seconds
        let divisor = if self.kind.is_count() {
            self.step_s as f64
        } else {
            1.0
        };
        self.values.iter().map(move |v| v / divisor)
    }

    /// The trace on its own step with gaps filled by `policy`, as rates.
    ///
    /// # Errors
    /// [`Error::Trace`] when `policy` is [`GapPolicy::Error`] and there is a gap, or when
    /// a timestamp falls off the trace's step grid onto an occupied slot.
    pub fn regular(&self, policy: GapPolicy) -> Result<RegularSeries> {
        let rates: Vec<f64> = self.sample_rates().collect();
        let mut out = Vec::with_capacity(self.values.len());
        out.push(rates[0]);
        for i in 1..rates.len() {
            let slots = slots_between(self.timestamps_s[i - 1], self.timestamps_s[i], self.step_s);
            if slots < 1 {
                return Err(Error::trace_row(
                    &self.path,
                    i + 1,
                    format!(
                        "timestamp is off the trace's {} s grid and collides with the row before",
                        self.step_s
                    ),
                ));
            }
            let missing = slots - 1;
            if missing > 0 && policy == GapPolicy::Error {
                return Err(Error::trace_row(
                    &self.path,
                    i + 1,
                    format!(
                        "{missing} sample(s) missing before this row; set `gaps` to interpolate, hold or zero"
                    ),
                ));
            }
            for k in 1..=missing {
                #[allow(clippy::cast_precision_loss)] // gap lengths are small counts
                let fraction = k as f64 / slots as f64;
                out.push(match policy {
                    GapPolicy::Interpolate => rates[i - 1] + (rates[i] - rates[i - 1]) * fraction,
                    GapPolicy::Hold => rates[i - 1],
                    GapPolicy::Zero | GapPolicy::Error => 0.0,
                });
            }
            out.push(rates[i]);
        }
        Ok(RegularSeries {
            start_s: self.timestamps_s[0],
            step_s: self.step_s,
            rates: out,
        })
    }

    /// The trace as rates on `step_s`, each step the time-weighted mean of the samples it
    /// overlaps (equivalently, for counts: the sum of counts over the step, per second).
    ///
    /// # Errors
    /// As [`Trace::regular`].
    pub fn resample(&self, step_s: i64, policy: GapPolicy) -> Result<RegularSeries> {
        Ok(self.regular(policy)?.resample(step_s))
    }
}

impl RegularSeries {
    /// Resamples onto `step_s` by time-weighted means; a partial last step averages the
    /// time the series covers.
    #[must_use]
    pub fn resample(&self, step_s: i64) -> RegularSeries {
        assert!(
            step_s > 0 && self.step_s > 0,
            "invariant: steps are positive"
        );
        let total_s = self.step_s * i64::try_from(self.rates.len()).unwrap_or(i64::MAX);
        let bins = usize::try_from((total_s + step_s - 1) / step_s).unwrap_or(0);
        let mut out = Vec::with_capacity(bins);
        let mut sample = 0usize;
        for bin in 0..bins {
            let bin_start = i64::try_from(bin).unwrap_or(i64::MAX) * step_s;
            let bin_end = (bin_start + step_s).min(total_s);
            let mut area = 0.0;
            let mut covered = 0i64;
            let mut s = sample;
            while s < self.rates.len() {
                let s_start = i64::try_from(s).unwrap_or(i64::MAX) * self.step_s;
                let s_end = s_start + self.step_s;
                if s_start >= bin_end {
                    break;
                }
                let overlap = s_end.min(bin_end) - s_start.max(bin_start);
                #[allow(clippy::cast_precision_loss)] // overlaps are seconds within a step
                if overlap > 0 {
                    area += self.rates[s] * overlap as f64;
                    covered += overlap;
                }
                if s_end <= bin_end {
                    s += 1;
                    sample = s;
                } else {
                    break;
                }
            }
            #[allow(clippy::cast_precision_loss)]
            out.push(if covered > 0 {
                area / covered as f64
            } else {
                0.0
            });
        }
        RegularSeries {
            start_s: self.start_s,
            step_s,
            rates: out,
        }
    }
}

/// The number of `step`-long slots from `a` to `b`, rounding to the nearest slot so that
/// jittered timestamps (a CloudWatch sample a second late) land on the grid.
fn slots_between(a: i64, b: i64, step: i64) -> i64 {
    (b - a + step / 2) / step
}

fn most_common_step(timestamps: &[i64]) -> i64 {
    let mut diffs: Vec<i64> = timestamps.windows(2).map(|w| w[1] - w[0]).collect();
    if diffs.is_empty() {
        return 1;
    }
    diffs.sort_unstable();
    let mut best = (diffs[0], 0usize);
    let mut run = (diffs[0], 0usize);
    for d in diffs {
        if d == run.0 {
            run.1 += 1;
        } else {
            run = (d, 1);
        }
        if run.1 > best.1 {
            best = run;
        }
    }
    best.0
}

/// Summary statistics of a series, for `trace inspect`.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct SeriesStats {
    /// Smallest value.
    pub min: f64,
    /// Mean.
    pub mean: f64,
    /// 95th percentile (linear interpolation between closest ranks).
    pub p95: f64,
    /// Largest value.
    pub max: f64,
}

impl SeriesStats {
    /// Statistics of `values`; `None` when empty.
    #[must_use]
    pub fn of(values: &[f64]) -> Option<SeriesStats> {
        if values.is_empty() {
            return None;
        }
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        #[allow(clippy::cast_precision_loss)]
        let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
        Some(SeriesStats {
            min: sorted[0],
            mean,
            p95: crate::stats::quantile_sorted(&sorted, 0.95),
            max: sorted[sorted.len() - 1],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace(kind: MetricKind, ts: &[i64], values: &[f64]) -> Result<Trace> {
        Trace::new(Path::new("t.csv"), kind, ts.to_vec(), values.to_vec())
    }

    #[test]
    fn counts_become_rates_and_sum_on_resampling() {
        // Three 5-minute ELB counts: 300, 600, 900 requests -> 1, 2, 3 req/s.
        let t = trace(
            MetricKind::RequestsPerInterval,
            &[0, 300, 600],
            &[300.0, 600.0, 900.0],
        )
        .unwrap();
        let r = t.resample(900, GapPolicy::Error).unwrap();
        // 1,800 requests in 900 s = 2 req/s
        assert_eq!(r.rates, vec![2.0]);
        let fine = t.resample(60, GapPolicy::Error).unwrap();
        assert_eq!(fine.rates.len(), 15);
        assert_eq!(fine.rates[5], 2.0);
    }

    #[test]
    fn gap_policies_fill_as_stated() {
        let t = trace(
            MetricKind::RequestsPerSecond,
            &[0, 300, 900],
            &[1.0, 2.0, 4.0],
        )
        .unwrap();
        assert_eq!(
            t.gaps(),
            vec![Gap {
                after_s: 300,
                missing: 1
            }]
        );
        assert_eq!(
            t.regular(GapPolicy::Interpolate).unwrap().rates,
            vec![1.0, 2.0, 3.0, 4.0]
        );
        assert_eq!(
            t.regular(GapPolicy::Hold).unwrap().rates,
            vec![1.0, 2.0, 2.0, 4.0]
        );
        assert_eq!(
            t.regular(GapPolicy::Zero).unwrap().rates,
            vec![1.0, 2.0, 0.0, 4.0]
        );
        let err = t.regular(GapPolicy::Error).unwrap_err().to_string();
        assert_eq!(
            err,
            "t.csv: row 3: 1 sample(s) missing before this row; set `gaps` to interpolate, hold or zero"
        );
    }

    #[test]
    fn bad_rows_are_named() {
        let cases: [(&[i64], &[f64], &str); 5] = [
            (
                &[0, 60, 60],
                &[1.0, 1.0, 1.0],
                "t.csv: row 3: duplicate timestamp",
            ),
            (
                &[0, 120, 60],
                &[1.0, 1.0, 1.0],
                "t.csv: row 3: timestamp earlier than the row before",
            ),
            (
                &[0, 60],
                &[1.0, f64::NAN],
                "t.csv: row 2: value NaN is not a finite number",
            ),
            (&[0, 60], &[-1.0, 1.0], "t.csv: row 1: value -1 is negative"),
            (&[], &[], "t.csv: the trace has no data rows"),
        ];
        for (ts, vs, want) in cases {
            let got = trace(MetricKind::RequestsPerSecond, ts, vs)
                .unwrap_err()
                .to_string();
            assert!(got.starts_with(want), "got {got}, want {want}");
        }
    }

    #[test]
    fn upsampling_holds_the_rate_and_partial_bins_average_what_they_cover() {
        let s = RegularSeries {
            start_s: 0,
            step_s: 300,
            rates: vec![1.0, 3.0],
        };
        assert_eq!(s.resample(150).rates, vec![1.0, 1.0, 3.0, 3.0]);
        // 600 s into 400 s bins: [0,400) = (300*1 + 100*3)/400 = 1.5; [400,600) = 3
        assert_eq!(s.resample(400).rates, vec![1.5, 3.0]);
    }
}
