//! The `[uncertainty]` table: which scenario parameters vary between paths, and how one
//! path's values and demand are drawn.
//!
//! ```toml
//! [uncertainty]
//! load = { dist = "lognormal", median = 1.0, sigma = 0.15 }  # × the workload's level
//! monthly_growth = { dist = "triangular", min = 0.0, mode = 0.01, max = 0.03 }
//! vcpu_ms_per_request = { dist = "pert", min = 20, mode = 25, max = 40 }
//! [uncertainty.noise]            # AR(1) on the log of the rate, per step
//! cv = 0.10
//! autocorrelation = 0.9
//! [uncertainty.spikes]           # Poisson arrivals; each spike multiplies the load
//! per_day = 0.2
//! magnitude = { dist = "uniform", min = 2, max = 4 }
//! minutes = { dist = "uniform", min = 5, max = 30 }
//! [uncertainty.bootstrap]        # trace workloads: resample whole days or weeks
//! block = "day"
//! ```

use serde::Deserialize;

use super::dist::{Dist, Range};
use super::rng::PathRng;
use crate::error::Result;
use crate::scenario::options::OptionModel;
use crate::scenario::resolve::{DemandSource, Workload};
use crate::scenario::{Plan, Timeline, TomlInput};
use crate::sim::demand::{DemandStream, Spike};

use rand::Rng;

/// `[uncertainty]` as written: each parameter a number or a `{ dist = … }` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UncertaintySpec {
    /// Multiplier on the workload's load level.
    pub load: Option<toml::Value>,
    /// Compound growth per calendar month (replaces `workload.monthly_growth`).
    pub monthly_growth: Option<toml::Value>,
    /// Daily swing of a synthetic workload (replaces its `daily_amplitude`).
    pub daily_amplitude: Option<toml::Value>,
    /// Weekend load of a synthetic workload relative to weekdays (weekly seasonality).
    pub weekend_factor: Option<toml::Value>,
    /// CPU per request, vCPU-ms.
    pub vcpu_ms_per_request: Option<toml::Value>,
    /// Handler time per request (Lambda's duration), ms.
    pub duration_ms: Option<toml::Value>,
    /// Response size, kB (data transfer).
    pub response_kb: Option<toml::Value>,
    /// Fargate Spot discount (for options that use Spot).
    pub spot_discount: Option<toml::Value>,
    /// Fargate Spot interruptions per task-hour.
    pub spot_interruptions_per_task_hour: Option<toml::Value>,
    /// Deployments per week (for options that model deployments).
    pub deployments_per_week: Option<toml::Value>,
    /// AR(1) noise on the request rate.
    pub noise: Option<NoiseSpec>,
    /// Load spikes.
    pub spikes: Option<SpikeSpec>,
    /// Block bootstrap of a trace.
    pub bootstrap: Option<BootstrapSpec>,
}

/// `[uncertainty.noise]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoiseSpec {
    /// Coefficient of variation of the multiplicative noise.
    pub cv: toml::Value,
    /// Correlation of the noise between consecutive steps (0 ≤ ρ < 1).
    pub autocorrelation: toml::Value,
}

/// `[uncertainty.spikes]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpikeSpec {
    /// Mean spikes per day (a Poisson process).
    pub per_day: toml::Value,
    /// Load multiplier while a spike lasts (drawn per spike).
    pub magnitude: toml::Value,
    /// How long a spike lasts, minutes (drawn per spike).
    pub minutes: toml::Value,
}

/// `[uncertainty.bootstrap]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BootstrapSpec {
    /// `day` or `week`.
    pub block: String,
}

/// The validated uncertainty of a plan.
#[derive(Debug, Clone, Default)]
pub struct Uncertainty {
    load: Option<Dist>,
    monthly_growth: Option<Dist>,
    daily_amplitude: Option<Dist>,
    weekend_factor: Option<Dist>,
    vcpu_ms_per_request: Option<Dist>,
    duration_ms: Option<Dist>,
    response_kb: Option<Dist>,
    spot_discount: Option<Dist>,
    spot_interruptions_per_task_hour: Option<Dist>,
    deployments_per_week: Option<Dist>,
    noise: Option<(Dist, Dist)>,
    spikes: Option<(Dist, Dist, Dist)>,
    bootstrap_block_steps: Option<usize>,
}

