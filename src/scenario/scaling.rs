//! The scaling keys of scenario options: `[option.autoscaling]` (EC2 and Fargate),
//! Beanstalk's `[option.trigger]`, and `[option.deployments]`, resolved into the
//! scaling engine's [`GroupSpec`] and a [`DeploymentPlan`].

use serde::Deserialize;

use super::input::TomlInput;
use super::resolve::non_negative;
use super::timeline::Timeline;
use crate::capacity::autoscale::{GroupSpec, Metric, Policy, ScheduledAction};
use crate::error::Result;
use crate::lanes::Lanes;

/// `[option.autoscaling]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AutoscalingSpec {
    min: u32,
    max: u32,
    #[serde(default)]
    desired: Option<u32>,
    #[serde(default)]
    launch_delay_s: Option<f64>,
    #[serde(default)]
    policy: PolicyKind,
    #[serde(default)]
    metric: MetricKey,
    #[serde(default)]
    target: Option<f64>,
    #[serde(default)]
    scale_out_cooldown_s: Option<f64>,
    #[serde(default)]
    scale_in_cooldown_s: Option<f64>,
    #[serde(default = "default_period_s")]
    period_s: f64,
    #[serde(default = "one")]
    evaluation_periods: u32,
    #[serde(default)]
    upper_threshold: Option<f64>,
    #[serde(default)]
    lower_threshold: Option<f64>,
    #[serde(default = "plus_one")]
    upper_adjustment: i64,
    #[serde(default = "minus_one")]
    lower_adjustment: i64,
    #[serde(default = "default_period_s")]
    cooldown_s: f64,
    #[serde(default)]
    scheduled: Vec<ScheduledSpec>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum PolicyKind {
    #[default]
    TargetTracking,
    Simple,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(crate) enum MetricKey {
    #[default]
    Cpu,
    RequestsPerTarget,
    NetworkOut,
}

impl MetricKey {
    fn metric(self) -> Metric {
        match self {
            MetricKey::Cpu => Metric::Cpu,
            MetricKey::RequestsPerTarget => Metric::RequestsPerTarget,
            MetricKey::NetworkOut => Metric::NetworkOut,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduledSpec {
    at_utc: String,
    min: u32,
    max: u32,
}

/// Beanstalk's `[option.trigger]` (namespace `aws:autoscaling:trigger`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TriggerSpec {
    #[serde(default = "network_out")]
    measure: MetricKey,
    #[serde(default = "five")]
    period_minutes: f64,
    #[serde(default = "five")]
    breach_minutes: f64,
    #[serde(default)]
    upper_threshold: Option<f64>,
    #[serde(default)]
    lower_threshold: Option<f64>,
    #[serde(default = "plus_one")]
    upper_increment: i64,
    #[serde(default = "minus_one")]
    lower_increment: i64,
}

impl Default for TriggerSpec {
    fn default() -> Self {
        TriggerSpec {
            measure: MetricKey::NetworkOut,
            period_minutes: 5.0,
            breach_minutes: 5.0,
            upper_threshold: None,
            lower_threshold: None,
            upper_increment: 1,
            lower_increment: -1,
        }
    }
}

/// `[option.deployments]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeploymentSpec {
    per_week: u32,
    #[serde(default = "ten")]
    minutes: f64,
    #[serde(default)]
    policy: DeploymentPolicy,
    #[serde(default = "thirty")]
    batch_percent: f64,
    #[serde(default = "fourteen")]
    start_hour_utc: u32,
}

/// How Elastic Beanstalk deploys a new version.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeploymentPolicy {
    /// Every instance at once: out of service for the deployment (Beanstalk's default).
    #[default]
    AllAtOnce,
    /// A batch at a time out of service.
    Rolling,
    /// An extra batch launched first, so capacity stays whole; peak N + batch.
    RollingWithAdditionalBatch,
    /// A temporary second group as large as the first; peak 2N.
    Immutable,
    /// A full new set beside the old while traffic shifts; peak 2N.
    TrafficSplitting,
}

/// Deployments as recurring windows from the start of the horizon.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeploymentPlan {
    /// The policy.
    pub policy: DeploymentPolicy,
    /// Seconds from the horizon's start to the first deployment.
    pub first_s: i64,
    /// Seconds between deployments.
    pub every_s: i64,
    /// Length of each, seconds.
    pub window_s: i64,
    /// Batch size, percent of the instances in service.
    pub batch_percent: f64,
}

