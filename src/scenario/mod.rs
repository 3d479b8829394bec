//! Scenario files: what to simulate, and the validated [`Plan`] they resolve to.
//!
//! Two stages (so that models never meet a missing price):
//! 1. [`ScenarioSpec`]: the TOML as written, deserialized with `deny_unknown_fields`;
//!    each `[[option]]` stays a raw table until its `service` says which keys it takes.
//! 2. [`Plan`]: every option checked and every rate looked up in the catalog, once.
//!
//! Every error names the file, line and field path.

pub mod input;
pub mod options;
pub mod resolve;
pub mod scaling;
pub mod timeline;

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::catalog::PriceCatalog;
use crate::error::{Error, Result};
use crate::trace::TraceSpec;

pub use input::TomlInput;
pub use options::{OptionModel, OptionPlan};
pub use resolve::{Plan, Slo, Workload};
pub use timeline::{Month, Timeline};

/// The scenario schema version this build reads.
pub const SCHEMA_VERSION: u32 = 1;

/// The default scenario, compiled into the binary: `scenarios/default.toml`.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/default.toml");

/// A scenario file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// Must be [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// A short name, used in reports.
    pub name: String,
    /// What the scenario models, in a sentence.
    #[serde(default)]
    pub description: String,
    /// AWS Region whose prices apply.
    #[serde(default = "default_region")]
    pub region: String,
    /// First day simulated (midnight UTC), `YYYY-MM-DD`.
    pub start: TomlDate,
    /// Number of calendar months simulated.
    pub horizon_months: u32,
    /// Simulation step: `30s`, `1m`, `5m`, `15m`, `1h`, … (must divide a day).
    pub step: String,
    /// The demand.
    pub workload: WorkloadSpec,
    /// The candidate ways of running it, each with `name`, `service` and its keys.
    #[serde(rename = "option")]
    pub options: Vec<toml::Table>,
    /// Parameters that vary between Monte Carlo paths.
    #[serde(default)]
    pub uncertainty: Option<crate::mc::uncertainty::UncertaintySpec>,
    /// Service levels an option must meet to be feasible.
    #[serde(default)]
    pub slo: SloSpec,
    /// Budget rules for `costcast gate`.
    #[serde(default)]
    pub gate: crate::gate::GateSpec,
}

pub(crate) fn default_region() -> String {
    "us-east-1".to_string()
}

/// A date written either as a TOML date (`2027-01-01`) or a string (`"2027-01-01"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TomlDate(pub String);

impl<'de> Deserialize<'de> for TomlDate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match toml::Value::deserialize(deserializer)? {
            toml::Value::String(s) => Ok(TomlDate(s)),
            toml::Value::Datetime(d) => Ok(TomlDate(d.to_string())),
            other => Err(serde::de::Error::custom(format!(
                "expected a date such as 2027-01-01, found {}",
                other.type_str()
            ))),
        }
    }
}

/// The `[workload]` table: what one request costs in resources, and where demand
/// comes from (exactly one of `[workload.synthetic]` or `[workload.trace]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadSpec {
    /// CPU time one request needs, in vCPU-milliseconds.
    pub vcpu_ms_per_request: f64,
    /// Wall-clock handler time per request in ms (Lambda's billed duration).
    pub duration_ms: f64,
    /// Response size in kilobytes (1 kB = 1,000 bytes), for data transfer.
    #[serde(default)]
    pub response_kb: f64,
    /// Request size in kilobytes, for load-balancer processed bytes and inbound transfer.
    #[serde(default = "one")]
    pub request_kb: f64,
    /// Requests per client connection (keep-alive reuse); 1 opens a connection per request.
    #[serde(default = "one")]
    pub requests_per_connection: f64,
    /// How long a client connection stays open, in seconds.
    #[serde(default = "default_connection_seconds")]
    pub connection_seconds: f64,
    /// Compound growth of the load per calendar month (0.02 = +2% a month).
    #[serde(default)]
    pub monthly_growth: f64,
    /// A multiplier on the load (e.g. 2.0 to plan for twice the trace).
    #[serde(default = "one")]
    pub scale: f64,
    /// A synthetic load profile.
    #[serde(default)]
    pub synthetic: Option<SyntheticSpec>,
    /// A measured trace, repeated to fill the horizon.
    #[serde(default)]
    pub trace: Option<TraceSpec>,
}

fn one() -> f64 {
    1.0
}

fn default_connection_seconds() -> f64 {
    5.0
}

