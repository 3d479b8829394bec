//! A group of instances or tasks over the horizon: the scaling engine's counts, each
//! member's CPU credits, capacity against demand, deployments, and billed time.
//!
//! Fixed fleets, Auto Scaling groups, Beanstalk environments, Lightsail instances and
//! ECS services all run through here; the callers only price what it measured.
//!
//! # Lanes
//!
//! A group runs on `L` Monte Carlo paths at once ([`LANES`] in a Monte Carlo run, one
//! for a single run), in lockstep: time is the outer loop and the paths the inner one,
//! and every per-member quantity (launch time, credit balance, surplus) is an array with
//! one value per path. The member and credit updates are written without branches, so
//! the loop over paths is a handful of vector instructions. What happens rarely and
//! differs per path (a scaling decision, a launch, a deployment) is done path by path.
//! Each path computes exactly what it would alone: nothing crosses from one lane to
//! another, so a path's bits do not depend on its lane or on the other paths beside it.
//! Fewer paths than lanes fill the spare lanes with copies of the last one, whose
//! results are dropped.
//!
//! A step's rules are applied lane by lane in as few loops over the lanes as they
//! allow (a group that never changes size: one, [`steady_lanes`]), not one pass per
//! rule: a pass stores its quantities for every lane for the next one to load back,
//! and the development machine's CPU (AMD Zen 4) issues a 512-bit store only every
//! other cycle.

use crate::billing::burst::{self, CreditSpec, CreditState, LedgerKind, StepLength};
use crate::capacity::autoscale::{
    self, Alarms, CooldownClocks, Group, GroupSpec, Metric, MetricInputs, Policy, ScheduledAction,
};
use crate::capacity::{self, CapacityMeter, CapacityStats};
use crate::catalog::CreditMode;
use crate::lanes::{Lanes, lanes_in};
use crate::scenario::Timeline;
use crate::scenario::options::{DeploymentClocks, DeploymentPlan, DeploymentPolicy};

/// Paths advanced together: four 512-bit vectors of `f64` per quantity, enough to pay
/// for the work done once per step whatever the lanes (month and hour bookkeeping,
/// the alarm check), while a group's per-step state stays in the first-level cache.
/// Measured on the default scenario, one thread: 8 lanes 44 ms a path, 16 lanes 36 ms,
/// 32 lanes 28 ms, 64 lanes 37 ms. Results do not depend on it.
pub const LANES: usize = 32;

/// What drives a group, common to every lane.
pub(super) struct GroupInputs<'a, const L: usize> {
    /// Size and scaling.
    pub spec: GroupSpec,
    /// vCPUs per member.
    pub vcpu_per_unit: f64,
    /// CPU credits per member, for burstable instances and Lightsail.
    pub credits: Option<&'a CreditSpec>,
    /// The service's billing rule for one run (minimums, rounding).
    pub billed_per_run: fn(f64) -> f64,
    /// The metric the policy scales on (ignored for fixed groups).
    pub metric: Metric,
    /// What differs from path to path.
    pub lanes: [LaneInputs<'a>; L],
}

/// What drives a group on one path.
#[derive(Clone, Copy)]
pub(super) struct LaneInputs<'a> {
    /// CPU time one request needs, ms.
    pub vcpu_ms_per_request: f64,
    /// Bytes of one response.
    pub response_bytes: f64,
    /// Share of the time a member serves (Spot interruptions), 1 otherwise.
    pub in_service_fraction: f64,
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

/// A group's run over the horizon, on one path.
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
    /// Each step, when asked for (lane 0 only).
    pub steps: Vec<GroupStep>,
}

/// The members of a group on every lane: slot `s` of lane `l` is the `s`-th oldest
/// member on path `l`, or empty (launched and in service at +∞).
///
/// The first slot stands for all the members launched at the start that can never be
/// terminated (the group's minimum, or all of a group that never changes size): launched
/// together and sharing the demand evenly, their ledgers stay identical, so one is
/// worked out for all of them (half the credit work of a group of two). Member `m` after
/// them is in slot `m − first + 1`.
struct Members<const L: usize> {
    /// Slots in use on at least one lane.
    live: usize,
    /// Members the first slot stands for (1 when it stands for one, like the others).
    first: usize,
    launched_s: Vec<Lanes<f64, L>>,
    in_service_s: Vec<Lanes<f64, L>>,
    balance: Vec<Lanes<f64, L>>,
    launch_credits: Vec<Lanes<f64, L>>,
    surplus: Vec<Lanes<f64, L>>,
}

impl<const L: usize> Members<L> {
    /// The groups' members at the start, the first `first` of them in the first slot.
    /// Every lane's group must start with at least `first` members and never go below.
    fn new(groups: &[Group], credits: Option<&CreditSpec>, first: usize) -> Members<L> {
        let size = groups.iter().map(|g| g.members.len()).max().unwrap_or(0);
        let mut members = Members {
            live: 0,
            first: first.clamp(1, size.max(1)),
            launched_s: Vec::new(),
            in_service_s: Vec::new(),
            balance: Vec::new(),
            launch_credits: Vec::new(),
            surplus: Vec::new(),
        };
        let slots = members.slots_of(size);
        members.grow(slots);
        for (lane, group) in groups.iter().enumerate() {
            for slot in 0..members.slots_of(group.members.len()) {
                let member = group.members[slot + members.first - 1];
                members.fill(slot, lane, member.launched_s, member.in_service_s, credits);
            }
        }
        members.live = slots;
        members
    }

