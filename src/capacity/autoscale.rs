//! The scaling engine shared by EC2 Auto Scaling groups, Elastic Beanstalk and ECS
//! services on Fargate: demand in, instance (or task) counts and capacity out.
//!
//! What it follows (EC2 Auto Scaling and Application Auto Scaling user guides):
//! - **Target tracking** keeps a metric near a target with two alarms AWS creates: the
//!   high alarm fires after 3 consecutive one-minute datapoints above the target and
//!   scales out at once to `ceil(in-service × metric / target)`; the low alarm needs 15
//!   consecutive datapoints below 90% of the target, and scale-in then waits for its
//!   cooldown. Instances still warming up count toward capacity but not toward the
//!   metric, so one breach is not answered twice.
//! - **Simple and step scaling** follow CloudWatch alarm semantics: the metric is
//!   averaged per `period`; the alarm is in ALARM after `evaluation_periods` breaching
//!   datapoints in a row, and keeps invoking its policy while it stays there, each time
//!   after the cooldown since the last activity has passed.
//! - A cooldown starts when the group launches or terminates: an alarm answered at the
//!   maximum (or minimum) changes nothing and restarts no cooldown.
//! - **Scheduled actions** change min and max at an hour of each day.
//! - Instances start **pending** for `launch_delay` seconds (billed, not serving).
//! - Scale-in terminates the newest instances first (pending before in service).
//!
//! The engine only counts; billing and CPU credits are applied by the caller per
//! instance, using the launches and terminations it reports.

use crate::lanes::Lanes;

/// The metric a policy scales on, as CloudWatch reports it for the group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Average CPU utilisation of in-service instances, percent.
    Cpu,
    /// Requests per target per minute (ALB `RequestCountPerTarget`).
    RequestsPerTarget,
    /// Average bytes sent out per instance per metric period (EC2 `NetworkOut`).
    NetworkOut,
}

/// How the group decides its size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Policy {
    /// A fixed size: no scaling.
    Fixed,
    /// Target tracking.
    TargetTracking {
        /// The metric.
        metric: Metric,
        /// Its target value.
        target: f64,
        /// Seconds after a scale-out before the next scale-out (0 for EC2 groups, which
        /// rely on warm-up; 300 for ECS services).
        scale_out_cooldown_s: f64,
        /// Seconds after any scaling before a scale-in.
        scale_in_cooldown_s: f64,
    },
    /// Simple scaling: one alarm each way, a fixed adjustment, one cooldown.
    Simple {
        /// The metric.
        metric: Metric,
        /// Datapoint length, seconds.
        period_s: f64,
        /// Breaching datapoints in a row that put the alarm in ALARM.
        evaluation_periods: u32,
        /// Scale out above this.
        upper_threshold: f64,
        /// Instances added (positive).
        upper_adjustment: i64,
        /// Scale in below this.
        lower_threshold: f64,
        /// Instances removed (negative).
        lower_adjustment: i64,
        /// Seconds after an activity before the next.
        cooldown_s: f64,
    },
}

/// A daily change of the group's bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScheduledAction {
    /// Seconds after midnight UTC.
    pub at_s: i64,
    /// New minimum.
    pub min: u32,
    /// New maximum.
    pub max: u32,
}

impl ScheduledAction {
    /// Whether the action falls in the step `[t_s, t_s + step_s)`, where `day_offset_s`
    /// is the seconds since midnight UTC at `t_s`.
    #[must_use]
    pub fn due(&self, day_offset_s: i64, step_s: i64) -> bool {
        (self.at_s - day_offset_s).rem_euclid(86_400) < step_s
    }
}

/// A group's configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupSpec {
    /// Smallest size.
    pub min: u32,
    /// Largest size.
    pub max: u32,
    /// Size at the start.
    pub initial: u32,
    /// Seconds from launch until an instance serves.
    pub launch_delay_s: f64,
    /// How it scales.
    pub policy: Policy,
    /// Daily bound changes.
    pub scheduled: Vec<ScheduledAction>,
}

impl GroupSpec {
    /// A fixed group of `count`, all in service from the start.
    #[must_use]
    pub fn fixed(count: u32) -> GroupSpec {
        GroupSpec {
            min: count,
            max: count,
            initial: count,
            launch_delay_s: 0.0,
            policy: Policy::Fixed,
            scheduled: Vec::new(),
        }
    }

    /// The length of a metric datapoint, seconds (60 for target tracking: one-minute
    /// metrics).
    #[must_use]
    pub fn metric_period_s(&self) -> f64 {
        match self.policy {
            Policy::Fixed => 0.0,
            Policy::TargetTracking { .. } => 60.0,
            Policy::Simple { period_s, .. } => period_s,
        }
    }
}

/// One instance of the group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Member {
    /// Seconds since the horizon's start when it was launched.
    pub launched_s: f64,
    /// When it starts serving.
    pub in_service_s: f64,
}

/// The group's state as it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    spec: GroupSpec,
    min: u32,
    max: u32,
    /// Members, oldest first.
    pub members: Vec<Member>,
    last_scale_out_s: f64,
    last_activity_s: f64,
}

/// What a group's alarms reported at the end of a metric period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlarmSignal {
    /// The period's datapoint: the metric averaged over it.
    pub datapoint: f64,
    /// Datapoints in a row above the policy's upper threshold (target tracking: the
    /// target), up to this one: an alarm needing n breaching datapoints in a row is in
    /// ALARM exactly when this is at least n.
    pub above_run: u32,
    /// Datapoints in a row below the lower threshold (target tracking: 90% of target).
    pub below_run: u32,
}

