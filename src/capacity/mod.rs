//! Capacity: how much of the demand an option actually serves.
//!
//! This module measures; it does not bill. A [`CapacityMeter`] is fed, step by step, the
//! demand and the capacity in service, in one unit (vCPUs busy for instances and tasks,
//! concurrent executions for Lambda), and reports the served fraction, the shortfall and
//! utilisation.

pub mod autoscale;

use serde::Serialize;

use crate::lanes::{Lanes, larger, smaller};

/// What an option served over the horizon.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CapacityStats {
    /// Share of demand served (1 when there was no demand).
    pub served_fraction: f64,
    /// Requests not served.
    pub unserved_requests: f64,
    /// Minutes in which demand exceeded capacity.
    pub shortfall_minutes: f64,
    /// 95th-percentile utilisation of the capacity in service, when the option has a
    /// fixed capacity to utilise (not for Lambda); read from a histogram of the steps'
    /// utilisations (see [`UtilizationHistograms`]).
    pub p95_utilization: Option<f64>,
    /// Peak instances (or tasks) in service, when the option has instances.
    pub peak_instances: Option<f64>,
    /// Peak concurrent executions wanted (Lambda), from step averages.
    pub peak_concurrency: Option<f64>,
}

/// Accumulates demand against capacity, step by step, on `L` paths at once (one lane
/// each; 1 for a single series).
#[derive(Debug, Clone)]
pub struct CapacityMeter<const L: usize = 1> {
    demand_unit_s: Lanes<f64, L>,
    served_unit_s: Lanes<f64, L>,
    shortfall_s: Lanes<f64, L>,
    /// Each step's utilisation per lane, for its p95 (not for Lambda).
    utilization: Option<UtilizationHistograms<L>>,
    /// Peak instances in service (kept by fleet meters only).
    peak_instances: Lanes<f64, L>,
    /// Peak demand (kept by concurrency meters only).
    peak_demand: Lanes<f64, L>,
}

impl<const L: usize> CapacityMeter<L> {
    fn empty(utilization: Option<UtilizationHistograms<L>>) -> CapacityMeter<L> {
        CapacityMeter {
            demand_unit_s: Lanes([0.0; L]),
            served_unit_s: Lanes([0.0; L]),
            shortfall_s: Lanes([0.0; L]),
            utilization,
            peak_instances: Lanes([0.0; L]),
            peak_demand: Lanes([0.0; L]),
        }
    }

    /// A meter of capacity in service (instances or tasks), with its utilisation.
    #[must_use]
    pub fn for_instances() -> CapacityMeter<L> {
        Self::empty(Some(UtilizationHistograms::new()))
    }

    /// A meter of concurrency against a limit (Lambda): no utilisation to keep.
    #[must_use]
    pub fn for_concurrency() -> CapacityMeter<L> {
        Self::empty(None)
    }

    /// Records one step of `step_s` seconds on every lane: `demand` units wanted and
    /// `capacity` units available from `instances` instances.
    // Out of line: inlined into a group's step, it crowds the step's loops (measured
    // 10–15% slower overall).
    #[inline(never)]
    pub fn record(
        &mut self,
        step_s: f64,
        demand: &[f64; L],
        capacity: &[f64; L],
        instances: &[f64; L],
    ) {
        // Each kind of meter keeps only the peak it reports: instances and utilisation
        // for a fleet, the demand (concurrency wanted) for Lambda.
        if self.utilization.is_none() {
            for l in 0..L {
                self.accumulate_lane(l, step_s, demand[l], capacity[l]);
                self.peak_demand[l] = larger(self.peak_demand[l], demand[l]);
            }
            return;
        }
        let bins = std::array::from_fn(|l| {
            self.record_fleet_lane(l, step_s, demand[l], capacity[l], instances[l])
        });
        self.record_bins(&bins);
    }

    /// [`CapacityMeter::record`] of a fleet's meter on lane `lane` alone, but for its
    /// utilisation's bin, which it returns: the caller hands every lane's bins of the
    /// step to [`CapacityMeter::record_bins`]. (For a group's step that works out its
    /// lanes in one loop, this meter in it: the rule is the same as `record`'s.)
    #[inline(always)]
    pub(crate) fn record_fleet_lane(
        &mut self,
        lane: usize,
        step_s: f64,
        demand: f64,
        capacity: f64,
        instances: f64,
    ) -> u16 {
        self.accumulate_lane(lane, step_s, demand, capacity);
        self.peak_instances[lane] = larger(self.peak_instances[lane], instances);
        UtilizationHistograms::<L>::bin(utilization(demand, capacity))
    }

