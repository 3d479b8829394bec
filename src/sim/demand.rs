//! Demand per step: the request rate a workload asks for at each step of the timeline.
//!
//! A [`DemandStream`] produces it block by block, so a path's demand never has to be
//! held whole: shape (the synthetic profile, the trace, or a block bootstrap of the
//! trace) × scale × (1 + growth)^month, then spikes, then AR(1) noise ([`super::noise`]).
//! Everything random but the noise is drawn before the stream starts (see
//! [`crate::mc::uncertainty`]); the noise draws from the stream's own generator as it
//! goes, so the values do not depend on the block sizes asked for. The engine takes the
//! noise out of the streams and runs it on many paths at once, with the same numbers,
//! and makes the rest of their demand together too ([`DemandLanes`]).

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
        self.apply_spikes(first, out.len(), out.iter_mut());
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

    /// Shape × growth, a run of steps at a time (see [`Run`]).
    fn fill_shape(&self, first: usize, out: &mut [f64]) {
        let end = first + out.len();
        let mut month = self.month_of(first);
        let mut k = first;
        while k < end {
            while k >= self.growth[month].0 {
                month += 1;
            }
            let run = self.run(k, end, month);
            let at = k - first;
            for (r, v) in out[at..at + run.values.len()].iter_mut().zip(run.values) {
                *r = demand(run.rps, *v, run.weekly, run.growth);
            }
            k += run.values.len();
        }
    }

    /// The month (index into `growth`) of step `k`.
    fn month_of(&self, k: usize) -> usize {
        self.growth.partition_point(|(end, _)| *end <= k)
    }

    /// The run that starts at step `k`, in month `month`, and ends by `end`.
    fn run(&self, k: usize, end: usize, month: usize) -> Run<'_> {
        let (month_end, growth) = self.growth[month];
        let run_end = end.min(month_end);
        match &self.shape {
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
                Run {
                    values: &daily[at..at + n],
                    rps: *rps,
                    weekly,
                    growth,
                }
            }
            Shape::Trace(trace) => {
                let at = k % trace.len();
                let n = (run_end - k).min(trace.len() - at);
                Run::of_trace(&trace[at..at + n], growth)
            }
            Shape::Bootstrap {
                trace,
                block,
                starts,
            } => {
                let at = k % block;
                let n = (run_end - k).min(block - at);
                let from = starts[k / block] + at;
                Run::of_trace(&trace[from..from + n], growth)
            }
        }
    }

    /// Whether every run of this stream has the same steps and shape values as the same
    /// run of `other` (only their factors may differ).
    fn shares_shape_with(&self, other: &DemandStream) -> bool {
        let same_values = match (&self.shape, &other.shape) {
            (
                Shape::Synthetic {
                    daily, first_day, ..
                },
                Shape::Synthetic {
                    daily: other_daily,
                    first_day: other_first_day,
                    ..
                },
            ) => first_day == other_first_day && daily == other_daily,
            // every path's plan points at the scenario's one series (comparing values
            // could read a year of seconds for every group of paths)
            (Shape::Trace(trace), Shape::Trace(other_trace)) => Arc::ptr_eq(trace, other_trace),
            // each path's blocks start where its own draws put them
            _ => false,
        };
        same_values
            && (self.steps, self.steps_per_day, self.next_step)
                == (other.steps, other.steps_per_day, other.next_step)
            && self
                .growth
                .iter()
                .map(|(end, _)| end)
                .eq(other.growth.iter().map(|(end, _)| end))
    }

    /// Multiplies the `len` steps from `first`, given in order by `steps`, by the
    /// spikes over them (only the steps they reach are visited).
    fn apply_spikes<'a>(&self, first: usize, len: usize, steps: impl Iterator<Item = &'a mut f64>) {
        if let Some((offset, factors)) = self.spike_factors(first, len) {
            for (r, f) in steps.skip(offset).zip(&factors) {
                if !f.is_nan() {
                    *r *= f;
                }
            }
        }
    }

    /// The spikes' factor at the steps they reach among the `len` steps from `first`:
    /// the offset of the first such step, and a factor per step from there to the last
    /// one reached. Where spikes overlap, the largest magnitude; NaN where there is
    /// none (a magnitude below 1 is a dip, and must apply too). `None` when no spike
    /// reaches these steps.
    fn spike_factors(&self, first: usize, len: usize) -> Option<(usize, Vec<f64>)> {
        let end = first + len;
        let reaching = || {
            self.spikes
                .iter()
                .filter(move |s| s.first < end && s.last > first)
        };
        let from = reaching().map(|s| s.first.max(first)).min()?;
        let to = reaching().map(|s| s.last.min(end)).max()?;
        let mut factors = vec![f64::NAN; to - from];
        for spike in reaching() {
            let (a, b) = (spike.first.max(first) - from, spike.last.min(end) - from);
            for f in &mut factors[a..b] {
                *f = if f.is_nan() {
                    spike.magnitude
                } else {
                    f.max(spike.magnitude)
                };
            }
        }
        Some((from - first, factors))
    }
}

