//! One function per option model: demand in, monthly bills and capacity out.
//!
//! Each model measures usage per calendar month from the demand series and hands it to
//! the billing functions; none of them prices anything itself.

use serde::Serialize;

use crate::billing::burst::{self, CreditSpec, CreditState};
use crate::billing::elb;
use crate::billing::{
    LineItem, apigw, containers, continuous_run_by_month, ebs, ec2, fargate, lambda, lightsail,
};
use crate::capacity::{CapacityMeter, CapacityStats};
use crate::catalog::CreditMode;
use crate::scenario::options::{
    ALB_PUBLIC_IPV4_ADDRESSES, Attachments, Ec2FleetPlan, FargatePlan, LambdaPlan, LightsailPlan,
};
use crate::scenario::{Month, Plan};

/// What one option's model produced.
#[derive(Debug, Clone)]
pub(super) struct ModelRun {
    /// The bill of each month.
    pub months: Vec<Vec<LineItem>>,
    /// What it served.
    pub capacity: CapacityStats,
    /// CPU credits (burstable instances) or burst capacity (Lightsail).
    pub credits: Option<CreditStats>,
}

/// CPU credits of a burstable fleet over the horizon, for the whole fleet.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CreditStats {
    /// `standard` or `unlimited`.
    pub mode: &'static str,
    /// Smallest earned balance of one instance, credits.
    pub min_balance: f64,
    /// Earned balance of one instance at the end, credits.
    pub end_balance: f64,
    /// Minutes (at step resolution) in which the CPU was held to the baseline.
    pub throttled_minutes: f64,
    /// Surplus credits charged over the horizon (unlimited), all instances.
    pub surplus_charged_credits: f64,
    /// Surplus credits spent and still unpaid at the end, all instances: charged only if
    /// the instances are stopped (or switched to standard) before earnings pay them down.
    pub outstanding_surplus_credits: f64,
    /// Their cost if charged, USD.
    pub outstanding_surplus_usd: f64,
}

pub(super) fn ec2_fleet(plan: &Plan, fleet: &Ec2FleetPlan, rps: &[f64]) -> ModelRun {
    let count = f64::from(fleet.count);
    let credits = fleet.credits.as_ref().map(|(spec, _)| spec);
    let fleet_run = run_fleet(plan, rps, count, count, fleet.vcpu, credits);
    // The fleet starts with the horizon and runs to its end: one run per instance.
    let billed = ec2::fleet_billed_seconds_by_month(
        fleet.count,
        &run_seconds_by_month(plan),
        fleet.rates.os,
    );
    let months = plan
        .timeline
        .months
        .iter()
        .enumerate()
        .zip(billed)
        .map(|((m, month), seconds)| {
            let mut lines = vec![ec2::instance_line(
                &fleet.instance_type,
                seconds,
                fleet.rates,
            )];
            if let Some((spec, usd_per_vcpu_hour)) = &fleet.credits
                && spec.mode == CreditMode::Unlimited
                && fleet_run.charged_by_month[m] > 0.0
            {
                lines.push(LineItem::priced(
                    "CPU credits (unlimited surplus, Linux)",
                    fleet_run.charged_by_month[m] / 60.0,
                    "vCPU-hours",
                    *usd_per_vcpu_hour,
                ));
            }
            lines.extend(attachment_lines(
                plan,
                &fleet.attachments,
                count,
                month,
                rps,
            ));
            lines
        })
        .collect();
    let usd_per_vcpu_hour = fleet.credits.map_or(0.0, |(_, rate)| rate);
    ModelRun {
        months,
        capacity: fleet_run.capacity,
        credits: fleet_run.credit_stats(usd_per_vcpu_hour),
    }
}

pub(super) fn fargate(plan: &Plan, service: &FargatePlan, rps: &[f64]) -> ModelRun {
    let tasks = f64::from(service.tasks);
    let fleet_run = run_fleet(
        plan,
        rps,
        tasks * service.in_service_fraction,
        tasks,
        service.size.vcpu,
        None,
    );
    let billed = continuous_run_by_month(
        tasks,
        &run_seconds_by_month(plan),
        fargate::billed_seconds_per_task,
    );
    let months = plan
        .timeline
        .months
        .iter()
        .zip(billed)
        .map(|(month, seconds)| {
            let mut lines = fargate::task_lines(
                seconds,
                &service.size,
                service.architecture,
                &service.rates,
                service.spot_discount,
            );
            lines.extend(attachment_lines(
                plan,
                &service.attachments,
                tasks,
                month,
                rps,
            ));
            if let Some((rates, extended)) = service.eks {
                lines.push(containers::eks_line(
                    1.0,
                    month_hours(plan, month),
                    extended,
                    rates,
                ));
            }
            if let Some((storage_gb, rate)) = service.ecr {
                lines.push(containers::ecr_line(storage_gb, rate));
            }
            lines
        })
        .collect();
    ModelRun {
        months,
        capacity: fleet_run.capacity,
        credits: None,
    }
}