    /// A step's utilisation bins, one per lane, from [`CapacityMeter::record_fleet_lane`].
    ///
    /// # Panics
    /// On a meter without utilisation (a concurrency meter's).
    #[inline]
    pub(crate) fn record_bins(&mut self, bins: &[u16; L]) {
        self.utilization
            .as_mut()
            .expect("invariant: only a fleet's meter records utilisation")
            .record_bins(bins);
    }

    /// Demand, served and shortfall of one step on one lane.
    #[inline(always)]
    fn accumulate_lane(&mut self, lane: usize, step_s: f64, demand: f64, capacity: f64) {
        let served = smaller(demand, capacity);
        self.demand_unit_s[lane] += demand * step_s;
        self.served_unit_s[lane] += served * step_s;
        self.shortfall_s[lane] += if demand > capacity { step_s } else { 0.0 };
    }

    /// The statistics of lane `lane`; `requests_per_unit_second` converts unserved
    /// unit-seconds to requests (1,000 / vCPU-ms per request for vCPUs; 1 / duration in s
    /// for concurrency).
    #[must_use]
    pub fn finish_lane(&self, lane: usize, requests_per_unit_second: f64) -> CapacityStats {
        let (demand, served) = (self.demand_unit_s[lane], self.served_unit_s[lane]);
        let served_fraction = if demand > 0.0 { served / demand } else { 1.0 };
        CapacityStats {
            served_fraction,
            unserved_requests: (demand - served) * requests_per_unit_second,
            shortfall_minutes: self.shortfall_s[lane] / 60.0,
            p95_utilization: self
                .utilization
                .as_ref()
                .and_then(|h| h.quantile(lane, 0.95)),
            peak_instances: Some(self.peak_instances[lane]),
            peak_concurrency: None,
        }
    }
}

impl<const L: usize> CapacityMeter<L> {
    /// Statistics of concurrency against a limit on lane `lane` (Lambda): no instances
    /// and no utilisation target, but the peak concurrency wanted.
    #[must_use]
    pub fn finish_concurrency_lane(&self, lane: usize, duration_s: f64) -> CapacityStats {
        let per_unit_second = if duration_s > 0.0 {
            1.0 / duration_s
        } else {
            0.0
        };
        CapacityStats {
            p95_utilization: None,
            peak_instances: None,
            peak_concurrency: Some(self.peak_demand[lane]),
            ..self.finish_lane(lane, per_unit_second)
        }
    }
}

/// Bins of a [`UtilizationHistograms`] lane strictly between utilisations 0 and 1.
pub const UTILIZATION_BINS: usize = 2048;

/// A lane's bins: exactly 0, the [`UTILIZATION_BINS`] between, exactly 1.
const LANE_BINS: usize = UTILIZATION_BINS + 2;

/// Utilisations (0 to 1) of every step on each of a meter's lanes, kept as histograms so
/// that a path's memory does not grow with its steps: a count of steps per bin of width
/// 1/2,048, with a bin of its own for exactly 0 (idle) and exactly 1 (saturated), every
/// lane's bins in one allocation.
///
/// Counts only, 8 KB a lane. A step's bins are not counted at once: they are computed
/// for every lane together (vector instructions) and held, step-major, for
/// [`PENDING_STEPS`] steps, then counted four lanes at a time, so that the increments
/// fall in those lanes' 32 KB instead of scattering over the meter's 256 KB step by step.
/// (Counting each step at once, the histogram was a fifth of the engine's time; held and
/// counted by lane, the engine takes 8% less. Four lanes' independent increments side
/// by side instead of one lane's in a row: 3% less again; eight: no better than four.)
///
/// A quantile interpolates linearly between order statistics, as
/// [`crate::stats::quantile_select`] does, each order statistic taken as the midpoint
/// of its bin: within half a bin width (0.025 percentage points) of the exact value,
/// and exact for 0 and 1.
#[derive(Debug, Clone)]
pub struct UtilizationHistograms<const L: usize> {
    /// Each lane's counts.
    counts: Vec<[u32; LANE_BINS]>,
    /// Bins of the steps not yet counted, a step's lanes side by side.
    pending: Vec<[u16; L]>,
    pending_steps: usize,
    /// Steps recorded (the same on every lane).
    total: u64,
}