impl Uncertainty {
    /// True when nothing varies: every path would be the scenario's demand as given.
    #[must_use]
    pub fn is_deterministic(&self) -> bool {
        let fixed = |d: &Option<Dist>| d.as_ref().is_none_or(Dist::is_fixed);
        [
            &self.load,
            &self.monthly_growth,
            &self.daily_amplitude,
            &self.weekend_factor,
            &self.vcpu_ms_per_request,
            &self.duration_ms,
            &self.response_kb,
            &self.spot_discount,
            &self.spot_interruptions_per_task_hour,
            &self.deployments_per_week,
        ]
        .into_iter()
        .all(fixed)
            && self
                .noise
                .as_ref()
                .is_none_or(|(cv, _)| matches!(cv, Dist::Fixed(v) if *v == 0.0))
            && self
                .spikes
                .as_ref()
                .is_none_or(|(rate, _, _)| matches!(rate, Dist::Fixed(v) if *v == 0.0))
            && self.bootstrap_block_steps.is_none()
    }
}

/// Checks `[uncertainty]` against the workload and options it applies to.
///
/// # Errors
/// [`crate::error::Error::Input`] naming the field: a bad distribution, a parameter that
/// applies to nothing in the scenario (e.g. `daily_amplitude` on a trace), or a trace too
/// short for one bootstrap block.
pub(crate) fn resolve(
    input: &TomlInput<'_>,
    spec: Option<&UncertaintySpec>,
    workload: &Workload,
    options: &[crate::scenario::OptionPlan],
    timeline: &Timeline,
) -> Result<Uncertainty> {
    let Some(spec) = spec else {
        return Ok(Uncertainty::default());
    };
    let dist = |name: &str, value: &Option<toml::Value>, range: Range| -> Result<Option<Dist>> {
        value
            .as_ref()
            .map(|v| Dist::parse(input, &format!("uncertainty.{name}"), v, range))
            .transpose()
    };
    let synthetic = matches!(workload.source, DemandSource::Synthetic(_));
    let needs_synthetic = |name: &str, value: &Option<toml::Value>| -> Result<()> {
        if value.is_some() && !synthetic {
            return Err(input.error_at(
                &format!("uncertainty.{name}"),
                "applies to a [workload.synthetic] profile; a trace keeps its own shape (use [uncertainty.bootstrap] to vary it)",
            ));
        }
        Ok(())
    };
    needs_synthetic("daily_amplitude", &spec.daily_amplitude)?;
    needs_synthetic("weekend_factor", &spec.weekend_factor)?;
    let spot_start_s = options
        .iter()
        .filter_map(|o| match &o.model {
            OptionModel::Fargate(f) if f.spot_discount > 0.0 => Some(f.task_start_seconds),
            _ => None,
        })
        .fold(None, |acc: Option<f64>, s| {
            Some(acc.map_or(s, |a| a.max(s)))
        });
    for (name, value) in [
        ("spot_discount", &spec.spot_discount),
        (
            "spot_interruptions_per_task_hour",
            &spec.spot_interruptions_per_task_hour,
        ),
    ] {
        if value.is_some() && spot_start_s.is_none() {
            return Err(input.error_at(
                &format!("uncertainty.{name}"),
                "no option uses Fargate Spot (`spot_discount` on a fargate option)",
            ));
        }
    }
    let has_deployments = options
        .iter()
        .any(|o| matches!(&o.model, OptionModel::Ec2Fleet(f) if f.deployments.is_some()));
    if spec.deployments_per_week.is_some() && !has_deployments {
        return Err(input.error_at(
            "uncertainty.deployments_per_week",
            "no option models deployments (`[option.deployments]`)",
        ));
    }
    // An interrupted slot is empty for the replacement's start time, so the rate must
    // leave some time in service.
    let interruptions_max = spot_start_s.map_or(f64::INFINITY, |s| {
        if s > 0.0 {
            0.99 * 3600.0 / s
        } else {
            f64::INFINITY
        }
    });
    let noise = spec
        .noise
        .as_ref()
        .map(|n| -> Result<(Dist, Dist)> {
            Ok((
                Dist::parse(input, "uncertainty.noise.cv", &n.cv, Range::NON_NEGATIVE)?,
                Dist::parse(
                    input,
                    "uncertainty.noise.autocorrelation",
                    &n.autocorrelation,
                    Range {
                        min: 0.0,
                        max: 0.999,
                    },
                )?,
            ))
        })
        .transpose()?;
    let spikes = spec
        .spikes
        .as_ref()
        .map(|s| -> Result<(Dist, Dist, Dist)> {
            Ok((
                Dist::parse(
                    input,
                    "uncertainty.spikes.per_day",
                    &s.per_day,
                    Range::NON_NEGATIVE,
                )?,
                Dist::parse(
                    input,
                    "uncertainty.spikes.magnitude",
                    &s.magnitude,
                    Range::NON_NEGATIVE,
                )?,
                Dist::parse(
                    input,
                    "uncertainty.spikes.minutes",
                    &s.minutes,
                    Range::NON_NEGATIVE,
                )?,
            ))
        })
        .transpose()?;
    let bootstrap_block_steps = spec
        .bootstrap
        .as_ref()
        .map(|b| bootstrap_block(input, b, workload, timeline))
        .transpose()?;
    Ok(Uncertainty {
        load: dist("load", &spec.load, Range::NON_NEGATIVE)?,
        monthly_growth: dist(
            "monthly_growth",
            &spec.monthly_growth,
            Range {
                min: -0.99,
                max: f64::INFINITY,
            },
        )?,
        daily_amplitude: dist("daily_amplitude", &spec.daily_amplitude, Range::FRACTION)?,
        weekend_factor: dist("weekend_factor", &spec.weekend_factor, Range::NON_NEGATIVE)?,
        vcpu_ms_per_request: dist(
            "vcpu_ms_per_request",
            &spec.vcpu_ms_per_request,
            Range::NON_NEGATIVE,
        )?,
        duration_ms: dist("duration_ms", &spec.duration_ms, Range::NON_NEGATIVE)?,
        response_kb: dist("response_kb", &spec.response_kb, Range::NON_NEGATIVE)?,
        spot_discount: dist(
            "spot_discount",
            &spec.spot_discount,
            Range {
                min: 0.0,
                max: 0.99,
            },
        )?,
        spot_interruptions_per_task_hour: dist(
            "spot_interruptions_per_task_hour",
            &spec.spot_interruptions_per_task_hour,
            Range {
                min: 0.0,
                max: interruptions_max,
            },
        )?,
        deployments_per_week: dist(
            "deployments_per_week",
            &spec.deployments_per_week,
            Range {
                min: 0.0,
                max: 10_080.0,
            },
        )?,
        noise,
        spikes,
        bootstrap_block_steps,
    })
}

