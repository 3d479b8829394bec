//! The `compare` report: each option's cost by month and over the horizon, with what it
//! served and whether it meets the SLO.

use std::collections::BTreeMap;

use serde::Serialize;

use super::recommend::{Recommendation, recommend};
use super::table::{Align, Table, format_quantity};
use super::{Format, Stats, to_csv, to_json};
use crate::capacity::CapacityStats;
use crate::catalog::CatalogInfo;
use crate::mc::{McRun, OptionPath, PathResult};
use crate::money::format_usd;
use crate::scenario::{Plan, Slo};
use crate::sim::CreditStats;

/// The compare report schema version (the JSON contract).
pub const SCHEMA_VERSION: u32 = 1;

/// What a run was: the scenario, prices, calendar and options, everything a report
/// needs besides the paths (kept in partial results so `merge` needs no scenario).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct RunInfo {
    /// Scenario name.
    pub scenario: String,
    /// Scenario description.
    pub description: String,
    /// Prices used.
    pub catalog: CatalogInfo,
    /// First day simulated.
    pub start: String,
    /// Step length in seconds.
    pub step_seconds: i64,
    /// Length of the horizon in minutes.
    pub horizon_minutes: f64,
    /// `YYYY-MM` of each month of the horizon.
    pub months: Vec<String>,
    /// The service levels applied.
    pub slo: Slo,
    /// The options, in scenario order.
    pub options: Vec<OptionInfo>,
}

/// What an option is, for reports.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct OptionInfo {
    /// Its name.
    pub name: String,
    /// Its service.
    pub service: String,
    /// What it runs, in a few words.
    pub description: String,
    /// The Lambda concurrency limit, for Lambda options.
    pub concurrency_limit: Option<f64>,
}

impl RunInfo {
    /// The run information of `plan`.
    #[must_use]
    pub fn of(plan: &Plan) -> RunInfo {
        RunInfo {
            scenario: plan.name.clone(),
            description: plan.description.clone(),
            catalog: plan.catalog.clone(),
            start: plan.timeline.start.to_string(),
            step_seconds: plan.timeline.step_s,
            #[allow(clippy::cast_precision_loss)]
            horizon_minutes: plan.timeline.steps as f64 * plan.timeline.step_seconds() / 60.0,
            months: plan
                .timeline
                .months
                .iter()
                .map(|m| m.label.clone())
                .collect(),
            slo: plan.slo,
            options: plan
                .options
                .iter()
                .map(|o| OptionInfo {
                    name: o.name.clone(),
                    service: o.service.to_string(),
                    description: o.describe(),
                    concurrency_limit: o.concurrency_limit(),
                })
                .collect(),
        }
    }
}

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
    /// Monte Carlo paths (1: the scenario has no uncertainty, so its demand as given).
    pub paths: u64,
    /// The seed of the paths.
    pub seed: u64,
    /// The monthly budget probabilities are given for, when asked.
    pub budget_usd: Option<f64>,
    /// The service levels applied.
    pub slo: Slo,
    /// The cheapest option meeting the SLO, and why each other lost.
    pub recommendation: Recommendation,
    /// Each option's cheapest size meeting the SLO, when asked for (`--rightsize`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rightsizing: Option<Vec<crate::rightsize::Rightsizing>>,
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
    /// What it runs, in a few words.
    pub description: String,
    /// Mean USD over the horizon per cost component.
    pub components: BTreeMap<String, f64>,
    /// Mean USD per cost component and calendar month.
    pub component_months: BTreeMap<String, Vec<f64>>,
    /// Share of demand served.
    pub served_fraction: ServedStats,
    /// Whether it meets the SLO (in at least the SLO's share of paths).
    pub feasible: bool,
    /// Share of paths in which it meets the SLO.
    pub feasible_share: f64,
    /// Why it does not, in words (empty when feasible).
    pub reasons: Vec<String>,
    /// Probability that the average month costs more than `budget_usd`.
    pub probability_over_budget: Option<f64>,
    /// The path whose horizon cost is nearest the median: its capacity and credits are
    /// shown below.
    pub representative_path: u64,
    /// Capacity figures of the representative path.
    pub capacity: CapacityStats,
    /// CPU credits (burstable instances) or burst capacity (Lightsail), of the
    /// representative path.
    pub credits: Option<CreditStats>,
    /// The path that misses the SLO by most (least demand served), when one does.
    pub worst_path: Option<WorstPath>,
    /// Each path's average monthly cost, in path order (for probability rules; not
    /// serialized).
    #[serde(skip)]
    pub paths_monthly_usd: Vec<f64>,
}