impl DeploymentPlan {
    /// Seconds into the current deployment cycle at `since_start_s` after the horizon's
    /// start (`None` before the first deployment). A deployment runs for the first
    /// `window_s` seconds of each cycle.
    #[must_use]
    pub fn phase_s(&self, since_start_s: i64) -> Option<i64> {
        let rel = since_start_s - self.first_s;
        (rel >= 0).then(|| rel.rem_euclid(self.every_s))
    }

    /// Whether the step starting `since_start_s` after the horizon's start is inside a
    /// deployment.
    #[must_use]
    pub fn in_window(&self, since_start_s: i64) -> bool {
        self.phase_s(since_start_s)
            .is_some_and(|p| p < self.window_s)
    }

    /// Whether a deployment starts at this step.
    #[must_use]
    pub fn starts_at(&self, since_start_s: i64) -> bool {
        self.phase_s(since_start_s) == Some(0)
    }

    /// Length of a deployment, seconds.
    #[must_use]
    pub fn window_s(&self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let s = self.window_s as f64;
        s
    }

    /// Instances in a batch when `n` are in service: the percentage, rounded up, at
    /// least one.
    #[must_use]
    pub fn batch(&self, n: usize) -> usize {
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let b = (n as f64 * self.batch_percent / 100.0).ceil() as usize;
        b.max(1).min(n.max(1))
    }
}

/// Each lane's position in its [`DeploymentPlan`]'s cycle (one lane per Monte Carlo
/// path), advanced step by step for every lane at once: the same values as
/// [`DeploymentPlan::phase_s`] without a division at every step. A lane without
/// deployments is never inside one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeploymentClocks<const L: usize> {
    /// Seconds into the current cycle; negative before the first deployment.
    rel_s: Lanes<i64, L>,
    every_s: Lanes<i64, L>,
    window_s: Lanes<i64, L>,
}

/// A clock that never reaches a deployment: negative for longer than any horizon.
const NEVER_S: i64 = i64::MIN / 2;

impl<const L: usize> DeploymentClocks<L> {
    /// The lanes' clocks at the start of the horizon (`None`: no deployments).
    #[must_use]
    pub fn new(plans: [Option<&DeploymentPlan>; L]) -> DeploymentClocks<L> {
        DeploymentClocks {
            rel_s: Lanes::from_fn(|l| {
                plans[l].map_or(NEVER_S, |d| d.phase_s(0).unwrap_or(-d.first_s))
            }),
            every_s: Lanes::from_fn(|l| plans[l].map_or(i64::MAX, |d| d.every_s)),
            window_s: Lanes::from_fn(|l| plans[l].map_or(0, |d| d.window_s)),
        }
    }

    /// The lanes inside a deployment during the step now starting, and those whose
    /// deployment starts with it, as masks (bit `l` for lane `l`); then moves every
    /// clock on by `step_s` seconds. Without branches, but for a step longer than a
    /// cycle.
    pub fn advance(&mut self, step_s: i64) -> (u64, u64) {
        const { assert!(L <= 64, "a lane mask is 64 bits") };
        let (mut inside, mut starting) = (0, 0);
        let mut past_a_cycle = false;
        for l in 0..L {
            let rel = self.rel_s[l];
            inside |= u64::from((rel >= 0) & (rel < self.window_s[l])) << l;
            starting |= u64::from(rel == 0) << l;
            // within a cycle, and a step no longer than a cycle: at most one wrap
            let next = rel + step_s;
            let next = if next >= self.every_s[l] {
                next - self.every_s[l]
            } else {
                next
            };
            past_a_cycle |= next >= self.every_s[l];
            self.rel_s[l] = next;
        }
        if past_a_cycle {
            for (rel, every) in self.rel_s.iter_mut().zip(&self.every_s) {
                *rel = if *rel >= *every {
                    rel.rem_euclid(*every)
                } else {
                    *rel
                };
            }
        }
        (inside, starting)
    }
}