/// A synthetic load: a mean rate shaped by a daily cycle and a weekly pattern.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyntheticSpec {
    /// Mean requests per second over a week.
    pub requests_per_second: f64,
    /// Daily swing as a fraction of the mean: the peak is mean × (1 + amplitude), the
    /// trough mean × (1 − amplitude). 0 is flat; must be within [0, 1].
    #[serde(default)]
    pub daily_amplitude: f64,
    /// Hour of the daily peak, UTC (0–24).
    #[serde(default = "default_peak_hour")]
    pub peak_hour_utc: f64,
    /// Load on Saturday and Sunday relative to a weekday (1 = no weekly pattern).
    #[serde(default = "one")]
    pub weekend_factor: f64,
}

fn default_peak_hour() -> f64 {
    14.0
}

/// The `[slo]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SloSpec {
    /// Smallest acceptable share of demand served (0–1).
    #[serde(default = "default_min_served")]
    pub min_served_fraction: f64,
    /// Largest acceptable 95th-percentile utilisation of provisioned capacity (0–1).
    #[serde(default = "one")]
    pub max_p95_utilization: f64,
    /// Share of Monte Carlo paths in which the levels above must hold (0–1).
    #[serde(default = "default_share_of_paths")]
    pub min_share_of_paths: f64,
}

fn default_share_of_paths() -> f64 {
    0.95
}

fn default_min_served() -> f64 {
    0.999
}

impl Default for SloSpec {
    fn default() -> Self {
        SloSpec {
            min_served_fraction: default_min_served(),
            max_p95_utilization: 1.0,
            min_share_of_paths: default_share_of_paths(),
        }
    }
}

/// A scenario read from a file, or the embedded default.
#[derive(Debug, Clone)]
pub struct ScenarioSource {
    /// The path shown in messages (`<embedded default>` for the default).
    pub file: PathBuf,
    /// The directory relative paths resolve against.
    pub base_dir: PathBuf,
    /// The TOML text.
    pub text: String,
}

impl ScenarioSource {
    /// Reads a scenario file.
    ///
    /// # Errors
    /// [`Error::Io`] when it cannot be read.
    pub fn read(path: &Path) -> Result<ScenarioSource> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(format!("cannot read scenario `{}`", path.display()), e))?;
        let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(ScenarioSource {
            file: path.to_path_buf(),
            base_dir,
            text,
        })
    }

    /// The scenario at `path`, or the embedded default when there is none (what every
    /// command's optional SCENARIO argument means).
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read.
    pub fn read_or_default(path: Option<&Path>) -> Result<ScenarioSource> {
        path.map_or_else(
            || Ok(ScenarioSource::embedded_default()),
            ScenarioSource::read,
        )
    }

    /// The embedded default scenario (`scenarios/default.toml`).
    #[must_use]
    pub fn embedded_default() -> ScenarioSource {
        ScenarioSource {
            file: PathBuf::from("scenarios/default.toml (embedded)"),
            base_dir: PathBuf::from("scenarios"),
            text: DEFAULT_SCENARIO.to_string(),
        }
    }

    /// Parses, validates and resolves the scenario against the catalog.
    ///
    /// # Errors
    /// [`Error::Input`] (file, line, field) for anything invalid; trace and catalog errors
    /// as they arise.
    pub fn plan(&self, catalog: &PriceCatalog) -> Result<Plan> {
        let input = TomlInput::new(&self.file, &self.text);
        let spec: ScenarioSpec = input.parse()?;
        resolve::resolve(&input, &spec, &self.base_dir, catalog)
    }

    /// Option `index` of the scenario resolved again with its table changed by `edit`
    /// (e.g. another instance type, for rightsizing), against `plan`'s workload and
    /// timeline: every check and rate look-up of the scenario applies.
    ///
    /// # Errors
    /// As [`ScenarioSource::plan`], for the edited option.
    pub fn option_variant(
        &self,
        catalog: &PriceCatalog,
        plan: &Plan,
        index: usize,
        edit: impl FnOnce(&mut toml::Table),
    ) -> Result<OptionPlan> {
        let input = TomlInput::new(&self.file, &self.text);
        let spec: ScenarioSpec = input.parse()?;
        let mut table = spec
            .options
            .get(index)
            .cloned()
            .ok_or_else(|| Error::Invalid(format!("the scenario has no option {index}")))?;
        edit(&mut table);
        options::resolve_option(
            &input,
            index,
            table,
            &plan.workload,
            catalog,
            &plan.timeline,
        )
    }

    /// The region the scenario names (to pick the catalog before resolving).
    ///
    /// # Errors
    /// [`Error::Input`] for a syntax error or a region that is not a string.
    pub fn region(&self) -> Result<String> {
        let input = TomlInput::new(&self.file, &self.text);
        let table: toml::Table = input.parse()?;
        match table.get("region") {
            None => Ok(default_region()),
            Some(toml::Value::String(region)) => Ok(region.clone()),
            Some(other) => Err(input.error_at(
                "region",
                format!("expected a string, found {}", other.type_str()),
            )),
        }
    }
}
