//! Capacity: how much of the demand an option actually serves.
//!
//! This module measures; it does not bill. A [`CapacityMeter`] is fed, step by step, the
//! demand and the capacity in service (both in vCPUs busy, the unit every compute option
//! shares) and reports the served fraction, the shortfall and utilisation.

use serde::Serialize;

use crate::stats::quantile_sorted;

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
}

impl CapacityStats {
    /// An option that serves every request (no provisioned capacity to run out of).
    #[must_use]
    pub fn all_served() -> CapacityStats {
        CapacityStats {
            served_fraction: 1.0,
            unserved_requests: 0.0,
            shortfall_minutes: 0.0,
            p95_utilization: None,
            peak_instances: None,
        }
    }
}

/// Accumulates demand against capacity, step by step.
#[derive(Debug, Clone, Default)]
pub struct CapacityMeter {
    demand_vcpu_s: f64,
    served_vcpu_s: f64,
    shortfall_s: f64,
    utilization: Vec<f64>,
    peak_instances: f64,
}

impl CapacityMeter {
    /// A meter for `steps` steps.
    #[must_use]
    pub fn with_steps(steps: usize) -> CapacityMeter {
        CapacityMeter {
            utilization: Vec::with_capacity(steps),
            ..CapacityMeter::default()
        }
    }

    /// Records one step of `step_s` seconds with `demand_vcpu` busy vCPUs wanted and
    /// `capacity_vcpu` available from `instances` instances.
    pub fn record(&mut self, step_s: f64, demand_vcpu: f64, capacity_vcpu: f64, instances: f64) {
        let served = demand_vcpu.min(capacity_vcpu);
        self.demand_vcpu_s += demand_vcpu * step_s;
        self.served_vcpu_s += served * step_s;
        if demand_vcpu > capacity_vcpu {
            self.shortfall_s += step_s;
        }
        self.utilization.push(if capacity_vcpu > 0.0 {
            served / capacity_vcpu
        } else {
            1.0
        });
        self.peak_instances = self.peak_instances.max(instances);
    }

    /// The statistics; `vcpu_ms_per_request` converts unserved vCPU-seconds to requests.
    #[must_use]
    pub fn finish(mut self, vcpu_ms_per_request: f64) -> CapacityStats {
        let served_fraction = if self.demand_vcpu_s > 0.0 {
            self.served_vcpu_s / self.demand_vcpu_s
        } else {
            1.0
        };
        let unserved_vcpu_s = self.demand_vcpu_s - self.served_vcpu_s;
        let unserved_requests = if vcpu_ms_per_request > 0.0 {
            unserved_vcpu_s * 1000.0 / vcpu_ms_per_request
        } else {
            0.0
        };
        self.utilization.sort_by(f64::total_cmp);
        let p95_utilization =
            (!self.utilization.is_empty()).then(|| quantile_sorted(&self.utilization, 0.95));
        CapacityStats {
            served_fraction,
            unserved_requests,
            shortfall_minutes: self.shortfall_s / 60.0,
            p95_utilization,
            peak_instances: Some(self.peak_instances),
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
        let s = m.finish(100.0); // 100 vCPU-ms per request
        assert!((s.served_fraction - 5.0 / 6.0).abs() < 1e-12);
        assert!((s.shortfall_minutes - 1.0).abs() < 1e-12);
        // 1 vCPU × 60 s unserved = 60,000 vCPU-ms = 600 requests
        assert!((s.unserved_requests - 600.0).abs() < 1e-9);
        // utilisations 0.5, 0.5, 0.5, 1.0: p95 = 0.5 + 0.85 × 0.5
        assert!((s.p95_utilization.unwrap() - 0.925).abs() < 1e-12);
    }
}