    /// Slots holding a lane's `n` members.
    fn slots_of(&self, n: usize) -> usize {
        n.saturating_sub(self.first - 1)
    }

    /// The slot of a lane's `member`-th member (from 0), one not in the first slot.
    fn slot_of(&self, member: usize) -> usize {
        assert!(
            member >= self.first || self.first == 1,
            "invariant: the first slot's members are never launched or terminated"
        );
        member + 1 - self.first
    }

    /// Members slot `slot` stands for.
    fn weight(&self, slot: usize) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let first = self.first as f64;
        if slot == 0 { first } else { 1.0 }
    }

    fn grow(&mut self, slots: usize) {
        if slots > self.launched_s.len() {
            self.launched_s.resize(slots, Lanes([f64::INFINITY; L]));
            self.in_service_s.resize(slots, Lanes([f64::INFINITY; L]));
            self.balance.resize(slots, Lanes([0.0; L]));
            self.launch_credits.resize(slots, Lanes([0.0; L]));
            self.surplus.resize(slots, Lanes([0.0; L]));
        }
    }

    fn fill(
        &mut self,
        slot: usize,
        lane: usize,
        launched_s: f64,
        in_service_s: f64,
        credits: Option<&CreditSpec>,
    ) {
        let state = credits.map_or_else(CreditState::default, CreditState::launched);
        self.launched_s[slot][lane] = launched_s;
        self.in_service_s[slot][lane] = in_service_s;
        self.balance[slot][lane] = state.balance;
        self.launch_credits[slot][lane] = state.launch;
        self.surplus[slot][lane] = state.surplus;
    }

    /// Empties a slot; returns its surplus, charged on terminate.
    fn empty(&mut self, slot: usize, lane: usize) -> f64 {
        let surplus = self.surplus[slot][lane];
        self.launched_s[slot][lane] = f64::INFINITY;
        self.in_service_s[slot][lane] = f64::INFINITY;
        self.surplus[slot][lane] = 0.0;
        surplus
    }

    /// Members serving at `t` on each lane.
    fn serving(&self, t: f64) -> Lanes<f64, L> {
        let mut n = Lanes([0.0; L]);
        for (slot, in_service_s) in self.in_service_s[..self.live].iter().enumerate() {
            let weight = self.weight(slot);
            for l in 0..L {
                n[l] += serving_weight(in_service_s[l] <= t, weight);
            }
        }
        n
    }

    /// [`Members::serving`], and the capacity of those members without credits (all
    /// their vCPUs), in one loop per slot.
    fn serving_full_capacity(
        &self,
        vcpu_per_unit: f64,
        t: f64,
        fraction: &[f64; L],
    ) -> (Lanes<f64, L>, Lanes<f64, L>) {
        let mut n = Lanes([0.0; L]);
        let mut capacity = Lanes([0.0; L]);
        for (slot, in_service_s) in self.in_service_s[..self.live].iter().enumerate() {
            let weight = self.weight(slot);
            for l in 0..L {
                let serving = in_service_s[l] <= t;
                n[l] += serving_weight(serving, weight);
                capacity[l] += slot_capacity(serving, weight, vcpu_per_unit, fraction[l]);
            }
        }
        (n, capacity)
    }
}

/// Running totals of a group on every lane.
struct Totals<const L: usize> {
    billed_s: Vec<Lanes<f64, L>>,
    charged: Vec<Lanes<f64, L>>,
    min_balance: Lanes<f64, L>,
    throttled_s: Lanes<f64, L>,
}

/// Where a step stands in its clock hour: surplus credits are charged at the end of
/// each hour.
#[derive(Debug, Clone, Copy)]
struct HourClock {
    /// Steps divide an hour (then the horizon, which starts at midnight, has an hour
    /// end every `steps_per_hour` steps).
    whole_hours: bool,
    steps_per_hour: usize,
    steps_into_hour: usize,
}

impl HourClock {
    fn new(timeline: &Timeline) -> HourClock {
        HourClock {
            whole_hours: 3600 % timeline.step_s == 0,
            steps_per_hour: usize::try_from((3600 / timeline.step_s).max(1)).unwrap_or(1),
            steps_into_hour: 0,
        }
    }

    /// Whether step `k`, the step after the last one asked about, ends a clock hour.
    /// (Counted, not divided: a division per step is measurable here.)
    #[inline]
    fn ends_with(&mut self, timeline: &Timeline, k: usize) -> bool {
        self.steps_into_hour += 1;
        if self.whole_hours {
            let ends = self.steps_into_hour == self.steps_per_hour;
            if ends {
                self.steps_into_hour = 0;
            }
            ends
        } else {
            (timeline.time_s(k + 1) - timeline.start_s) % 3600 == 0 || timeline.step_s > 3600
        }
    }
}

