//! Resolving a [`ScenarioSpec`] into a [`Plan`]: every key checked, every rate looked up.
//!
//! The rate look-ups here (`ec2_rates`, `lambda_rates`) are the only place a model's
//! prices come from, for scenarios and usage files alike.

use std::path::Path;

use chrono::NaiveDate;

use super::input::TomlInput;
use super::options::OptionPlan;
use super::timeline::{Timeline, parse_step};
use super::{SCHEMA_VERSION, ScenarioSpec, SloSpec, SyntheticSpec, WorkloadSpec};
use crate::billing::burst::CreditSpec;
use crate::billing::ebs::EbsRates;
use crate::billing::ec2::{Ec2Rates, OperatingSystem};
use crate::billing::elb::AlbRates;
use crate::billing::lambda::{self, LambdaRates};
use crate::catalog::CreditMode;
use crate::catalog::{CatalogInfo, PriceCatalog, Service};
use crate::error::{Error, Result};
use crate::trace::{self, MetricKind, RegularSeries};

/// A scenario ready to run: validated, with every rate resolved.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Scenario name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// Provenance of the prices used.
    pub catalog: CatalogInfo,
    /// The simulated calendar.
    pub timeline: Timeline,
    /// The demand.
    pub workload: Workload,
    /// The candidate options, in file order.
    pub options: Vec<OptionPlan>,
    /// Parameters that vary between Monte Carlo paths.
    pub uncertainty: crate::mc::uncertainty::Uncertainty,
    /// Service levels for feasibility.
    pub slo: Slo,
    /// Budget rules from the scenario's `[gate]` table.
    pub gate: Vec<crate::gate::RuleSpec>,
}

/// Service levels an option must meet.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Slo {
    /// Smallest acceptable share of demand served.
    pub min_served_fraction: f64,
    /// Largest acceptable p95 utilisation of provisioned capacity.
    pub max_p95_utilization: f64,
    /// Share of paths in which the levels must hold for the option to be feasible.
    pub min_share_of_paths: f64,
}

/// The demand of a scenario.
#[derive(Debug, Clone)]
pub struct Workload {
    /// CPU per request, vCPU-ms.
    pub vcpu_ms_per_request: f64,
    /// Handler time per request, ms.
    pub duration_ms: f64,
    /// Response size, kB.
    pub response_kb: f64,
    /// Request size, kB.
    pub request_kb: f64,
    /// Requests per client connection.
    pub requests_per_connection: f64,
    /// Seconds a client connection stays open.
    pub connection_seconds: f64,
    /// Compound monthly growth.
    pub monthly_growth: f64,
    /// Load multiplier.
    pub scale: f64,
    /// Where the request rate comes from.
    pub source: DemandSource,
}

/// The shape of demand before growth and scale.
#[derive(Debug, Clone)]
pub enum DemandSource {
    /// A synthetic profile.
    Synthetic(SyntheticProfile),
    /// A trace resampled to the scenario step, as requests per second, repeated back to
    /// back from the start of the horizon.
    Trace {
        /// Requests per second on the scenario step (shared: every Monte Carlo path's
        /// plan points at the same series).
        requests_per_second: std::sync::Arc<[f64]>,
        /// The file it came from.
        path: String,
    },
}

/// A validated synthetic profile.
#[derive(Debug, Clone, Copy)]
pub struct SyntheticProfile {
    /// Weekly mean requests per second.
    pub requests_per_second: f64,
    /// Daily amplitude (fraction of the mean).
    pub daily_amplitude: f64,
    /// Peak hour, UTC.
    pub peak_hour_utc: f64,
    /// Weekend load relative to weekdays.
    pub weekend_factor: f64,
}

pub(crate) fn one_u32() -> u32 {
    1
}

pub(crate) fn linux() -> OperatingSystem {
    OperatingSystem::Linux
}

pub(crate) fn yes() -> bool {
    true
}

