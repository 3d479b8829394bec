//! Running a plan: demand through every option's capacity and billing models.
//!
//! This is the deterministic single-path run: the scenario's demand, exactly as given.
//! Every option sees the same demand series; each model turns it into usage per calendar
//! month, which the billing models price.

pub mod demand;

use serde::Serialize;

use crate::billing::{self, LineItem, ec2, lambda};
use crate::capacity::{CapacityMeter, CapacityStats};
use crate::scenario::resolve::{Ec2FleetPlan, LambdaPlan};
use crate::scenario::{OptionModel, OptionPlan, Plan, Slo};

/// The outcome of running a plan.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// `YYYY-MM` of each month of the horizon.
    pub months: Vec<String>,
    /// One result per option, in plan order.
    pub options: Vec<OptionResult>,
}

/// The outcome for one option.
#[derive(Debug, Clone)]
pub struct OptionResult {
    /// Option name.
    pub name: String,
    /// Its service.
    pub service: &'static str,
    /// The bill of each month.
    pub months: Vec<Vec<LineItem>>,
    /// What it served.
    pub capacity: CapacityStats,
    /// Whether it meets the SLO, and if not, why.
    pub verdict: Verdict,
}

impl OptionResult {
    /// Total cost of each month.
    #[must_use]
    pub fn monthly_usd(&self) -> Vec<f64> {
        self.months
            .iter()
            .map(|items| billing::total_usd(items))
            .collect()
    }
}

/// Whether an option meets the scenario's service levels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// True when every SLO holds.
    pub feasible: bool,
    /// The reasons it fails, in words with their figures (empty when feasible).
    pub reasons: Vec<String>,
}

/// Runs every option of `plan` over its demand.
#[must_use]
pub fn run(plan: &Plan) -> RunResult {
    let rps = demand::requests_per_second(&plan.workload, &plan.timeline);
    let options = plan
        .options
        .iter()
        .map(|option| run_option(plan, option, &rps))
        .collect();
    RunResult {
        months: plan
            .timeline
            .months
            .iter()
            .map(|m| m.label.clone())
            .collect(),
        options,
    }
}

fn run_option(plan: &Plan, option: &OptionPlan, rps: &[f64]) -> OptionResult {
    let (months, capacity) = match &option.model {
        OptionModel::Ec2Fleet(fleet) => run_ec2_fleet(plan, fleet, rps),
        OptionModel::Lambda(function) => run_lambda(plan, function, rps),
    };
    OptionResult {
        name: option.name.clone(),
        service: option.service,
        months,
        verdict: verdict(&capacity, &plan.slo),
        capacity,
    }
}

fn run_ec2_fleet(
    plan: &Plan,
    fleet: &Ec2FleetPlan,
    rps: &[f64],
) -> (Vec<Vec<LineItem>>, CapacityStats) {
    let timeline = &plan.timeline;
    let step_s = timeline.step_seconds();
    let capacity_vcpu = f64::from(fleet.count) * fleet.vcpu;
    let mut meter = CapacityMeter::with_steps(rps.len());
    for &r in rps {
        let demand_vcpu = r * plan.workload.vcpu_ms_per_request / 1000.0;
        meter.record(step_s, demand_vcpu, capacity_vcpu, f64::from(fleet.count));
    }
    // The fleet starts with the horizon and runs to its end: one run per instance.
    #[allow(clippy::cast_precision_loss)]
    let run_seconds: Vec<f64> = timeline
        .months
        .iter()
        .map(|m| m.steps() as f64 * step_s)
        .collect();
    let billed = ec2::fleet_billed_seconds_by_month(fleet.count, &run_seconds);
    let months = billed
        .iter()
        .map(|s| vec![ec2::instance_line(&fleet.instance_type, *s, fleet.rates)])
        .collect();
    (months, meter.finish(plan.workload.vcpu_ms_per_request))
}

fn run_lambda(
    plan: &Plan,
    function: &LambdaPlan,
    rps: &[f64],
) -> (Vec<Vec<LineItem>>, CapacityStats) {
    let step_s = plan.timeline.step_seconds();
    let months = plan
        .timeline
        .months
        .iter()
        .map(|month| {
            let requests: f64 = rps[month.first_step..month.end_step]
                .iter()
                .map(|r| r * step_s)
                .sum();
            let usage = lambda::FunctionMonth {
                architecture: function.architecture,
                requests,
                gb_seconds: lambda::gb_seconds(requests, function.duration_ms, function.memory_mb),
            };
            lambda::bill_month(&[usage], &function.rates, function.free_tier).swap_remove(0)
        })
        .collect();
    (months, CapacityStats::all_served())
}

/// Checks capacity against the SLO and says why it fails.
#[must_use]
pub fn verdict(capacity: &CapacityStats, slo: &Slo) -> Verdict {
    let mut reasons = Vec::new();
    if capacity.served_fraction < slo.min_served_fraction {
        reasons.push(format!(
            "served {:.2}% of demand, below the SLO's {:.2}% ({:.0} requests unserved over {:.0} minutes of shortfall)",
            capacity.served_fraction * 100.0,
            slo.min_served_fraction * 100.0,
            capacity.unserved_requests,
            capacity.shortfall_minutes,
        ));
    }
    if let Some(p95) = capacity.p95_utilization
        && p95 > slo.max_p95_utilization
    {
        reasons.push(format!(
            "p95 utilisation {:.1}% is above the SLO's {:.1}%",
            p95 * 100.0,
            slo.max_p95_utilization * 100.0
        ));
    }
    Verdict {
        feasible: reasons.is_empty(),
        reasons,
    }
}