fn bootstrap_block(
    input: &TomlInput<'_>,
    spec: &BootstrapSpec,
    workload: &Workload,
    timeline: &Timeline,
) -> Result<usize> {
    let DemandSource::Trace {
        requests_per_second,
        ..
    } = &workload.source
    else {
        return Err(input.error_at(
            "uncertainty.bootstrap",
            "resamples a [workload.trace]; a synthetic workload has no trace to resample",
        ));
    };
    let block_s: i64 = match spec.block.as_str() {
        "day" => 86_400,
        "week" => 604_800,
        other => {
            return Err(input.error_at(
                "uncertainty.bootstrap.block",
                format!("`{other}` is not a block; use \"day\" or \"week\""),
            ));
        }
    };
    // The step divides a day (checked with the step), so a block is whole steps.
    let steps = usize::try_from(block_s / timeline.step_s).unwrap_or(usize::MAX);
    if requests_per_second.len() < steps {
        return Err(input.error_at(
            "uncertainty.bootstrap.block",
            format!(
                "the trace covers {} steps, less than one {} ({steps} steps); use a shorter block or a longer trace",
                requests_per_second.len(),
                spec.block
            ),
        ));
    }
    Ok(steps)
}

/// One path: its plan (with this path's parameter values) and its demand.
#[derive(Debug, Clone)]
pub struct PathDraw {
    /// The scenario's plan with this path's values of the uncertain parameters.
    pub plan: Plan,
    /// Its requests per second, step by step.
    pub demand: DemandStream,
}

