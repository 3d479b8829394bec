//! Demand per step: the request rate a workload asks for at each step of the timeline.
//!
//! A [`DemandStream`] produces it block by block, so a path's demand never has to be
//! held whole: shape (the synthetic profile, the trace, or a block bootstrap of the
//! trace) × scale × (1 + growth)^month, then spikes, then AR(1) noise ([`super::noise`]).
//! Everything random but the noise is drawn before the stream starts (see
//! [`crate::mc::uncertainty`]); the noise draws from the stream's own generator as it
//! goes, so the values do not depend on the block sizes asked for. The engine takes the
//! noise out of the streams and runs it on many paths at once, with the same numbers.

use std::f64::consts::TAU;
use std::sync::Arc;

use super::noise::{NoiseLanes, NoiseState};
use crate::mc::rng::PathRng;
use crate::scenario::Timeline;
use crate::scenario::resolve::{DemandSource, SyntheticProfile, Workload};

/// Requests per second at every step: shape × scale × (1 + growth)^month.
#[must_use]
pub fn requests_per_second(workload: &Workload, timeline: &Timeline) -> Vec<f64> {
    DemandStream::new(workload, timeline).collect_all()
}

/// Where a step's shape comes from.
#[derive(Debug, Clone)]
enum Shape {
    /// The synthetic profile: `daily[k mod steps-per-day] × weekly level × mean`.
    Synthetic {
        daily: Vec<f64>,
        /// Day number (since 1970-01-01) of the first step.
        first_day: i64,
        /// Weekly mean requests per second.
        rps: f64,
        weekday_level: f64,
        weekend_level: f64,
    },
    /// The trace, repeated back to back.
    Trace(Arc<[f64]>),
    /// Whole blocks of the trace, starting at `starts[k / block]`.
    Bootstrap {
        trace: Arc<[f64]>,
        block: usize,
        starts: Vec<usize>,
    },
}

/// A load spike over steps `first..last`, multiplying the load by `magnitude`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spike {
    /// First step.
    pub first: usize,
    /// One past the last step.
    pub last: usize,
    /// Load multiplier (a value below 1 is a dip).
    pub magnitude: f64,
}

/// One path's demand, produced in order, block by block.
#[derive(Debug, Clone)]
pub struct DemandStream {
    shape: Shape,
    /// Scale × (1 + growth)^month, with each month's end step.
    growth: Vec<(usize, f64)>,
    spikes: Vec<Spike>,
    /// The noise, as one lane of the engine's (the same numbers as on many).
    noise: Option<NoiseLanes<1>>,
    next_step: usize,
    steps: usize,
    steps_per_day: usize,
}

impl DemandStream {
    /// The workload's demand as given: no bootstrap, spikes or noise.
    #[must_use]
    pub fn new(workload: &Workload, timeline: &Timeline) -> DemandStream {
        let steps_per_day = usize::try_from(86_400 / timeline.step_s)
            .unwrap_or(1)
            .max(1);
        let shape = match &workload.source {
            DemandSource::Synthetic(profile) => {
                // Weekdays and weekends are weighted so that the weekly mean is
                // `requests_per_second`.
                let weekday_level = 7.0 / (5.0 + 2.0 * profile.weekend_factor);
                Shape::Synthetic {
                    daily: daily_cycle(profile, timeline),
                    first_day: timeline.start_s.div_euclid(86_400),
                    rps: profile.requests_per_second,
                    weekday_level,
                    weekend_level: profile.weekend_factor * weekday_level,
                }
            }
            DemandSource::Trace {
                requests_per_second,
                ..
            } => Shape::Trace(Arc::clone(requests_per_second)),
        };
        let growth = timeline
            .months
            .iter()
            .enumerate()
            .map(|(m, month)| {
                let g = power(1.0 + workload.monthly_growth, m) * workload.scale;
                (month.end_step, g)
            })
            .collect();
        DemandStream {
            shape,
            growth,
            spikes: Vec::new(),
            noise: None,
            next_step: 0,
            steps: timeline.steps,
            steps_per_day,
        }
    }

    /// Replaces the trace's shape by whole blocks of `block` steps starting at
    /// `starts` (a block bootstrap). A synthetic shape is left as it is.
    #[must_use]
    pub fn with_bootstrap(mut self, block: usize, starts: Vec<usize>) -> DemandStream {
        if let Shape::Trace(trace) = &self.shape {
            self.shape = Shape::Bootstrap {
                trace: Arc::clone(trace),
                block,
                starts,
            };
        }
        self
    }

    /// Adds spikes, in arrival order (where they overlap, the larger magnitude holds).
    #[must_use]
    pub fn with_spikes(mut self, spikes: Vec<Spike>) -> DemandStream {
        self.spikes = spikes;
        self
    }

    /// Adds AR(1) noise on the log of the rate with coefficient of variation `cv` and
    /// lag-one correlation `rho`, drawn from `rng` as the stream goes.
    #[must_use]
    pub fn with_noise(mut self, cv: f64, rho: f64, rng: PathRng) -> DemandStream {
        if cv > 0.0 {
            self.noise = Some(NoiseLanes::new([Some(NoiseState::new(cv, rho, rng))]));
        }
        self
    }

    /// Takes the stream's noise out, as it stands, to be applied by the caller (which
    /// runs many paths' noise together): the stream then gives the demand without it.
    pub(super) fn take_noise(&mut self) -> Option<NoiseState> {
        self.noise.take().map(|lanes| lanes.state(0))
    }