fn default_period_s() -> f64 {
    300.0
}
fn one() -> u32 {
    1
}
fn plus_one() -> i64 {
    1
}
fn minus_one() -> i64 {
    -1
}
fn network_out() -> MetricKey {
    MetricKey::NetworkOut
}
fn five() -> f64 {
    5.0
}
fn ten() -> f64 {
    10.0
}
fn thirty() -> f64 {
    30.0
}
fn fourteen() -> u32 {
    14
}

/// Who owns the group: the defaults differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    /// An EC2 Auto Scaling group (target tracking relies on warm-up, not cooldowns).
    Ec2,
    /// An ECS service (Application Auto Scaling: 300 s cooldowns both ways).
    Ecs,
}

/// Resolves `[option.autoscaling]` at `path`.
pub(crate) fn resolve_autoscaling(
    input: &TomlInput<'_>,
    path: &str,
    spec: &AutoscalingSpec,
    owner: Owner,
    default_launch_delay_s: f64,
    timeline: &Timeline,
) -> Result<(GroupSpec, Metric)> {
    let at = |field: &str| format!("{path}.{field}");
    if spec.min > spec.max || spec.max == 0 {
        return Err(input.error_at(
            &at("max"),
            format!(
                "max {} must be at least min {} and at least 1",
                spec.max, spec.min
            ),
        ));
    }
    let desired = spec.desired.unwrap_or(spec.min);
    if !(spec.min..=spec.max).contains(&desired) {
        return Err(input.error_at(
            &at("desired"),
            format!(
                "{desired} is outside min..=max ({}..={})",
                spec.min, spec.max
            ),
        ));
    }
    let launch_delay_s = spec.launch_delay_s.unwrap_or(default_launch_delay_s);
    non_negative(input, &at("launch_delay_s"), launch_delay_s)?;
    let (default_out, default_in) = match owner {
        Owner::Ec2 => (0.0, 300.0),
        Owner::Ecs => (300.0, 300.0),
    };
    let policy = match spec.policy {
        PolicyKind::TargetTracking => {
            let target = spec.target.ok_or_else(|| {
                input.error_at(path, "target tracking needs `target` (e.g. 50 for 50% CPU)")
            })?;
            if !(target > 0.0 && target.is_finite()) {
                return Err(input.error_at(&at("target"), "must be > 0"));
            }
            Policy::TargetTracking {
                metric: spec.metric.metric(),
                target,
                scale_out_cooldown_s: spec.scale_out_cooldown_s.unwrap_or(default_out),
                scale_in_cooldown_s: spec.scale_in_cooldown_s.unwrap_or(default_in),
            }
        }
        PolicyKind::Simple => {
            let (Some(upper), Some(lower)) = (spec.upper_threshold, spec.lower_threshold) else {
                return Err(input.error_at(
                    path,
                    "simple scaling needs `upper_threshold` and `lower_threshold`",
                ));
            };
            simple_policy(
                input,
                path,
                spec.metric,
                spec.period_s,
                spec.evaluation_periods,
                (upper, spec.upper_adjustment),
                (lower, spec.lower_adjustment),
                spec.cooldown_s,
            )?
        }
    };
    // A group whose bounds are equal cannot scale, whatever its policy says.
    let policy = if spec.min == spec.max && spec.scheduled.is_empty() {
        Policy::Fixed
    } else {
        policy
    };
    let group = GroupSpec {
        min: spec.min,
        max: spec.max,
        initial: desired,
        launch_delay_s,
        policy,
        scheduled: scheduled_actions(input, path, &spec.scheduled)?,
    };
    check_period(input, path, &group, timeline)?;
    Ok((group, spec.metric.metric()))
}

