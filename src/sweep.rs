//! Break-even sweeps: every option's cost across a range of load, and where the cheapest
//! option changes.
//!
//! Each point multiplies the scenario's load by a factor (log-spaced over the range) and
//! runs the same Monte Carlo paths (same seed: common random numbers, so differences
//! between points are the load's, not sampling noise). The cheapest option at a point is
//! the one `compare` would recommend there. Between two points where it changes, the
//! crossover is where the two options' expected costs meet, by linear interpolation in
//! load: exact when both costs are linear in load between the points.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::mc::{self, RunConfig};
use crate::report::compare::{CompareReport, Figures, RunInfo};
use crate::scenario::Plan;

/// The load range of a sweep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoadRange {
    /// Smallest multiplier of the scenario's load.
    pub from: f64,
    /// Largest multiplier.
    pub to: f64,
    /// Number of points, log-spaced from `from` to `to`.
    pub points: usize,
}

impl LoadRange {
    /// Parses `A..B` (multipliers, `0 < A < B`) with `points` points.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming what is wrong.
    pub fn parse(text: &str, points: usize) -> Result<LoadRange> {
        let bad = |why: &str| {
            Error::Invalid(format!(
                "--load `{text}`: {why}; write two multipliers of the scenario's load, e.g. 0.1..10"
            ))
        };
        let (a, b) = text.split_once("..").ok_or_else(|| bad("no `..`"))?;
        let from: f64 = a
            .trim()
            .parse()
            .map_err(|_| bad("the start is not a number"))?;
        let to: f64 = b
            .trim()
            .parse()
            .map_err(|_| bad("the end is not a number"))?;
        if !(from > 0.0 && from.is_finite() && to.is_finite()) {
            return Err(bad("the multipliers must be positive"));
        }
        if to <= from {
            return Err(bad("the end must be above the start"));
        }
        if points < 2 {
            return Err(Error::Invalid(format!(
                "--points {points}: a sweep needs at least 2 points"
            )));
        }
        Ok(LoadRange { from, to, points })
    }

    /// The multipliers, log-spaced.
    #[must_use]
    pub fn multipliers(&self) -> Vec<f64> {
        #[allow(clippy::cast_precision_loss)]
        let last = (self.points - 1) as f64;
        (0..self.points)
            .map(|i| {
                #[allow(clippy::cast_precision_loss)]
                let t = i as f64 / last;
                if i + 1 == self.points {
                    self.to
                } else {
                    self.from * libm::pow(self.to / self.from, t)
                }
            })
            .collect()
    }
}

/// One load point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepPoint {
    /// Multiplier of the scenario's load.
    pub multiplier: f64,
    /// Average requests per second over the horizon (mean over paths).
    pub mean_requests_per_second: f64,
    /// One cell per option, in scenario order.
    pub options: Vec<Figures>,
    /// The option `compare` would recommend here.
    pub cheapest: Option<String>,
}

/// A stretch of load over which one option is cheapest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// The cheapest option (none: no option meets the SLO).
    pub option: Option<String>,
    /// Start of the stretch, average req/s (none: below the range's start).
    pub from_requests_per_second: Option<f64>,
    /// End of the stretch, average req/s (none: to the range's end and beyond).
    pub to_requests_per_second: Option<f64>,
}

/// The result of a sweep.
#[derive(Debug, Clone, Serialize)]
pub struct SweepReport {
    /// Schema version of this JSON.
    pub schema_version: u32,
    /// The run.
    pub info: RunInfo,
    /// Paths per point.
    pub paths: u64,
    /// Seed of the paths.
    pub seed: u64,
    /// The points, by increasing load.
    pub points: Vec<SweepPoint>,
    /// Which option is cheapest where.
    pub segments: Vec<Segment>,
    /// The segments in a sentence.
    pub summary: String,
}

/// Runs the sweep, calling `progress` after each path of each point.
#[must_use]
pub fn sweep(
    plan: &Plan,
    range: &LoadRange,
    config: &RunConfig,
    progress: &(dyn Fn() + Sync),
) -> SweepReport {
    let info = RunInfo::of(plan);
    let mut paths = 1;
    let points: Vec<SweepPoint> = range
        .multipliers()
        .into_iter()
        .map(|m| {
            let mut scaled = plan.clone();
            scaled.workload.scale *= m;
            let run = mc::run(&scaled, config, progress);
            paths = run.paths;
            #[allow(clippy::cast_precision_loss)]
            let mean_rps = run
                .results
                .iter()
                .map(|r| r.mean_requests_per_second)
                .sum::<f64>()
                / run.results.len().max(1) as f64;
            let report = CompareReport::new(&info, &run, None);
            SweepPoint {
                multiplier: m,
                mean_requests_per_second: mean_rps,
                options: report.options.iter().map(Figures::of).collect(),
                cheapest: report.recommendation.winner,
            }
        })
        .collect();
    let segments = segments(&info, &points);
    let summary = summarize(&segments, &points);
    SweepReport {
        schema_version: 1,
        info,
        paths,
        seed: config.seed,
        points,
        segments,
        summary,
    }
}

