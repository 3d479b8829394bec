//! Running a plan: demand through every option's capacity and billing models.
//!
//! This is the deterministic single-path run: the scenario's demand, exactly as given.
//! Every option sees the same demand series; each model in [`models`] turns it into
//! usage per calendar month, which the billing models price.

pub mod demand;
mod group;
mod models;
mod noise;

pub use group::LANES;
pub use models::{CreditStats, StepRecord};

use demand::{DemandLanes, DemandStream};
use models::{LanePaths, OptionRunner, TrafficLanes};
use noise::{NoiseLanes, NoiseState};

use serde::Serialize;

use crate::billing::{self, LineItem};
use crate::capacity::CapacityStats;
use crate::report::table::format_quantity;
use crate::scenario::{Plan, Slo};

/// The outcome of running a plan.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// `YYYY-MM` of each month of the horizon.
    pub months: Vec<String>,
    /// One result per option, in plan order.
    pub options: Vec<OptionResult>,
    /// Average demand over the horizon, requests per second.
    pub mean_requests_per_second: f64,
    /// The demand at every step (only from the recording runs).
    pub demand_rps: Vec<f64>,
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

/// Steps run per block: every lane's demand for a block is produced, then every option
/// advances through it. A block of 32 lanes is 512 KiB, so a path's demand is never
/// held whole (only when recording).
pub const BLOCK_STEPS: usize = 2048;

/// Runs every option of `plan` over its demand.
#[must_use]
pub fn run(plan: &Plan) -> RunResult {
    run_stream(
        plan,
        DemandStream::new(&plan.workload, &plan.timeline),
        false,
    )
}

/// Runs every option and keeps every step of each, with the demand (for `costcast
/// simulate`).
#[must_use]
pub fn run_recording(plan: &Plan) -> (RunResult, Vec<f64>) {
    let mut run = run_stream(
        plan,
        DemandStream::new(&plan.workload, &plan.timeline),
        true,
    );
    let demand = std::mem::take(&mut run.demand_rps);
    (run, demand)
}

/// Runs every option over one path's demand; keeps every step of each when `record`.
#[must_use]
pub fn run_stream(plan: &Plan, demand: DemandStream, record: bool) -> RunResult {
    run_lanes(vec![(plan, demand)], record).swap_remove(0)
}

/// Runs up to [`LANES`] paths (each a plan, drawn from one scenario, and its demand)
/// together, one result per path in the order given. Each path's result is exactly what
/// it would be alone.
///
/// # Panics
/// When `paths` is empty or holds more than [`LANES`] paths, or a demand stream does not
/// have one value per step of its plan's timeline.
#[must_use]
pub fn run_together(paths: Vec<(&Plan, DemandStream)>) -> Vec<RunResult> {
    run_lanes(paths, false)
}

fn run_lanes(paths: Vec<(&Plan, DemandStream)>, record: bool) -> Vec<RunResult> {
    // One path alone (a single run, `simulate`) runs on one lane, not with copies.
    if paths.len() == 1 {
        run_on_lanes::<1>(paths, record)
    } else {
        run_on_lanes::<LANES>(paths, record)
    }
}