/// An option's headline figures at one setting (a load point of a sweep, a size tried
/// in rightsizing).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Figures {
    /// Expected monthly cost, USD.
    pub monthly_usd_mean: f64,
    /// Median monthly cost, USD.
    pub monthly_usd_p50: f64,
    /// 95th percentile of the monthly cost, USD.
    pub monthly_usd_p95: f64,
    /// Whether it meets the SLO.
    pub feasible: bool,
    /// Mean share of demand served.
    pub served_fraction: f64,
}

impl Figures {
    /// The figures of `o`.
    #[must_use]
    pub fn of(o: &OptionReport) -> Figures {
        Figures {
            monthly_usd_mean: o.monthly_usd.mean,
            monthly_usd_p50: o.monthly_usd.p50,
            monthly_usd_p95: o.monthly_usd.p95,
            feasible: o.feasible,
            served_fraction: o.served_fraction.mean,
        }
    }
}

/// The figures of an option's worst path.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct WorstPath {
    /// The path's index.
    pub path: u64,
    /// What it served.
    pub capacity: CapacityStats,
    /// Its CPU credits or burst capacity.
    pub credits: Option<CreditStats>,
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
    /// Builds the report of the paths of `run` (a whole run, not a shard), computing every
    /// statistic over paths in path order. `budget_usd` adds the probability that the
    /// average month exceeds it.
    ///
    /// # Panics
    /// When `run` has no paths or its paths do not have one entry per option of `info`.
    #[must_use]
    pub fn new(info: &RunInfo, run: &McRun, budget_usd: Option<f64>) -> CompareReport {
        assert!(!run.results.is_empty(), "invariant: a report of no paths");
        let options: Vec<OptionReport> = info
            .options
            .iter()
            .enumerate()
            .map(|(i, option)| {
                let paths: Vec<&OptionPath> = run.results.iter().map(|r| &r.options[i]).collect();
                option_report(info, option, &paths, &run.results, budget_usd)
            })
            .collect();
        CompareReport {
            schema_version: SCHEMA_VERSION,
            scenario: info.scenario.clone(),
            description: info.description.clone(),
            catalog: info.catalog.clone(),
            start: info.start.clone(),
            horizon_months: info.months.len(),
            step_seconds: info.step_seconds,
            paths: run.paths,
            seed: run.seed,
            budget_usd,
            slo: info.slo,
            recommendation: recommend(info, run.paths, &options),
            rightsizing: None,
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

    /// The recommendation, then one line per other option.
    fn recommendation_text(&self, markdown: bool) -> String {
        let r = &self.recommendation;
        let mut out = String::new();
        if markdown {
            out.push_str(&format!("**{}**\n\n", r.summary));
        } else {
            out.push_str(&format!("{}\n", r.summary));
        }
        for other in &r.others {
            out.push_str(&format!(
                "{}{}: {}\n",
                if markdown { "- " } else { "  " },
                other.name,
                other.reason
            ));
        }
        out.push('\n');
        out
    }

    /// The spread of the average month's cost over paths, with the precision of the
    /// estimates.
    fn distribution_table(&self) -> Table {
        let mut columns = vec![
            ("OPTION", Align::Left),
            ("MEAN", Align::Right),
            ("± SEM", Align::Right),
            ("P5", Align::Right),
            ("P50", Align::Right),
            ("P95", Align::Right),
            ("P95 95% CI", Align::Right),
            ("CVAR95", Align::Right),
        ];
        let budget_header = self.budget_usd.map(|b| format!("P(> {})", format_usd(b)));
        if let Some(h) = &budget_header {
            columns.push((h.as_str(), Align::Right));
        }
        let mut t = Table::new(&columns);
        for o in &self.options {
            let s = &o.monthly_usd;
            let mut row = vec![
                o.name.clone(),
                format_usd(s.mean),
                format_usd(s.sem),
                format_usd(s.p5),
                format_usd(s.p50),
                format_usd(s.p95),
                format!("{}–{}", format_usd(s.p95_ci[0]), format_usd(s.p95_ci[1])),
                format_usd(s.cvar95),
            ];
            if let Some(p) = o.probability_over_budget {
                row.push(format!("{:.1}%", p * 100.0));
            }
            t.row(row);
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
            "{} from {} for {} month{}, {} s steps; {}\n",
            self.catalog.region,
            self.start,
            self.horizon_months,
            if self.horizon_months == 1 { "" } else { "s" },
            self.step_seconds,
            if self.paths == 1 {
                "1 path (no [uncertainty]: the scenario's demand as given)".to_string()
            } else {
                format!(
                    "{} Monte Carlo paths, seed {}; the SLO must hold in {:.0}% of paths",
                    format_quantity(self.paths as f64, 0),
                    self.seed,
                    self.slo.min_share_of_paths * 100.0
                )
            },
        ));
        out.push_str(&format!(
            "Prices: {} catalog retrieved {}, effective {} to {}\n\n",
            self.catalog.origin,
            self.catalog.retrieved_date,
            self.catalog.oldest_price_date,
            self.catalog.newest_price_date
        ));
        out.push_str(&self.recommendation_text(markdown));
        out.push_str(&render(self.summary_table()));
        if self.paths > 1 {
            out.push_str(if markdown {
                "\n### Monthly cost over paths (USD)\n\n"
            } else {
                "\nMonthly cost over paths (USD)\n"
            });
            out.push_str(&render(self.distribution_table()));
        }
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
        if let Some(rightsizing) = &self.rightsizing {
            out.push_str(if markdown {
                "\n### Rightsizing: the cheapest size of each option's family that meets the SLO\n\n"
            } else {
                "\nRightsizing: the cheapest size of each option's family that meets the SLO\n"
            });
            out.push_str(&render(rightsizing_table(rightsizing)));
            out.push_str(
                "Sizes are judged on CPU, capacity and the SLO only: check that the size has the memory your service needs.\n",
            );
        }
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

fn rightsizing_table(rows: &[crate::rightsize::Rightsizing]) -> Table {
    let mut t = Table::new(&[
        ("OPTION", Align::Left),
        ("ASKED", Align::Left),
        ("MONTHLY", Align::Right),
        ("CHEAPEST MEETING SLO", Align::Left),
        ("MONTHLY", Align::Right),
        ("DIFFERENCE", Align::Right),
        ("SIZES TRIED", Align::Right),
    ]);
    for r in rows {
        t.row(vec![
            r.option.clone(),
            r.asked.size.clone(),
            format_usd(r.asked.figures.monthly_usd_mean),
            r.best
                .as_ref()
                .map_or_else(|| "none".to_string(), |b| b.size.clone()),
            r.best.as_ref().map_or_else(
                || "-".to_string(),
                |b| format_usd(b.figures.monthly_usd_mean),
            ),
            r.difference_usd.map_or_else(
                || "-".to_string(),
                |d| {
                    if d < 0.0 {
                        format!("saves {}", format_usd(-d))
                    } else if d > 0.0 {
                        format!("costs {} more", format_usd(d))
                    } else {
                        "as asked".to_string()
                    }
                },
            ),
            r.sizes.len().to_string(),
        ]);
    }
    t
}

/// Statistics of one option over the paths (each slice in path order).
fn option_report(
    info: &RunInfo,
    option: &OptionInfo,
    paths: &[&OptionPath],
    results: &[PathResult],
    budget_usd: Option<f64>,
) -> OptionReport {
    #[allow(clippy::cast_precision_loss)]
    let n = paths.len() as f64;
    let months = info.months.len().max(1);
    let horizon: Vec<f64> = paths.iter().map(|p| p.horizon_usd()).collect();
    #[allow(clippy::cast_precision_loss)]
    let average_month: Vec<f64> = horizon.iter().map(|h| h / months as f64).collect();
    let month_reports = info
        .months
        .iter()
        .enumerate()
        .map(|(m, label)| MonthReport {
            month: label.clone(),
            usd: Stats::of(&paths.iter().map(|p| p.monthly_usd[m]).collect::<Vec<_>>()),
        })
        .collect();
    // Components: the mean over paths, a component a path never billed counting as 0.
    let mut components: BTreeMap<String, f64> = BTreeMap::new();
    let mut component_months: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for p in paths {
        for (component, usd) in &p.components {
            *components.entry(component.clone()).or_default() += usd.iter().sum::<f64>();
            let by_month = component_months
                .entry(component.clone())
                .or_insert_with(|| vec![0.0; info.months.len()]);
            for (total, v) in by_month.iter_mut().zip(usd) {
                *total += v;
            }
        }
    }
    for usd in components.values_mut() {
        *usd /= n;
    }
    for by_month in component_months.values_mut() {
        for usd in by_month.iter_mut() {
            *usd /= n;
        }
    }
    let served: Vec<f64> = paths.iter().map(|p| p.capacity.served_fraction).collect();
    let served_stats = Stats::of(&served);
    let verdicts: Vec<_> = paths.iter().map(|p| p.verdict(&info.slo)).collect();
    #[allow(clippy::cast_precision_loss)]
    let feasible_share = verdicts.iter().filter(|v| v.feasible).count() as f64 / n;
    // A share compared with a tolerance: 19 of 20 paths is 0.95 exactly as written.
    let feasible = feasible_share + 1e-12 >= info.slo.min_share_of_paths;
    let horizon_stats = Stats::of(&horizon);
    let representative = (0..paths.len())
        .min_by(|&a, &b| {
            (horizon[a] - horizon_stats.p50)
                .abs()
                .total_cmp(&(horizon[b] - horizon_stats.p50).abs())
        })
        .unwrap_or(0);
    let worst = worst_failing(paths, &verdicts);
    let reasons = match worst {
        Some(w) if !feasible => failure_reasons(
            paths.len(),
            results[w].path,
            &verdicts[w],
            feasible_share,
            &info.slo,
        ),
        _ => Vec::new(),
    };
    OptionReport {
        name: option.name.clone(),
        service: option.service.clone(),
        description: option.description.clone(),
        component_months,
        horizon_usd: horizon_stats,
        monthly_usd: Stats::of(&average_month),
        months: month_reports,
        components,
        served_fraction: ServedStats {
            mean: served_stats.mean,
            p5: served_stats.p5,
        },
        feasible,
        feasible_share,
        reasons,
        #[allow(clippy::cast_precision_loss)]
        probability_over_budget: budget_usd.map(|budget| {
            let over = crate::money::to_cents(budget);
            average_month
                .iter()
                .filter(|v| crate::money::to_cents(**v) > over)
                .count() as f64
                / n
        }),
        representative_path: results[representative].path,
        capacity: paths[representative].capacity,
        credits: paths[representative].credits,
        worst_path: worst.map(|w| WorstPath {
            path: results[w].path,
            capacity: paths[w].capacity,
            credits: paths[w].credits,
        }),
        paths_monthly_usd: average_month,
    }
}

/// The failing path that served least (the first of equals), if any path fails.
fn worst_failing(paths: &[&OptionPath], verdicts: &[crate::sim::Verdict]) -> Option<usize> {
    (0..paths.len())
        .filter(|&i| !verdicts[i].feasible)
        .min_by(|&a, &b| {
            paths[a]
                .capacity
                .served_fraction
                .total_cmp(&paths[b].capacity.served_fraction)
        })
}

/// Why an option fails: with one path, that path's reasons; with many, how often it
/// fails and the reasons of its worst path.
fn failure_reasons(
    paths: usize,
    worst_path: u64,
    worst: &crate::sim::Verdict,
    feasible_share: f64,
    slo: &Slo,
) -> Vec<String> {
    if paths == 1 {
        return worst.reasons.clone();
    }
    let mut reasons = vec![format!(
        "meets the SLO in {:.1}% of paths, fewer than the {:.1}% required",
        feasible_share * 100.0,
        slo.min_share_of_paths * 100.0
    )];
    reasons.extend(
        worst
            .reasons
            .iter()
            .map(|r| format!("worst path ({worst_path}): {r}")),
    );
    reasons
}