pub(super) fn resolve(
    input: &TomlInput<'_>,
    spec: &ScenarioSpec,
    base_dir: &Path,
    catalog: &PriceCatalog,
) -> Result<Plan> {
    if spec.schema_version != SCHEMA_VERSION {
        return Err(input.error_at(
            "schema_version",
            format!(
                "schema version {} is not supported; this build reads version {SCHEMA_VERSION}",
                spec.schema_version
            ),
        ));
    }
    if spec.region != catalog.region() {
        return Err(input.error_at(
            "region",
            format!("the catalog loaded is for {}", catalog.region()),
        ));
    }
    let start = NaiveDate::parse_from_str(&spec.start.0, "%Y-%m-%d").map_err(|_| {
        input.error_at(
            "start",
            format!("`{}` is not a date (YYYY-MM-DD)", spec.start.0),
        )
    })?;
    let step_s = parse_step(&spec.step).map_err(|m| input.error_at("step", m))?;
    let timeline = Timeline::new(start, spec.horizon_months, step_s).map_err(|m| {
        let field = if m.contains("months") {
            "horizon_months"
        } else {
            "step"
        };
        input.error_at(field, m)
    })?;
    let workload = resolve_workload(input, &spec.workload, base_dir, catalog, &timeline)?;
    if spec.options.is_empty() {
        return Err(input.error_at("option", "add at least one [[option]]"));
    }
    let mut options: Vec<OptionPlan> = Vec::with_capacity(spec.options.len());
    for (i, table) in spec.options.iter().enumerate() {
        let option =
            super::options::resolve_option(input, i, table.clone(), &workload, catalog, &timeline)?;
        if options.iter().any(|o| o.name == option.name) {
            return Err(input.error_at(
                &format!("option[{i}].name"),
                format!(
                    "`{}` is used by another option; names must be unique",
                    option.name
                ),
            ));
        }
        options.push(option);
    }
    let uncertainty = crate::mc::uncertainty::resolve(
        input,
        spec.uncertainty.as_ref(),
        &workload,
        &options,
        &timeline,
    )?;
    Ok(Plan {
        uncertainty,
        name: spec.name.clone(),
        description: spec.description.clone(),
        catalog: catalog.info().clone(),
        timeline,
        workload,
        options,
        slo: resolve_slo(input, &spec.slo)?,
        gate: {
            crate::gate::check_rules(input, "gate.rule", &spec.gate.rule)?;
            spec.gate.rule.clone()
        },
    })
}

fn resolve_slo(input: &TomlInput<'_>, slo: &SloSpec) -> Result<Slo> {
    fraction(input, "slo.min_served_fraction", slo.min_served_fraction)?;
    fraction(input, "slo.max_p95_utilization", slo.max_p95_utilization)?;
    fraction(input, "slo.min_share_of_paths", slo.min_share_of_paths)?;
    Ok(Slo {
        min_served_fraction: slo.min_served_fraction,
        max_p95_utilization: slo.max_p95_utilization,
        min_share_of_paths: slo.min_share_of_paths,
    })
}

fn fraction(input: &TomlInput<'_>, path: &str, value: f64) -> Result<()> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(input.error_at(path, format!("{value} is outside 0..=1")))
    }
}

pub(super) fn non_negative(input: &TomlInput<'_>, path: &str, value: f64) -> Result<()> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(input.error_at(path, format!("{value} must be a finite number >= 0")))
    }
}

fn resolve_workload(
    input: &TomlInput<'_>,
    spec: &WorkloadSpec,
    base_dir: &Path,
    catalog: &PriceCatalog,
    timeline: &Timeline,
) -> Result<Workload> {
    for (path, value) in [
        ("workload.vcpu_ms_per_request", spec.vcpu_ms_per_request),
        ("workload.duration_ms", spec.duration_ms),
        ("workload.response_kb", spec.response_kb),
        ("workload.request_kb", spec.request_kb),
        ("workload.connection_seconds", spec.connection_seconds),
        ("workload.scale", spec.scale),
    ] {
        non_negative(input, path, value)?;
    }
    if !(spec.requests_per_connection >= 1.0 && spec.requests_per_connection.is_finite()) {
        return Err(input.error_at("workload.requests_per_connection", "must be at least 1"));
    }
    if !(spec.monthly_growth > -1.0 && spec.monthly_growth.is_finite()) {
        return Err(input.error_at(
            "workload.monthly_growth",
            "must be above -1 (a fraction per month)",
        ));
    }
    let source = match (&spec.synthetic, &spec.trace) {
        (Some(synthetic), None) => DemandSource::Synthetic(resolve_synthetic(input, synthetic)?),
        (None, Some(trace_spec)) => {
            let trace = trace::load::load(trace_spec, base_dir)?;
            let series = trace.resample(timeline.step_s, trace_spec.gaps)?;
            let requests_per_second =
                trace_rates_to_rps(input, trace_spec, &series, spec, catalog)?;
            DemandSource::Trace {
                requests_per_second: requests_per_second.into(),
                path: trace.path.display().to_string(),
            }
        }
        _ => {
            return Err(input.error_at(
                "workload",
                "give exactly one of [workload.synthetic] or [workload.trace]",
            ));
        }
    };
    Ok(Workload {
        vcpu_ms_per_request: spec.vcpu_ms_per_request,
        duration_ms: spec.duration_ms,
        response_kb: spec.response_kb,
        request_kb: spec.request_kb,
        requests_per_connection: spec.requests_per_connection,
        connection_seconds: spec.connection_seconds,
        monthly_growth: spec.monthly_growth,
        scale: spec.scale,
        source,
    })
}

