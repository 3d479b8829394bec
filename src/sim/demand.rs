//! Demand per step: the request rate a workload asks for at each step of the timeline.

use std::f64::consts::TAU;

use crate::scenario::Timeline;
use crate::scenario::resolve::{DemandSource, SyntheticProfile, Workload};

/// Requests per second at every step: shape × scale × (1 + growth)^month.
#[must_use]
pub fn requests_per_second(workload: &Workload, timeline: &Timeline) -> Vec<f64> {
    requests_per_second_shaped(workload, timeline, None)
}

/// As [`requests_per_second`], with the trace's shape replaced by `trace_shape` (one
/// value per step, e.g. a block bootstrap of the trace) when given.
#[must_use]
pub fn requests_per_second_shaped(
    workload: &Workload,
    timeline: &Timeline,
    trace_shape: Option<&[f64]>,
) -> Vec<f64> {
    let mut out = Vec::with_capacity(timeline.steps);
    let daily = match &workload.source {
        DemandSource::Synthetic(profile) => daily_cycle(profile, timeline),
        DemandSource::Trace { .. } => Vec::new(),
    };
    for (m, month) in timeline.months.iter().enumerate() {
        #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)] // ≤ 120 months
        let growth = (1.0 + workload.monthly_growth).powi(m as i32) * workload.scale;
        for k in month.first_step..month.end_step {
            let base = match &workload.source {
                DemandSource::Synthetic(profile) => synthetic_rate(profile, &daily, timeline, k),
                DemandSource::Trace {
                    requests_per_second,
                    ..
                } => trace_shape.map_or_else(
                    || requests_per_second[k % requests_per_second.len()],
                    |shape| shape[k],
                ),
            };
            out.push(base * growth);
        }
    }
    out
}

/// The daily factor at each step of a day, taken at the middle of the step: a cosine
/// with its peak at `peak_hour_utc`. Sampled at equally spaced points over a whole day it
/// sums to zero, so the daily mean is exactly the weekday level. (The timeline starts at
/// midnight and its step divides a day, so step `k` is at index `k mod steps-per-day`.)
fn daily_cycle(p: &SyntheticProfile, timeline: &Timeline) -> Vec<f64> {
    let steps_per_day = usize::try_from(86_400 / timeline.step_s).unwrap_or(1);
    (0..steps_per_day)
        .map(|i| {
            #[allow(clippy::cast_precision_loss)]
            let t = timeline.time_s(i) as f64 + timeline.step_seconds() / 2.0;
            let hour = t.rem_euclid(86_400.0) / 3600.0;
            1.0 + p.daily_amplitude * (TAU * (hour - p.peak_hour_utc) / 24.0).cos()
        })
        .collect()
}

/// The synthetic rate at step `k`: the daily cycle × the weekly pattern × the mean.
/// Weekdays and weekends are weighted so that the weekly mean is `requests_per_second`.
fn synthetic_rate(p: &SyntheticProfile, daily: &[f64], timeline: &Timeline, k: usize) -> f64 {
    let steps_per_day = daily.len();
    // 1970-01-01 was a Thursday: day 0 → weekday index 3 (Monday = 0).
    let day = timeline.start_s.div_euclid(86_400) + i64::try_from(k / steps_per_day).unwrap_or(0);
    let weekday = (day + 3).rem_euclid(7);
    let weekday_level = 7.0 / (5.0 + 2.0 * p.weekend_factor);
    let weekly = if weekday >= 5 {
        p.weekend_factor * weekday_level
    } else {
        weekday_level
    };
    p.requests_per_second * daily[k % steps_per_day] * weekly
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn workload(profile: SyntheticProfile, growth: f64) -> Workload {
        Workload {
            vcpu_ms_per_request: 10.0,
            duration_ms: 50.0,
            response_kb: 0.0,
            request_kb: 0.0,
            requests_per_connection: 1.0,
            connection_seconds: 0.0,
            monthly_growth: growth,
            scale: 1.0,
            source: DemandSource::Synthetic(profile),
        }
    }

    #[test]
    fn weekly_mean_is_the_stated_rate() {
        let profile = SyntheticProfile {
            requests_per_second: 20.0,
            daily_amplitude: 0.5,
            peak_hour_utc: 15.0,
            weekend_factor: 0.6,
        };
        // 2027-01-04 is a Monday: one whole week
        let timeline = Timeline::new(NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(), 1, 300).unwrap();
        let rps = requests_per_second(&workload(profile, 0.0), &timeline);
        let week = &rps[..7 * 288];
        let mean = week.iter().sum::<f64>() / week.len() as f64;
        assert!((mean - 20.0).abs() < 1e-9, "{mean}");
        let peak = week.iter().cloned().fold(0.0, f64::max);
        // weekday level 7/6.2 × 20 × 1.5 at the peak hour
        assert!((peak - 20.0 * 7.0 / 6.2 * 1.5).abs() < 0.01, "{peak}");
    }

    #[test]
    fn growth_compounds_per_calendar_month() {
        let profile = SyntheticProfile {
            requests_per_second: 10.0,
            daily_amplitude: 0.0,
            peak_hour_utc: 0.0,
            weekend_factor: 1.0,
        };
        let timeline =
            Timeline::new(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(), 3, 3600).unwrap();
        let rps = requests_per_second(&workload(profile, 0.1), &timeline);
        assert!((rps[0] - 10.0).abs() < 1e-12);
        assert!((rps[744] - 11.0).abs() < 1e-12);
        assert!((rps[744 + 672] - 12.1).abs() < 1e-9);
    }
}
