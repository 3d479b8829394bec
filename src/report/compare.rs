//! The `compare` report: each option's cost by month and over the horizon, with what it
//! served and whether it meets the SLO.

use std::collections::BTreeMap;

use serde::Serialize;

use super::table::{Align, Table, format_quantity};
use super::{Format, Stats, to_csv, to_json};
use crate::capacity::CapacityStats;
use crate::catalog::CatalogInfo;
use crate::money::format_usd;
use crate::scenario::{Plan, Slo};
use crate::sim::{CreditStats, RunResult};

/// The compare report schema version (the JSON contract).
pub const SCHEMA_VERSION: u32 = 1;

/// The view model of a comparison.
#[derive(Debug, Clone, Serialize)]
pub struct CompareReport {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Scenario name.
    pub scenario: String,
    /// Scenario description.
    pub description: String,
    /// Prices used.
    pub catalog: CatalogInfo,
    /// First day simulated.
    pub start: String,
    /// Calendar months simulated.
    pub horizon_months: usize,
    /// Step length in seconds.
    pub step_seconds: i64,
    /// Monte Carlo paths (1: the scenario's demand exactly as given).
    pub paths: usize,
    /// The seed of the paths (0 for a deterministic run).
    pub seed: u64,
    /// The service levels applied.
    pub slo: Slo,
    /// One entry per option, in scenario order.
    pub options: Vec<OptionReport>,
}

/// One option in a comparison.
#[derive(Debug, Clone, Serialize)]
pub struct OptionReport {
    /// Option name.
    pub name: String,
    /// Its service.
    pub service: String,
    /// Total over the horizon.
    pub horizon_usd: Stats,
    /// Cost of the average month.
    pub monthly_usd: Stats,
    /// Per calendar month.
    pub months: Vec<MonthReport>,
    /// Mean USD over the horizon per cost component.
    pub components: BTreeMap<String, f64>,
    /// Share of demand served.
    pub served_fraction: ServedStats,
    /// Whether it meets the SLO.
    pub feasible: bool,
    /// Why it does not, in words (empty when feasible).
    pub reasons: Vec<String>,
    /// Capacity figures (of the representative path).
    pub capacity: CapacityStats,
    /// CPU credits (burstable instances) or burst capacity (Lightsail).
    pub credits: Option<CreditStats>,
    /// Each path's average monthly cost (for probability rules; not serialized).
    #[serde(skip)]
    pub paths_monthly_usd: Vec<f64>,
}

/// One calendar month of an option.
#[derive(Debug, Clone, Serialize)]
pub struct MonthReport {
    /// `YYYY-MM`.
    pub month: String,
    /// Statistics of the month's cost.
    #[serde(flatten)]
    pub usd: Stats,
}

/// Statistics of the served fraction over paths.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ServedStats {
    /// Mean.
    pub mean: f64,
    /// 5th percentile (the bad tail).
    pub p5: f64,
}

/// The peak size of an option: instances or tasks, or concurrent executions for Lambda.
fn peak(capacity: &CapacityStats) -> String {
    match (capacity.peak_instances, capacity.peak_concurrency) {
        (Some(n), _) => format_quantity(n, 0),
        (None, Some(c)) => format!("{} conc.", format_quantity(c, 1)),
        (None, None) => "-".to_string(),
    }
}

impl CompareReport {
    /// Builds the report of a deterministic run.
    #[must_use]
    pub fn from_run(plan: &Plan, run: &RunResult) -> CompareReport {
        let options = run
            .options
            .iter()
            .map(|o| {
                let monthly = o.monthly_usd();
                let horizon: f64 = monthly.iter().sum();
                #[allow(clippy::cast_precision_loss)]
                let average_month = horizon / monthly.len().max(1) as f64;
                let mut components: BTreeMap<String, f64> = BTreeMap::new();
                for item in o.months.iter().flatten() {
                    *components.entry(item.component.clone()).or_default() += item.monthly_usd;
                }
                OptionReport {
                    name: o.name.clone(),
                    service: o.service.to_string(),
                    horizon_usd: Stats::of(&[horizon]),
                    monthly_usd: Stats::of(&[average_month]),
                    months: run
                        .months
                        .iter()
                        .zip(&monthly)
                        .map(|(m, usd)| MonthReport {
                            month: m.clone(),
                            usd: Stats::of(&[*usd]),
                        })
                        .collect(),
                    components,
                    served_fraction: ServedStats {
                        mean: o.capacity.served_fraction,
                        p5: o.capacity.served_fraction,
                    },
                    feasible: o.verdict.feasible,
                    reasons: o.verdict.reasons.clone(),
                    capacity: o.capacity,
                    credits: o.credits,
                    paths_monthly_usd: vec![average_month],
                }
            })
            .collect();
        CompareReport {
            schema_version: SCHEMA_VERSION,
            scenario: plan.name.clone(),
            description: plan.description.clone(),
            catalog: plan.catalog.clone(),
            start: plan.timeline.start.to_string(),
            horizon_months: plan.timeline.months.len(),
            step_seconds: plan.timeline.step_s,
            paths: 1,
            seed: 0,
            slo: plan.slo,
            options,
        }
    }

