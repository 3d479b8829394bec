//! # costcast
//!
//! A cost and capacity planning engine for AWS compute. It replays a workload (a measured
//! trace or a synthetic profile) through models of how AWS bills and scales each compute
//! option, and reports what each would cost, month by month, and whether it keeps up.
//!
//! # Overview
//!
//! The pipeline, in the order data flows:
//!
//! - [`catalog::PriceCatalog`]: published prices as exact decimals, with provenance.
//! - [`trace::Trace`]: a measured workload, validated and resampled.
//! - [`scenario::ScenarioSource`] → [`scenario::Plan`]: a scenario file checked and
//!   resolved against the catalog (every rate looked up once).
//! - [`mc::run`]: Monte Carlo paths of the scenario's uncertainty, in parallel, each
//!   through [`sim::run_demand`]
//! - [`sim::run`]: demand through each option's capacity ([`capacity`], including the
//!   scaling engine in [`capacity::autoscale`]) and [`billing`] models.
//! - [`report::compare::CompareReport`]: the view model every output format renders.
//! - [`gate::evaluate`]: budget rules on a report, for CI.
//!
//! [`quote::quote`] prices a usage file with the same billing functions, and
//! [`catalog::update::update`] refreshes a catalog from AWS's Price List.
//!
//! The library never prints and never exits; the `costcast` binary does both.
//!
//! # Example
//!
//! ```
//! use costcast::catalog::PriceCatalog;
//! use costcast::mc::{self, RunConfig};
//! use costcast::report::{compare::{CompareReport, RunInfo}, Format};
//! use costcast::scenario::ScenarioSource;
//!
//! let catalog = PriceCatalog::embedded("us-east-1")?;
//! let plan = ScenarioSource::embedded_default().plan(&catalog)?;
//! // 8 Monte Carlo paths of the default scenario's [uncertainty], seed 1
//! let config = RunConfig { paths: 8, seed: 1, shard: None };
//! let run = mc::run(&plan, &config, &|| {});
//! let report = CompareReport::new(&RunInfo::of(&plan), &run, None);
//! assert!(report.options.iter().all(|o| o.horizon_usd.mean > 0.0));
//! let _json = report.render(Format::Json);
//! # Ok::<(), costcast::error::Error>(())
//! ```

// Tests compare exactly representable values (0.5, 2.0, …) on purpose.
#![cfg_attr(test, allow(clippy::float_cmp))]

pub mod billing;
pub mod capacity;
pub mod catalog;
pub mod error;
mod fsutil;
pub mod gate;
mod lanes;
pub mod mc;
pub mod money;
pub mod quote;
pub mod report;
pub mod rightsize;
pub mod scenario;
pub mod sim;
pub mod stats;
pub mod sweep;
pub mod trace;

/// Helpers shared by the unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use crate::catalog::PriceCatalog;
    use crate::scenario::{Plan, ScenarioSource};

    /// The Monte Carlo fixture: five options, every kind of uncertainty, a month.
    pub(crate) const MC: &str = include_str!("../tests/fixtures/scenarios/mc.toml");
    /// One Lambda function whose cost is linear in a uniform load.
    pub(crate) const MC_LINEAR: &str = include_str!("../tests/fixtures/scenarios/mc_linear.toml");

    /// `text` resolved against the embedded us-east-1 catalog.
    pub(crate) fn plan(text: &str) -> Plan {
        ScenarioSource {
            file: "fixture.toml".into(),
            base_dir: ".".into(),
            text: text.to_string(),
        }
        .plan(&PriceCatalog::embedded("us-east-1").expect("the embedded catalog loads"))
        .expect("the fixture is valid")
    }
}