impl Uncertainty {
    /// Draws one path from `rng`: first every uncertain parameter (in a fixed order),
    /// then the bootstrap blocks, the spikes and the per-step noise.
    #[must_use]
    pub fn draw(&self, plan: &Plan, rng: &mut PathRng) -> PathDraw {
        let mut plan = plan.clone();
        let mut draw = |d: &Option<Dist>| d.as_ref().map(|d| d.sample(rng));
        let load = draw(&self.load);
        let growth = draw(&self.monthly_growth);
        let amplitude = draw(&self.daily_amplitude);
        let weekend = draw(&self.weekend_factor);
        let vcpu_ms = draw(&self.vcpu_ms_per_request);
        let duration_ms = draw(&self.duration_ms);
        let response_kb = draw(&self.response_kb);
        let spot_discount = draw(&self.spot_discount);
        let interruptions = draw(&self.spot_interruptions_per_task_hour);
        let deployments = draw(&self.deployments_per_week);
        let noise = self
            .noise
            .as_ref()
            .map(|(cv, rho)| (cv.sample(rng), rho.sample(rng)));
        let spike_rate = self.spikes.as_ref().map(|(rate, _, _)| rate.sample(rng));
        apply(
            &mut plan,
            Applied {
                load,
                growth,
                amplitude,
                weekend,
                vcpu_ms,
                duration_ms,
                response_kb,
                spot_discount,
                interruptions,
                deployments,
            },
        );
        let mut demand = DemandStream::new(&plan.workload, &plan.timeline);
        if let Some(block) = self.bootstrap_block_steps {
            let starts = bootstrap_starts(&plan.workload, plan.timeline.steps, block, rng);
            demand = demand.with_bootstrap(block, starts);
        }
        if let (Some((_, magnitude, minutes)), Some(rate)) = (&self.spikes, spike_rate) {
            demand = demand.with_spikes(spikes(
                plan.timeline.steps,
                plan.timeline.step_seconds(),
                rate,
                magnitude,
                minutes,
                rng,
            ));
        }
        if let Some((cv, rho)) = noise {
            // the noise draws from what is left of the path's stream, as it goes
            demand = demand.with_noise(cv, rho, rng.clone());
        }
        PathDraw { plan, demand }
    }
}

/// One path's parameter values (`None`: as the scenario says).
struct Applied {
    load: Option<f64>,
    growth: Option<f64>,
    amplitude: Option<f64>,
    weekend: Option<f64>,
    vcpu_ms: Option<f64>,
    duration_ms: Option<f64>,
    response_kb: Option<f64>,
    spot_discount: Option<f64>,
    interruptions: Option<f64>,
    deployments: Option<f64>,
}

fn apply(plan: &mut Plan, a: Applied) {
    let w = &mut plan.workload;
    apply_workload(w, &a);
    let w = &plan.workload;
    for option in &mut plan.options {
        apply_option(option, w, &a);
    }
}

fn apply_workload(w: &mut Workload, a: &Applied) {
    if let Some(load) = a.load {
        w.scale *= load;
    }
    if let Some(g) = a.growth {
        w.monthly_growth = g;
    }
    if let DemandSource::Synthetic(profile) = &mut w.source {
        if let Some(x) = a.amplitude {
            profile.daily_amplitude = x;
        }
        if let Some(x) = a.weekend {
            profile.weekend_factor = x;
        }
    }
    if let Some(x) = a.vcpu_ms {
        w.vcpu_ms_per_request = x;
    }
    if let Some(x) = a.duration_ms {
        w.duration_ms = x;
    }
    if let Some(x) = a.response_kb {
        w.response_kb = x;
    }
}