    /// Renders the report.
    #[must_use]
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Table => self.to_text(false),
            Format::Markdown => self.to_text(true),
            Format::Json => to_json(self),
            Format::Csv => self.to_csv(),
        }
    }

    fn summary_table(&self) -> Table {
        let total_header = format!("{}-MONTH TOTAL", self.horizon_months);
        let mut t = Table::new(&[
            ("OPTION", Align::Left),
            ("SERVICE", Align::Left),
            ("MONTHLY AVG", Align::Right),
            (&total_header, Align::Right),
            ("SERVED", Align::Right),
            ("P95 UTIL", Align::Right),
            ("PEAK", Align::Right),
            ("SLO", Align::Left),
        ]);
        for o in &self.options {
            t.row(vec![
                o.name.clone(),
                o.service.clone(),
                format_usd(o.monthly_usd.mean),
                format_usd(o.horizon_usd.mean),
                format!("{:.2}%", o.served_fraction.mean * 100.0),
                o.capacity
                    .p95_utilization
                    .map_or("-".to_string(), |u| format!("{:.1}%", u * 100.0)),
                peak(&o.capacity),
                if o.feasible {
                    "meets".to_string()
                } else {
                    "FAILS".to_string()
                },
            ]);
        }
        t
    }

    fn months_table(&self) -> Table {
        let mut columns = vec![("MONTH", Align::Left)];
        columns.extend(self.options.iter().map(|o| (o.name.as_str(), Align::Right)));
        let mut t = Table::new(&columns);
        let months = self.options.first().map_or(0, |o| o.months.len());
        for m in 0..months {
            let mut row = vec![self.options[0].months[m].month.clone()];
            row.extend(
                self.options
                    .iter()
                    .map(|o| format_usd(o.months[m].usd.mean)),
            );
            t.row(row);
        }
        t
    }

    fn to_text(&self, markdown: bool) -> String {
        let render = |t: Table| {
            if markdown {
                t.to_markdown()
            } else {
                t.to_text()
            }
        };
        let mut out = String::new();
        let title = format!("Scenario `{}`: {}", self.scenario, self.description);
        if markdown {
            out.push_str(&format!("## {title}\n\n"));
        } else {
            out.push_str(&format!("{title}\n"));
        }
        out.push_str(&format!(
            "{} from {} for {} month{}, {} s steps; {} (the scenario's demand as given)\n",
            self.catalog.region,
            self.start,
            self.horizon_months,
            if self.horizon_months == 1 { "" } else { "s" },
            self.step_seconds,
            if self.paths == 1 {
                "1 path".to_string()
            } else {
                format!("{} paths, seed {}", self.paths, self.seed)
            },
        ));
        out.push_str(&format!(
            "Prices: {} catalog retrieved {}, effective {} to {}\n\n",
            self.catalog.origin,
            self.catalog.retrieved_date,
            self.catalog.oldest_price_date,
            self.catalog.newest_price_date
        ));
        out.push_str(&render(self.summary_table()));
        let failing: Vec<_> = self.options.iter().filter(|o| !o.feasible).collect();
        if !failing.is_empty() {
            out.push('\n');
            for o in failing {
                for reason in &o.reasons {
                    out.push_str(&format!(
                        "{}{}: {reason}\n",
                        if markdown { "- " } else { "" },
                        o.name
                    ));
                }
            }
        }
        out.push_str(&self.credit_notes(markdown));
        out.push_str(if markdown {
            "\n### Cost by calendar month (USD)\n\n"
        } else {
            "\nCost by calendar month (USD)\n"
        });
        out.push_str(&render(self.months_table()));
        out
    }

    /// One line per burstable option that was charged for surplus credits or ends with
    /// surplus outstanding.
    fn credit_notes(&self, markdown: bool) -> String {
        let mut out = String::new();
        for o in &self.options {
            let Some(c) = o.credits else { continue };
            if c.surplus_charged_credits <= 0.0 && c.outstanding_surplus_credits <= 0.0 {
                continue;
            }
            out.push_str(&format!(
                "{}{}: CPU credits ({}): {} surplus credits charged; {} outstanding at the end ({}, charged only if the instances stop before earnings pay them down)\n",
                if markdown { "- " } else { "" },
                o.name,
                c.mode,
                format_quantity(c.surplus_charged_credits, 0),
                format_quantity(c.outstanding_surplus_credits, 0),
                format_usd(c.outstanding_surplus_usd),
            ));
        }
        if out.is_empty() {
            out
        } else {
            format!("\n{out}")
        }
    }

    fn to_csv(&self) -> String {
        let rows = self.options.iter().flat_map(|o| {
            o.months.iter().map(move |m| {
                vec![
                    o.name.clone(),
                    o.service.clone(),
                    m.month.clone(),
                    format!("{}", m.usd.mean),
                    format!("{}", o.served_fraction.mean),
                    o.feasible.to_string(),
                ]
            })
        });
        to_csv(
            &[
                "option",
                "service",
                "month",
                "usd",
                "served_fraction",
                "feasible",
            ],
            rows,
        )
    }
}