#[allow(clippy::too_many_arguments)]
fn simple_policy(
    input: &TomlInput<'_>,
    path: &str,
    metric: MetricKey,
    period_s: f64,
    evaluation_periods: u32,
    (upper_threshold, upper_adjustment): (f64, i64),
    (lower_threshold, lower_adjustment): (f64, i64),
    cooldown_s: f64,
) -> Result<Policy> {
    if lower_threshold >= upper_threshold {
        return Err(input.error_at(
            path,
            format!("lower threshold {lower_threshold} must be below the upper {upper_threshold}"),
        ));
    }
    if upper_adjustment <= 0 || lower_adjustment >= 0 {
        return Err(input.error_at(
            path,
            "the upper adjustment must add instances (> 0) and the lower remove them (< 0)",
        ));
    }
    if evaluation_periods == 0 || period_s.is_nan() || period_s < 60.0 {
        return Err(input.error_at(
            path,
            "needs a period of at least 60 s and at least one evaluation period",
        ));
    }
    non_negative(input, path, cooldown_s)?;
    Ok(Policy::Simple {
        metric: metric.metric(),
        period_s,
        evaluation_periods,
        upper_threshold,
        upper_adjustment,
        lower_threshold,
        lower_adjustment,
        cooldown_s,
    })
}

/// Beanstalk's group: `aws:autoscaling:asg` (min 1, max 4, cooldown 360 s) and
/// `aws:autoscaling:trigger` (NetworkOut average over 5 minutes, upper 6 MB, lower 2 MB,
/// ±1 instance) unless overridden (EB developer guide, `command-options-general.md`).
pub(crate) fn resolve_beanstalk_group(
    input: &TomlInput<'_>,
    path: &str,
    (min, max, cooldown_s, launch_delay_s): (u32, u32, f64, f64),
    trigger: &TriggerSpec,
    timeline: &Timeline,
) -> Result<(GroupSpec, Metric)> {
    if min > max || max == 0 {
        return Err(input.error_at(
            &format!("{path}.max_instances"),
            format!("{max} must be at least min_instances {min} and at least 1"),
        ));
    }
    let tpath = format!("{path}.trigger");
    let (upper, lower) = match trigger.measure {
        MetricKey::NetworkOut => (trigger.upper_threshold.unwrap_or(6_000_000.0), trigger.lower_threshold.unwrap_or(2_000_000.0)),
        _ => match (trigger.upper_threshold, trigger.lower_threshold) {
            (Some(u), Some(l)) => (u, l),
            _ => return Err(input.error_at(&tpath, "a cpu or requests_per_target trigger needs `upper_threshold` and `lower_threshold`")),
        },
    };
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let evaluation_periods = (trigger.breach_minutes / trigger.period_minutes)
        .ceil()
        .max(1.0) as u32;
    let policy = simple_policy(
        input,
        &tpath,
        trigger.measure,
        trigger.period_minutes * 60.0,
        evaluation_periods,
        (upper, trigger.upper_increment),
        (lower, trigger.lower_increment),
        cooldown_s,
    )?;
    let policy = if min == max { Policy::Fixed } else { policy };
    let group = GroupSpec {
        min,
        max,
        initial: min,
        launch_delay_s,
        policy,
        scheduled: Vec::new(),
    };
    check_period(input, &tpath, &group, timeline)?;
    Ok((group, trigger.measure.metric()))
}