/// The scaling activity a policy's answer to a datapoint would start, and so the
/// cooldowns it restarts if it changes the group's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Activity {
    /// None: the size stays as it is.
    None,
    /// A target-tracking scale-out: restarts both of its cooldowns.
    ScaleOut,
    /// A target-tracking scale-in or a simple policy's adjustment: restarts the
    /// cooldown since the last activity.
    Other,
}

/// A scaling policy's CloudWatch alarms on `L` paths at once (one lane per path, beside
/// one [`Group`] each): each step's metric averaged into a datapoint per period, and the
/// breaching datapoints in a row. [`Group::act`] answers their signal.
#[derive(Debug, Clone)]
pub struct Alarms<const L: usize> {
    period_s: f64,
    upper: f64,
    lower: f64,
    /// Breaching datapoints in a row either alarm needs before the policy can act.
    needed_above: u32,
    needed_below: u32,
    /// The target of a target-tracking policy, which sizes its answer in proportion
    /// (and whose scale-out cooldown runs from the last scale-out, where a simple
    /// policy's runs from the last change).
    target: Option<f64>,
    /// Cooldowns before a scale-out and a scale-in.
    out_cooldown_s: f64,
    in_cooldown_s: f64,
    period_len_s: f64,
    /// Steps in the period so far, and each lane's sum of their metric values.
    period_steps: u32,
    period_sum: Lanes<f64, L>,
    datapoint: Lanes<f64, L>,
    above_run: Lanes<u32, L>,
    below_run: Lanes<u32, L>,
}

impl<const L: usize> Alarms<L> {
    /// The alarms of `spec`'s policy, with no datapoint yet.
    #[must_use]
    pub fn new(spec: &GroupSpec) -> Alarms<L> {
        let (target, out_cooldown_s, in_cooldown_s) = match spec.policy {
            Policy::Fixed => (None, 0.0, 0.0),
            Policy::TargetTracking {
                target,
                scale_out_cooldown_s,
                scale_in_cooldown_s,
                ..
            } => (Some(target), scale_out_cooldown_s, scale_in_cooldown_s),
            Policy::Simple { cooldown_s, .. } => (None, cooldown_s, cooldown_s),
        };
        let (upper, lower, needed_above, needed_below) = match spec.policy {
            Policy::Fixed => (f64::INFINITY, f64::NEG_INFINITY, u32::MAX, u32::MAX),
            Policy::TargetTracking { target, .. } => (
                target,
                TARGET_TRACKING_LOW_FACTOR * target,
                TARGET_TRACKING_HIGH_DATAPOINTS,
                TARGET_TRACKING_LOW_DATAPOINTS,
            ),
            Policy::Simple {
                upper_threshold,
                lower_threshold,
                evaluation_periods,
                ..
            } => (
                upper_threshold,
                lower_threshold,
                evaluation_periods,
                evaluation_periods,
            ),
        };
        Alarms {
            period_s: spec.metric_period_s(),
            upper,
            lower,
            needed_above,
            needed_below,
            target,
            out_cooldown_s,
            in_cooldown_s,
            period_len_s: 0.0,
            period_steps: 0,
            period_sum: Lanes([0.0; L]),
            datapoint: Lanes([0.0; L]),
            above_run: Lanes([0; L]),
            below_run: Lanes([0; L]),
        }
    }

    /// Whether the alarms take datapoints at all (a fixed group's have none).
    #[inline]
    #[must_use]
    pub fn fed(&self) -> bool {
        self.period_s > 0.0
    }

    /// Feeds lane `lane`'s metric value over a step (alarms that are [`Alarms::fed`]).
    /// Once every lane is fed, [`Alarms::end_step`] ends the step.
    #[inline(always)]
    pub fn feed_lane(&mut self, lane: usize, metric: f64) {
        self.period_sum[lane] += metric;
    }

    /// Ends a step of `step_s` seconds whose metric every lane was fed
    /// ([`Alarms::feed_lane`]): whether it completed a metric period (the same on every
    /// lane: they share the timeline), and if so each lane's datapoint and breaching
    /// runs, which [`Alarms::signal`] then reads.
    #[inline]
    pub fn end_step(&mut self, step_s: f64) -> bool {
        self.period_len_s += step_s;
        self.period_steps += 1;
        if self.period_len_s + 1e-9 < self.period_s {
            return false;
        }
        // The datapoint is the Average statistic of the period's values, one a step
        // (every step is as long as the others). A period of one step (one-minute
        // metrics in one-minute steps) is its value: no division at every step.
        if self.period_steps == 1 {
            self.datapoint = self.period_sum;
        } else {
            let n = f64::from(self.period_steps);
            for l in 0..L {
                self.datapoint[l] = self.period_sum[l] / n;
            }
        }
        self.period_sum = Lanes([0.0; L]);
        for l in 0..L {
            let datapoint = self.datapoint[l];
            self.above_run[l] = if datapoint > self.upper {
                self.above_run[l] + 1
            } else {
                0
            };
            self.below_run[l] = if datapoint < self.lower {
                self.below_run[l] + 1
            } else {
                0
            };
        }
        self.period_len_s = 0.0;
        self.period_steps = 0;
        true
    }

    /// Lane `lane`'s latest datapoint and breaching runs.
    #[must_use]
    pub fn signal(&self, lane: usize) -> AlarmSignal {
        AlarmSignal {
            datapoint: self.datapoint[lane],
            above_run: self.above_run[lane],
            below_run: self.below_run[lane],
        }
    }