/// Steps whose bins are held before they are counted: 8 KB for 32 lanes, which stay in
/// the first-level cache beside the lines of counts that the increments touch.
const PENDING_STEPS: usize = 128;

impl<const L: usize> Default for UtilizationHistograms<L> {
    fn default() -> UtilizationHistograms<L> {
        UtilizationHistograms::new()
    }
}

impl<const L: usize> UtilizationHistograms<L> {
    /// Empty histograms for `L` lanes.
    #[must_use]
    pub fn new() -> UtilizationHistograms<L> {
        UtilizationHistograms {
            counts: vec![[0; LANE_BINS]; L],
            pending: vec![[0; L]; PENDING_STEPS],
            pending_steps: 0,
            total: 0,
        }
    }

    /// Adds one step's utilisation on every lane (`utilization[l]` for lane `l`).
    #[inline]
    pub fn record(&mut self, utilization: &[f64; L]) {
        self.record_bins(&utilization.map(Self::bin));
    }

    /// Adds one step's bins on every lane (each [`UtilizationHistograms::bin`] of the
    /// lane's utilisation).
    #[inline]
    fn record_bins(&mut self, bins: &[u16; L]) {
        self.pending[self.pending_steps] = *bins;
        self.pending_steps += 1;
        self.total += 1;
        if self.pending_steps == PENDING_STEPS {
            self.count_pending();
        }
    }

    /// Counts the held bins, four lanes at a time. (Kept out of line: it runs once every
    /// [`PENDING_STEPS`] steps, and inlined it crowds the step's loops.)
    #[inline(never)]
    fn count_pending(&mut self) {
        let held = &self.pending[..self.pending_steps];
        let (quads, rest) = self.counts.as_chunks_mut::<4>();
        for (quad, [a, b, c, d]) in quads.iter_mut().enumerate() {
            let lane = 4 * quad;
            for bins in held {
                a[usize::from(bins[lane])] += 1;
                b[usize::from(bins[lane + 1])] += 1;
                c[usize::from(bins[lane + 2])] += 1;
                d[usize::from(bins[lane + 3])] += 1;
            }
        }
        let first = L - rest.len();
        for (lane, counts) in (first..).zip(rest) {
            for bins in held {
                counts[usize::from(bins[lane])] += 1;
            }
        }
        self.pending_steps = 0;
    }

    /// The bin of a utilisation: 0 for 0 or less (and NaN), the last for 1 or more,
    /// `1 + ⌊u × 2,048⌋` between.
    #[inline]
    fn bin(utilization: f64) -> u16 {
        // Worked out in f64 and selected, not branched on, so that a step's bins are a
        // few vector instructions. Above 0 (so not NaN): held to 1, and scaled by a
        // power of two, which is exact, so that below 1 the floor is at most 2,047.
        #[allow(clippy::cast_precision_loss)]
        let bin = if utilization > 0.0 {
            1.0 + (smaller(utilization, 1.0) * UTILIZATION_BINS as f64).floor()
        } else {
            0.0
        };
        // 2⁵² plus a whole number below 2¹⁶ holds that number in its low bits: a bit
        // cast, which vectorizes where `as u16` (saturating) does not.
        #[allow(clippy::cast_possible_truncation)]
        let low_bits = (bin + 4_503_599_627_370_496.0).to_bits() as u16;
        low_bits
    }