fn apply_option(option: &mut crate::scenario::OptionPlan, w: &Workload, a: &Applied) {
    match &mut option.model {
        OptionModel::Lambda(f)
            if f.duration_from_workload && (a.duration_ms.is_some() || a.vcpu_ms.is_some()) =>
        {
            f.config.duration_ms = crate::scenario::options::lambda_duration_ms(
                w.duration_ms,
                w.vcpu_ms_per_request,
                f.cpu_slowdown,
            );
        }
        OptionModel::Fargate(f) if f.spot_discount > 0.0 => {
            if let Some(x) = a.spot_discount {
                f.spot_discount = x;
            }
            if let Some(rate) = a.interruptions {
                f.in_service_fraction = 1.0 - rate * f.task_start_seconds / 3600.0;
            }
        }
        OptionModel::Ec2Fleet(f) => {
            if let (Some(x), Some(d)) = (a.deployments, f.deployments.as_mut()) {
                match deployment_interval_s(x) {
                    Some(every_s) => d.every_s = every_s.max(d.window_s),
                    None => f.deployments = None,
                }
            }
        }
        _ => {}
    }
}

/// The interval of `per_week` deployments a week: the nearest whole number of
/// deployments that divides the week into whole seconds; `None` for none.
fn deployment_interval_s(per_week: f64) -> Option<i64> {
    #[allow(clippy::cast_possible_truncation)]
    let n = per_week.round() as i64;
    if n <= 0 {
        return None;
    }
    // 604,800 = 2⁷·3³·5²·7: every n up to 10 divides it; otherwise the nearest divisor.
    let nearest = (0..n)
        .flat_map(|d| [n - d, n + d])
        .find(|&c| c > 0 && 604_800 % c == 0)
        .unwrap_or(1);
    Some(604_800 / nearest)
}

/// A trace's shape for the whole horizon from whole blocks of it, each drawn uniformly
/// from the trace's complete blocks. Blocks start at the trace's own block boundaries, so
/// every block begins at the same time of day (and weekday, for weeks) as the trace did,
/// and the daily (weekly) shape is kept.
/// The first trace step of each block of a block bootstrap: whole blocks drawn
/// uniformly from the trace's whole blocks.
fn bootstrap_starts(
    workload: &Workload,
    steps: usize,
    block: usize,
    rng: &mut PathRng,
) -> Vec<usize> {
    let DemandSource::Trace {
        requests_per_second: trace,
        ..
    } = &workload.source
    else {
        unreachable!("bootstrap was checked to apply to a trace");
    };
    let blocks = trace.len() / block;
    (0..steps.div_ceil(block))
        .map(|_| rng.random_range(0..blocks) * block)
        .collect()
}