/// Lambda: each step's arrivals need `rate × duration` concurrent executions; above the
/// concurrency limit the excess is throttled (unserved, and not billed). Provisioned
/// concurrency serves what it can and the rest spills over to on-demand.
pub(super) fn lambda(plan: &Plan, function: &LambdaPlan, rps: &[f64]) -> ModelRun {
    let config = &function.config;
    let step_s = plan.timeline.step_seconds();
    let provisioned_seconds = if config.provisioned_concurrency > 0.0 {
        continuous_run_by_month(
            1.0,
            &run_seconds_by_month(plan),
            lambda::provisioned_billed_seconds,
        )
    } else {
        vec![0.0; plan.timeline.months.len()]
    };
    let mut meter = CapacityMeter::with_steps(rps.len());
    let mut months = Vec::with_capacity(plan.timeline.months.len());
    for (month, provisioned_s) in plan.timeline.months.iter().zip(provisioned_seconds) {
        let (mut on_demand, mut on_provisioned) = (0.0, 0.0);
        for &r in &rps[month.first_step..month.end_step] {
            let wanted = lambda::concurrency(r, config.duration_ms);
            meter.record(step_s, wanted, function.concurrency_limit, 0.0);
            let served = if wanted > function.concurrency_limit {
                r * function.concurrency_limit / wanted
            } else {
                r
            };
            let share = config.provisioned_share(served);
            on_provisioned += served * share * step_s;
            on_demand += served * (1.0 - share) * step_s;
        }
        let usage = config.month(on_demand, on_provisioned, provisioned_s);
        let mut lines =
            lambda::bill_month(&[usage], &function.rates, function.free_tier).swap_remove(0);
        if let Some((api, free_tier)) = &function.api {
            // API Gateway bills every request it receives, throttled by Lambda or not.
            lines.extend(apigw::request_lines(
                requests_in(plan, month, rps),
                api,
                *free_tier,
            ));
        }
        months.push(lines);
    }
    let capacity = meter.finish_concurrency(config.duration_ms.ceil() / 1000.0);
    ModelRun {
        months,
        capacity,
        credits: None,
    }
}

pub(super) fn lightsail(plan: &Plan, instances: &LightsailPlan, rps: &[f64]) -> ModelRun {
    let count = f64::from(instances.count);
    let fleet_run = run_fleet(
        plan,
        rps,
        count,
        count,
        instances.vcpu,
        Some(&instances.credits),
    );
    let months = plan
        .timeline
        .months
        .iter()
        .map(|month| {
            let hours = month_hours(plan, month);
            let requests = requests_in(plan, month, rps);
            let out_gb = requests * plan.workload.response_kb * 1000.0 / 1e9;
            let in_gb = requests * plan.workload.request_kb * 1000.0 / 1e9;
            let mut lines = vec![
                lightsail::plan_line(count, hours, hours, &instances.rates),
                lightsail::overage_line(count, out_gb, in_gb, &instances.rates),
            ];
            if let Some(price) = instances.load_balancer_usd_per_month {
                lines.push(LineItem::priced(
                    "Lightsail load balancer",
                    1.0,
                    "months",
                    price,
                ));
            }
            lines
        })
        .collect();
    ModelRun {
        months,
        capacity: fleet_run.capacity,
        credits: fleet_run.credit_stats(0.0),
    }
}

/// A fleet's capacity over the horizon, and its credits when burstable.
struct FleetRun {
    capacity: CapacityStats,
    /// Surplus credits charged per month, all instances.
    charged_by_month: Vec<f64>,
    /// Mode, final state of one instance and its smallest balance.
    credits: Option<(CreditMode, CreditState, f64)>,
    throttled_s: f64,
    count: f64,
}

impl FleetRun {
    fn credit_stats(&self, usd_per_vcpu_hour: f64) -> Option<CreditStats> {
        let (mode, end, min_balance) = self.credits?;
        let outstanding = end.surplus * self.count;
        Some(CreditStats {
            mode: match mode {
                CreditMode::Standard => "standard",
                CreditMode::Unlimited => "unlimited",
            },
            min_balance,
            end_balance: end.balance,
            throttled_minutes: self.throttled_s / 60.0,
            surplus_charged_credits: self.charged_by_month.iter().sum(),
            outstanding_surplus_credits: outstanding,
            outstanding_surplus_usd: burst::surplus_cost_usd(outstanding, usd_per_vcpu_hour),
        })
    }
}