    /// Which lanes' groups may change size on the latest datapoint, completed in a step
    /// ending at `t_end_s`, as a mask (bit `l` for lane `l`): where not, [`Group::act`]
    /// would leave the group as it is (and its cooldowns with it), so it need not be
    /// asked. Worked out for every lane at once, without branches.
    ///
    /// A lane's group has `sizes` members, `serving` of them in service, within the
    /// bounds `min` and `max` (the same on every lane: a schedule moves them alike), and
    /// the cooldown clocks `clocks`. An alarm may act when it has the breaching
    /// datapoints it needs, its cooldown has passed, the bounds leave its direction
    /// open, and, for target tracking, the proportional size [`Group::act`] would scale
    /// to lies that way: the low alarm often stays in ALARM while the proportional size
    /// is the current one, and the high alarm through the scale-out cooldown.
    #[must_use]
    pub fn may_resize(
        &self,
        sizes: &[f64; L],
        serving: &[f64; L],
        min: f64,
        max: f64,
        t_end_s: f64,
        clocks: &CooldownClocks<L>,
    ) -> u64 {
        const { assert!(L <= 64, "a lane mask is 64 bits") };
        let mut may = 0;
        let (tracking, target) = (self.target.is_some(), self.target.unwrap_or(1.0));
        for l in 0..L {
            let size = sizes[l];
            // the size each alarm would ask for: target tracking, the proportional size
            // as `Group::act` works it out; a simple policy, any step its way
            let proportional = proportional_size(serving[l], self.datapoint[l], target, size);
            let grow_to = if tracking {
                proportional
            } else {
                f64::INFINITY
            };
            let shrink_to = if tracking {
                proportional.max(1.0)
            } else {
                f64::NEG_INFINITY
            };
            // the cooldowns as `Group::act` checks them
            let out_since_s = if tracking {
                clocks.last_scale_out_s[l]
            } else {
                clocks.last_activity_s[l]
            };
            let out_ready = cooled_down(t_end_s, out_since_s, self.out_cooldown_s);
            let in_ready = cooled_down(t_end_s, clocks.last_activity_s[l], self.in_cooldown_s);
            let out = (self.above_run[l] >= self.needed_above)
                & out_ready
                & (size < max)
                & (grow_to > size);
            let inward = (self.below_run[l] >= self.needed_below)
                & in_ready
                & (size > min)
                & (shrink_to < size);
            may |= u64::from(out | inward) << l;
        }
        may
    }
}

/// When each lane's group last scaled out and last changed size: its cooldown clocks,
/// side by side for [`Alarms::may_resize`], copied from the groups after each change.
#[derive(Debug, Clone)]
pub struct CooldownClocks<const L: usize> {
    last_scale_out_s: Lanes<f64, L>,
    last_activity_s: Lanes<f64, L>,
}

impl<const L: usize> CooldownClocks<L> {
    /// Groups that have never scaled.
    #[must_use]
    pub fn new() -> CooldownClocks<L> {
        CooldownClocks {
            last_scale_out_s: Lanes([f64::NEG_INFINITY; L]),
            last_activity_s: Lanes([f64::NEG_INFINITY; L]),
        }
    }

    /// Copies lane `lane`'s clocks from its group.
    pub fn update(&mut self, lane: usize, group: &Group) {
        self.last_scale_out_s[lane] = group.last_scale_out_s;
        self.last_activity_s[lane] = group.last_activity_s;
    }
}

impl<const L: usize> Default for CooldownClocks<L> {
    fn default() -> CooldownClocks<L> {
        CooldownClocks::new()
    }
}

/// Target tracking's answer to a datapoint: the size that brings the metric of the
/// `serving` instances that report it to the target, `ceil(serving × datapoint /
/// target)`, or `current` when none reports it. (One statement for [`Group::act`] and
/// for [`Alarms::may_resize`], which must agree to the bit.)
#[inline(always)]
fn proportional_size(serving: f64, datapoint: f64, target: f64, current: f64) -> f64 {
    if serving > 0.0 && datapoint.is_finite() {
        (serving * datapoint / target).ceil()
    } else {
        current
    }
}

/// Whether a cooldown of `cooldown_s` started at `since_s` is over at `t_end_s`.
#[inline(always)]
fn cooled_down(t_end_s: f64, since_s: f64, cooldown_s: f64) -> bool {
    t_end_s - since_s >= cooldown_s
}

/// Datapoints the target-tracking high alarm needs in a row.
pub const TARGET_TRACKING_HIGH_DATAPOINTS: u32 = 3;
/// Datapoints the target-tracking low alarm needs in a row.
pub const TARGET_TRACKING_LOW_DATAPOINTS: u32 = 15;
/// The low alarm's threshold as a share of the target.
pub const TARGET_TRACKING_LOW_FACTOR: f64 = 0.9;

impl Group {
    /// A group at the start of the horizon: `initial` instances, in service at once.
    #[must_use]
    pub fn new(spec: &GroupSpec) -> Group {
        let initial = spec.initial.clamp(spec.min, spec.max);
        Group {
            min: spec.min,
            max: spec.max,
            members: (0..initial)
                .map(|_| Member {
                    launched_s: 0.0,
                    in_service_s: 0.0,
                })
                .collect(),
            spec: spec.clone(),
            last_scale_out_s: f64::NEG_INFINITY,
            last_activity_s: f64::NEG_INFINITY,
        }
    }

    /// Instances in service at time `t_s`.
    #[must_use]
    pub fn in_service(&self, t_s: f64) -> usize {
        self.members
            .iter()
            .filter(|m| m.in_service_s <= t_s)
            .count()
    }

    /// Applies scheduled bound changes that fall in `[t_s, t_s + step_s)`, where
    /// `day_offset_s` is the seconds since midnight UTC at `t_s`.
    pub fn apply_schedule(&mut self, day_offset_s: i64, step_s: i64) {
        if self.spec.scheduled.is_empty() {
            return;
        }
        for action in &self.spec.scheduled {
            if action.due(day_offset_s, step_s) {
                self.min = action.min;
                self.max = action.max;
            }
        }
    }

