//! A group of instances or tasks over the horizon: the scaling engine's counts, each
//! member's CPU credits, capacity against demand, deployments, and billed time.
//!
//! Fixed fleets, Auto Scaling groups, Beanstalk environments, Lightsail instances and
//! ECS services all run through here; the callers only price what it measured.

use crate::billing::burst::{CreditSpec, CreditState};
use crate::capacity::autoscale::{Group, GroupSpec, Metric, Policy, metric_value};
use crate::capacity::{CapacityMeter, CapacityStats};
use crate::catalog::CreditMode;
use crate::scenario::Plan;
use crate::scenario::options::{DeploymentPlan, DeploymentPolicy};

/// What drives a group.
pub(super) struct GroupInputs<'a> {
    /// Size and scaling.
    pub spec: &'a GroupSpec,
    /// vCPUs per member.
    pub vcpu_per_unit: f64,
    /// Share of the time a member serves (Spot interruptions), 1 otherwise.
    pub in_service_fraction: f64,
    /// CPU credits per member, for burstable instances and Lightsail.
    pub credits: Option<&'a CreditSpec>,
    /// The service's billing rule for one run (minimums, rounding).
    pub billed_per_run: fn(f64) -> f64,
    /// The metric the policy scales on (ignored for fixed groups).
    pub metric: Metric,
    /// Deployments, when modelled.
    pub deployments: Option<&'a DeploymentPlan>,
}

/// One step of a group, for `costcast simulate`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub(super) struct GroupStep {
    /// Members running (billed), including deployment extras.
    pub running: f64,
    /// Members serving.
    pub in_service: f64,
    /// vCPUs able to serve.
    pub capacity_vcpu: f64,
    /// vCPUs of demand served.
    pub served_vcpu: f64,
    /// Mean earned credit balance per member (0 without credits).
    pub credit_balance: f64,
    /// Surplus credits outstanding, all members.
    pub surplus_credits: f64,
}

/// A group's run over the horizon.
pub(super) struct GroupRun {
    /// Demand served.
    pub capacity: CapacityStats,
    /// Billed member-seconds per calendar month, after each run's minimum.
    pub billed_seconds_by_month: Vec<f64>,
    /// Surplus credits charged per month, all members.
    pub charged_credits_by_month: Vec<f64>,
    /// Credit figures: mode, lowest balance of a member, mean balance at the end,
    /// outstanding surplus, throttled seconds.
    pub credits: Option<(CreditMode, f64, f64, f64, f64)>,
    /// Each step, when asked for.
    pub steps: Vec<GroupStep>,
}