/// A group running on `L` paths, fed block by block (see [`GroupLanes::advance`]).
pub(super) struct GroupLanes<'a, const L: usize> {
    inputs: GroupInputs<'a, L>,
    timeline: &'a Timeline,
    record_steps: bool,
    groups: Vec<Group>,
    members: Members<L>,
    alarms: Alarms<L>,
    /// Each lane's cooldown clocks, beside the groups (read at every datapoint).
    cooldowns: CooldownClocks<L>,
    /// Each lane's place in its deployment cycle.
    deployment_clocks: DeploymentClocks<L>,
    length: Option<StepLength>,
    meter: CapacityMeter<L>,
    totals: Totals<L>,
    recorded: Vec<GroupStep>,
    /// Members of each lane's group (kept beside the groups: read every step).
    sizes: Lanes<f64, L>,
    /// A fixed group with no schedule never changes size: no metric, no decision.
    scales: bool,
    /// A group that never changes size, has no deployments, keeps all its members in
    /// one slot and records no steps: each step is one loop over the lanes
    /// ([`GroupLanes::steady_step`]).
    steady: bool,
    has_schedule: bool,
    any_deployments: bool,
    /// The policy's metric period, s.
    period_s: f64,
    /// vCPU-seconds per request: a multiplication per step instead of a division.
    vcpu_s: Lanes<f64, L>,
    fraction: Lanes<f64, L>,
    response_bytes: Lanes<f64, L>,
    /// Where each step stands in its clock hour.
    hours: HourClock,
    month: usize,
    next_step: usize,
}