    /// The group's bounds as they stand (its spec's, or a scheduled action's).
    #[must_use]
    pub fn bounds(&self) -> (u32, u32) {
        (self.min, self.max)
    }

    /// The size the group wants at the end of a step, within its bounds, given the
    /// datapoint its alarms completed in the step (`None` when none did).
    ///
    /// A cooldown starts only when the group's size changes: "after your Auto Scaling
    /// group launches or terminates instances, it waits for a cooldown period" (EC2 Auto
    /// Scaling, Scaling cooldowns), and target tracking "starts to calculate the cooldown
    /// time" after it "successfully scales out". An alarm answered at the group's
    /// maximum (or minimum) starts no scaling activity, so it restarts no cooldown.
    pub fn act(&mut self, t_end_s: f64, step_s: f64, signal: Option<AlarmSignal>) -> usize {
        let start_s = t_end_s - step_s;
        self.act_serving(t_end_s, signal, |group| group.in_service(start_s))
    }

    /// [`Group::act`], with the members in service at the step's start counted by
    /// `serving`, called only where the policy needs them. The lanes' engine has them
    /// counted already: counting them again, a walk over the members, took about a
    /// quarter of the time of an often-scaled group's decisions (Fargate alone 226 →
    /// 219 ms, `compare --paths 64 --threads 1`).
    pub(crate) fn act_serving(
        &mut self,
        t_end_s: f64,
        signal: Option<AlarmSignal>,
        serving: impl FnOnce(&Group) -> usize,
    ) -> usize {
        let current = self.members.len();
        #[allow(clippy::cast_possible_wrap)]
        let current_i = current as i64;
        let (wanted, activity) = match signal {
            Some(signal) => self.wanted(t_end_s, current_i, signal, serving),
            None => (current_i, Activity::None),
        };
        let size =
            usize::try_from(wanted.clamp(i64::from(self.min), i64::from(self.max))).unwrap_or(0);
        if size != current {
            match activity {
                Activity::None => {}
                Activity::ScaleOut => {
                    self.last_scale_out_s = t_end_s;
                    self.last_activity_s = t_end_s;
                }
                Activity::Other => self.last_activity_s = t_end_s,
            }
        }
        size
    }

    /// The size the policy asks for on a datapoint, before the bounds, and the kind of
    /// scaling activity it would start; `serving` counts the members in service at the
    /// step's start.
    fn wanted(
        &self,
        t_end_s: f64,
        current: i64,
        signal: AlarmSignal,
        serving: impl FnOnce(&Group) -> usize,
    ) -> (i64, Activity) {
        let AlarmSignal {
            datapoint,
            above_run,
            below_run,
        } = signal;
        match self.spec.policy {
            Policy::Fixed => (current, Activity::None),
            Policy::TargetTracking {
                target,
                scale_out_cooldown_s,
                scale_in_cooldown_s,
                ..
            } => {
                let out_armed = above_run >= TARGET_TRACKING_HIGH_DATAPOINTS
                    && cooled_down(t_end_s, self.last_scale_out_s, scale_out_cooldown_s);
                let in_armed = below_run >= TARGET_TRACKING_LOW_DATAPOINTS
                    && cooled_down(t_end_s, self.last_activity_s, scale_in_cooldown_s);
                if !out_armed && !in_armed {
                    // no alarm can act: the usual datapoint, decided without the
                    // proportional size
                    return (current, Activity::None);
                }
                // Only instances past their warm-up report the metric, so the answer to
                // a breach is sized on them; pending instances already count toward the
                // current size, so the same breach is not answered twice.
                let serving = serving(self);
                #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
                let proportional =
                    proportional_size(serving as f64, datapoint, target, current as f64) as i64;
                if out_armed && proportional > current {
                    (proportional, Activity::ScaleOut)
                } else if in_armed && proportional.max(1) < current {
                    (proportional.max(1), Activity::Other)
                } else {
                    (current, Activity::None)
                }
            }
            Policy::Simple {
                evaluation_periods,
                upper_adjustment,
                lower_adjustment,
                cooldown_s,
                ..
            } => {
                let n = evaluation_periods;
                if !cooled_down(t_end_s, self.last_activity_s, cooldown_s) {
                    (current, Activity::None)
                } else if above_run >= n {
                    (current + upper_adjustment, Activity::Other)
                } else if below_run >= n {
                    (current + lower_adjustment, Activity::Other)
                } else {
                    (current, Activity::None)
                }
            }
        }
    }

    /// Moves the group to `size` at `t_end_s`: launches new members or terminates the
    /// newest, handing each terminated member to `terminated` (newest first, with its
    /// index among the members). Returns the members launched.
    pub fn resize(
        &mut self,
        size: usize,
        t_end_s: f64,
        mut terminated: impl FnMut(usize, Member),
    ) -> usize {
        // Newest first: pending members go before in-service ones.
        while self.members.len() > size {
            let Some(gone) = self.members.pop() else {
                break;
            };
            terminated(self.members.len(), gone);
        }
        let launched = size.saturating_sub(self.members.len());
        let member = Member {
            launched_s: t_end_s,
            in_service_s: t_end_s + self.spec.launch_delay_s,
        };
        self.members.resize(size.max(self.members.len()), member);
        launched
    }
}

/// What a step's metric is worked out from, on one lane: `in_service` instances, whose
/// vCPUs are busy `utilization` of the time; `requests_per_second` arrive and send
/// `response_bytes` each.
#[derive(Debug, Clone, Copy)]
pub struct MetricInputs {
    /// Instances in service.
    pub in_service: f64,
    /// The share of the vCPUs in service that is busy, 0 to 1, as the group's capacity
    /// meter works it out ([`crate::capacity::utilization`]: 1 with none in service).
    pub utilization: f64,
    /// Requests arriving per second.
    pub requests_per_second: f64,
    /// Bytes of one response.
    pub response_bytes: f64,
}