fn run_on_lanes<const L: usize>(paths: Vec<(&Plan, DemandStream)>, record: bool) -> Vec<RunResult> {
    let real = paths.len();
    assert!(
        (1..=L).contains(&real),
        "invariant: 1 to {L} paths run together"
    );
    let steps = paths[0].0.timeline.steps;
    for (plan, demand) in &paths {
        assert!(
            plan.timeline.steps == steps && demand.steps() == steps,
            "invariant: one demand value per step"
        );
    }
    // Spare lanes repeat the last path; their results are dropped.
    let lanes = LanePaths {
        plans: std::array::from_fn(|l| paths[l.min(real - 1)].0),
        real,
    };
    let plan = paths[0].0;
    let mut streams: Vec<DemandStream> = paths.into_iter().map(|(_, d)| d).collect();
    // The noise of every lane runs together; spare lanes repeat the last path's. Without
    // noise on any lane, none is drawn: its factors would all be exactly 1.
    let taken: Vec<Option<NoiseState>> = streams.iter_mut().map(DemandStream::take_noise).collect();
    let mut noise = taken
        .iter()
        .any(Option::is_some)
        .then(|| NoiseLanes::<L>::new(std::array::from_fn(|l| taken[l.min(real - 1)].clone())));
    // only one path is recorded: runs that record run one
    let mut traffic = TrafficLanes::new(&lanes, record);
    let mut runners: Vec<OptionRunner<'_, L>> = (0..plan.options.len())
        .map(|i| OptionRunner::new(&lanes, i, record))
        .collect();
    let mut demand = DemandLanes::new(streams);
    let mut block: Vec<[f64; L]> = vec![[0.0; L]; BLOCK_STEPS.min(steps)];
    let mut first = 0;
    while first < steps {
        let n = BLOCK_STEPS.min(steps - first);
        demand.fill(&mut block[..n]);
        if let Some(noise) = &mut noise {
            noise.apply(&mut block[..n]);
        }
        traffic.add(&block[..n]);
        for runner in &mut runners {
            runner.advance(&block[..n]);
        }
        first += n;
    }
    let mut traffic = traffic.finish();
    let runs: Vec<_> = runners
        .into_iter()
        .map(|runner| runner.finish(&lanes, &traffic))
        .collect();
    let mut results: Vec<RunResult> = traffic
        .iter_mut()
        .zip(&lanes.plans)
        .map(|(t, p)| RunResult {
            months: p.timeline.months.iter().map(|m| m.label.clone()).collect(),
            options: Vec::with_capacity(p.options.len()),
            mean_requests_per_second: t.mean_requests_per_second,
            demand_rps: t.recorded.take().unwrap_or_default(),
        })
        .collect();
    for (i, option_runs) in runs.into_iter().enumerate() {
        for ((result, run), p) in results.iter_mut().zip(option_runs).zip(&lanes.plans) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mc::rng::path_rng;
    use crate::testing::plan;

    /// t3.micro instances on a month of one-minute steps at 40 req/s × 25 vCPU-ms (1 vCPU,
    /// a third per instance of three, above the 10% baseline) in four groups: a fixed
    /// fleet of three and an Auto Scaling group of three to six, each beside the same
    /// group with a daily schedule that restates its bounds. A schedule could move the
    /// bounds, so those two keep one ledger per instance; the fixed fleet keeps one for
    /// all three, the group one for its minimum of three. The fixed fleet never changes
    /// size, so its steps are also worked out by the steady group's own loop
    /// (`GroupLanes::steady_step`), the others' by the general one. `instance_type`
    /// and `mode` are the instances' type and credit mode.
    fn one_ledger_or_many(instance_type: &str, mode: &str) -> String {
        let option = |name: &str, extra: &str| {
            format!(
                "[[option]]\nname = \"{name}\"\nservice = \"ec2\"\ninstance_type = \"{instance_type}\"\n\
                 credit_mode = \"{mode}\"\npublic_ipv4 = false\n{extra}\n"
            )
        };
        let group = |max: u32, schedule: bool| {
            let mut text = format!("[option.autoscaling]\nmin = 3\nmax = {max}\ntarget = 50.0\n");
            if schedule {
                text += &format!(
                    "[[option.autoscaling.scheduled]]\nat_utc = \"00:00\"\nmin = 3\nmax = {max}\n"
                );
            }
            text
        };
        format!(
            "schema_version = 1\nname = \"ledgers\"\nstart = 2027-01-01\nhorizon_months = 1\n\
             step = \"1m\"\n[workload]\nvcpu_ms_per_request = 25.0\nduration_ms = 25.0\n\
             [workload.synthetic]\nrequests_per_second = 40.0\ndaily_amplitude = 0.5\n{}{}{}{}",
            option("fixed", "count = 3"),
            option("fixed-reference", &group(3, true)),
            option("scaled", &group(6, false)),
            option("scaled-reference", &group(6, true)),
        )
    }

    #[test]
    fn a_schedule_that_lifts_the_maximum_lets_the_policy_scale_out_past_it() {
        // Fargate tasks of 0.5 vCPU, 2 to 3 of them but up to 6 from 13:00 to 23:00, under
        // a daily cycle of 0.1 to 0.95 vCPU peaking at 20:00: with three tasks at the
        // peak (63%), target tracking wants a fourth, which only the schedule allows.
        // The scaling decision is asked only where it can change the size, within the
        // bounds as the schedule leaves them, not the option's own.
        let text = "schema_version = 1\nname = \"schedule\"\nstart = 2027-01-01\n\
             horizon_months = 1\nstep = \"1m\"\n[workload]\nvcpu_ms_per_request = 25.0\n\
             duration_ms = 25.0\n[workload.synthetic]\nrequests_per_second = 20.0\n\
             daily_amplitude = 0.9\npeak_hour_utc = 20.0\nweekend_factor = 1.0\n\
             [[option]]\nname = \"tasks\"\nservice = \"fargate\"\nvcpu = 0.5\n\
             memory_gb = 1\n[option.autoscaling]\nmin = 2\nmax = 3\ntarget = 50.0\n\
             [[option.autoscaling.scheduled]]\nat_utc = \"13:00\"\nmin = 2\nmax = 6\n\
             [[option.autoscaling.scheduled]]\nat_utc = \"23:00\"\nmin = 2\nmax = 3\n";
        let (run, _) = run_recording(&plan(text));
        let steps = &run.options[0].steps;
        let running =
            |day: usize, hour: usize, minute: usize| steps[day * 1440 + hour * 60 + minute].running;
        for day in [1, 2, 17] {
            assert!(running(day, 12, 0) <= 3.0, "day {day}, 12:00");
            assert!(running(day, 20, 30) >= 4.0, "day {day}, 20:30");
            assert!(running(day, 23, 1) <= 3.0, "day {day}, 23:01");
        }
        // beyond the option's maximum only while the schedule allows it (a step's size
        // is the one it starts with: the 23:00 action takes effect at its end)
        for (k, step) in steps.iter().enumerate() {
            let minute = k % 1440;
            if !(13 * 60..=23 * 60).contains(&minute) {
                assert!(step.running <= 3.0, "step {k}");
            }
        }
    }

    #[test]
    fn members_kept_as_one_ledger_match_one_ledger_each() {
        // Every figure must be the same, to the bit, in both credit modes and with T2
        // launch credits, whether the first three instances keep one ledger or three.
        // In standard mode the credits run out and the group scales out and in, so
        // instances come and go beside the shared ledger.
        for (instance_type, mode) in [
            ("t3.micro", "unlimited"),
            ("t3.micro", "standard"),
            ("t2.micro", "standard"),
        ] {
            let plan = plan(&one_ledger_or_many(instance_type, mode));
            let run = run(&plan);
            // and on the Monte Carlo run's lanes (vector code), three paths with noise
            let paths = (0..3)
                .map(|p| {
                    let demand = DemandStream::new(&plan.workload, &plan.timeline);
                    (&plan, demand.with_noise(0.3, 0.9, path_rng(7, p)))
                })
                .collect();
            let noisy = run_together(paths);
            for run in std::iter::once(&run).chain(&noisy) {
                let [fixed, fixed_reference, scaled, scaled_reference] = &run.options[..] else {
                    panic!("four options")
                };
                for (one, many) in [(fixed, fixed_reference), (scaled, scaled_reference)] {
                    let name = &one.name;
                    assert_eq!(one.months, many.months, "{instance_type} {mode} {name}");
                    assert_eq!(one.capacity, many.capacity, "{instance_type} {mode} {name}");
                    assert_eq!(one.credits, many.credits, "{instance_type} {mode} {name}");
                }
            }
            assert_ne!(noisy[0].options[0].capacity, noisy[1].options[0].capacity);
            let [fixed, _, scaled, _] = &run.options[..] else {
                panic!("four options")
            };
            let peak = scaled.capacity.peak_instances.expect("instances");
            if mode == "standard" {
                assert!(peak > 3.0, "{mode}: {peak}");
            } else {
                assert_eq!(peak, 3.0);
            }
            let credits = fixed.credits.expect("burstable instances earn credits");
            if mode == "unlimited" {
                // each instance spends a third of 1 vCPU × 60 = 20 credits an hour at
                // the mean and earns 12 (t3.micro): some 8 × 720 × 3 surplus charged
                assert!(
                    (15_000.0..18_000.0).contains(&credits.surplus_charged_credits),
                    "{credits:?}"
                );
            } else {
                assert!(credits.throttled_minutes > 0.0, "{credits:?}");
            }
        }
    }
}