impl<'a, const L: usize> GroupLanes<'a, L> {
    /// The group at the start of the horizon on every lane.
    pub(super) fn new(
        timeline: &'a Timeline,
        inputs: GroupInputs<'a, L>,
        record_steps: bool,
    ) -> GroupLanes<'a, L> {
        let lanes = &inputs.lanes;
        let groups: Vec<Group> = (0..L).map(|_| Group::new(&inputs.spec)).collect();
        let has_schedule = !inputs.spec.scheduled.is_empty();
        let scales = !matches!(inputs.spec.policy, Policy::Fixed) || has_schedule;
        // The members launched at the start and never terminated: the minimum (all of
        // a group that never changes size), unless a schedule can lower it.
        let never_terminated = if has_schedule {
            1
        } else {
            usize::try_from(inputs.spec.min).unwrap_or(1)
        };
        let members = Members::new(&groups, inputs.credits, never_terminated);
        let any_deployments = lanes.iter().any(|l| l.deployments.is_some());
        let steady = !scales && !any_deployments && !record_steps && members.live == 1;
        let months = timeline.months.len();
        let vcpu_ms: [f64; L] = std::array::from_fn(|l| lanes[l].vcpu_ms_per_request);
        GroupLanes {
            timeline,
            record_steps,
            members,
            alarms: Alarms::new(&inputs.spec),
            cooldowns: CooldownClocks::new(),
            deployment_clocks: DeploymentClocks::new(std::array::from_fn(|l| lanes[l].deployments)),
            length: inputs
                .credits
                .map(|spec| StepLength::new(spec, timeline.step_seconds())),
            meter: CapacityMeter::for_instances(),
            totals: Totals {
                billed_s: vec![Lanes([0.0; L]); months],
                charged: vec![Lanes([0.0; L]); months],
                min_balance: Lanes([f64::INFINITY; L]),
                throttled_s: Lanes([0.0; L]),
            },
            recorded: Vec::with_capacity(if record_steps { timeline.steps } else { 0 }),
            scales,
            steady,
            has_schedule,
            any_deployments,
            period_s: inputs.spec.metric_period_s(),
            vcpu_s: Lanes(vcpu_ms.map(|ms| ms / 1000.0)),
            fraction: Lanes::from_fn(|l| lanes[l].in_service_fraction),
            response_bytes: Lanes::from_fn(|l| lanes[l].response_bytes),
            #[allow(clippy::cast_precision_loss)]
            sizes: Lanes::from_fn(|l| groups[l].members.len() as f64),
            hours: HourClock::new(timeline),
            month: 0,
            next_step: 0,
            groups,
            inputs,
        }
    }

    /// Runs the next `block.len()` steps: `block[i][l]` is lane `l`'s requests per second
    /// at the `i`-th of them.
    ///
    /// # Panics
    /// When the block runs past the horizon.
    pub(super) fn advance(&mut self, block: &[[f64; L]]) {
        let first = self.next_step;
        assert!(
            first + block.len() <= self.timeline.steps,
            "invariant: no demand past the horizon"
        );
        if self.steady {
            for (i, rps) in block.iter().enumerate() {
                self.steady_step(first + i, rps);
            }
        } else {
            for (i, rps) in block.iter().enumerate() {
                self.step(first + i, rps);
            }
        }
        self.next_step = first + block.len();
    }

    /// [`GroupLanes::step`] of a steady group (see [`GroupLanes::steady`]): the same
    /// rules on each lane, in the same order, worked out lane by lane in one loop
    /// ([`steady_lanes`]).
    #[inline]
    fn steady_step(&mut self, k: usize, rps: &[f64; L]) {
        let t = self.enter_step(k);
        let Self {
            inputs,
            timeline,
            members,
            length,
            meter,
            totals,
            sizes,
            vcpu_s,
            fraction,
            hours,
            month,
            ..
        } = self;
        let step_s = timeline.step_seconds();
        let group = SteadyGroup {
            t,
            step_s,
            weight: members.weight(0),
            vcpu_per_unit: inputs.vcpu_per_unit,
        };
        let lanes = SteadyLanes {
            rps,
            vcpu_s,
            fraction,
            sizes,
            in_service_s: &members.in_service_s[0],
            launched_s: &members.launched_s[0],
        };
        // (a group without credits passes its members' ledgers too: left unread)
        let (balance, launch, surplus) = (
            &mut members.balance[0].0,
            &mut members.launch_credits[0].0,
            &mut members.surplus[0].0,
        );
        let (min_balance, throttled_s) = (&mut totals.min_balance.0, &mut totals.throttled_s.0);
        let billed_s = &mut totals.billed_s[*month];
        // One loop for each kind of ledger, decided here, not lane by lane. `Some` is
        // written at each call: handed a `credits` it could not see to be `Some`, the
        // compiler ran every lane of the loop under a mask (EC2 alone 8% slower).
        macro_rules! with_ledgers {
            ($credits:expr, $with:literal, $unlimited:literal, $launch:literal) => {
                steady_lanes::<L, $with, $unlimited, $launch>(
                    &group,
                    &lanes,
                    $credits,
                    balance,
                    launch,
                    surplus,
                    min_balance,
                    throttled_s,
                    billed_s,
                    meter,
                )
            };
        }
        let bins = match inputs.credits.zip(length.as_ref()) {
            None => with_ledgers!(None, false, false, false),
            Some(credits) => match LedgerKind::of(credits.0) {
                LedgerKind::Standard => with_ledgers!(Some(credits), true, false, false),
                LedgerKind::StandardWithLaunch => with_ledgers!(Some(credits), true, false, true),
                LedgerKind::Unlimited => with_ledgers!(Some(credits), true, true, false),
                LedgerKind::UnlimitedWithLaunch => with_ledgers!(Some(credits), true, true, true),
            },
        };
        meter.record_bins(&bins);
        charge_if_hour_ends(
            hours,
            timeline,
            k,
            inputs.credits,
            members,
            t,
            &mut totals.charged[*month],
        );
    }

    /// Moves the calendar month on to step `k`'s; returns when the step starts, s.
    #[inline]
    fn enter_step(&mut self, k: usize) -> f64 {
        while k >= self.timeline.months[self.month].end_step {
            self.month += 1;
        }
        #[allow(clippy::cast_precision_loss)]
        let t = k as f64 * self.timeline.step_seconds();
        t
    }

    #[inline]
    fn step(&mut self, k: usize, rps: &[f64; L]) {
        let t = self.enter_step(k);
        let Self {
            inputs,
            timeline,
            record_steps,
            groups,
            members,
            alarms,
            cooldowns,
            deployment_clocks,
            length,
            meter,
            totals,
            recorded,
            sizes,
            scales,
            has_schedule,
            any_deployments,
            vcpu_s,
            fraction,
            response_bytes,
            period_s,
            hours,
            month,
            ..
        } = self;
        let (record_steps, scales, has_schedule, any_deployments) =
            (*record_steps, *scales, *has_schedule, *any_deployments);
        let lanes = &inputs.lanes;
        let step_s = timeline.step_seconds();
        let t_end = t + step_s;
        // Every lane's group has the same schedule: its bounds move on every lane at
        // the same steps, and stay the same on every lane.
        let bounds_move = has_schedule && {
            let day_offset_s = timeline.time_s(k).rem_euclid(86_400);
            let due = |a: &ScheduledAction| a.due(day_offset_s, timeline.step_s);
            let moves = inputs.spec.scheduled.iter().any(due);
            if moves {
                for group in groups.iter_mut() {
                    group.apply_schedule(day_offset_s, timeline.step_s);
                }
            }
            moves
        };
        let demand_vcpu = Lanes::<f64, L>::from_fn(|l| rps[l] * vcpu_s[l]);
        let (n_serving, mut capacity_vcpu) = match (inputs.credits, &*length) {
            (Some(spec), Some(length)) => {
                let n_serving = members.serving(t);
                let capacity_vcpu = spend_credits(
                    members,
                    spec,
                    length,
                    t,
                    &demand_vcpu,
                    &n_serving,
                    fraction,
                    &mut totals.min_balance,
                );
                (n_serving, capacity_vcpu)
            }
            _ => members.serving_full_capacity(inputs.vcpu_per_unit, t, fraction),
        };
        // Unlimited mode never holds an instance back: nothing to count there.
        if inputs
            .credits
            .is_some_and(|spec| spec.mode == CreditMode::Standard)
        {
            for l in 0..L {
                totals.throttled_s[l] += held_back_s(
                    capacity_vcpu[l],
                    demand_vcpu[l],
                    n_serving[l] * inputs.vcpu_per_unit * fraction[l],
                    step_s,
                );
            }
        }
        let size = *sizes;
        let mut running = size;
        let mut in_service = n_serving;
        if any_deployments {
            let (inside, starting) = deployment_clocks.advance(timeline.step_s);
            for l in lanes_in(inside) {
                let Some(d) = lanes[l].deployments else {
                    continue;
                };
                let extra = deploy(
                    d,
                    inputs,
                    l,
                    n_serving[l],
                    &mut capacity_vcpu[l],
                    &mut in_service[l],
                );
                // Extra instances are billed, each launch with its minimum.
                running[l] += extra;
                totals.billed_s[*month][l] += extra * step_s;
                if starting >> l & 1 == 1 {
                    let window = d.window_s();
                    totals.billed_s[*month][l] +=
                        extra * ((inputs.billed_per_run)(window) - window);
                }
            }
        }
        // The meter, the billed time and (for a group that scales) the metric fed to its
        // alarms, in one loop over the lanes.
        let settled = Settled {
            step_s,
            demand_vcpu: &demand_vcpu,
            capacity_vcpu: &capacity_vcpu,
            running: &running,
            sizes: &size,
            in_service: &n_serving,
            rps,
            response_bytes,
        };
        let billed_s = &mut totals.billed_s[*month];
        let bins = if scales && alarms.fed() {
            let period_s = *period_s;
            let feed =
                |metric: Metric| move |inputs| autoscale::metric_value(metric, inputs, period_s);
            match inputs.metric {
                Metric::Cpu => {
                    settle_lanes::<L, true>(&settled, feed(Metric::Cpu), meter, billed_s, alarms)
                }
                Metric::RequestsPerTarget => settle_lanes::<L, true>(
                    &settled,
                    feed(Metric::RequestsPerTarget),
                    meter,
                    billed_s,
                    alarms,
                ),
                Metric::NetworkOut => settle_lanes::<L, true>(
                    &settled,
                    feed(Metric::NetworkOut),
                    meter,
                    billed_s,
                    alarms,
                ),
            }
        } else {
            settle_lanes::<L, false>(&settled, |_| 0.0, meter, billed_s, alarms)
        };
        meter.record_bins(&bins);
        // Read only by a recorded step: not worked out at every step.
        let served_vcpu = || Lanes::<f64, L>::from_fn(|l| demand_vcpu[l].min(capacity_vcpu[l]));
        charge_if_hour_ends(
            hours,
            timeline,
            k,
            inputs.credits,
            members,
            t,
            &mut totals.charged[*month],
        );
        if record_steps {
            recorded.push(GroupStep {
                running: running[0],
                in_service: in_service[0],
                capacity_vcpu: capacity_vcpu[0],
                served_vcpu: served_vcpu()[0],
                credit_balance: mean_balance(members, 0, groups[0].members.len()),
                surplus_credits: outstanding_surplus(members, 0, groups[0].members.len()).max(0.0),
            });
        }
        if !scales {
            return;
        }
        // (every lane was fed its metric above)
        let datapoint = alarms.fed() && alarms.end_step(step_s);
        // A lane's group changes only where a scheduled action moves its bounds, or on
        // a datapoint whose alarm, its cooldown over, asks for a size its bounds leave
        // open: most steps, on no lane at all.
        let may_resize = if bounds_move {
            u64::MAX >> (64 - L)
        } else if datapoint {
            let (min, max) = groups.first().map_or((0, 0), Group::bounds);
            let (min, max) = (f64::from(min), f64::from(max));
            alarms.may_resize(sizes, &n_serving, min, max, t_end, cooldowns)
        } else {
            return;
        };
        let mut resized = false;
        for l in lanes_in(may_resize) {
            let group = &mut groups[l];
            // (its members serving at the step's start are counted already)
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let serving = n_serving[l] as usize;
            let counted = |group: &Group| {
                debug_assert_eq!(serving, group.in_service(t), "lane {l}'s members serving");
                serving
            };
            let size = group.act_serving(t_end, datapoint.then(|| alarms.signal(l)), counted);
            if size != group.members.len() {
                cooldowns.update(l, group);
                resize(group, members, l, size, t_end, inputs, totals, *month);
                #[allow(clippy::cast_precision_loss)]
                let n = size as f64;
                sizes[l] = n;
                resized = true;
            }
        }
        if resized {
            // (from the sizes beside the groups: one vector, not a gather from each group)
            let largest = sizes
                .iter()
                .fold(0.0, |m: f64, &n| if n > m { n } else { m });
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let largest = largest as usize;
            members.live = members.slots_of(largest);
        }
    }

    /// One run per lane, after the last step.
    pub(super) fn finish(mut self) -> Vec<GroupRun> {
        let (members, groups, totals) = (&self.members, &self.groups, &self.totals);
        let lanes = &self.inputs.lanes;
        let mut recorded = std::mem::take(&mut self.recorded);
        (0..L)
            .map(|l| GroupRun {
                capacity: self.meter.finish_lane(
                    l,
                    if lanes[l].vcpu_ms_per_request > 0.0 {
                        1000.0 / lanes[l].vcpu_ms_per_request
                    } else {
                        0.0
                    },
                ),
                billed_seconds_by_month: totals.billed_s.iter().map(|m| m[l]).collect(),
                charged_credits_by_month: totals.charged.iter().map(|m| m[l]).collect(),
                credits: self.inputs.credits.map(|spec| {
                    (
                        spec.mode,
                        if totals.min_balance[l].is_finite() {
                            totals.min_balance[l]
                        } else {
                            0.0
                        },
                        mean_balance(members, l, groups[l].members.len()),
                        outstanding_surplus(members, l, groups[l].members.len()),
                        totals.throttled_s[l],
                    )
                }),
                steps: if l == 0 {
                    std::mem::take(&mut recorded)
                } else {
                    Vec::new()
                },
            })
            .collect()
    }
}