/// Where the cheapest option changes between consecutive points.
fn segments(info: &RunInfo, points: &[SweepPoint]) -> Vec<Segment> {
    let index = |name: &Option<String>| {
        name.as_ref()
            .and_then(|n| info.options.iter().position(|o| &o.name == n))
    };
    let mut out: Vec<Segment> = Vec::new();
    for (i, point) in points.iter().enumerate() {
        match out.last_mut() {
            Some(last) if last.option == point.cheapest => {}
            Some(last) => {
                let previous = &points[i - 1];
                let boundary =
                    crossover(previous, point, index(&last.option), index(&point.cheapest));
                last.to_requests_per_second = Some(boundary);
                out.push(Segment {
                    option: point.cheapest.clone(),
                    from_requests_per_second: Some(boundary),
                    to_requests_per_second: None,
                });
            }
            None => out.push(Segment {
                option: point.cheapest.clone(),
                from_requests_per_second: None,
                to_requests_per_second: None,
            }),
        }
    }
    out
}

/// The load (average req/s) between `a` and `b` where the cheapest option changes from
/// option `from` to option `to`: where their expected costs meet, when both are feasible
/// at both points; otherwise (feasibility changed) at `b`.
fn crossover(a: &SweepPoint, b: &SweepPoint, from: Option<usize>, to: Option<usize>) -> f64 {
    let (Some(f), Some(t)) = (from, to) else {
        return b.mean_requests_per_second;
    };
    let (fa, fb, ta, tb) = (a.options[f], b.options[f], a.options[t], b.options[t]);
    if !(fa.feasible && fb.feasible && ta.feasible && tb.feasible) {
        return b.mean_requests_per_second;
    }
    let d_a = fa.monthly_usd_mean - ta.monthly_usd_mean;
    let d_b = fb.monthly_usd_mean - tb.monthly_usd_mean;
    if (d_a - d_b).abs() < f64::EPSILON * d_a.abs().max(d_b.abs()).max(1.0) {
        return b.mean_requests_per_second;
    }
    // d goes from d_a ≤ 0 (from cheaper) to d_b ≥ 0 (to cheaper): zero at share s
    let s = (d_a / (d_a - d_b)).clamp(0.0, 1.0);
    a.mean_requests_per_second + s * (b.mean_requests_per_second - a.mean_requests_per_second)
}

fn rps(x: f64) -> String {
    if x >= 100.0 {
        crate::report::table::format_quantity(x, 0)
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

fn summarize(segments: &[Segment], points: &[SweepPoint]) -> String {
    let name = |s: &Segment| {
        s.option
            .clone()
            .unwrap_or_else(|| "no option (none meets the SLO)".to_string())
    };
    let (first, last) = match (points.first(), points.last()) {
        (Some(f), Some(l)) => (f.mean_requests_per_second, l.mean_requests_per_second),
        _ => return String::new(),
    };
    if segments.len() == 1 {
        return format!(
            "{} is cheapest across the whole range, {} to {} req/s average.",
            name(&segments[0]),
            rps(first),
            rps(last)
        );
    }
    let parts: Vec<String> = segments
        .iter()
        .map(
            |s| match (s.from_requests_per_second, s.to_requests_per_second) {
                (None, Some(to)) => {
                    format!("{} is cheapest below {} req/s average", name(s), rps(to))
                }
                (Some(from), Some(to)) => format!("{} from {} to {}", name(s), rps(from), rps(to)),
                (Some(from), None) => format!("{} above {}", name(s), rps(from)),
                (None, None) => name(s),
            },
        )
        .collect();
    format!("{}.", parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_ranges_are_log_spaced_and_checked() {
        let r = LoadRange::parse("0.1..10", 5).unwrap();
        let m = r.multipliers();
        assert_eq!(m.len(), 5);
        assert!((m[1] - 0.316_227_766).abs() < 1e-6 && (m[2] - 1.0).abs() < 1e-12);
        assert_eq!(m[4], 10.0);
        for bad in ["10..1", "0..1", "a..2", "1-2"] {
            assert!(LoadRange::parse(bad, 5).is_err(), "{bad}");
        }
        assert!(LoadRange::parse("1..2", 1).is_err());
    }
}
