//! One function per option model: demand in, monthly bills and capacity out.
//!
//! Each model measures usage per calendar month from the demand series (fleets through
//! the scaling engine in [`super::group`]) and hands it to the billing functions; none
//! of them prices anything itself.

use serde::Serialize;

use super::group::{GroupInputs, GroupLanes, GroupRun, LaneInputs};
use crate::billing::burst;
use crate::billing::elb;
use crate::billing::{
    LineItem, apigw, containers, continuous_run_by_month, ebs, ec2, fargate, lambda, lightsail,
    total_usd,
};
use crate::capacity::autoscale::{GroupSpec, Metric};
use crate::capacity::{CapacityMeter, CapacityStats};
use crate::catalog::CreditMode;
use crate::lanes::Lanes;
use crate::scenario::options::{
    ALB_PUBLIC_IPV4_ADDRESSES, Attachments, Ec2FleetPlan, FargatePlan, LambdaPlan, LightsailPlan,
};
use crate::scenario::{Month, OptionModel, Plan};

/// What one option's model produced.
#[derive(Debug, Clone)]
pub(super) struct ModelRun {
    /// The bill of each month.
    pub months: Vec<Vec<LineItem>>,
    /// What it served.
    pub capacity: CapacityStats,
    /// CPU credits (burstable instances) or burst capacity (Lightsail).
    pub credits: Option<CreditStats>,
    /// Each step, when asked for.
    pub steps: Vec<StepRecord>,
}

/// The paths a model runs on together: lane `l` is one path's plan. Only the first
/// `real` lanes are wanted; the others repeat a path to fill the lanes.
pub(super) struct LanePaths<'a, const L: usize> {
    /// Each lane's plan (the scenario with the path's drawn values).
    pub plans: [&'a Plan; L],
    /// Lanes whose results are wanted.
    pub real: usize,
}

impl<'a, const L: usize> LanePaths<'a, L> {
    /// What every lane's group shares, and what differs per lane.
    fn lane_inputs(
        &self,
        deployments: impl Fn(usize) -> Option<&'a crate::scenario::options::DeploymentPlan>,
        in_service_fraction: impl Fn(usize) -> f64,
    ) -> [LaneInputs<'a>; L] {
        std::array::from_fn(|l| LaneInputs {
            vcpu_ms_per_request: self.plans[l].workload.vcpu_ms_per_request,
            response_bytes: self.plans[l].workload.response_kb * 1000.0,
            in_service_fraction: in_service_fraction(l),
            deployments: deployments(l),
        })
    }

    /// Option `option` of every lane, as `pick` reads it (`None`: the lanes' plans
    /// disagree on the option's service, which paths of one scenario never do).
    fn option<T>(
        &self,
        option: usize,
        pick: impl Fn(&'a OptionModel) -> Option<&'a T>,
    ) -> [&'a T; L] {
        std::array::from_fn(|l| {
            pick(&self.plans[l].options[option].model)
                .expect("invariant: every path of a run has the same options")
        })
    }
}

/// One step of one option, for `costcast simulate`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StepRecord {
    /// Requests per second wanted.
    pub demand_rps: f64,
    /// Requests per second served.
    pub served_rps: f64,
    /// Requests per second the option could serve.
    pub capacity_rps: f64,
    /// Instances or tasks running and billed (0 for Lambda).
    pub running: f64,
    /// Instances or tasks serving (concurrent executions for Lambda).
    pub in_service: f64,
    /// Mean earned CPU-credit balance per instance.
    pub credit_balance: f64,
    /// Surplus credits outstanding, all instances.
    pub surplus_credits: f64,
    /// The step's share of its month's bill, in proportion to its usage
    /// (instance-seconds, or requests for Lambda); the shares add up to the bill.
    pub cost_usd: f64,
}