/// Runs a group over `rps` demand.
pub(super) fn run_group(
    plan: &Plan,
    rps: &[f64],
    inputs: &GroupInputs<'_>,
    record_steps: bool,
) -> GroupRun {
    let timeline = &plan.timeline;
    let step_s = timeline.step_seconds();
    let vcpu_ms = plan.workload.vcpu_ms_per_request;
    let response_bytes = plan.workload.response_kb * 1000.0;
    let period_s = inputs.spec.metric_period_s();
    let mut group = Group::new(inputs.spec);
    let mut states: Vec<CreditState> = inputs.credits.map_or_else(Vec::new, |c| {
        vec![CreditState::launched(c); group.members.len()]
    });
    let mut meter = CapacityMeter::with_steps(rps.len());
    let months = timeline.months.len();
    let mut billed = vec![0.0; months];
    let mut charged = vec![0.0; months];
    let (mut min_balance, mut throttled_s) = (f64::INFINITY, 0.0);
    let mut steps = Vec::with_capacity(if record_steps { rps.len() } else { 0 });
    // A fixed group with no schedule never changes size: no metric, no decision.
    let scales = !matches!(inputs.spec.policy, Policy::Fixed) || !inputs.spec.scheduled.is_empty();
    let has_schedule = !inputs.spec.scheduled.is_empty();
    // Surplus credits are charged at the end of each clock hour (steps divide a day, and
    // the horizon starts at midnight, so an hour ends every `steps_per_hour` steps).
    let steps_per_hour = usize::try_from((3600 / timeline.step_s).max(1)).unwrap_or(1);
    let whole_hours = 3600 % timeline.step_s == 0;
    let mut steps_into_hour = 0usize;
    let mut month = 0;
    for (k, &r) in rps.iter().enumerate() {
        while k >= timeline.months[month].end_step {
            month += 1;
        }
        #[allow(clippy::cast_precision_loss)]
        let t = k as f64 * step_s;
        let t_end = t + step_s;
        if has_schedule {
            group.apply_schedule((timeline.time_s(k)).rem_euclid(86_400), timeline.step_s);
        }
        let demand_vcpu = r * vcpu_ms / 1000.0;
        let n_serving = group.members.iter().filter(|m| m.in_service_s <= t).count();
        #[allow(clippy::cast_precision_loss)]
        let per_member = if n_serving > 0 {
            demand_vcpu / n_serving as f64
        } else {
            0.0
        };
        // Each member's capacity this step: all its vCPUs, or what its credits allow.
        let mut capacity_vcpu = 0.0;
        for (i, member) in group.members.iter().enumerate() {
            let is_serving = member.in_service_s <= t;
            let wanted = if is_serving { per_member } else { 0.0 };
            let mut member_capacity = inputs.vcpu_per_unit;
            if let (Some(spec), Some(state)) = (inputs.credits, states.get_mut(i)) {
                let outcome = state.step(spec, step_s, wanted);
                if outcome.throttled {
                    member_capacity = outcome.served_vcpu;
                }
                min_balance = min_balance.min(state.balance);
            }
            if is_serving {
                capacity_vcpu += member_capacity * inputs.in_service_fraction;
            }
        }
        if inputs.credits.is_some()
            && capacity_vcpu < demand_vcpu.min(n_serving_vcpu(n_serving, inputs)) - 1e-12
        {
            throttled_s += step_s;
        }
        #[allow(clippy::cast_precision_loss)]
        let mut running = group.members.len() as f64;
        #[allow(clippy::cast_precision_loss)]
        let mut in_service = n_serving as f64;
        let since_start_s = timeline.time_s(k) - timeline.start_s;
        if let Some(d) = inputs.deployments
            && d.in_window(since_start_s)
        {
            #[allow(clippy::cast_precision_loss)]
            let (n, b) = (n_serving as f64, d.batch(n_serving) as f64);
            let per_serving = if n > 0.0 {
                capacity_vcpu / n
            } else {
                inputs.vcpu_per_unit
            };
            let extra = match d.policy {
                // every instance is out of service for the deployment
                DeploymentPolicy::AllAtOnce => {
                    capacity_vcpu = 0.0;
                    in_service = 0.0;
                    0.0
                }
                // one batch at a time is out of service
                DeploymentPolicy::Rolling => {
                    capacity_vcpu = (n - b).max(0.0) * per_serving;
                    in_service = (n - b).max(0.0);
                    0.0
                }
                // a new batch is launched first, so capacity stays whole
                DeploymentPolicy::RollingWithAdditionalBatch => b,
                // a second, temporary group as large as the first serves too
                DeploymentPolicy::Immutable | DeploymentPolicy::TrafficSplitting => {
                    in_service += n;
                    capacity_vcpu += n * inputs.vcpu_per_unit * inputs.in_service_fraction;
                    n
                }
            };
            // Extra instances are billed, each launch with its minimum.
            running += extra;
            billed[month] += extra * step_s;
            if d.starts_at(since_start_s) {
                let window = d.window_s();
                billed[month] += extra * ((inputs.billed_per_run)(window) - window);
            }
        }
        let served = demand_vcpu.min(capacity_vcpu);
        meter.record(step_s, demand_vcpu, capacity_vcpu, running);
        #[allow(clippy::cast_precision_loss)]
        {
            billed[month] += group.members.len() as f64 * step_s;
        }
        // Surplus above 24 hours of earnings is charged at the end of each hour.
        // counted, not divided: a division per step is measurable here
        steps_into_hour += 1;
        let hour_ends = if whole_hours {
            let ends = steps_into_hour == steps_per_hour;
            if ends {
                steps_into_hour = 0;
            }
            ends
        } else {
            (timeline.time_s(k + 1) - timeline.start_s) % 3600 == 0 || timeline.step_s > 3600
        };
        if let Some(spec) = inputs.credits
            && hour_ends
        {
            charged[month] += states
                .iter_mut()
                .map(|s| s.charge_hourly_excess(spec))
                .sum::<f64>();
        }
        if record_steps {
            #[allow(clippy::cast_precision_loss)]
            let balance = if states.is_empty() {
                0.0
            } else {
                states.iter().map(|s| s.balance).sum::<f64>() / states.len() as f64
            };
            steps.push(GroupStep {
                running,
                in_service,
                capacity_vcpu,
                served_vcpu: served,
                credit_balance: balance,
                surplus_credits: states.iter().map(|s| s.surplus).sum::<f64>().max(0.0),
            });
        }
        if !scales {
            continue;
        }
        let metric = metric_value(
            inputs.metric,
            n_serving,
            served,
            capacity_vcpu,
            r,
            response_bytes,
            period_s,
        );
        let size = group.decide(t_end, step_s, metric);
        if size == group.members.len() {
            continue;
        }
        let changes = group.resize(size, t_end);
        for member in &changes.terminated {
            let run = t_end - member.launched_s;
            billed[month] += (inputs.billed_per_run)(run) - run;
            if let Some(mut state) = states.pop() {
                charged[month] += state.stop();
            }
        }
        if let Some(spec) = inputs.credits {
            states.extend(std::iter::repeat_n(
                CreditState::launched(spec),
                changes.launched,
            ));
        }
    }
    let capacity = meter.finish(if vcpu_ms > 0.0 { 1000.0 / vcpu_ms } else { 0.0 });
    let credits = inputs.credits.map(|spec| {
        #[allow(clippy::cast_precision_loss)]
        let end_balance = if states.is_empty() {
            0.0
        } else {
            states.iter().map(|s| s.balance).sum::<f64>() / states.len() as f64
        };
        let outstanding: f64 = states.iter().map(|s| s.surplus).sum();
        (
            spec.mode,
            if min_balance.is_finite() {
                min_balance
            } else {
                0.0
            },
            end_balance,
            outstanding,
            throttled_s,
        )
    });
    GroupRun {
        capacity,
        billed_seconds_by_month: billed,
        charged_credits_by_month: charged,
        credits,
        steps,
    }
}

/// The vCPUs `n` serving members would have with no credit limit.
fn n_serving_vcpu(n: usize, inputs: &GroupInputs<'_>) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let n = n as f64;
    n * inputs.vcpu_per_unit * inputs.in_service_fraction
}