/// Each member's credits for the step, and the capacity they leave: all its vCPUs, or
/// what its credits allow once held to the baseline. Serving members share the demand
/// evenly; pending ones only earn.
#[allow(clippy::too_many_arguments)]
fn spend_credits<const L: usize>(
    members: &mut Members<L>,
    spec: &CreditSpec,
    length: &StepLength,
    t: f64,
    demand_vcpu: &[f64; L],
    n_serving: &[f64; L],
    fraction: &[f64; L],
    min_balance: &mut [f64; L],
) -> Lanes<f64, L> {
    let per_member = Lanes::<f64, L>::from_fn(|l| share_of_demand(demand_vcpu[l], n_serving[l]));
    let mut capacity = Lanes([0.0; L]);
    let (live, first_weight) = (members.live, members.weight(0));
    // One slot at a time, its arrays borrowed apart so that the compiler knows they do
    // not overlap and keeps the lane loops in vector registers.
    let slots = members.in_service_s[..live]
        .iter()
        .zip(&members.launched_s[..live])
        .zip(&mut members.balance[..live])
        .zip(&mut members.launch_credits[..live])
        .zip(&mut members.surplus[..live])
        .enumerate();
    for (slot, ((((in_service_s, launched_s), balance), launch), surplus)) in slots {
        let lanes = SlotLanes {
            t,
            weight: if slot == 0 { first_weight } else { 1.0 },
            in_service_s,
            launched_s,
            per_member: &per_member,
            fraction,
        };
        // one loop for each kind of ledger, decided here, not lane by lane
        macro_rules! with_ledgers {
            ($unlimited:literal, $launch:literal) => {
                spend_slot::<L, $unlimited, $launch>(
                    spec,
                    length,
                    &lanes,
                    balance,
                    launch,
                    surplus,
                    min_balance,
                    &mut capacity,
                )
            };
        }
        match LedgerKind::of(spec) {
            LedgerKind::Standard => with_ledgers!(false, false),
            LedgerKind::StandardWithLaunch => with_ledgers!(false, true),
            LedgerKind::Unlimited => with_ledgers!(true, false),
            LedgerKind::UnlimitedWithLaunch => with_ledgers!(true, true),
        }
    }
    capacity
}

