//! Capacity: how much of the demand an option actually serves.
//!
//! This module measures; it does not bill. A [`CapacityMeter`] is fed, step by step, the
//! demand and the capacity in service, in one unit (vCPUs busy for instances and tasks,
//! concurrent executions for Lambda), and reports the served fraction, the shortfall and
//! utilisation.

pub mod autoscale;

use serde::Serialize;

use crate::stats::quantile_select;

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
    /// fixed capacity to utilise (not for Lambda).
    pub p95_utilization: Option<f64>,
    /// Peak instances (or tasks) in service, when the option has instances.
    pub peak_instances: Option<f64>,
    /// Peak concurrent executions wanted (Lambda), from step averages.
    pub peak_concurrency: Option<f64>,
}

/// Accumulates demand against capacity, step by step.
#[derive(Debug, Clone, Default)]
pub struct CapacityMeter {
    demand_unit_s: f64,
    served_unit_s: f64,
    shortfall_s: f64,
    utilization: Vec<f64>,
    /// Whether to keep each step's utilisation (for its p95; not for Lambda).
    track_utilization: bool,
    peak_instances: f64,
    peak_demand: f64,
}

impl CapacityMeter {
    /// A meter for `steps` steps.
    #[must_use]
    pub fn with_steps(steps: usize) -> CapacityMeter {
        CapacityMeter {
            utilization: Vec::with_capacity(steps),
            track_utilization: true,
            ..CapacityMeter::default()
        }
    }

    /// A meter of concurrency against a limit (Lambda): no utilisation to keep.
    #[must_use]
    pub fn for_concurrency() -> CapacityMeter {
        CapacityMeter::default()
    }

    /// Records one step of `step_s` seconds with `demand` units wanted and `capacity`
    /// units available from `instances` instances.
    pub fn record(&mut self, step_s: f64, demand: f64, capacity: f64, instances: f64) {
        let served = demand.min(capacity);
        self.demand_unit_s += demand * step_s;
        self.served_unit_s += served * step_s;
        if demand > capacity {
            self.shortfall_s += step_s;
        }
        if self.track_utilization {
            self.utilization.push(if capacity > 0.0 {
                served / capacity
            } else {
                1.0
            });
        }
        self.peak_instances = self.peak_instances.max(instances);
        self.peak_demand = self.peak_demand.max(demand);
    }

    /// The statistics; `requests_per_unit_second` converts unserved unit-seconds to
    /// requests (1,000 / vCPU-ms per request for vCPUs; 1 / duration in s for concurrency).
    #[must_use]
    pub fn finish(mut self, requests_per_unit_second: f64) -> CapacityStats {
        let served_fraction = if self.demand_unit_s > 0.0 {
            self.served_unit_s / self.demand_unit_s
        } else {
            1.0
        };
        let unserved_requests =
            (self.demand_unit_s - self.served_unit_s) * requests_per_unit_second;
        let p95_utilization =
            (!self.utilization.is_empty()).then(|| quantile_select(&mut self.utilization, 0.95));
        CapacityStats {
            served_fraction,
            unserved_requests,
            shortfall_minutes: self.shortfall_s / 60.0,
            p95_utilization,
            peak_instances: Some(self.peak_instances),
            peak_concurrency: None,
        }
    }

    /// Statistics of concurrency against a limit (Lambda): no instances and no
    /// utilisation target, but the peak concurrency wanted.
    #[must_use]
    pub fn finish_concurrency(self, duration_s: f64) -> CapacityStats {
        let peak = self.peak_demand;
        let per_unit_second = if duration_s > 0.0 {
            1.0 / duration_s
        } else {
            0.0
        };
        CapacityStats {
            p95_utilization: None,
            peak_instances: None,
            peak_concurrency: Some(peak),
            ..self.finish(per_unit_second)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortfall_is_measured_in_served_share_minutes_and_requests() {
        let mut m = CapacityMeter::with_steps(4);
        // capacity 2 vCPU; demand 1, 1, 3, 1 for 60 s each
        for demand in [1.0, 1.0, 3.0, 1.0] {
            m.record(60.0, demand, 2.0, 1.0);
        }
        let s = m.finish(1000.0 / 100.0); // 100 vCPU-ms per request
        assert!((s.served_fraction - 5.0 / 6.0).abs() < 1e-12);
        assert!((s.shortfall_minutes - 1.0).abs() < 1e-12);
        // 1 vCPU × 60 s unserved = 60,000 vCPU-ms = 600 requests
        assert!((s.unserved_requests - 600.0).abs() < 1e-9);
        // utilisations 0.5, 0.5, 0.5, 1.0: p95 = 0.5 + 0.85 × 0.5
        assert!((s.p95_utilization.unwrap() - 0.925).abs() < 1e-12);
    }

    #[test]
    fn concurrency_above_the_limit_is_throttled() {
        // limit 10; wanted 5 then 20 for 60 s each, 0.5 s per request
        let mut m = CapacityMeter::for_concurrency();
        m.record(60.0, 5.0, 10.0, 0.0);
        m.record(60.0, 20.0, 10.0, 0.0);
        let s = m.finish_concurrency(0.5);
        assert!((s.served_fraction - 15.0 / 25.0).abs() < 1e-12);
        // 10 executions × 60 s unserved / 0.5 s each = 1,200 requests
        assert!((s.unserved_requests - 1200.0).abs() < 1e-9);
        assert_eq!(s.peak_concurrency, Some(20.0));
        assert_eq!(s.p95_utilization, None);
    }
}
