//! Running a plan: demand through every option's capacity and billing models.
//!
//! This is the deterministic single-path run: the scenario's demand, exactly as given.
//! Every option sees the same demand series; each model in [`models`] turns it into
//! usage per calendar month, which the billing models price.

pub mod demand;
mod group;
mod models;

pub use group::LANES;
pub use models::{CreditStats, StepRecord};

use models::LanePaths;

use serde::Serialize;

use crate::billing::{self, LineItem};
use crate::capacity::CapacityStats;
use crate::report::table::format_quantity;
use crate::scenario::{OptionModel, Plan, Slo};

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
    /// CPU credits or burst capacity, for burstable instances and Lightsail.
    pub credits: Option<CreditStats>,
    /// Whether it meets the SLO, and if not, why.
    pub verdict: Verdict,
    /// Each step (only from [`run_recording`]).
    pub steps: Vec<StepRecord>,
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
    run_with(plan, false).0
}

/// Runs every option and keeps every step of each, with the demand (for `costcast
/// simulate`).
#[must_use]
pub fn run_recording(plan: &Plan) -> (RunResult, Vec<f64>) {
    run_with(plan, true)
}

/// Runs every option over the given demand (requests per second at every step): one
/// Monte Carlo path.
///
/// # Panics
/// When `rps` does not have one value per step of the plan's timeline.
#[must_use]
pub fn run_demand(plan: &Plan, rps: &[f64]) -> RunResult {
    run_lanes(&[(plan, rps)], false).swap_remove(0)
}

/// As [`run_demand`], keeping every step of each option (for `costcast simulate --path`).
///
/// # Panics
/// When `rps` does not have one value per step of the plan's timeline.
#[must_use]
pub fn run_demand_recording(plan: &Plan, rps: &[f64]) -> RunResult {
    run_lanes(&[(plan, rps)], true).swap_remove(0)
}

/// Runs up to [`LANES`] paths (each a plan, drawn from one scenario, and its demand)
/// together, one result per path in the order given. Each path's result is exactly what
/// it would be alone.
///
/// # Panics
/// When `paths` is empty or holds more than [`LANES`] paths, or a demand series does not
/// have one value per step of its plan's timeline.
#[must_use]
pub fn run_paths(paths: &[(&Plan, &[f64])]) -> Vec<RunResult> {
    run_lanes(paths, false)
}

fn run_with(plan: &Plan, record: bool) -> (RunResult, Vec<f64>) {
    let rps = demand::requests_per_second(&plan.workload, &plan.timeline);
    (run_lanes(&[(plan, &rps)], record).swap_remove(0), rps)
}

fn run_lanes(paths: &[(&Plan, &[f64])], record: bool) -> Vec<RunResult> {
    assert!(
        (1..=LANES).contains(&paths.len()),
        "invariant: 1 to {LANES} paths run together"
    );
    // Spare lanes repeat the last path; their results are dropped.
    let lane = |l: usize| paths[l.min(paths.len() - 1)];
    let lanes = LanePaths {
        plans: std::array::from_fn(|l| lane(l).0),
        rps: std::array::from_fn(|l| lane(l).1),
        real: paths.len(),
    };
    let plan = paths[0].0;
    let mut results: Vec<RunResult> = paths
        .iter()
        .map(|(p, _)| RunResult {
            months: p.timeline.months.iter().map(|m| m.label.clone()).collect(),
            options: Vec::with_capacity(p.options.len()),
        })
        .collect();
    for (i, option) in plan.options.iter().enumerate() {
        let runs = match &option.model {
            OptionModel::Ec2Fleet(_) => models::ec2_fleet(&lanes, i, record),
            OptionModel::Fargate(_) => models::fargate(&lanes, i, record),
            OptionModel::Lightsail(_) => models::lightsail(&lanes, i, record),
            OptionModel::Lambda(_) => paths
                .iter()
                .map(|(p, rps)| {
                    assert_eq!(
                        rps.len(),
                        p.timeline.steps,
                        "invariant: one demand value per step"
                    );
                    let OptionModel::Lambda(function) = &p.options[i].model else {
                        unreachable!("invariant: every path of a run has the same options")
                    };
                    models::lambda(p, function, rps, record)
                })
                .collect(),
        };
        for ((result, run), (p, _)) in results.iter_mut().zip(runs).zip(paths) {
            let option = &p.options[i];
            result.options.push(OptionResult {
                name: option.name.clone(),
                service: option.service,
                months: run.months,
                verdict: verdict(&run.capacity, run.credits.as_ref(), &p.slo),
                capacity: run.capacity,
                credits: run.credits,
                steps: run.steps,
            });
        }
    }
    results
}

/// Checks capacity against the SLO and says why it fails.
#[must_use]
pub fn verdict(capacity: &CapacityStats, credits: Option<&CreditStats>, slo: &Slo) -> Verdict {
    let mut reasons = Vec::new();
    if capacity.served_fraction < slo.min_served_fraction
        && let Some(c) = credits
        && c.throttled_minutes > 0.0
    {
        reasons.push(format!(
            "CPU credits exhausted: held to the baseline for {} minutes",
            format_quantity(c.throttled_minutes, 0)
        ));
    }
    if capacity.served_fraction < slo.min_served_fraction {
        reasons.push(format!(
            "served {:.2}% of demand, below the SLO's {:.2}% ({} requests unserved over {} minutes of shortfall)",
            capacity.served_fraction * 100.0,
            slo.min_served_fraction * 100.0,
            format_quantity(capacity.unserved_requests, 0),
            format_quantity(capacity.shortfall_minutes, 0),
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