/// What one slot's step reads of each lane.
struct SlotLanes<'s, const L: usize> {
    /// The step's start, s.
    t: f64,
    /// Members the slot stands for.
    weight: f64,
    in_service_s: &'s [f64; L],
    launched_s: &'s [f64; L],
    /// A serving member's share of the demand, vCPUs.
    per_member: &'s [f64; L],
    fraction: &'s [f64; L],
}

/// One slot's members' credits on every lane, in one loop: adds the capacity they
/// leave to `capacity` (see [`member_credits`]; the arrays written are separate
/// arguments, see [`steady_lanes`]).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn spend_slot<const L: usize, const UNLIMITED: bool, const LAUNCH: bool>(
    spec: &CreditSpec,
    length: &StepLength,
    lanes: &SlotLanes<'_, L>,
    balance: &mut [f64; L],
    launch: &mut [f64; L],
    surplus: &mut [f64; L],
    min_balance: &mut [f64; L],
    capacity: &mut [f64; L],
) {
    // Copies, not references: read under a lane's condition (`max_balance`), a field
    // behind a reference was loaded for each lane with a gather.
    let (spec, length) = (*spec, *length);
    let t = lanes.t;
    for l in 0..L {
        let serving = lanes.in_service_s[l] <= t;
        let member_capacity = member_credits::<UNLIMITED, LAUNCH>(
            &spec,
            &length,
            serving,
            lanes.launched_s[l] <= t,
            lanes.per_member[l],
            &mut balance[l],
            &mut launch[l],
            &mut surplus[l],
            &mut min_balance[l],
        );
        capacity[l] += slot_capacity(serving, lanes.weight, member_capacity, lanes.fraction[l]);
    }
}

/// One member's credits for a step, on one lane: serving, it wants `per_member` vCPUs
/// (pending, it only earns); its ledgers move on ([`burst::ledger_lane`]), and once
/// `launched` its balance counts toward the lowest seen. Returns the vCPUs it can
/// serve: all of them, or what its credits allow once held to the baseline.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn member_credits<const UNLIMITED: bool, const LAUNCH: bool>(
    spec: &CreditSpec,
    length: &StepLength,
    serving: bool,
    launched: bool,
    per_member: f64,
    balance: &mut f64,
    launch: &mut f64,
    surplus: &mut f64,
    min_balance: &mut f64,
) -> f64 {
    let wanted = if serving { per_member } else { 0.0 };
    let (spent, throttled) =
        burst::ledger_lane::<UNLIMITED, LAUNCH>(spec, length, balance, launch, surplus, wanted);
    *min_balance = if launched {
        min_balance.min(*balance)
    } else {
        *min_balance
    };
    if throttled {
        length.served_vcpu(spent)
    } else {
        spec.vcpu
    }
}

/// Members serving that a slot standing for `weight` members counts on a lane.
#[inline(always)]
fn serving_weight(serving: bool, weight: f64) -> f64 {
    if serving { weight } else { 0.0 }
}

/// A member's share of a lane's demand: `demand_vcpu` spread evenly over the
/// `n_serving` members serving (none without them).
#[inline(always)]
fn share_of_demand(demand_vcpu: f64, n_serving: f64) -> f64 {
    if n_serving > 0.0 {
        demand_vcpu / n_serving
    } else {
        0.0
    }
}

/// What a slot standing for `weight` members adds to a lane's capacity: each serving
/// member's `member_vcpu`, scaled by the share of the time members serve (`fraction`).
#[inline(always)]
fn slot_capacity(serving: bool, weight: f64, member_vcpu: f64, fraction: f64) -> f64 {
    if serving {
        weight * (member_vcpu * fraction)
    } else {
        0.0
    }
}

/// The seconds of a step of `step_s` in which CPU credits held a lane back: all of it
/// when its `capacity_vcpu` fell short of what its `demand_vcpu` would have had from
/// its members `unthrottled_vcpu`, none otherwise. (A select, not a branch: added to the
/// count, `0.0` leaves it as it is, as the count is never −0.)
#[inline(always)]
fn held_back_s(capacity_vcpu: f64, demand_vcpu: f64, unthrottled_vcpu: f64, step_s: f64) -> f64 {
    if capacity_vcpu < demand_vcpu.min(unthrottled_vcpu) - 1e-12 {
        step_s
    } else {
        0.0
    }
}