/// Spikes over `steps` steps: Poisson arrivals at `per_day`, each with its magnitude
/// and length drawn, in arrival order.
fn spikes(
    steps: usize,
    step_s: f64,
    per_day: f64,
    magnitude: &Dist,
    minutes: &Dist,
    rng: &mut PathRng,
) -> Vec<Spike> {
    let mut out = Vec::new();
    if per_day <= 0.0 {
        return out;
    }
    #[allow(clippy::cast_precision_loss)]
    let horizon_s = steps as f64 * step_s;
    let mean_gap_s = 86_400.0 / per_day;
    let mut t = 0.0;
    loop {
        // exponential gap by inversion; 1 − u is in (0, 1]
        let u: f64 = rng.random();
        t += -mean_gap_s * libm::log(1.0 - u);
        if t >= horizon_s {
            break;
        }
        let m = magnitude.sample(rng);
        let length_s = minutes.sample(rng) * 60.0;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let (first, last) = (
            (t / step_s) as usize,
            ((t + length_s) / step_s).ceil() as usize,
        );
        out.push(Spike {
            first,
            last: last.max(first + 1).min(steps),
            magnitude: m,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mc::rng::path_rng;
    use crate::scenario::resolve::SyntheticProfile;

    /// A flat demand of 1 request per second at one-minute steps over `months` months.
    fn flat(months: u32) -> DemandStream {
        let workload = crate::sim::demand::testing::workload(
            SyntheticProfile {
                requests_per_second: 1.0,
                daily_amplitude: 0.0,
                peak_hour_utc: 0.0,
                weekend_factor: 1.0,
            },
            0.0,
        );
        let start = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        DemandStream::new(&workload, &Timeline::new(start, months, 60).unwrap())
    }

    #[test]
    fn noise_has_mean_one_and_the_stated_cv_and_correlation() {
        let rps = flat(10).with_noise(0.2, 0.8, path_rng(1, 0)).collect_all();
        #[allow(clippy::cast_precision_loss)]
        let n = rps.len() as f64;
        let mean = rps.iter().sum::<f64>() / n;
        let var = rps.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / n;
        assert!((mean - 1.0).abs() < 0.01, "{mean}");
        assert!((var.sqrt() / mean - 0.2).abs() < 0.01, "{}", var.sqrt());
        assert!(rps.iter().all(|r| *r > 0.0));
        // lag-one correlation of the logs is rho
        let logs: Vec<f64> = rps.iter().map(|r| r.ln()).collect();
        let lm = logs.iter().sum::<f64>() / n;
        let cov = logs
            .windows(2)
            .map(|w| (w[0] - lm) * (w[1] - lm))
            .sum::<f64>()
            / (n - 1.0);
        let lv = logs.iter().map(|l| (l - lm).powi(2)).sum::<f64>() / n;
        assert!((cov / lv - 0.8).abs() < 0.01, "{}", cov / lv);
    }

    #[test]
    fn spikes_arrive_at_the_poisson_rate_and_multiply_the_load() {
        // one-minute steps for 1,000 days, 2 spikes a day of exactly one minute, ×3
        let stream = flat(33);
        let drawn = spikes(
            1_440_000,
            60.0,
            2.0,
            &Dist::Fixed(3.0),
            &Dist::Fixed(1.0),
            &mut path_rng(5, 0),
        );
        let rps = stream.with_spikes(drawn).collect_all();
        // a one-minute spike starting inside a step covers it and the next: count runs
        let runs = rps.windows(2).filter(|w| w[0] == 1.0 && w[1] > 1.0).count();
        // ~2,000 spikes (sd ≈ 45)
        assert!((1850..=2150).contains(&runs), "{runs}");
        let spiked = rps.iter().filter(|r| **r > 1.0).count();
        assert!(spiked <= 2 * runs + 10, "{spiked}");
        // overlapping spikes do not compound
        assert!(rps.iter().all(|r| *r == 1.0 || *r == 3.0));
    }

    #[test]
    fn deployments_round_to_a_whole_divisor_of_the_week() {
        assert_eq!(deployment_interval_s(0.4), None);
        assert_eq!(deployment_interval_s(5.2), Some(604_800 / 5));
        // 11 does not divide 604,800; 10 and 12 do, and 10 is tried first
        assert_eq!(deployment_interval_s(11.0), Some(604_800 / 10));
    }
}

#[cfg(test)]
mod bootstrap_tests {
    use super::*;
    use crate::catalog::PriceCatalog;
    use crate::mc::rng::path_rng;
    use crate::scenario::ScenarioSource;

    /// A 14-day hourly trace, each day the same shape (a peak at 15:00) at its own level.
    fn trace_plan(dir: &std::path::Path, block: &str) -> Plan {
        let mut csv = String::from("timestamp,requests\n");
        for day in 0..14 {
            for hour in 0..24 {
                let shape =
                    1.0 + 0.5 * (std::f64::consts::TAU * (f64::from(hour) - 15.0) / 24.0).cos();
                let level = 100.0 + f64::from(day) * 10.0;
                csv.push_str(&format!(
                    "{},{}\n",
                    1_798_761_600 + (day * 24 + hour) * 3600,
                    level * shape * 3600.0
                ));
            }
        }
        std::fs::write(dir.join("t.csv"), csv).unwrap();
        let text = format!(
            r#"schema_version = 1
name = "boot"
start = 2027-01-01
horizon_months = 3
step = "1h"
[workload]
vcpu_ms_per_request = 10.0
duration_ms = 50.0
[workload.trace]
path = "t.csv"
metric = "requests_per_interval"
timestamp_column = "timestamp"
value_column = "requests"
[uncertainty.bootstrap]
block = "{block}"
[[option]]
name = "fn"
service = "lambda"
memory_mb = 128
"#
        );
        ScenarioSource {
            file: dir.join("s.toml"),
            base_dir: dir.to_path_buf(),
            text,
        }
        .plan(&PriceCatalog::embedded("us-east-1").unwrap())
        .unwrap()
    }

    #[test]
    fn bootstrap_keeps_whole_days_of_the_trace_and_its_daily_shape() {
        let dir = tempfile::tempdir().unwrap();
        let plan = trace_plan(dir.path(), "day");
        assert!(!plan.uncertainty.is_deterministic());
        let DemandSource::Trace {
            requests_per_second: trace,
            ..
        } = &plan.workload.source
        else {
            panic!("a trace")
        };
        let trace_days: Vec<&[f64]> = trace.chunks(24).collect();
        let draw = plan.uncertainty.draw(&plan, &mut path_rng(4, 0));
        let rps = draw.demand.collect_all();
        let days: Vec<&[f64]> = rps.chunks(24).collect();
        assert_eq!(days.len(), 90);
        // every simulated day is one whole day of the trace (no growth, scale 1)
        assert!(days.iter().all(|d| trace_days.contains(d)));
        // many different days were drawn, so the level varies but the shape does not:
        // each day peaks at 15:00 and its trough is half its peak
        let distinct: std::collections::BTreeSet<u64> =
            days.iter().map(|d| d[0].to_bits()).collect();
        assert!(distinct.len() >= 10, "{}", distinct.len());
        for d in &days {
            let peak = d.iter().copied().fold(0.0, f64::max);
            assert_eq!(d[15], peak);
            assert!((d[3] / d[15] - 0.5 / 1.5).abs() < 1e-9);
        }
        // another path draws other days
        let other = plan.uncertainty.draw(&plan, &mut path_rng(4, 1));
        assert_ne!(other.demand.collect_all(), rps);
    }

    #[test]
    fn week_blocks_need_a_week_of_trace() {
        let dir = tempfile::tempdir().unwrap();
        let plan = trace_plan(dir.path(), "week");
        let draw = plan.uncertainty.draw(&plan, &mut path_rng(1, 0));
        let DemandSource::Trace {
            requests_per_second: trace,
            ..
        } = &plan.workload.source
        else {
            panic!("a trace")
        };
        // weeks start on the trace's first or eighth day
        for week in draw.demand.collect_all().chunks(168) {
            assert!(week == &trace[..week.len()] || week == &trace[168..168 + week.len()]);
        }
    }

    #[test]
    fn uncertain_parameters_reach_the_path_plan() {
        let plan = crate::testing::plan(crate::testing::MC);
        let a = plan.uncertainty.draw(&plan, &mut path_rng(1, 0)).plan;
        let b = plan.uncertainty.draw(&plan, &mut path_rng(1, 1)).plan;
        assert_ne!(
            a.workload.vcpu_ms_per_request,
            b.workload.vcpu_ms_per_request
        );
        assert!((20.0..=40.0).contains(&a.workload.vcpu_ms_per_request));
        let lambda_duration = |p: &Plan| match &p.options[3].model {
            OptionModel::Lambda(f) => f.config.duration_ms,
            _ => panic!("option 3 is the Lambda function"),
        };
        assert_eq!(lambda_duration(&a), a.workload.duration_ms);
        assert_ne!(lambda_duration(&a), lambda_duration(&b));
    }
}