    /// The value an order statistic in `bin` is taken to have.
    fn bin_value(bin: usize) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        match bin {
            0 => 0.0,
            b if b == LANE_BINS - 1 => 1.0,
            b => (b as f64 - 0.5) / UTILIZATION_BINS as f64,
        }
    }

    /// Lane `lane`'s counts, with the bins still held.
    fn lane_counts(&self, lane: usize) -> [u32; LANE_BINS] {
        let mut counts = self.counts[lane];
        for bins in &self.pending[..self.pending_steps] {
            counts[usize::from(bins[lane])] += 1;
        }
        counts
    }

    /// The `q` quantile of lane `lane` (`None` when nothing was recorded).
    #[must_use]
    pub fn quantile(&self, lane: usize, q: f64) -> Option<f64> {
        if self.total == 0 {
            return None;
        }
        let counts = &self.lane_counts(lane)[..];
        #[allow(clippy::cast_precision_loss)]
        let position = q.clamp(0.0, 1.0) * (self.total - 1) as f64;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let lower = position.floor() as u64;
        let weight = position - position.floor();
        let lower_value = Self::order_statistic(counts, lower);
        let upper_value = if weight > 0.0 {
            Self::order_statistic(counts, lower + 1)
        } else {
            lower_value
        };
        Some(lower_value + (upper_value - lower_value) * weight)
    }

    /// The `rank`-th smallest value (from 0), as the value of its bin.
    fn order_statistic(counts: &[u32], rank: u64) -> f64 {
        let mut seen = 0u64;
        for (bin, count) in counts.iter().enumerate() {
            seen += u64::from(*count);
            if seen > rank {
                return Self::bin_value(bin);
            }
        }
        // rank < total: the loop always returns; the largest value otherwise
        1.0
    }
}

