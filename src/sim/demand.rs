//! Demand per step: the request rate a workload asks for at each step of the timeline.
//!
//! A [`DemandStream`] produces it block by block, so a path's demand never has to be
//! held whole: shape (the synthetic profile, the trace, or a block bootstrap of the
//! trace) × scale × (1 + growth)^month, then spikes, then AR(1) noise. Everything random
//! but the noise is drawn before the stream starts (see [`crate::mc::uncertainty`]); the
//! noise draws from the stream's own generator as it goes, so the values do not depend
//! on the block sizes asked for.

use std::f64::consts::TAU;
use std::sync::Arc;

use rand_distr::{Distribution, StandardNormal};

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

/// AR(1) noise on the log of the rate, mean 1.
#[derive(Debug, Clone)]
struct Noise {
    x: f64,
    rho: f64,
    innovation: f64,
    bias: f64,
    rng: PathRng,
    /// A block's factors (kept to reuse its allocation).
    factors: Vec<f64>,
}

/// One path's demand, produced in order, block by block.
#[derive(Debug, Clone)]
pub struct DemandStream {
    shape: Shape,
    /// Scale × (1 + growth)^month, with each month's end step.
    growth: Vec<(usize, f64)>,
    spikes: Vec<Spike>,
    noise: Option<Noise>,
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
                #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
                // ≤ 120 months
                let g = (1.0 + workload.monthly_growth).powi(m as i32) * workload.scale;
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
    pub fn with_noise(mut self, cv: f64, rho: f64, mut rng: PathRng) -> DemandStream {
        if cv <= 0.0 {
            return self;
        }
        let sigma = (1.0 + cv * cv).ln().sqrt();
        let z: f64 = StandardNormal.sample(&mut rng);
        self.noise = Some(Noise {
            x: sigma * z,
            rho,
            innovation: sigma * (1.0 - rho * rho).sqrt(),
            bias: -sigma * sigma / 2.0,
            rng,
            factors: Vec::new(),
        });
        self
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
            // The recurrence runs step by step; the exponentials of a block at once.
            let factors = &mut noise.factors;
            factors.clear();
            for _ in 0..out.len() {
                factors.push(noise.x + noise.bias);
                let z: f64 = StandardNormal.sample(&mut noise.rng);
                noise.x = noise.rho * noise.x + noise.innovation * z;
            }
            exp_in_place(factors);
            for (r, f) in out.iter_mut().zip(factors.iter()) {
                *r *= f;
            }
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

/// `out[i] = from[i] × factor`.
fn scaled(out: &mut [f64], from: &[f64], factor: f64) {
    for (r, v) in out.iter_mut().zip(from) {
        *r = v * factor;
    }
}

/// `eˣ` of every value, in place: Cody–Waite reduction to `r = x − k·ln 2` with
/// `|r| ≤ ln 2 / 2`, a degree-13 Taylor polynomial (truncation below 10⁻¹⁷), and `2ᵏ`
/// put in the exponent bits. Within 2 ulp of the exact value for `|x| ≤ 700`.
///
/// Written as plain arithmetic on each value, with no calls and no branches, so that a
/// block of noise factors compiles to vector instructions; the C library's `exp` is a
/// call per value, and its bits depend on the CPU it picks a variant for.
fn exp_in_place(values: &mut [f64]) {
    // ln 2 split as in fdlibm: the high part has its low 32 bits zero, so k × LN2_HI is
    // exact for the k that occur here
    const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);
    // 1/n! for n = 13 down to 1
    const INVERSE_FACTORIALS: [f64; 13] = [
        1.0 / 6_227_020_800.0,
        1.0 / 479_001_600.0,
        1.0 / 39_916_800.0,
        1.0 / 3_628_800.0,
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0,
    ];
    for v in values.iter_mut() {
        let x = v.clamp(-700.0, 700.0);
        let k = (x * std::f64::consts::LOG2_E).round_ties_even();
        let r = (x - k * LN2_HI) - k * LN2_LO;
        let mut p = INVERSE_FACTORIALS[0];
        for c in &INVERSE_FACTORIALS[1..] {
            p = p * r + c;
        }
        p = p * r + 1.0;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let two_to_k = f64::from_bits(((k as i64 + 1023) as u64) << 52);
        *v = p * two_to_k;
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
            1.0 + p.daily_amplitude * (TAU * (hour - p.peak_hour_utc) / 24.0).cos()
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
    fn exp_is_within_two_ulp_of_the_library_exp() {
        let mut xs: Vec<f64> = (-200_000..=200_000).map(|i| f64::from(i) * 1e-4).collect();
        xs.extend([-700.0, -300.5, -1e-300, 0.0, 1e-300, 88.7, 300.25, 700.0]);
        let mut ys = xs.clone();
        exp_in_place(&mut ys);
        for (x, y) in xs.iter().zip(&ys) {
            let exact = x.exp();
            let ulp = exact * f64::EPSILON;
            assert!(
                (y - exact).abs() <= 2.0 * ulp,
                "exp({x}) = {y}, library {exact}"
            );
        }
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