/// Resolves `[option.deployments]` at `path`.
pub(crate) fn resolve_deployments(
    input: &TomlInput<'_>,
    path: &str,
    spec: &DeploymentSpec,
    timeline: &Timeline,
) -> Result<DeploymentPlan> {
    let at = |field: &str| format!("{path}.{field}");
    if spec.per_week == 0 || 604_800 % i64::from(spec.per_week) != 0 {
        return Err(input.error_at(
            &at("per_week"),
            "must be a whole number that divides a week's seconds (1 to 7 work)",
        ));
    }
    let every_s = 604_800 / i64::from(spec.per_week);
    #[allow(clippy::cast_possible_truncation)]
    let window_s = (spec.minutes * 60.0).round() as i64;
    if window_s <= 0 || window_s >= every_s {
        return Err(input.error_at(
            &at("minutes"),
            "must be positive and shorter than the time between deployments",
        ));
    }
    if window_s % timeline.step_s != 0 || every_s % timeline.step_s != 0 {
        return Err(input.error_at(
            &at("minutes"),
            format!(
                "deployments must fall on whole {} s steps; use a finer scenario step",
                timeline.step_s
            ),
        ));
    }
    if spec.start_hour_utc > 23 {
        return Err(input.error_at(&at("start_hour_utc"), "must be 0..=23"));
    }
    if !(spec.batch_percent > 0.0 && spec.batch_percent <= 100.0) {
        return Err(input.error_at(&at("batch_percent"), "must be in (0, 100]"));
    }
    Ok(DeploymentPlan {
        policy: spec.policy,
        first_s: i64::from(spec.start_hour_utc) * 3600,
        every_s,
        window_s,
        batch_percent: spec.batch_percent,
    })
}

fn scheduled_actions(
    input: &TomlInput<'_>,
    path: &str,
    specs: &[ScheduledSpec],
) -> Result<Vec<ScheduledAction>> {
    specs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let at = format!("{path}.scheduled[{i}]");
            let parsed = chrono::NaiveTime::parse_from_str(&s.at_utc, "%H:%M").map_err(|_| {
                input.error_at(
                    &format!("{at}.at_utc"),
                    format!("`{}` is not a time of day (HH:MM)", s.at_utc),
                )
            })?;
            if s.min > s.max {
                return Err(input.error_at(&format!("{at}.max"), "must be at least min"));
            }
            use chrono::Timelike;
            Ok(ScheduledAction {
                at_s: i64::from(parsed.num_seconds_from_midnight()),
                min: s.min,
                max: s.max,
            })
        })
        .collect()
}

fn check_period(
    input: &TomlInput<'_>,
    path: &str,
    group: &GroupSpec,
    timeline: &Timeline,
) -> Result<()> {
    let period = group.metric_period_s();
    #[allow(clippy::cast_possible_truncation)]
    let period_s = period as i64;
    if period > 0.0 && (timeline.step_s > period_s || period_s % timeline.step_s != 0) {
        return Err(input.error_at(
            path,
            format!("the policy's {period_s} s metric period needs a scenario step that divides it; the step is {} s (use step = \"1m\")", timeline.step_s),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_windows_recur() {
        let d = DeploymentPlan {
            policy: DeploymentPolicy::Rolling,
            first_s: 14 * 3600,
            every_s: 604_800 / 5,
            window_s: 600,
            batch_percent: 30.0,
        };
        assert!(!d.in_window(14 * 3600 - 60));
        assert!(d.in_window(14 * 3600) && d.starts_at(14 * 3600));
        assert!(d.in_window(14 * 3600 + 540) && !d.in_window(14 * 3600 + 600));
        assert!(d.in_window(14 * 3600 + 120_960) && d.starts_at(14 * 3600 + 120_960));
        // the clocks the engine advances agree with the rule at every step of a year,
        // beside a lane without deployments, and with steps longer than a cycle
        let mut clocks = DeploymentClocks::new([Some(&d), None]);
        for k in 0..525_600 {
            let (inside, starting) = clocks.advance(60);
            assert_eq!(inside, u64::from(d.in_window(k * 60)), "minute {k}");
            assert_eq!(starting, u64::from(d.starts_at(k * 60)), "minute {k}");
        }
        let often = DeploymentPlan {
            first_s: 90,
            every_s: 50,
            window_s: 20,
            ..d
        };
        let mut clocks = DeploymentClocks::new([Some(&often)]);
        for k in 0..10_000 {
            let (inside, starting) = clocks.advance(60);
            assert_eq!(inside == 1, often.in_window(k * 60), "step {k}");
            assert_eq!(starting == 1, often.starts_at(k * 60), "step {k}");
        }
        assert_eq!(d.batch(4), 2);
        assert_eq!(d.batch(1), 1);
        assert_eq!(d.batch(10), 3);
    }
}