/// The share of `capacity` units in service that `demand` keeps busy, 0 to 1: all of
/// it when there is none (nothing in service is saturated). The meter's utilisation and
/// the CPU metric a group's alarms read (as a percentage) are this one number, so a
/// step that needs both divides once.
#[inline(always)]
pub(crate) fn utilization(demand: f64, capacity: f64) -> f64 {
    if capacity > 0.0 {
        smaller(demand, capacity) / capacity
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortfall_is_measured_in_served_share_minutes_and_requests() {
        let mut m: CapacityMeter = CapacityMeter::for_instances();
        // capacity 2 vCPU; demand 1, 1, 3, 1 for 60 s each
        for demand in [1.0, 1.0, 3.0, 1.0] {
            m.record(60.0, &[demand], &[2.0], &[1.0]);
        }
        let s = m.finish_lane(0, 1000.0 / 100.0); // 100 vCPU-ms per request
        assert!((s.served_fraction - 5.0 / 6.0).abs() < 1e-12);
        assert!((s.shortfall_minutes - 1.0).abs() < 1e-12);
        // 1 vCPU × 60 s unserved = 60,000 vCPU-ms = 600 requests
        assert!((s.unserved_requests - 600.0).abs() < 1e-9);
        // utilisations 0.5, 0.5, 0.5, 1.0: p95 = 0.5 + 0.85 × 0.5, the 0.5s read as the
        // midpoint of their bin (half a bin width above), the 1.0 exactly
        #[allow(clippy::cast_precision_loss)]
        let half_bin = 0.5 / UTILIZATION_BINS as f64;
        let expected = (0.5 + half_bin) + 0.85 * (1.0 - (0.5 + half_bin));
        assert!((s.p95_utilization.unwrap() - expected).abs() < 1e-12);
        assert!((s.p95_utilization.unwrap() - 0.925).abs() < half_bin);
    }

    #[test]
    fn concurrency_above_the_limit_is_throttled() {
        // limit 10; wanted 5 then 20 for 60 s each, 0.5 s per request
        let mut m: CapacityMeter = CapacityMeter::for_concurrency();
        m.record(60.0, &[5.0], &[10.0], &[0.0]);
        m.record(60.0, &[20.0], &[10.0], &[0.0]);
        let s = m.finish_concurrency_lane(0, 0.5);
        assert!((s.served_fraction - 15.0 / 25.0).abs() < 1e-12);
        // 10 executions × 60 s unserved / 0.5 s each = 1,200 requests
        assert!((s.unserved_requests - 1200.0).abs() < 1e-9);
        assert_eq!(s.peak_concurrency, Some(20.0));
        assert_eq!(s.p95_utilization, None);
    }

    #[test]
    fn each_lane_counts_what_it_would_count_alone() {
        // six lanes: four counted together, two after them; more steps than are held
        // before counting, and some still held
        let value = |lane: usize, step: usize| ((step * 7 + lane * 131) % 1000) as f64 / 999.0;
        let steps = 3 * PENDING_STEPS + 17;
        let mut together = UtilizationHistograms::<6>::new();
        for step in 0..steps {
            together.record(&std::array::from_fn(|lane| value(lane, step)));
        }
        for lane in 0..6 {
            let mut alone = UtilizationHistograms::<1>::new();
            for step in 0..steps {
                alone.record(&[value(lane, step)]);
            }
            for q in [0.0, 0.05, 0.5, 0.95, 0.99, 1.0] {
                assert_eq!(
                    together.quantile(lane, q),
                    alone.quantile(0, q),
                    "lane {lane} q {q}"
                );
            }
            assert_eq!(
                together.lane_counts(lane),
                alone.lane_counts(0),
                "lane {lane}"
            );
        }
    }

    #[test]
    fn a_utilization_falls_in_the_bin_its_definition_gives() {
        // 0 for 0 or less (and NaN), the last for 1 or more, 1 + ⌊u × 2,048⌋ between,
        // written with branches as the reference for the branch-free `bin`
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let reference = |u: f64| -> u16 {
            if u >= 1.0 {
                (LANE_BINS - 1) as u16
            } else if u > 0.0 {
                1 + (u * UTILIZATION_BINS as f64).floor() as u16
            } else {
                0
            }
        };
        let below_one = f64::from_bits(1.0f64.to_bits() - 1);
        let mut values = vec![
            f64::NAN,
            f64::NEG_INFINITY,
            -1.0,
            -0.0,
            0.0,
            f64::from_bits(1),
            f64::MIN_POSITIVE,
            1.0 / 2048.0,
            f64::from_bits((1.0f64 / 2048.0).to_bits() - 1),
            0.5,
            below_one,
            1.0,
            1.0 + f64::EPSILON,
            2.0,
            f64::INFINITY,
        ];
        // and every bin's edges: k / 2,048 and the number just below it
        for k in 1..=2048u32 {
            let edge = f64::from(k) / 2048.0;
            values.extend([edge, f64::from_bits(edge.to_bits() - 1)]);
        }
        for u in values {
            let bin = UtilizationHistograms::<1>::bin(u);
            assert_eq!(bin, reference(u), "utilization {u:e}");
        }
        assert_eq!(UtilizationHistograms::<1>::bin(below_one), 2048);
        assert_eq!(UtilizationHistograms::<1>::bin(1.0), 2049);
    }

    #[test]
    fn histogram_quantiles_are_exact_at_0_and_1_and_within_half_a_bin_otherwise() {
        let mut h = UtilizationHistograms::<1>::new();
        assert_eq!(h.quantile(0, 0.95), None);
        for u in [0.0, 0.0, 0.0, 1.0] {
            h.record(&[u]);
        }
        // the order statistics 0 and 1, exactly: 0 + 0.85 × 1
        assert!((h.quantile(0, 0.95).unwrap() - 0.85).abs() < 1e-15);
        assert_eq!(h.quantile(0, 1.0), Some(1.0));
        assert_eq!(h.quantile(0, 0.0), Some(0.0));
        // out-of-range values count as 0 and 1
        let mut h = UtilizationHistograms::<1>::new();
        h.record(&[-0.5]);
        h.record(&[f64::NAN]);
        h.record(&[1.5]);
        assert_eq!(h.quantile(0, 0.5), Some(0.0));
        assert_eq!(h.quantile(0, 1.0), Some(1.0));
        // 1,000 distinct values: the exact quantiles by sorting, against the histogram's
        let mut values: Vec<f64> = (0..1000)
            .map(|i| f64::from(i * 7919 % 1000) / 999.0)
            .collect();
        // on lane 1 of two, lane 0 holding other values
        let mut h = UtilizationHistograms::<2>::new();
        for v in &values {
            h.record(&[1.0 - v, *v]);
        }
        #[allow(clippy::cast_precision_loss)]
        let half_bin = 0.5 / UTILIZATION_BINS as f64;
        for q in [0.05, 0.5, 0.95, 0.99] {
            let exact = crate::stats::quantile_select(&mut values, q);
            let estimate = h.quantile(1, q).unwrap();
            assert!(
                (estimate - exact).abs() <= half_bin,
                "q {q}: {estimate} vs {exact}"
            );
        }
    }
}