/// The meter's step and the billed time of `size` members on lane `l`: the step's
/// utilisation bin (see [`CapacityMeter::record_fleet_lane`]).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn settle_lane<const L: usize>(
    meter: &mut CapacityMeter<L>,
    billed_s: &mut [f64; L],
    l: usize,
    step_s: f64,
    demand_vcpu: f64,
    capacity_vcpu: f64,
    running: f64,
    size: f64,
) -> u16 {
    let bin = meter.record_fleet_lane(l, step_s, demand_vcpu, capacity_vcpu, running);
    billed_s[l] += size * step_s;
    bin
}

/// At the end of a clock hour (step `k`, see [`HourClock`]), members with `credits`
/// have their surplus above 24 hours of earnings charged.
#[inline]
fn charge_if_hour_ends<const L: usize>(
    hours: &mut HourClock,
    timeline: &Timeline,
    k: usize,
    credits: Option<&CreditSpec>,
    members: &mut Members<L>,
    t: f64,
    charged: &mut [f64; L],
) {
    if hours.ends_with(timeline, k)
        && let Some(spec) = credits
    {
        charge_hour(members, spec, t, charged);
    }
}

/// What a steady group's lanes share at a step.
struct SteadyGroup {
    /// The step's start, s.
    t: f64,
    step_s: f64,
    /// Members the one slot stands for.
    weight: f64,
    vcpu_per_unit: f64,
}

/// What a steady group's step reads of each lane.
struct SteadyLanes<'s, const L: usize> {
    rps: &'s [f64; L],
    vcpu_s: &'s [f64; L],
    fraction: &'s [f64; L],
    sizes: &'s [f64; L],
    in_service_s: &'s [f64; L],
    launched_s: &'s [f64; L],
}

/// A steady group's step on every lane in one loop (`Members::serving`,
/// `spend_credits` or `Members::serving_full_capacity`, the throttled time, the meter
/// and the billed time of [`GroupLanes::step`], each lane's quantities kept in
/// registers from one rule to the next; see the module's doc): the step's utilisation
/// bins.
/// `CREDITS`, `UNLIMITED` and `LAUNCH`: whether the members earn credits (`credits`
/// then holds their spec) and their [`LedgerKind`].
///
/// The arrays written are separate arguments: references, unlike the arrays of one
/// struct behind one, are known not to overlap, which the loop needs to be vectorized.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn steady_lanes<const L: usize, const CREDITS: bool, const UNLIMITED: bool, const LAUNCH: bool>(
    group: &SteadyGroup,
    lanes: &SteadyLanes<'_, L>,
    credits: Option<(&CreditSpec, &StepLength)>,
    balance: &mut [f64; L],
    launch: &mut [f64; L],
    surplus: &mut [f64; L],
    min_balance: &mut [f64; L],
    throttled_s: &mut [f64; L],
    billed_s: &mut [f64; L],
    meter: &mut CapacityMeter<L>,
) -> [u16; L] {
    let &SteadyGroup {
        t,
        step_s,
        weight,
        vcpu_per_unit,
    } = group;
    // Copies, not references: read under a lane's condition (`max_balance`), a field
    // behind a reference was loaded for each lane with a gather.
    let credits = credits.map(|(spec, length)| (*spec, *length));
    let mut bins = [0; L];
    for l in 0..L {
        let demand_vcpu = lanes.rps[l] * lanes.vcpu_s[l];
        let serving = lanes.in_service_s[l] <= t;
        // (`0.0 +`: the sum over the one slot, as `Members::serving` makes it)
        let n_serving = 0.0 + serving_weight(serving, weight);
        let member_capacity = match credits {
            Some((ref spec, ref length)) if CREDITS => member_credits::<UNLIMITED, LAUNCH>(
                spec,
                length,
                serving,
                lanes.launched_s[l] <= t,
                share_of_demand(demand_vcpu, n_serving),
                &mut balance[l],
                &mut launch[l],
                &mut surplus[l],
                &mut min_balance[l],
            ),
            _ => vcpu_per_unit,
        };
        // (`0.0 +`: the sum over the one slot, as `spend_credits` makes it)
        let capacity_vcpu =
            0.0 + slot_capacity(serving, weight, member_capacity, lanes.fraction[l]);
        // Unlimited mode never holds an instance back: nothing to count there.
        if CREDITS && !UNLIMITED {
            let unthrottled = n_serving * vcpu_per_unit * lanes.fraction[l];
            throttled_s[l] += held_back_s(capacity_vcpu, demand_vcpu, unthrottled, step_s);
        }
        let size = lanes.sizes[l];
        bins[l] = settle_lane(
            meter,
            billed_s,
            l,
            step_s,
            demand_vcpu,
            capacity_vcpu,
            size,
            size,
        );
    }
    bins
}

/// What the end of a group's step reads of each lane: the demand and the capacity
/// that served it (after deployments), the members running (billed, deployment extras
/// included), the group's size, and for its scaling metric its members in service,
/// requests per second and response bytes.
struct Settled<'s, const L: usize> {
    step_s: f64,
    demand_vcpu: &'s [f64; L],
    capacity_vcpu: &'s [f64; L],
    running: &'s [f64; L],
    sizes: &'s [f64; L],
    in_service: &'s [f64; L],
    rps: &'s [f64; L],
    response_bytes: &'s [f64; L],
}