    /// Steps in the whole stream.
    #[must_use]
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// Writes the next `out.len()` steps.
    ///
    /// # Panics
    /// When asked for more steps than are left.
    pub fn fill(&mut self, out: &mut [f64]) {
        let first = self.next_step;
        let end = first + out.len();
        assert!(end <= self.steps, "invariant: no demand past the horizon");
        self.fill_shape(first, out);
        self.apply_spikes(first, out);
        if let Some(noise) = &mut self.noise {
            noise.apply(out.as_chunks_mut::<1>().0);
        }
        self.next_step = end;
    }

    /// Every step, from the start (for a single run and `costcast simulate`).
    #[must_use]
    pub fn collect_all(mut self) -> Vec<f64> {
        let mut out = vec![0.0; self.steps - self.next_step];
        self.fill(&mut out);
        out
    }

    /// Shape × growth, a run of steps at a time: within a month and a day (synthetic),
    /// a pass of the trace, or a bootstrap block, every step is a plain copy or product.
    fn fill_shape(&self, first: usize, out: &mut [f64]) {
        let end = first + out.len();
        let mut month = self.growth.partition_point(|(end, _)| *end <= first);
        let mut k = first;
        while k < end {
            while k >= self.growth[month].0 {
                month += 1;
            }
            let (month_end, growth) = self.growth[month];
            let run_end = end.min(month_end);
            let written = match &self.shape {
                Shape::Synthetic {
                    daily,
                    first_day,
                    rps,
                    weekday_level,
                    weekend_level,
                } => {
                    let spd = self.steps_per_day;
                    // 1970-01-01 was a Thursday: day 0 → weekday index 3 (Monday = 0).
                    let day = first_day + i64::try_from(k / spd).unwrap_or(0);
                    let weekly = if (day + 3).rem_euclid(7) >= 5 {
                        *weekend_level
                    } else {
                        *weekday_level
                    };
                    let at = k % spd;
                    let n = (run_end - k).min(spd - at);
                    for (r, d) in out[k - first..k - first + n].iter_mut().zip(&daily[at..]) {
                        *r = rps * d * weekly * growth;
                    }
                    n
                }
                Shape::Trace(trace) => {
                    let at = k % trace.len();
                    let n = (run_end - k).min(trace.len() - at);
                    scaled(&mut out[k - first..k - first + n], &trace[at..], growth);
                    n
                }
                Shape::Bootstrap {
                    trace,
                    block,
                    starts,
                } => {
                    let at = k % block;
                    let n = (run_end - k).min(block - at);
                    let from = starts[k / block] + at;
                    scaled(&mut out[k - first..k - first + n], &trace[from..], growth);
                    n
                }
            };
            k += written;
        }
    }

    fn apply_spikes(&self, first: usize, out: &mut [f64]) {
        let end = first + out.len();
        let mut factor: Vec<f64> = Vec::new();
        for spike in self
            .spikes
            .iter()
            .filter(|s| s.first < end && s.last > first)
        {
            if factor.is_empty() {
                // NaN: no spike here (a magnitude below 1 is a dip, and must apply too)
                factor = vec![f64::NAN; out.len()];
            }
            let (a, b) = (spike.first.max(first) - first, spike.last.min(end) - first);
            for f in &mut factor[a..b] {
                *f = if f.is_nan() {
                    spike.magnitude
                } else {
                    f.max(spike.magnitude)
                };
            }
        }
        for (r, f) in out.iter_mut().zip(&factor) {
            if !f.is_nan() {
                *r *= f;
            }
        }
    }
}

/// `base` to the power `n`, by squaring, in a fixed order of multiplications: the same
/// bits on every machine (`f64::powi` leaves its rounding to the platform).
fn power(mut base: f64, mut n: usize) -> f64 {
    let mut result = 1.0;
    while n > 0 {
        if n % 2 == 1 {
            result *= base;
        }
        n /= 2;
        if n > 0 {
            base *= base;
        }
    }
    result
}

/// `out[i] = from[i] × factor`.
fn scaled(out: &mut [f64], from: &[f64], factor: f64) {
    for (r, v) in out.iter_mut().zip(from) {
        *r = v * factor;
    }
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
            1.0 + p.daily_amplitude * libm::cos(TAU * (hour - p.peak_hour_utc) / 24.0)
        })
        .collect()
}

/// A workload for tests: 10 vCPU-ms and 50 ms per request, no transfer.
#[cfg(test)]
pub(crate) mod testing {
    use crate::scenario::resolve::{DemandSource, SyntheticProfile, Workload};

    pub(crate) fn workload(profile: SyntheticProfile, growth: f64) -> Workload {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    use super::testing::workload;

    #[test]
    fn growth_powers_are_products_in_a_fixed_order() {
        assert_eq!(power(2.0, 10), 1024.0);
        assert_eq!(power(1.5, 0), 1.0);
        assert_eq!(power(1.5, 3), 1.5 * 1.5 * 1.5);
        // the order of `powi` here (squaring, low bit first), pinned by code of our own
        for n in 0..=120 {
            #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
            let expected = 1.01f64.powi(n as i32);
            assert_eq!(power(1.01, n).to_bits(), expected.to_bits(), "{n}");
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

    #[test]
    fn the_values_do_not_depend_on_the_block_sizes() {
        // the fixture has spikes and AR(1) noise: a path's demand in one piece equals
        // the same path asked for in uneven blocks
        let plan = crate::testing::plan(crate::testing::MC);
        let draw = plan
            .uncertainty
            .draw(&plan, &mut crate::mc::rng::path_rng(7, 3));
        let whole = draw.demand.clone().collect_all();
        let mut stream = draw.demand;
        let mut pieces = Vec::new();
        for size in [1, 7, 1000, 2048, 3].iter().cycle() {
            let n = (*size).min(stream.steps() - pieces.len());
            if n == 0 {
                break;
            }
            let mut block = vec![0.0; n];
            stream.fill(&mut block);
            pieces.extend(block);
        }
        assert_eq!(pieces, whole);
    }
}