/// CPU credits of a burstable fleet over the horizon, for the whole fleet.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CreditStats {
    /// `standard` or `unlimited`.
    pub mode: &'static str,
    /// Smallest earned balance of any instance, credits.
    pub min_balance: f64,
    /// Mean earned balance per instance at the end, credits.
    pub end_balance: f64,
    /// Minutes (at step resolution) in which CPU credits held capacity below demand.
    pub throttled_minutes: f64,
    /// Surplus credits charged over the horizon (unlimited), all instances.
    pub surplus_charged_credits: f64,
    /// Surplus credits spent and still unpaid at the end, all instances: charged only if
    /// the instances are stopped (or switched to standard) before earnings pay them down.
    pub outstanding_surplus_credits: f64,
    /// Their cost if charged, USD.
    pub outstanding_surplus_usd: f64,
}

fn credit_stats(run: &GroupRun, usd_per_vcpu_hour: f64) -> Option<CreditStats> {
    let (mode, min_balance, end_balance, outstanding, throttled_s) = run.credits?;
    Some(CreditStats {
        mode: match mode {
            CreditMode::Standard => "standard",
            CreditMode::Unlimited => "unlimited",
        },
        min_balance,
        end_balance,
        throttled_minutes: throttled_s / 60.0,
        surplus_charged_credits: run.charged_credits_by_month.iter().sum(),
        outstanding_surplus_credits: outstanding,
        outstanding_surplus_usd: burst::surplus_cost_usd(outstanding, usd_per_vcpu_hour),
    })
}