/// Demand (vCPUs busy) spread evenly over `units` instances or tasks of `vcpu_per_unit`
/// each, of which `serving` are in service; burstable instances can use only what their
/// credits allow (standard mode) and pay for surplus at the end of each hour (unlimited).
fn run_fleet(
    plan: &Plan,
    rps: &[f64],
    serving: f64,
    units: f64,
    vcpu_per_unit: f64,
    credits: Option<&CreditSpec>,
) -> FleetRun {
    let timeline = &plan.timeline;
    let step_s = timeline.step_seconds();
    let vcpu_ms = plan.workload.vcpu_ms_per_request;
    let mut meter = CapacityMeter::with_steps(rps.len());
    let mut charged_by_month = vec![0.0; timeline.months.len()];
    let mut state = credits.map(CreditState::launched);
    let mut min_balance = f64::INFINITY;
    let mut throttled_s = 0.0;
    for (k, &r) in rps.iter().enumerate() {
        let demand_vcpu = r * vcpu_ms / 1000.0;
        let mut capacity_vcpu = serving * vcpu_per_unit;
        if let (Some(spec), Some(s)) = (credits, state.as_mut()) {
            let outcome = s.step(spec, step_s, demand_vcpu / units);
            if outcome.throttled {
                capacity_vcpu = outcome.served_vcpu * units;
                throttled_s += step_s;
            }
            min_balance = min_balance.min(s.balance);
            // Surplus above 24 hours of earnings is charged at the end of each hour.
            let end_s = timeline.time_s(k + 1) - timeline.start_s;
            if end_s % 3600 == 0 || timeline.step_s > 3600 {
                charged_by_month[timeline.month_of(k)] += s.charge_hourly_excess(spec) * units;
            }
        }
        meter.record(step_s, demand_vcpu, capacity_vcpu, units);
    }
    FleetRun {
        capacity: meter.finish(if vcpu_ms > 0.0 { 1000.0 / vcpu_ms } else { 0.0 }),
        charged_by_month,
        credits: credits
            .zip(state)
            .map(|(spec, s)| (spec.mode, s, min_balance)),
        throttled_s,
        count: units,
    }
}

/// Load balancer, public addresses and root volumes of `units` instances or tasks kept
/// all of `month`.
fn attachment_lines(
    plan: &Plan,
    attachments: &Attachments,
    units: f64,
    month: &Month,
    rps: &[f64],
) -> Vec<LineItem> {
    let hours = month_hours(plan, month);
    let mut lines = Vec::new();
    if let Some(volume) = &attachments.root_volume {
        lines.extend(ebs::volume_lines(volume, units, 1.0, &attachments.ebs));
    }
    if let Some(alb) = &attachments.alb {
        lines.extend(elb::alb_lines(hours, alb_lcu_hours(plan, month, rps), *alb));
    }
    let addresses = units * attachments.public_ipv4_per_unit
        + if attachments.alb.is_some() {
            ALB_PUBLIC_IPV4_ADDRESSES
        } else {
            0.0
        };
    if addresses > 0.0 {
        lines.push(ebs::public_ipv4_line(
            addresses * hours,
            attachments.ipv4_usd_per_hour,
        ));
    }
    lines
}

/// LCU-hours of a month: AWS bills each hour on the largest dimension of that hour's
/// traffic, so steps are averaged per clock hour first (or, for steps longer than an
/// hour, each step's hours share its average).
fn alb_lcu_hours(plan: &Plan, month: &Month, rps: &[f64]) -> f64 {
    let step_s = plan.timeline.step_s;
    let steps_per_bucket = if 3600 % step_s == 0 {
        usize::try_from(3600 / step_s).unwrap_or(1)
    } else {
        1
    };
    #[allow(clippy::cast_precision_loss)]
    let bucket_hours = steps_per_bucket as f64 * plan.timeline.step_seconds() / 3600.0;
    let w = &plan.workload;
    rps[month.first_step..month.end_step]
        .chunks(steps_per_bucket)
        .map(|bucket| {
            #[allow(clippy::cast_precision_loss)]
            let mean = bucket.iter().sum::<f64>() / bucket.len() as f64;
            let traffic = elb::http_traffic(
                mean,
                w.request_kb + w.response_kb,
                w.requests_per_connection,
                w.connection_seconds,
                1.0,
            );
            elb::lcus(&traffic) * bucket_hours
        })
        .sum()
}

fn run_seconds_by_month(plan: &Plan) -> Vec<f64> {
    plan.timeline
        .months
        .iter()
        .map(|m| month_hours(plan, m) * 3600.0)
        .collect()
}

fn month_hours(plan: &Plan, month: &Month) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let steps = month.steps() as f64;
    steps * plan.timeline.step_seconds() / 3600.0
}

fn requests_in(plan: &Plan, month: &Month, rps: &[f64]) -> f64 {
    let step_s = plan.timeline.step_seconds();
    rps[month.first_step..month.end_step]
        .iter()
        .map(|r| r * step_s)
        .sum()
}