/// The value of `metric` for a step on one lane, as CloudWatch reports it for the
/// group; the datapoint covers `period_s`.
#[must_use]
#[inline(always)]
pub fn metric_value(metric: Metric, inputs: MetricInputs, period_s: f64) -> f64 {
    let MetricInputs {
        in_service,
        utilization,
        requests_per_second,
        response_bytes,
    } = inputs;
    match metric {
        // (the meter's utilisation: the step that feeds it divides once for both)
        Metric::Cpu => 100.0 * utilization,
        Metric::RequestsPerTarget => {
            if in_service > 0.0 {
                requests_per_second * 60.0 / in_service
            } else {
                f64::INFINITY
            }
        }
        Metric::NetworkOut => {
            if in_service > 0.0 {
                requests_per_second * response_bytes * period_s / in_service
            } else {
                f64::INFINITY
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cpu_tracking(target: f64) -> GroupSpec {
        GroupSpec {
            min: 1,
            max: 10,
            initial: 2,
            launch_delay_s: 120.0,
            policy: Policy::TargetTracking {
                metric: Metric::Cpu,
                target,
                scale_out_cooldown_s: 0.0,
                scale_in_cooldown_s: 300.0,
            },
            scheduled: Vec::new(),
        }
    }

    /// Beanstalk's default trigger: 5-minute periods, 1 evaluation period, +1 above
    /// 6 MB out, −1 below 2 MB, 360 s cooldown, min 1 / max 4.
    fn beanstalk_default_trigger() -> GroupSpec {
        GroupSpec {
            min: 1,
            max: 4,
            initial: 1,
            launch_delay_s: 0.0,
            policy: Policy::Simple {
                metric: Metric::NetworkOut,
                period_s: 300.0,
                evaluation_periods: 1,
                upper_threshold: 6e6,
                upper_adjustment: 1,
                lower_threshold: 2e6,
                lower_adjustment: -1,
                cooldown_s: 360.0,
            },
            scheduled: Vec::new(),
        }
    }

    /// A group of `spec` with its alarms, as one lane of the engine.
    /// Feeds each lane's metric value over a step of `step_s` seconds, as the engine
    /// does; returns whether the step completed a metric period.
    fn feed<const L: usize>(alarms: &mut Alarms<L>, step_s: f64, metric: &[f64; L]) -> bool {
        if !alarms.fed() {
            return false;
        }
        for (l, m) in metric.iter().enumerate() {
            alarms.feed_lane(l, *m);
        }
        alarms.end_step(step_s)
    }

    struct Scaled {
        group: Group,
        alarms: Alarms<1>,
    }

    impl Scaled {
        fn new(spec: &GroupSpec) -> Scaled {
            Scaled {
                group: Group::new(spec),
                alarms: Alarms::new(spec),
            }
        }

        /// Feeds a step's metric and returns the size the group wants at its end.
        fn decide(&mut self, t_end_s: f64, step_s: f64, metric: f64) -> usize {
            let signal = feed(&mut self.alarms, step_s, &[metric]).then(|| self.alarms.signal(0));
            self.group.act(t_end_s, step_s, signal)
        }
    }

    /// Runs `minutes` one-minute steps at a constant metric value; returns the size after each.
    fn run(scaled: &mut Scaled, start_min: usize, minutes: usize, metric: f64) -> Vec<usize> {
        (start_min..start_min + minutes)
            .map(|m| {
                #[allow(clippy::cast_precision_loss)]
                let t_end = (m + 1) as f64 * 60.0;
                let size = scaled.decide(t_end, 60.0, metric);
                let group = &mut scaled.group;
                group.resize(size, t_end, |_, _| {});
                group.members.len()
            })
            .collect()
    }

    #[test]
    fn a_step_in_load_scales_out_after_three_datapoints() {
        // 2 instances at 90% against a 50% target: the high alarm needs three one-minute
        // datapoints, then capacity goes to ceil(2 × 90 / 50) = 4 at once.
        let mut g = Scaled::new(&cpu_tracking(50.0));
        let sizes = run(&mut g, 0, 4, 90.0);
        assert_eq!(sizes, vec![2, 2, 4, 4]);
        // the new instances launched at minute 3 serve after the 120 s launch delay
        assert_eq!(g.group.in_service(180.0), 2);
        assert_eq!(g.group.in_service(300.0), 4);
    }

    #[test]
    fn scale_in_needs_fifteen_low_datapoints_and_its_cooldown() {
        let mut g = Scaled::new(&GroupSpec {
            initial: 6,
            ..cpu_tracking(50.0)
        });
        // 20% is below 90% of 50: 15 datapoints, then ceil(6 × 20 / 50) = 3
        let sizes = run(&mut g, 0, 16, 20.0);
        assert_eq!(&sizes[..14], &[6; 14]);
        assert_eq!(sizes[14], 3);
        // the next scale-in waits for the 300 s cooldown even though the alarm stays low
        let sizes = run(&mut g, 16, 10, 10.0);
        assert_eq!(sizes[..3], [3, 3, 3]);
        assert_eq!(*sizes.last().unwrap(), 1);
        // 44% (below 45) still counts as low; 46% does not
        let mut g = Scaled::new(&GroupSpec {
            initial: 4,
            ..cpu_tracking(50.0)
        });
        assert_eq!(*run(&mut g, 0, 15, 46.0).last().unwrap(), 4);
    }

    #[test]
    fn resize_terminates_the_newest_first_and_launches_pending_members() {
        let mut g = Group::new(&cpu_tracking(50.0));
        // two at the start; three launched at 600 s, in service after the 120 s delay
        assert_eq!(g.resize(5, 600.0, |_, _| unreachable!("nothing ends")), 3);
        assert_eq!(g.in_service(600.0), 2);
        assert_eq!(g.in_service(720.0), 5);
        // down to one: members 4, 3, 2 (the pending ones first), then 1
        let mut gone = Vec::new();
        assert_eq!(
            g.resize(1, 660.0, |m, member| gone.push((m, member.launched_s))),
            0
        );
        assert_eq!(gone, vec![(4, 600.0), (3, 600.0), (2, 600.0), (1, 0.0)]);
        assert_eq!(g.members.len(), 1);
    }

    #[test]
    fn max_caps_the_group() {
        let mut g = Scaled::new(&GroupSpec {
            max: 3,
            ..cpu_tracking(50.0)
        });
        let sizes = run(&mut g, 0, 5, 100.0);
        assert_eq!(*sizes.last().unwrap(), 3);
    }

    #[test]
    fn an_alarm_at_the_maximum_restarts_no_cooldown() {
        // ECS's 300 s scale-out cooldown, max 3. At 100% against 50%: out to 3 at minute
        // 3 (the policy asks ceil(2 × 100 / 50) = 4). The high alarm stays in ALARM at
        // the maximum, which starts no scaling activity (EC2 Auto Scaling user guide,
        // Scaling cooldowns: the cooldown follows a launch or termination).
        let mut g = Scaled::new(&GroupSpec {
            max: 3,
            policy: Policy::TargetTracking {
                metric: Metric::Cpu,
                target: 50.0,
                scale_out_cooldown_s: 300.0,
                scale_in_cooldown_s: 300.0,
            },
            scheduled: vec![ScheduledAction {
                at_s: 20 * 60,
                min: 1,
                max: 10,
            }],
            ..cpu_tracking(50.0)
        });
        let sizes = run(&mut g, 0, 20, 100.0);
        assert_eq!(sizes[2], 3);
        assert_eq!(sizes[19], 3);
        // At minute 20 the schedule lifts the maximum to 10. The last scale-out was at
        // minute 3, long past its cooldown, so the group scales out at once to
        // ceil(3 × 100 / 50) = 6. (Had every datapoint at the maximum restarted the
        // cooldown, the last restart at minute 18 would hold it at 3 until minute 23.)
        g.group.apply_schedule(20 * 60, 60);
        assert_eq!(run(&mut g, 20, 1, 100.0), vec![6]);
    }

    #[test]
    fn a_low_alarm_at_the_minimum_does_not_delay_the_next_scale_out() {
        // A simple policy at its minimum of 1: the low datapoint at minute 5 changes
        // nothing, so the high one at minute 10 scales out without waiting the 360 s
        // cooldown from minute 5.
        let mut g = Scaled::new(&beanstalk_default_trigger());
        let low = run(&mut g, 0, 5, 1e6);
        assert_eq!(low, vec![1; 5]);
        let high = run(&mut g, 5, 5, 9e6);
        assert_eq!(high, vec![1, 1, 1, 1, 2]);
    }

    #[test]
    fn simple_scaling_waits_for_its_cooldown_between_activities() {
        let mut g = Scaled::new(&beanstalk_default_trigger());
        let sizes = run(&mut g, 0, 20, 9e6);
        // datapoints at minutes 5, 10, 15, 20: +1 at 5; 10 is within 360 s, so no; +1 at 15
        assert_eq!(sizes[4], 2);
        assert_eq!(sizes[9], 2);
        assert_eq!(sizes[14], 3);
        assert_eq!(sizes[19], 3);
    }

    #[test]
    fn a_datapoint_is_the_average_of_its_periods_values() {
        // CloudWatch's Average statistic over a five-minute period of one-minute values
        let mut alarms = Alarms::<2>::new(&beanstalk_default_trigger());
        let values = [[1e6, 9e6], [2e6, 9e6], [3e6, 9e6], [4e6, 9e6], [5e6, 9e6]];
        let ended: Vec<bool> = values.iter().map(|v| feed(&mut alarms, 60.0, v)).collect();
        assert_eq!(ended, vec![false, false, false, false, true]);
        assert_eq!(alarms.signal(0).datapoint, 3e6);
        assert_eq!(alarms.signal(1).datapoint, 9e6);
        // 3 MB is between the thresholds; 9 MB above the upper one, a first time
        assert_eq!(
            (alarms.signal(0).above_run, alarms.signal(0).below_run),
            (0, 0)
        );
        assert_eq!(alarms.signal(1).above_run, 1);
        // the next period starts from nothing: its values alone make its datapoint
        for _ in 0..5 {
            feed(&mut alarms, 60.0, &[1e6, 1e6]);
        }
        assert_eq!(alarms.signal(0).datapoint, 1e6);
        assert_eq!(alarms.signal(0).below_run, 1);
        // a one-minute period's datapoint is its one value, to the bit (weighted by the
        // step's 60 s and divided by the period's, this one came back an ulp lower)
        let mut alarms = Alarms::<1>::new(&cpu_tracking(50.0));
        assert!(feed(&mut alarms, 60.0, &[9.385_958_677_423_488]));
        assert_eq!(alarms.signal(0).datapoint, 9.385_958_677_423_488);
    }

    #[test]
    fn scheduled_actions_change_the_bounds_daily() {
        let mut g = Scaled::new(&GroupSpec {
            scheduled: vec![ScheduledAction {
                at_s: 8 * 3600,
                min: 4,
                max: 10,
            }],
            ..cpu_tracking(50.0)
        });
        g.group.apply_schedule(8 * 3600 - 30, 60);
        let size = g.decide(60.0, 60.0, 50.0);
        assert_eq!(size, 4);
        // a step that does not contain 08:00 changes nothing
        let mut h = Scaled::new(&GroupSpec {
            scheduled: vec![ScheduledAction {
                at_s: 8 * 3600,
                min: 4,
                max: 10,
            }],
            ..cpu_tracking(50.0)
        });
        h.group.apply_schedule(9 * 3600, 60);
        assert_eq!(h.decide(60.0, 60.0, 50.0), 2);
    }

    #[test]
    fn metric_values() {
        let metric_value = |metric, in_service, served_vcpu, capacity_vcpu, rps, bytes, period| {
            super::metric_value(
                metric,
                MetricInputs {
                    in_service,
                    utilization: crate::capacity::utilization(served_vcpu, capacity_vcpu),
                    requests_per_second: rps,
                    response_bytes: bytes,
                },
                period,
            )
        };
        assert_eq!(
            metric_value(Metric::Cpu, 2.0, 1.0, 4.0, 0.0, 0.0, 60.0),
            25.0
        );
        // demand beyond the capacity keeps it all busy; with none in service, the
        // metric is saturated (an empty group must scale out, not in)
        assert_eq!(
            metric_value(Metric::Cpu, 2.0, 6.0, 4.0, 0.0, 0.0, 60.0),
            100.0
        );
        assert_eq!(
            metric_value(Metric::Cpu, 0.0, 1.0, 0.0, 0.0, 0.0, 60.0),
            100.0
        );
        assert_eq!(
            metric_value(Metric::RequestsPerTarget, 2.0, 0.0, 0.0, 10.0, 0.0, 60.0),
            300.0
        );
        // 20 req/s × 20,000 B × 300 s over 2 instances = 60 MB each
        assert_eq!(
            metric_value(Metric::NetworkOut, 2.0, 0.0, 0.0, 20.0, 20_000.0, 300.0),
            60e6
        );
    }

    /// A simple reference of target tracking with instances that serve at once: the
    /// size after each one-minute datapoint `metrics[i]`.
    fn target_tracking_reference(
        metrics: &[f64],
        (min, max, initial): (usize, usize, usize),
        target: f64,
        (out_cooldown_s, in_cooldown_s): (f64, f64),
    ) -> Vec<usize> {
        let (mut size, mut above, mut below) = (initial, 0, 0);
        let (mut last_out, mut last_change) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        let mut sizes = Vec::new();
        for (i, &m) in metrics.iter().enumerate() {
            #[allow(clippy::cast_precision_loss)]
            let t = (i + 1) as f64 * 60.0;
            above = if m > target { above + 1 } else { 0 };
            below = if m < 0.9 * target { below + 1 } else { 0 };
            #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
            let proportional = ((size as f64) * m / target).ceil() as i64;
            let current = i64::try_from(size).unwrap();
            let wanted = if above >= 3 && t - last_out >= out_cooldown_s && proportional > current {
                proportional
            } else if below >= 15
                && t - last_change >= in_cooldown_s
                && proportional.max(1) < current
            {
                proportional.max(1)
            } else {
                current
            };
            let new = usize::try_from(wanted).unwrap().clamp(min, max);
            if new != size {
                if new > size {
                    last_out = t;
                }
                last_change = t;
                size = new;
            }
            sizes.push(size);
        }
        sizes
    }

    #[test]
    fn a_low_alarm_asking_for_the_current_size_needs_no_decision() {
        // Three in service at 40% against a 50% target: the low alarm (below 45%) is in
        // ALARM after 15 datapoints, but the policy asks ceil(3 × 40 / 50) = 3, the
        // size it has. At 20% it asks ceil(3 × 20 / 50) = 2.
        let mut g = Scaled::new(&GroupSpec {
            initial: 3,
            ..cpu_tracking(50.0)
        });
        assert_eq!(run(&mut g, 0, 15, 40.0), vec![3; 15]);
        let may = |g: &Scaled| {
            let mut clocks = CooldownClocks::new();
            clocks.update(0, &g.group);
            g.alarms
                .may_resize(&[3.0], &[3.0], 1.0, 10.0, 16.0 * 60.0, &clocks)
        };
        assert_eq!(may(&g), 0);
        feed(&mut g.alarms, 60.0, &[20.0]);
        assert_eq!(may(&g), 1);
    }

    proptest! {
        /// Target tracking, datapoint by datapoint, against the reference: sizes stay
        /// within the bounds, each scale-out waits for the scale-out cooldown since the
        /// last scale-out, each scale-in for the scale-in cooldown since the last change,
        /// and a change due is never held back (a cooldown restarted without a change
        /// would hold it).
        #[test]
        fn target_tracking_follows_its_alarms_bounds_and_cooldowns(
            // runs of whole percentages (a datapoint is exactly its minute's value),
            // long enough to put either alarm in ALARM
            runs in proptest::collection::vec(
                (
                    prop_oneof![
                        Just(10.0),
                        Just(30.0),
                        Just(44.0),
                        Just(46.0),
                        Just(50.0),
                        Just(60.0),
                        Just(95.0)
                    ],
                    1usize..30,
                ),
                1..25,
            ),
            min in 1usize..3,
            span in 0usize..6,
            out_minutes in 0u32..8,
            in_minutes in 0u32..30,
        ) {
            let metrics: Vec<f64> = runs
                .iter()
                .flat_map(|&(m, n)| std::iter::repeat_n(m, n))
                .collect();
            let max = min + span;
            let out_cooldown_s = f64::from(out_minutes) * 60.0;
            let in_cooldown_s = f64::from(in_minutes) * 60.0;
            let spec = GroupSpec {
                min: u32::try_from(min).unwrap(),
                max: u32::try_from(max).unwrap(),
                initial: u32::try_from(min).unwrap(),
                launch_delay_s: 0.0,
                policy: Policy::TargetTracking {
                    metric: Metric::Cpu,
                    target: 50.0,
                    scale_out_cooldown_s: out_cooldown_s,
                    scale_in_cooldown_s: in_cooldown_s,
                },
                scheduled: Vec::new(),
            };
            let mut g = Scaled::new(&spec);
            let sizes: Vec<usize> = metrics
                .iter()
                .enumerate()
                .map(|(i, &m)| run(&mut g, i, 1, m)[0])
                .collect();
            prop_assert!(sizes.iter().all(|s| (min..=max).contains(s)));
            let cooldowns_s = (out_cooldown_s, in_cooldown_s);
            let expected = target_tracking_reference(&metrics, (min, max, min), 50.0, cooldowns_s);
            prop_assert_eq!(sizes, expected);
        }

        /// A simple policy (Beanstalk's trigger, five-minute datapoints), against a
        /// reference: one step of the adjustment on a breaching datapoint, within the
        /// bounds, when the cooldown since the last change has passed; nothing between
        /// datapoints.
        #[test]
        fn simple_policy_follows_its_alarms_bounds_and_cooldown(
            // bytes out per five minutes: above 6 MB, between, below 2 MB
            periods in proptest::collection::vec(
                prop_oneof![Just(1e6), Just(4e6), Just(9e6)],
                1..80,
            ),
            min in 1u32..3,
            span in 0u32..4,
            cooldown_minutes in 0u32..16,
        ) {
            let cooldown_s = f64::from(cooldown_minutes) * 60.0;
            let mut spec = GroupSpec {
                min,
                max: min + span,
                initial: min,
                ..beanstalk_default_trigger()
            };
            if let Policy::Simple { cooldown_s: c, .. } = &mut spec.policy {
                *c = cooldown_s;
            }
            let mut g = Scaled::new(&spec);
            let (mut size, mut last_change) = (min, f64::NEG_INFINITY);
            for (p, &bytes) in periods.iter().enumerate() {
                let sizes = run(&mut g, p * 5, 5, bytes);
                // between datapoints, nothing changes
                prop_assert!(sizes[..4].iter().all(|s| *s == size as usize));
                #[allow(clippy::cast_precision_loss)]
                let t = ((p + 1) * 300) as f64;
                let wanted = if t - last_change < cooldown_s {
                    size
                } else if bytes > 6e6 {
                    (size + 1).min(min + span)
                } else if bytes < 2e6 {
                    size.saturating_sub(1).max(min)
                } else {
                    size
                };
                if wanted != size {
                    last_change = t;
                    size = wanted;
                }
                prop_assert_eq!(sizes[4], size as usize, "after period {}", p);
            }
        }

        /// Where `Alarms::may_resize` says a lane's group cannot change size, asking the
        /// group changes nothing: neither its size nor its cooldowns. (The engine asks
        /// only the lanes it names.) The cooldowns vary, so that alarms in ALARM are
        /// often held by them.
        #[test]
        fn a_group_ruled_out_by_may_resize_would_not_have_changed(
            // runs of one value, long enough to put either alarm in ALARM
            runs in proptest::collection::vec(
                (
                    prop_oneof![
                        Just(5.0),
                        Just(30.0),
                        Just(44.0),
                        Just(50.0),
                        Just(70.0),
                        Just(150.0)
                    ],
                    1usize..30,
                ),
                1..12,
            ),
            simple in any::<bool>(),
            min in 1u32..3,
            span in 0u32..5,
            initial in 0u32..8,
            launch_delay_s in prop_oneof![Just(0.0), Just(120.0), Just(300.0)],
            cooldown_minutes in 0u32..10,
        ) {
            let cooldown_s = f64::from(cooldown_minutes) * 60.0;
            let policy = if simple {
                Policy::Simple {
                    evaluation_periods: 2,
                    upper_threshold: 60.0,
                    upper_adjustment: 2,
                    lower_threshold: 20.0,
                    lower_adjustment: -1,
                    cooldown_s,
                    metric: Metric::Cpu,
                    period_s: 60.0,
                }
            } else {
                Policy::TargetTracking {
                    metric: Metric::Cpu,
                    target: 50.0,
                    scale_out_cooldown_s: cooldown_s,
                    scale_in_cooldown_s: cooldown_s * 2.0,
                }
            };
            let spec = GroupSpec {
                min,
                max: min + span,
                initial,
                launch_delay_s,
                policy,
                scheduled: Vec::new(),
            };
            let metrics: Vec<f64> = runs
                .iter()
                .flat_map(|&(m, n)| std::iter::repeat_n(m, n))
                .collect();
            let (lower, upper) = (f64::from(min), f64::from(min + span));
            let mut g = Scaled::new(&spec);
            for (i, &m) in metrics.iter().enumerate() {
                #[allow(clippy::cast_precision_loss)]
                let t_end = (i + 1) as f64 * 60.0;
                prop_assert!(feed(&mut g.alarms, 60.0, &[m]));
                #[allow(clippy::cast_precision_loss)]
                let (size, serving) = (
                    g.group.members.len() as f64,
                    g.group.in_service(t_end - 60.0) as f64,
                );
                let mut clocks = CooldownClocks::new();
                clocks.update(0, &g.group);
                let may = g.alarms.may_resize(&[size], &[serving], lower, upper, t_end, &clocks);
                prop_assert!(may <= 1);
                let before = g.group.clone();
                let wanted = g.group.act(t_end, 60.0, Some(g.alarms.signal(0)));
                if may == 0 {
                    prop_assert_eq!(wanted, before.members.len(), "minute {}", i);
                    prop_assert_eq!(&g.group, &before, "minute {}", i);
                }
                g.group.resize(wanted, t_end, |_, _| {});
            }
        }
    }
}