/// A stretch of steps whose demand is one product of the shape's values: within a
/// month, and within a day (synthetic), a pass of the trace, or a bootstrap block.
struct Run<'a> {
    /// The shape's values at the run's steps.
    values: &'a [f64],
    /// Requests per second the values are relative to (1 for a trace of rates).
    rps: f64,
    /// The weekly level (1 for a trace).
    weekly: f64,
    /// Scale × growth of the month.
    growth: f64,
}

impl Run<'_> {
    fn of_trace(values: &[f64], growth: f64) -> Run<'_> {
        Run {
            values,
            rps: 1.0,
            weekly: 1.0,
            growth,
        }
    }
}

/// A step's demand from its shape's value: the one formula of every shape, for one
/// path or many. (For a trace the factors of 1 are exact: the value × growth.)
#[inline(always)]
fn demand(rps: f64, value: f64, weekly: f64, growth: f64) -> f64 {
    rps * value * weekly * growth
}

/// One step's demand on every lane, from the step's shape value and each lane's factors.
// Out of line: inlined, the compiler vectorizes the loop over the steps instead of this
// one over the lanes, with a scatter per lane, and it measured no faster than making
// each path's steps apart and moving them beside the others'.
#[inline(never)]
fn demand_row<const L: usize>(
    row: &mut [f64; L],
    rps: &[f64; L],
    value: f64,
    weekly: &[f64; L],
    growth: &[f64; L],
) {
    for l in 0..L {
        row[l] = demand(rps[l], value, weekly[l], growth[l]);
    }
}

/// The demand of up to `L` paths, made together, step-major: `out[i][l]` is path `l`'s
/// at the `i`-th step, the engine's layout.
///
/// Paths drawn from one scenario mostly share their shape's values (the same synthetic
/// day, the same trace) and differ in their factors (load, growth, weekly level) and
/// spikes. Then a step's lanes are worked out together, the shape's value times each
/// lane's factors: vector instructions, written in place. Otherwise (a bootstrap, whose
/// blocks differ by path, or an uncertain daily amplitude) each path makes its own steps,
/// which are then put beside the others' (making and moving them measured 4–5% of the
/// engine's time on the default scenario, most of it the move).
/// Each path's values are exactly those of its [`DemandStream::fill`] either way.
pub(super) struct DemandLanes {
    streams: Vec<DemandStream>,
    /// Whether the paths share their shape's values (and have no noise left in them).
    shared: bool,
    /// One path's steps, when made one path at a time.
    values: Vec<f64>,
}

impl DemandLanes {
    /// The paths' streams, each in its lane. The lanes beyond them are kept at zero (the
    /// caller's block starts at zero).
    pub(super) fn new(streams: Vec<DemandStream>) -> DemandLanes {
        let shared = streams
            .iter()
            .all(|s| s.noise.is_none() && s.shares_shape_with(&streams[0]));
        DemandLanes {
            streams,
            shared,
            values: Vec::new(),
        }
    }