fn resolve_synthetic(input: &TomlInput<'_>, s: &SyntheticSpec) -> Result<SyntheticProfile> {
    non_negative(
        input,
        "workload.synthetic.requests_per_second",
        s.requests_per_second,
    )?;
    fraction(
        input,
        "workload.synthetic.daily_amplitude",
        s.daily_amplitude,
    )?;
    if !(0.0..=24.0).contains(&s.peak_hour_utc) {
        return Err(input.error_at(
            "workload.synthetic.peak_hour_utc",
            format!("{} is outside 0..=24", s.peak_hour_utc),
        ));
    }
    non_negative(input, "workload.synthetic.weekend_factor", s.weekend_factor)?;
    Ok(SyntheticProfile {
        requests_per_second: s.requests_per_second,
        daily_amplitude: s.daily_amplitude,
        peak_hour_utc: s.peak_hour_utc,
        weekend_factor: s.weekend_factor,
    })
}

/// Converts a resampled trace to requests per second: counts and rates already are;
/// CPU percent of an instance becomes the request rate that would use that much CPU.
fn trace_rates_to_rps(
    input: &TomlInput<'_>,
    trace_spec: &trace::TraceSpec,
    series: &RegularSeries,
    workload: &WorkloadSpec,
    catalog: &PriceCatalog,
) -> Result<Vec<f64>> {
    if trace_spec.metric != MetricKind::CpuPercent {
        return Ok(series.rates.clone());
    }
    let name = trace_spec.instance_type.as_deref().ok_or_else(|| {
        input.error_at(
            "workload.trace",
            "a cpu_percent trace needs `instance_type`, the instance whose CPU it measured",
        )
    })?;
    let vcpu = catalog
        .ec2_type(name)
        .map_err(|e| input.error_at("workload.trace.instance_type", e.to_string()))?
        .vcpu;
    if workload.vcpu_ms_per_request <= 0.0 {
        return Err(input.error_at(
            "workload.vcpu_ms_per_request",
            "must be > 0 to turn CPU into requests",
        ));
    }
    let rps_per_percent = f64::from(vcpu) / 100.0 * 1000.0 / workload.vcpu_ms_per_request;
    Ok(series
        .rates
        .iter()
        .map(|cpu| cpu * rps_per_percent)
        .collect())
}

/// Removes a required string key from an option table.
pub(crate) fn take_string(
    input: &TomlInput<'_>,
    table: &mut toml::Table,
    prefix: &str,
    key: &str,
) -> Result<String> {
    match table.remove(key) {
        Some(toml::Value::String(s)) if !s.is_empty() => Ok(s),
        Some(other) => Err(input.error_at(
            &format!("{prefix}.{key}"),
            format!("expected a non-empty string, found {}", other.type_str()),
        )),
        None => Err(input.error_at(prefix, format!("missing `{key}`"))),
    }
}

/// Lambda accepts 128–10,240 MB in 1 MB steps (LAMBDADG `gettingstarted-limits.md`).
pub(crate) fn check_lambda_memory(memory_mb: u32) -> Result<(), String> {
    let (min, max) = lambda::MEMORY_MB_RANGE;
    if (min..=max).contains(&memory_mb) {
        Ok(())
    } else {
        Err(format!(
            "{memory_mb} MB is outside Lambda's {min}–{max} MB (1 MB steps)"
        ))
    }
}

/// The rates of an EC2 instance type.
///
/// # Errors
/// [`Error::Lookup`] when the catalog has no price for it.
pub fn ec2_rates(
    catalog: &PriceCatalog,
    instance_type: &str,
    os: OperatingSystem,
) -> Result<Ec2Rates> {
    catalog.ec2_type(instance_type)?;
    let key = match os {
        OperatingSystem::Linux => format!("BoxUsage:{instance_type}"),
        other => format!("BoxUsage:{instance_type}:{}", other.label()),
    };
    let usd_per_hour = catalog.rate(Service::Ec2, &key).map_err(|_| {
        Error::Lookup(format!(
            "no {} On-Demand price for {instance_type} in {} ({} catalog): it holds Linux prices only; use `os = \"linux\"` or add `{key}` rows to ec2.csv",
            os.label(),
            catalog.region(),
            catalog.info().origin,
        ))
    })?;
    Ok(Ec2Rates { usd_per_hour, os })
}