/// The end of a group's step on every lane in one loop (see [`steady_lanes`] for why):
/// the meter (returns the step's utilisation bins), the billed time of the group's own
/// members, and, when `FEED` (a group that scales), its `metric` fed to its alarms.
#[inline(always)]
fn settle_lanes<const L: usize, const FEED: bool>(
    lanes: &Settled<'_, L>,
    metric: impl Fn(MetricInputs) -> f64,
    meter: &mut CapacityMeter<L>,
    billed_s: &mut [f64; L],
    alarms: &mut Alarms<L>,
) -> [u16; L] {
    let step_s = lanes.step_s;
    let mut bins = [0; L];
    #[allow(clippy::needless_range_loop)] // every lane's arrays are indexed by `l`
    for l in 0..L {
        let (demand_vcpu, capacity_vcpu) = (lanes.demand_vcpu[l], lanes.capacity_vcpu[l]);
        let (running, size) = (lanes.running[l], lanes.sizes[l]);
        bins[l] = settle_lane(
            meter,
            billed_s,
            l,
            step_s,
            demand_vcpu,
            capacity_vcpu,
            running,
            size,
        );
        if FEED {
            let inputs = MetricInputs {
                in_service: lanes.in_service[l],
                // the meter's, worked out again: the same division, made once
                utilization: capacity::utilization(demand_vcpu, capacity_vcpu),
                requests_per_second: lanes.rps[l],
                response_bytes: lanes.response_bytes[l],
            };
            alarms.feed_lane(l, metric(inputs));
        }
    }
    bins
}

/// A deployment step on one lane: changes capacity and members in service; returns the
/// extra members running (billed).
fn deploy<const L: usize>(
    d: &DeploymentPlan,
    inputs: &GroupInputs<'_, L>,
    lane: usize,
    n_serving: f64,
    capacity_vcpu: &mut f64,
    in_service: &mut f64,
) -> f64 {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let b = d.batch(n_serving as usize) as f64;
    let n = n_serving;
    let per_serving = if n > 0.0 {
        *capacity_vcpu / n
    } else {
        inputs.vcpu_per_unit
    };
    match d.policy {
        // every instance is out of service for the deployment
        DeploymentPolicy::AllAtOnce => {
            *capacity_vcpu = 0.0;
            *in_service = 0.0;
            0.0
        }
        // one batch at a time is out of service
        DeploymentPolicy::Rolling => {
            *capacity_vcpu = (n - b).max(0.0) * per_serving;
            *in_service = (n - b).max(0.0);
            0.0
        }
        // a new batch is launched first, so capacity stays whole
        DeploymentPolicy::RollingWithAdditionalBatch => b,
        // a second, temporary group as large as the first serves too
        DeploymentPolicy::Immutable | DeploymentPolicy::TrafficSplitting => {
            *in_service += n;
            *capacity_vcpu += n * inputs.vcpu_per_unit * inputs.lanes[lane].in_service_fraction;
            n
        }
    }
}

/// At the end of a clock hour: each member's surplus above 24 hours of earnings is
/// charged.
fn charge_hour<const L: usize>(
    members: &mut Members<L>,
    spec: &CreditSpec,
    t: f64,
    charged: &mut [f64; L],
) {
    let mut hour = Lanes([0.0; L]);
    let (live, first_weight) = (members.live, members.weight(0));
    for (slot, (launched_s, surplus)) in members.launched_s[..live]
        .iter()
        .zip(&mut members.surplus[..live])
        .enumerate()
    {
        let weight = if slot == 0 { first_weight } else { 1.0 };
        for l in 0..L {
            let active = launched_s[l] <= t;
            let excess = burst::hourly_excess(spec, surplus[l]);
            let excess = if active { excess } else { 0.0 };
            surplus[l] -= excess;
            hour[l] += weight * excess;
        }
    }
    for l in 0..L {
        charged[l] += hour[l];
    }
}

/// Moves lane `lane`'s group to `size` at `t_end`: launches fill the next slots; the
/// newest members are terminated first, each billed its run's minimum and charged its
/// surplus.
#[allow(clippy::too_many_arguments)]
fn resize<const L: usize>(
    group: &mut Group,
    members: &mut Members<L>,
    lane: usize,
    size: usize,
    t_end: f64,
    inputs: &GroupInputs<'_, L>,
    totals: &mut Totals<L>,
    month: usize,
) {
    let before = group.members.len();
    let launched = group.resize(size, t_end, |m, member| {
        let run = t_end - member.launched_s;
        totals.billed_s[month][lane] += (inputs.billed_per_run)(run) - run;
        let surplus = members.empty(members.slot_of(m), lane);
        if inputs.credits.is_some() {
            totals.charged[month][lane] += surplus;
        }
    });
    if launched > 0 {
        members.grow(members.slots_of(size));
        for m in before..size {
            let member = group.members[m];
            members.fill(
                members.slot_of(m),
                lane,
                member.launched_s,
                member.in_service_s,
                inputs.credits,
            );
        }
    }
}

/// Mean earned balance of the `n` members of a lane (0 with none).
fn mean_balance<const L: usize>(members: &Members<L>, lane: usize, n: usize) -> f64 {
    if n == 0 {
        return 0.0;
    }
    #[allow(clippy::cast_precision_loss)]
    let mean = (0..members.slots_of(n))
        .map(|s| members.weight(s) * members.balance[s][lane])
        .sum::<f64>()
        / n as f64;
    mean
}

/// Surplus credits outstanding on a lane, all its `n` members.
fn outstanding_surplus<const L: usize>(members: &Members<L>, lane: usize, n: usize) -> f64 {
    (0..members.slots_of(n))
        .map(|s| members.weight(s) * members.surplus[s][lane])
        .sum()
}