/// One option's model on the lanes, fed block by block: a group through the scaling
/// engine (priced as an EC2 fleet or Beanstalk environment, an ECS service on Fargate,
/// or Lightsail instances), or Lambda functions, one per path.
pub(super) enum OptionRunner<'a, const L: usize> {
    /// EC2 fleets and Beanstalk environments.
    Ec2([&'a Ec2FleetPlan; L], GroupLanes<'a, L>),
    /// ECS services on Fargate.
    Fargate([&'a FargatePlan; L], GroupLanes<'a, L>),
    /// Lightsail instances.
    Lightsail([&'a LightsailPlan; L], GroupLanes<'a, L>),
    /// Lambda functions.
    Lambda(LambdaLanes<'a, L>),
}

impl<'a, const L: usize> OptionRunner<'a, L> {
    /// Option `option` of the lanes' plans, at the start of the horizon.
    pub(super) fn new(
        paths: &LanePaths<'a, L>,
        option: usize,
        record: bool,
    ) -> OptionRunner<'a, L> {
        let timeline = &paths.plans[0].timeline;
        match &paths.plans[0].options[option].model {
            OptionModel::Ec2Fleet(_) => {
                let fleets = paths.option(option, |m| match m {
                    OptionModel::Ec2Fleet(f) => Some(f),
                    _ => None,
                });
                let fleet = fleets[0];
                let inputs = GroupInputs {
                    spec: fleet.group.clone(),
                    vcpu_per_unit: fleet.vcpu,
                    credits: fleet.credits.as_ref().map(|(spec, _)| spec),
                    billed_per_run: fleet.rates.os.billed_per_run(),
                    metric: fleet.metric,
                    lanes: paths.lane_inputs(|l| fleets[l].deployments.as_ref(), |_| 1.0),
                };
                OptionRunner::Ec2(fleets, GroupLanes::new(timeline, inputs, record))
            }
            OptionModel::Fargate(_) => {
                let services = paths.option(option, |m| match m {
                    OptionModel::Fargate(f) => Some(f),
                    _ => None,
                });
                let service = services[0];
                let inputs = GroupInputs {
                    spec: service.group.clone(),
                    vcpu_per_unit: service.size.vcpu,
                    credits: None,
                    billed_per_run: fargate::billed_seconds_per_task,
                    metric: service.metric,
                    lanes: paths.lane_inputs(|_| None, |l| services[l].in_service_fraction),
                };
                OptionRunner::Fargate(services, GroupLanes::new(timeline, inputs, record))
            }
            OptionModel::Lightsail(_) => {
                let all = paths.option(option, |m| match m {
                    OptionModel::Lightsail(f) => Some(f),
                    _ => None,
                });
                let instances = all[0];
                let inputs = GroupInputs {
                    spec: GroupSpec::fixed(instances.count),
                    vcpu_per_unit: instances.vcpu,
                    credits: Some(&instances.credits),
                    billed_per_run: |s| s,
                    metric: Metric::Cpu,
                    lanes: paths.lane_inputs(|_| None, |_| 1.0),
                };
                OptionRunner::Lightsail(all, GroupLanes::new(timeline, inputs, record))
            }
            OptionModel::Lambda(_) => {
                let functions = paths.option(option, |m| match m {
                    OptionModel::Lambda(f) => Some(f),
                    _ => None,
                });
                OptionRunner::Lambda(LambdaLanes::new(paths, functions, record))
            }
        }
    }

    /// Runs the next steps: `block[i][l]` is lane `l`'s requests per second.
    // Out of line: inlined into the block loop with every option's step, the run took 36%
    // longer (the compiler does so on its own after unrelated edits of the step).
    #[inline(never)]
    pub(super) fn advance(&mut self, block: &[[f64; L]]) {
        match self {
            OptionRunner::Ec2(_, group)
            | OptionRunner::Fargate(_, group)
            | OptionRunner::Lightsail(_, group) => group.advance(block),
            OptionRunner::Lambda(functions) => functions.advance(block),
        }
    }

    /// The wanted lanes' results, priced, after the last step.
    pub(super) fn finish(self, paths: &LanePaths<'a, L>, traffic: &[Traffic]) -> Vec<ModelRun> {
        let price = |runs: Vec<GroupRun>, price: &dyn Fn(usize, GroupRun) -> ModelRun| {
            runs.into_iter()
                .take(paths.real)
                .enumerate()
                .map(|(l, run)| price(l, run))
                .collect()
        };
        match self {
            OptionRunner::Ec2(fleets, group) => price(group.finish(), &|l, run| {
                price_ec2_fleet(paths.plans[l], fleets[l], &traffic[l], run)
            }),
            OptionRunner::Fargate(services, group) => price(group.finish(), &|l, run| {
                price_fargate(paths.plans[l], services[l], &traffic[l], run)
            }),
            OptionRunner::Lightsail(all, group) => price(group.finish(), &|l, run| {
                price_lightsail(paths.plans[l], all[l], &traffic[l], run)
            }),
            OptionRunner::Lambda(functions) => functions.finish(),
        }
    }
}

/// What one path's demand adds up to for the parts of a bill that follow traffic rather
/// than capacity: requests and ALB LCU-hours per calendar month (and, when recording,
/// the demand itself).
pub(super) struct Traffic {
    requests_by_month: Vec<f64>,
    lcu_hours_by_month: Vec<f64>,
    /// Average requests per second over the horizon.
    pub mean_requests_per_second: f64,
    /// Every step's requests per second, when recording.
    pub recorded: Option<Vec<f64>>,
}

/// [`Traffic`] accumulated on every lane as the demand passes, block by block.
pub(super) struct TrafficLanes<const L: usize> {
    requests_by_month: Vec<[f64; L]>,
    lcu_hours_by_month: Vec<[f64; L]>,
    sum_rps: Lanes<f64, L>,
    bucket_sum: Lanes<f64, L>,
    /// Lane 0's demand, when recording.
    recorded: Option<Vec<f64>>,
    step_s: f64,
    /// Month ends, as step indices.
    month_ends: Vec<usize>,
    /// Steps of a clock hour (AWS bills LCUs per hour on the hour's traffic), or 1 when
    /// steps do not divide an hour; and the hours one such bucket covers.
    steps_per_bucket: usize,
    bucket_hours: f64,
    bucket_len: usize,
    month: usize,
    next_step: usize,
    /// Each wanted lane's request and response size, kB; requests per connection;
    /// connection length, s.
    http: Vec<(f64, f64, f64)>,
}

impl<const L: usize> TrafficLanes<L> {
    /// Nothing yet, for the lanes' workloads.
    pub(super) fn new(paths: &LanePaths<'_, L>, record: bool) -> TrafficLanes<L> {
        let timeline = &paths.plans[0].timeline;
        let step_s = timeline.step_s;
        let steps_per_bucket = if 3600 % step_s == 0 {
            usize::try_from(3600 / step_s).unwrap_or(1)
        } else {
            1
        };
        #[allow(clippy::cast_precision_loss)]
        let bucket_hours = steps_per_bucket as f64 * timeline.step_seconds() / 3600.0;
        let months = timeline.months.len();
        TrafficLanes {
            requests_by_month: vec![[0.0; L]; months],
            lcu_hours_by_month: vec![[0.0; L]; months],
            sum_rps: Lanes([0.0; L]),
            bucket_sum: Lanes([0.0; L]),
            recorded: record.then(|| Vec::with_capacity(timeline.steps)),
            step_s: timeline.step_seconds(),
            month_ends: timeline.months.iter().map(|m| m.end_step).collect(),
            steps_per_bucket,
            bucket_hours,
            bucket_len: 0,
            month: 0,
            next_step: 0,
            http: paths.plans[..paths.real]
                .iter()
                .map(|p| {
                    let w = &p.workload;
                    (
                        w.request_kb + w.response_kb,
                        w.requests_per_connection,
                        w.connection_seconds,
                    )
                })
                .collect(),
        }
    }

    /// Adds the next steps: `block[i][l]` is lane `l`'s requests per second.
    pub(super) fn add(&mut self, block: &[[f64; L]]) {
        for rps in block {
            let requests = &mut self.requests_by_month[self.month];
            for l in 0..L {
                self.sum_rps[l] += rps[l];
                requests[l] += rps[l] * self.step_s;
                self.bucket_sum[l] += rps[l];
            }
            self.bucket_len += 1;
            let month_ends = self.next_step + 1 == self.month_ends[self.month];
            if self.bucket_len == self.steps_per_bucket || month_ends {
                self.close_bucket();
            }
            if month_ends && self.month + 1 < self.month_ends.len() {
                self.month += 1;
            }
            self.next_step += 1;
        }
        if let Some(recorded) = &mut self.recorded {
            recorded.extend(block.iter().map(|rps| rps[0]));
        }
    }

    /// LCU-hours of the bucket just ended, from its average traffic.
    fn close_bucket(&mut self) {
        #[allow(clippy::cast_precision_loss)]
        let len = self.bucket_len as f64;
        for (l, &(kb, per_connection, connection_s)) in self.http.iter().enumerate() {
            let mean = self.bucket_sum[l] / len;
            let traffic = elb::http_traffic(mean, kb, per_connection, connection_s, 1.0);
            self.lcu_hours_by_month[self.month][l] += elb::lcus(&traffic) * self.bucket_hours;
        }
        self.bucket_sum = Lanes([0.0; L]);
        self.bucket_len = 0;
    }

    /// Each wanted lane's traffic, after the last step.
    pub(super) fn finish(mut self) -> Vec<Traffic> {
        #[allow(clippy::cast_precision_loss)]
        let steps = self.next_step.max(1) as f64;
        let mut recorded = self.recorded.take();
        (0..self.http.len())
            .map(|l| Traffic {
                requests_by_month: self.requests_by_month.iter().map(|m| m[l]).collect(),
                lcu_hours_by_month: self.lcu_hours_by_month.iter().map(|m| m[l]).collect(),
                mean_requests_per_second: self.sum_rps[l] / steps,
                recorded: if l == 0 { recorded.take() } else { None },
            })
            .collect()
    }
}

fn price_ec2_fleet(
    plan: &Plan,
    fleet: &Ec2FleetPlan,
    traffic: &Traffic,
    run: GroupRun,
) -> ModelRun {
    let months: Vec<Vec<LineItem>> = plan
        .timeline
        .months
        .iter()
        .enumerate()
        .map(|(m, month)| {
            let seconds = run.billed_seconds_by_month[m];
            let mut lines = vec![ec2::instance_line(
                &fleet.instance_type,
                seconds,
                fleet.rates,
            )];
            if let Some((spec, usd_per_vcpu_hour)) = &fleet.credits
                && spec.mode == CreditMode::Unlimited
                && run.charged_credits_by_month[m] > 0.0
            {
                lines.push(LineItem::priced(
                    format!(
                        "CPU credits (unlimited surplus, {})",
                        fleet.rates.os.label()
                    ),
                    run.charged_credits_by_month[m] / 60.0,
                    "vCPU-hours",
                    *usd_per_vcpu_hour,
                ));
            }
            lines.extend(attachment_lines(
                plan,
                &fleet.attachments,
                seconds / 3600.0,
                (m, month),
                traffic,
            ));
            lines
        })
        .collect();
    let credits = credit_stats(&run, fleet.credits.map_or(0.0, |(_, rate)| rate));
    finish(plan, months, run, credits, traffic)
}

fn price_fargate(plan: &Plan, service: &FargatePlan, traffic: &Traffic, run: GroupRun) -> ModelRun {
    let months = plan
        .timeline
        .months
        .iter()
        .enumerate()
        .map(|(m, month)| {
            let seconds = run.billed_seconds_by_month[m];
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
                seconds / 3600.0,
                (m, month),
                traffic,
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
    finish(plan, months, run, None, traffic)
}

fn price_lightsail(
    plan: &Plan,
    instances: &LightsailPlan,
    traffic: &Traffic,
    run: GroupRun,
) -> ModelRun {
    let count = f64::from(instances.count);
    let months = plan
        .timeline
        .months
        .iter()
        .enumerate()
        .map(|(m, month)| {
            let hours = month_hours(plan, month);
            let requests = traffic.requests_by_month[m];
            let out_gb = requests * plan.workload.response_kb * 1000.0 / 1e9;
            let in_gb = requests * plan.workload.request_kb * 1000.0 / 1e9;
            let mut lines = vec![
                lightsail::plan_line(count, hours, hours, &instances.rates),
                lightsail::overage_line(count, out_gb, in_gb, &instances.rates),
            ];
            if let Some(price) = instances.load_balancer_usd_per_month {
                lines.push(lightsail::load_balancer_line(1.0, hours, hours, price));
            }
            lines
        })
        .collect();
    let credits = credit_stats(&run, 0.0);
    finish(plan, months, run, credits, traffic)
}

/// The run of a group as a model run: per-step records with each step's share of its
/// month's bill by instance-seconds.
fn finish(
    plan: &Plan,
    months: Vec<Vec<LineItem>>,
    run: GroupRun,
    credits: Option<CreditStats>,
    traffic: &Traffic,
) -> ModelRun {
    let rps = traffic.recorded.as_deref().unwrap_or_default();
    let per_request_vcpu = plan.workload.vcpu_ms_per_request / 1000.0;
    let to_rps = |vcpu: f64| {
        if per_request_vcpu > 0.0 {
            vcpu / per_request_vcpu
        } else {
            0.0
        }
    };
    let mut steps: Vec<StepRecord> = run
        .steps
        .iter()
        .zip(rps)
        .map(|(s, r)| StepRecord {
            demand_rps: *r,
            // all of it when nothing was short (no round trip through vCPUs)
            served_rps: if s.served_vcpu >= *r * per_request_vcpu {
                *r
            } else {
                to_rps(s.served_vcpu)
            },
            capacity_rps: to_rps(s.capacity_vcpu),
            running: s.running,
            in_service: s.in_service,
            credit_balance: s.credit_balance,
            surplus_credits: s.surplus_credits,
            cost_usd: 0.0,
        })
        .collect();
    allocate_costs(plan, &months, &mut steps, |s| s.running);
    ModelRun {
        months,
        capacity: run.capacity,
        credits,
        steps,
    }
}

/// Spreads each month's bill over its steps in proportion to `weight`.
fn allocate_costs(
    plan: &Plan,
    months: &[Vec<LineItem>],
    steps: &mut [StepRecord],
    weight: fn(&StepRecord) -> f64,
) {
    if steps.is_empty() {
        return;
    }
    for (month, bill) in plan.timeline.months.iter().zip(months) {
        let slice = &mut steps[month.first_step..month.end_step];
        let total_weight: f64 = slice.iter().map(weight).sum();
        let usd = total_usd(bill);
        #[allow(clippy::cast_precision_loss)]
        let even = usd / slice.len().max(1) as f64;
        for s in slice.iter_mut() {
            s.cost_usd = if total_weight > 0.0 {
                usd * weight(s) / total_weight
            } else {
                even
            };
        }
    }
}

/// Lambda on the lanes: each step's arrivals need `rate × duration` concurrent
/// executions; above the concurrency limit the excess is throttled (unserved, and not
/// billed). Provisioned concurrency serves what it can and the rest spills over to
/// on-demand. Usage is priced as each calendar month ends.
pub(super) struct LambdaLanes<'a, const L: usize> {
    plans: [&'a Plan; L],
    functions: [&'a LambdaPlan; L],
    real: usize,
    record: bool,
    step_s: f64,
    billed_ms: Lanes<f64, L>,
    duration_s: Lanes<f64, L>,
    limit: Lanes<f64, L>,
    /// Whether any lane has provisioned concurrency (else every step is on demand).
    provisioned: bool,
    /// Each wanted lane's billed seconds of provisioned concurrency per month.
    provisioned_seconds: Vec<Vec<f64>>,
    meter: CapacityMeter<L>,
    month: usize,
    next_step: usize,
    /// This month's request-seconds served on demand and on provisioned concurrency,
    /// and requests arrived.
    on_demand: Lanes<f64, L>,
    on_provisioned: Lanes<f64, L>,
    arrived: Lanes<f64, L>,
    /// Each wanted lane's bill per month so far.
    months: Vec<Vec<Vec<LineItem>>>,
    /// Lane 0's steps, when recording.
    steps: Vec<StepRecord>,
}

impl<'a, const L: usize> LambdaLanes<'a, L> {
    fn new(
        paths: &LanePaths<'a, L>,
        functions: [&'a LambdaPlan; L],
        record: bool,
    ) -> LambdaLanes<'a, L> {
        let plan = paths.plans[0];
        let billed_ms: [f64; L] =
            std::array::from_fn(|l| lambda::billed_duration_ms(functions[l].config.duration_ms));
        let provisioned_seconds = (0..paths.real)
            .map(|l| {
                let p = paths.plans[l];
                if functions[l].config.provisioned_concurrency > 0.0 {
                    continuous_run_by_month(
                        1.0,
                        &run_seconds_by_month(p),
                        lambda::provisioned_billed_seconds,
                    )
                } else {
                    vec![0.0; p.timeline.months.len()]
                }
            })
            .collect();
        LambdaLanes {
            plans: paths.plans,
            functions,
            real: paths.real,
            record,
            step_s: plan.timeline.step_seconds(),
            billed_ms: Lanes(billed_ms),
            duration_s: Lanes(billed_ms.map(|ms| ms / 1000.0)),
            limit: Lanes(functions.map(|f| f.concurrency_limit)),
            provisioned: functions
                .iter()
                .any(|f| f.config.provisioned_concurrency > 0.0),
            provisioned_seconds,
            meter: CapacityMeter::for_concurrency(),
            month: 0,
            next_step: 0,
            on_demand: Lanes([0.0; L]),
            on_provisioned: Lanes([0.0; L]),
            arrived: Lanes([0.0; L]),
            months: vec![Vec::with_capacity(plan.timeline.months.len()); paths.real],
            steps: Vec::with_capacity(if record { plan.timeline.steps } else { 0 }),
        }
    }

    fn advance(&mut self, block: &[[f64; L]]) {
        let step_s = self.step_s;
        for rps in block {
            let wanted: [f64; L] =
                std::array::from_fn(|l| lambda::concurrency_billed(rps[l], self.billed_ms[l]));
            self.meter.record(step_s, &wanted, &self.limit, &[0.0; L]);
            let served: [f64; L] = std::array::from_fn(|l| {
                if wanted[l] > self.limit[l] {
                    rps[l] * self.limit[l] / wanted[l]
                } else {
                    rps[l]
                }
            });
            let share: [f64; L] = if self.provisioned {
                std::array::from_fn(|l| self.functions[l].config.provisioned_share(served[l]))
            } else {
                [0.0; L]
            };
            for l in 0..L {
                self.arrived[l] += rps[l] * step_s;
                self.on_provisioned[l] += served[l] * share[l] * step_s;
                self.on_demand[l] += served[l] * (1.0 - share[l]) * step_s;
            }
            if self.record {
                self.steps.push(StepRecord {
                    demand_rps: rps[0],
                    served_rps: served[0],
                    capacity_rps: if self.duration_s[0] > 0.0 {
                        self.limit[0] / self.duration_s[0]
                    } else {
                        f64::INFINITY
                    },
                    running: 0.0,
                    in_service: wanted[0].min(self.limit[0]),
                    credit_balance: 0.0,
                    surplus_credits: 0.0,
                    cost_usd: 0.0,
                });
            }
            self.next_step += 1;
            if self.next_step == self.plans[0].timeline.months[self.month].end_step {
                self.close_month();
            }
        }
    }

    /// Prices the month just ended on every wanted lane.
    fn close_month(&mut self) {
        for l in 0..self.real {
            let function = self.functions[l];
            let usage = function.config.month(
                self.on_demand[l],
                self.on_provisioned[l],
                self.provisioned_seconds[l][self.month],
            );
            let mut lines =
                lambda::bill_month(&[usage], &function.rates, function.free_tier).swap_remove(0);
            if let Some((api, free_tier)) = &function.api {
                // API Gateway bills every request it receives, throttled by Lambda or not.
                lines.extend(apigw::request_lines(self.arrived[l], api, *free_tier));
            }
            self.months[l].push(lines);
        }
        self.on_demand = Lanes([0.0; L]);
        self.on_provisioned = Lanes([0.0; L]);
        self.arrived = Lanes([0.0; L]);
        self.month += 1;
    }

    fn finish(mut self) -> Vec<ModelRun> {
        let mut steps = std::mem::take(&mut self.steps);
        let months = std::mem::take(&mut self.months);
        months
            .into_iter()
            .enumerate()
            .map(|(l, months)| {
                let mut steps = if l == 0 {
                    std::mem::take(&mut steps)
                } else {
                    Vec::new()
                };
                allocate_costs(self.plans[l], &months, &mut steps, |s| s.demand_rps);
                ModelRun {
                    months,
                    capacity: self.meter.finish_concurrency_lane(l, self.duration_s[l]),
                    credits: None,
                    steps,
                }
            })
            .collect()
    }
}

/// Load balancer, public addresses and root volumes of instances or tasks that ran
/// `unit_hours` in `month`.
fn attachment_lines(
    plan: &Plan,
    attachments: &Attachments,
    unit_hours: f64,
    (m, month): (usize, &Month),
    traffic: &Traffic,
) -> Vec<LineItem> {
    let hours = month_hours(plan, month);
    let mut lines = Vec::new();
    if let Some(volume) = &attachments.root_volume {
        // A volume lives as long as its instance: instance-hours over the month's hours.
        lines.extend(ebs::volume_lines(
            volume,
            unit_hours / hours,
            1.0,
            &attachments.ebs,
        ));
    }
    if let Some(alb) = &attachments.alb {
        lines.extend(elb::alb_lines(hours, traffic.lcu_hours_by_month[m], *alb));
    }
    let address_hours = unit_hours * attachments.public_ipv4_per_unit
        + if attachments.alb.is_some() {
            ALB_PUBLIC_IPV4_ADDRESSES * hours
        } else {
            0.0
        };
    if address_hours > 0.0 {
        lines.push(ebs::public_ipv4_line(
            address_hours,
            attachments.ipv4_usd_per_hour,
        ));
    }
    lines
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