    /// Writes the next `out.len()` steps of every path.
    ///
    /// # Panics
    /// When there are more paths than lanes, or fewer steps left than asked for.
    pub(super) fn fill<const L: usize>(&mut self, out: &mut [[f64; L]]) {
        assert!(self.streams.len() <= L, "invariant: a path per lane");
        if !self.shared {
            self.values.resize(out.len(), 0.0);
            for (l, stream) in self.streams.iter_mut().enumerate() {
                stream.fill(&mut self.values);
                for (step, v) in out.iter_mut().zip(&self.values) {
                    step[l] = *v;
                }
            }
            return;
        }
        let Some(lead) = self.streams.first() else {
            return;
        };
        let first = lead.next_step;
        let end = first + out.len();
        assert!(end <= lead.steps, "invariant: no demand past the horizon");
        let mut month = lead.month_of(first);
        let mut k = first;
        while k < end {
            while k >= lead.growth[month].0 {
                month += 1;
            }
            let (mut rps, mut weekly, mut growth) = ([0.0; L], [0.0; L], [0.0; L]);
            // the same values on every lane: the first lane's
            let mut values: &[f64] = &[];
            for (l, stream) in self.streams.iter().enumerate() {
                let run = stream.run(k, end, month);
                (rps[l], weekly[l], growth[l]) = (run.rps, run.weekly, run.growth);
                if l == 0 {
                    values = run.values;
                }
            }
            let at = k - first;
            for (step, v) in out[at..at + values.len()].iter_mut().zip(values) {
                demand_row(step, &rps, *v, &weekly, &growth);
            }
            k += values.len();
        }
        for (l, stream) in self.streams.iter_mut().enumerate() {
            stream.apply_spikes(first, out.len(), out.iter_mut().map(|step| &mut step[l]));
            stream.next_step = end;
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

    /// Each stream's steps made alone, and all of them made together in lanes (in
    /// uneven blocks): the same bits, and zero in the lanes beyond them.
    fn lanes_match_paths_alone(streams: &[DemandStream], shared: bool) {
        const L: usize = 8;
        let alone: Vec<Vec<f64>> = streams.iter().map(|s| s.clone().collect_all()).collect();
        let mut lanes = DemandLanes::new(streams.to_vec());
        assert_eq!(lanes.shared, shared);
        let steps = streams[0].steps();
        let mut together: Vec<[f64; L]> = Vec::new();
        for size in [1, 7, 1000, 2048, 3].iter().cycle() {
            let n = (*size).min(steps - together.len());
            if n == 0 {
                break;
            }
            let mut block = vec![[0.0; L]; n];
            lanes.fill(&mut block);
            together.extend(block);
        }
        for (k, step) in together.iter().enumerate() {
            for (l, value) in step.iter().enumerate() {
                let expected = alone.get(l).map_or(0.0, |a| a[k]);
                assert_eq!(value.to_bits(), expected.to_bits(), "step {k}, lane {l}");
            }
        }
    }

    #[test]
    fn lanes_make_what_each_path_makes_alone() {
        let timeline =
            Timeline::new(NaiveDate::from_ymd_opt(2027, 1, 30).unwrap(), 2, 300).unwrap();
        let profile = |rps: f64, amplitude: f64, weekend: f64| SyntheticProfile {
            requests_per_second: rps,
            daily_amplitude: amplitude,
            peak_hour_utc: 15.0,
            weekend_factor: weekend,
        };
        let spikes = |at: usize| {
            vec![
                Spike {
                    first: at,
                    last: at + 30,
                    magnitude: 2.5,
                },
                // overlapping, over a block's end, and a dip
                Spike {
                    first: at + 20,
                    last: at + 2100,
                    magnitude: 0.5,
                },
            ]
        };
        let stream = |rps, amplitude, weekend, growth, spike_at| {
            let mut workload = workload(profile(rps, amplitude, weekend), growth);
            workload.scale = 1.3;
            DemandStream::new(&workload, &timeline).with_spikes(spikes(spike_at))
        };
        // the same day, different levels, weekends, growth and spikes: made together
        let same_day: Vec<DemandStream> = (0..5)
            .map(|p| {
                let p_f = f64::from(p);
                stream(
                    10.0 + p_f,
                    0.6,
                    0.5 + 0.1 * p_f,
                    0.01 * p_f,
                    400 * p as usize,
                )
            })
            .collect();
        lanes_match_paths_alone(&same_day, true);
        // a different daily amplitude on one path: each path made apart
        let mut mixed = same_day.clone();
        mixed.push(stream(12.0, 0.3, 0.7, 0.02, 50));
        lanes_match_paths_alone(&mixed, false);
        // a trace shared by every path, shorter than the horizon
        let trace: Arc<[f64]> = (0..5000).map(|i| f64::from(i % 97) + 0.25).collect();
        let mut traced = workload(profile(1.0, 0.0, 1.0), 0.05);
        traced.source = DemandSource::Trace {
            requests_per_second: Arc::clone(&trace),
            path: "trace.csv".into(),
        };
        let traces: Vec<DemandStream> = (0..3)
            .map(|p| {
                let mut w = traced.clone();
                w.scale = 1.0 + f64::from(p);
                DemandStream::new(&w, &timeline).with_spikes(spikes(900 * p as usize))
            })
            .collect();
        lanes_match_paths_alone(&traces, true);
        // the same values read into another series: made apart, the same numbers
        let mut copied = traced.clone();
        copied.source = DemandSource::Trace {
            requests_per_second: trace.iter().copied().collect(),
            path: "copy.csv".into(),
        };
        let apart = [traces[0].clone(), DemandStream::new(&copied, &timeline)];
        lanes_match_paths_alone(&apart, false);
        // a bootstrap of it: each path's blocks start apart
        let boot: Vec<DemandStream> = traces
            .iter()
            .enumerate()
            .map(|(p, s)| {
                let starts = (0..timeline.steps.div_ceil(288))
                    .map(|b| (b * 7 + p) % 17 * 288)
                    .collect();
                s.clone().with_bootstrap(288, starts)
            })
            .collect();
        lanes_match_paths_alone(&boot, false);
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