/// Lambda request and duration rates with the free tier.
///
/// # Errors
/// [`Error::Lookup`] when the catalog lacks one of them.
pub fn lambda_rates(catalog: &PriceCatalog) -> Result<LambdaRates> {
    Ok(LambdaRates {
        usd_per_request: catalog.rate(Service::Lambda, "Request")?,
        x86_tiers: catalog.tiers(Service::Lambda, "Lambda-GB-Second")?,
        arm_tiers: catalog.tiers(Service::Lambda, "Lambda-GB-Second-ARM")?,
        free_requests: catalog.free_tier(Service::Lambda, "requests")?,
        free_gb_seconds: catalog.free_tier(Service::Lambda, "duration")?,
        storage_usd_per_gb_second: catalog.rate(Service::Lambda, "Lambda-Storage-GB-Second")?,
        provisioned_x86: lambda::ProvisionedRates {
            usd_per_gb_second: catalog.rate(Service::Lambda, "Lambda-Provisioned-Concurrency")?,
            duration_usd_per_gb_second: catalog
                .rate(Service::Lambda, "Lambda-Provisioned-GB-Second")?,
        },
        provisioned_arm: lambda::ProvisionedRates {
            usd_per_gb_second: catalog
                .rate(Service::Lambda, "Lambda-Provisioned-Concurrency-ARM")?,
            duration_usd_per_gb_second: catalog
                .rate(Service::Lambda, "Lambda-Provisioned-GB-Second-ARM")?,
        },
    })
}

/// EBS rates.
///
/// # Errors
/// [`Error::Lookup`] when the catalog lacks one of them.
pub fn ebs_rates(catalog: &PriceCatalog) -> Result<EbsRates> {
    Ok(EbsRates {
        gp3_usd_per_gb_month: catalog.rate(Service::Ec2, "EBS:VolumeUsage.gp3")?,
        gp3_usd_per_iops_month: catalog.rate(Service::Ec2, "EBS:VolumeP-IOPS.gp3")?,
        gp3_usd_per_mbps_month: catalog.rate(Service::Ec2, "EBS:VolumeP-Throughput.gp3")?,
        gp2_usd_per_gb_month: catalog.rate(Service::Ec2, "EBS:VolumeUsage.gp2")?,
    })
}

/// The public IPv4 rate per address-hour.
///
/// # Errors
/// [`Error::Lookup`] when the catalog lacks it.
pub fn ipv4_rate(catalog: &PriceCatalog) -> Result<f64> {
    catalog.rate(Service::Ec2, "PublicIPv4:InUseAddress")
}

/// Application Load Balancer rates.
///
/// # Errors
/// [`Error::Lookup`] when the catalog lacks them.
pub fn alb_rates(catalog: &PriceCatalog) -> Result<AlbRates> {
    Ok(AlbRates {
        usd_per_hour: catalog.rate(Service::Elb, "LoadBalancerUsage:application")?,
        usd_per_lcu_hour: catalog.rate(Service::Elb, "LCUUsage:application")?,
    })
}

/// The credit mode a scenario or usage file may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CreditModeKey {
    Standard,
    Unlimited,
}

/// CPU-credit model and surplus rate (USD per vCPU-hour) of a burstable instance type in
/// `mode` (AWS's default for the family when `None`); `None` for fixed-performance types.
///
/// # Errors
/// A message when a mode is asked of a type that has none; [`Error::Lookup`] for a
/// missing rate.
pub(crate) fn credit_model(
    catalog: &PriceCatalog,
    instance_type: &str,
    mode: Option<CreditModeKey>,
    os: OperatingSystem,
) -> Result<Option<(CreditSpec, f64)>, Error> {
    let Some(spec) = catalog.burstable(instance_type) else {
        return match mode {
            None => Ok(None),
            Some(_) => Err(Error::Invalid(format!(
                "`{instance_type}` is not a burstable (T2/T3/T3a/T4g) type; remove `credit_mode`"
            ))),
        };
    };
    let mode = match mode {
        None => spec.default_mode,
        Some(CreditModeKey::Standard) => CreditMode::Standard,
        Some(CreditModeKey::Unlimited) => CreditMode::Unlimited,
    };
    let credits = CreditSpec {
        vcpu: f64::from(spec.vcpu),
        earned_per_hour: spec.credits_earned_per_hour,
        max_balance: spec.max_accrued_credits,
        // Launch credits: T2 in standard mode only (T2 Unlimited gets none).
        launch_credits: if mode == CreditMode::Standard {
            spec.launch_credits
        } else {
            0.0
        },
        mode,
    };
    Ok(Some((
        credits,
        // Windows surplus credits have their own rate; the other OSes pay Linux's.
        catalog.rate(
            Service::Ec2,
            if os == OperatingSystem::Windows {
                "CPUCredits:Windows"
            } else {
                "CPUCredits:Linux"
            },
        )?,
    )))
}
