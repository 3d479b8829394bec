//! `costcast report`: a directory with a self-contained HTML report, the same in
//! markdown, its tables as CSV and Parquet, its charts as SVG and PNG, and `report.json`.
//!
//! The HTML has inline CSS and inline SVG charts: no script, nothing fetched. The
//! directory is written beside its destination and swapped in only when complete, so a
//! failed run never leaves half a report.

use std::path::Path;

use polars::prelude::*;
use serde::Serialize;

use super::charts::Chart;
use super::compare::CompareReport;
use super::series::PathSeries;
use super::table::{Align, Table, format_quantity, html_escape};
use super::{Format, to_csv, to_json};
use crate::error::{Error, Result};
use crate::mc::McRun;
use crate::money::format_usd;
use crate::sweep::SweepReport;

/// Schema version of `report.json`.
pub const SCHEMA_VERSION: u32 = 1;

/// One path's totals for one option (the per-path table).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PathRow {
    /// The path's index.
    pub path: u64,
    /// The option's index in the scenario.
    pub option: usize,
    /// Total over the horizon, USD.
    pub horizon_usd: f64,
    /// The average month, USD.
    pub monthly_usd: f64,
    /// Share of demand served.
    pub served_fraction: f64,
}

/// Everything a report shows, computed once; every output renders from it.
#[derive(Debug, Clone, Serialize)]
pub struct ReportBundle {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `costcast-report`: what this JSON is.
    pub kind: &'static str,
    /// The day the report was made, `YYYY-MM-DD`.
    pub generated_on: String,
    /// The scenario file, as given.
    pub scenario_file: String,
    /// Its text, for the assumptions.
    pub scenario_text: String,
    /// The comparison, with its recommendation.
    pub compare: CompareReport,
    /// The break-even sweep, when run.
    pub sweep: Option<SweepReport>,
    /// The representative path of the recommended option, hour by hour.
    pub series: Option<PathSeries>,
    /// Per path and option totals.
    #[serde(skip)]
    pub paths: Vec<PathRow>,
    /// Charts, drawn from the above.
    #[serde(skip)]
    pub charts: Vec<Chart>,
}

impl ReportBundle {
    /// Assembles a report and draws its charts.
    ///
    /// # Errors
    /// When a chart cannot be drawn.
    pub fn new(
        generated_on: String,
        scenario_file: String,
        scenario_text: String,
        compare: CompareReport,
        run: &McRun,
        sweep: Option<SweepReport>,
        series: Option<PathSeries>,
    ) -> Result<ReportBundle> {
        let paths = run
            .results
            .iter()
            .flat_map(|r| {
                r.options.iter().enumerate().map(move |(i, o)| {
                    let horizon = o.horizon_usd();
                    #[allow(clippy::cast_precision_loss)]
                    let months = o.monthly_usd.len().max(1) as f64;
                    PathRow {
                        path: r.path,
                        option: i,
                        horizon_usd: horizon,
                        monthly_usd: horizon / months,
                        served_fraction: o.capacity.served_fraction,
                    }
                })
            })
            .collect();
        let charts = super::charts::charts(&compare, sweep.as_ref(), series.as_ref())?;
        Ok(ReportBundle {
            schema_version: SCHEMA_VERSION,
            kind: "costcast-report",
            generated_on,
            scenario_file,
            scenario_text,
            compare,
            sweep,
            series,
            paths,
            charts,
        })
    }

    /// Every file of the report: name (relative to the directory) and bytes.
    ///
    /// # Errors
    /// When a Parquet table cannot be encoded.
    pub fn files(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let mut files = vec![
            ("index.html".to_string(), self.html().into_bytes()),
            ("report.md".to_string(), self.markdown().into_bytes()),
            ("report.json".to_string(), to_json(self).into_bytes()),
            ("costs.csv".to_string(), self.costs_csv().into_bytes()),
            ("costs.parquet".to_string(), self.costs_parquet()?),
            ("paths.csv".to_string(), self.paths_csv().into_bytes()),
            ("paths.parquet".to_string(), self.paths_parquet()?),
        ];
        for chart in &self.charts {
            files.push((
                format!("charts/{}.svg", chart.name),
                chart.svg.clone().into_bytes(),
            ));
            files.push((format!("charts/{}.png", chart.name), chart.png.clone()));
        }
        Ok(files)
    }

    /// Rows of the cost table: option, service, month, component, mean USD.
    fn cost_rows(&self) -> Vec<(String, String, String, String, f64)> {
        let mut rows = Vec::new();
        for o in &self.compare.options {
            for (component, by_month) in &o.component_months {
                for (m, usd) in o.months.iter().zip(by_month) {
                    rows.push((
                        o.name.clone(),
                        o.service.clone(),
                        m.month.clone(),
                        component.clone(),
                        *usd,
                    ));
                }
            }
        }
        rows
    }

    fn costs_csv(&self) -> String {
        to_csv(
            &["option", "service", "month", "component", "usd_mean"],
            self.cost_rows()
                .into_iter()
                .map(|(o, s, m, c, usd)| vec![o, s, m, c, usd.to_string()]),
        )
    }

    fn costs_parquet(&self) -> Result<Vec<u8>> {
        let rows = self.cost_rows();
        let n = rows.len();
        let frame = DataFrame::new(
            n,
            vec![
                Column::new(
                    "option".into(),
                    rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
                ),
                Column::new(
                    "service".into(),
                    rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
                ),
                Column::new(
                    "month".into(),
                    rows.iter().map(|r| r.2.as_str()).collect::<Vec<_>>(),
                ),
                Column::new(
                    "component".into(),
                    rows.iter().map(|r| r.3.as_str()).collect::<Vec<_>>(),
                ),
                Column::new(
                    "usd_mean".into(),
                    rows.iter().map(|r| r.4).collect::<Vec<_>>(),
                ),
            ],
        );
        parquet(frame)
    }

    fn paths_csv(&self) -> String {
        to_csv(
            &[
                "path",
                "option",
                "horizon_usd",
                "monthly_usd",
                "served_fraction",
            ],
            self.paths.iter().map(|r| {
                vec![
                    r.path.to_string(),
                    self.compare.options[r.option].name.clone(),
                    r.horizon_usd.to_string(),
                    r.monthly_usd.to_string(),
                    r.served_fraction.to_string(),
                ]
            }),
        )
    }

    fn paths_parquet(&self) -> Result<Vec<u8>> {
        let n = self.paths.len();
        let frame = DataFrame::new(
            n,
            vec![
                Column::new(
                    "path".into(),
                    self.paths.iter().map(|r| r.path).collect::<Vec<_>>(),
                ),
                Column::new(
                    "option".into(),
                    self.paths
                        .iter()
                        .map(|r| self.compare.options[r.option].name.as_str())
                        .collect::<Vec<_>>(),
                ),
                Column::new(
                    "horizon_usd".into(),
                    self.paths.iter().map(|r| r.horizon_usd).collect::<Vec<_>>(),
                ),
                Column::new(
                    "monthly_usd".into(),
                    self.paths.iter().map(|r| r.monthly_usd).collect::<Vec<_>>(),
                ),
                Column::new(
                    "served_fraction".into(),
                    self.paths
                        .iter()
                        .map(|r| r.served_fraction)
                        .collect::<Vec<_>>(),
                ),
            ],
        );
        parquet(frame)
    }

    /// The report in markdown: the comparison, the sweep, and links to the PNG charts.
    fn markdown(&self) -> String {
        let mut out = format!(
            "# Cost forecast: {}\n\nGenerated {} by costcast from `{}`.\n\n",
            self.compare.scenario, self.generated_on, self.scenario_file
        );
        out.push_str(&self.compare.render(Format::Markdown));
        if let Some(s) = &self.sweep {
            out.push('\n');
            out.push_str(&s.render(Format::Markdown));
        }
        out.push_str("\n## Charts\n\n");
        for c in &self.charts {
            out.push_str(&format!("![{}](charts/{}.png)\n\n", c.title, c.name));
        }
        out
    }

    /// The self-contained HTML report.
    fn html(&self) -> String {
        let r = &self.compare;
        let mut body = String::new();
        body.push_str(&format!(
            "<header><h1>Cost forecast: {}</h1><p class=\"lede\">{}</p><p class=\"meta\">{} from {} for {} month{} · {} · generated {}</p></header>\n",
            html_escape(&r.scenario),
            html_escape(&r.description),
            html_escape(&r.catalog.region),
            html_escape(&r.start),
            r.horizon_months,
            if r.horizon_months == 1 { "" } else { "s" },
            if r.paths == 1 {
                "one path (no uncertainty)".to_string()
            } else {
                format!("{} Monte Carlo paths, seed {}", format_quantity(r.paths as f64, 0), r.seed)
            },
            html_escape(&self.generated_on),
        ));
        body.push_str(&self.summary_section());
        body.push_str(&self.chart_figure("monthly-distribution"));
        body.push_str(&self.chart_figure("monthly-fan"));
        body.push_str(&self.forecast_section());
        body.push_str(&self.components_section());
        body.push_str(&self.capacity_section());
        if let Some(s) = &self.sweep {
            body.push_str(&format!(
                "<section><h2>Break-even by load</h2><p class=\"callout\">{}</p>\n",
                html_escape(&s.summary)
            ));
            body.push_str(&self.chart_figure("break-even"));
            body.push_str(&s.table().to_html());
            body.push_str(
                "<p class=\"note\">✗: does not meet the SLO at that load.</p></section>\n",
            );
        }
        if let Some(series) = &self.series {
            body.push_str(&format!(
                "<section><h2>A representative path</h2><p>{} on path {} (the path whose total cost is nearest the median), hour by hour.</p>\n",
                html_escape(&series.option),
                series.path
            ));
            body.push_str(&self.chart_figure("path-series"));
            body.push_str("</section>\n");
        }
        body.push_str(&self.assumptions_section());
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Cost forecast: {}</title>\n<style>\n{}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
            html_escape(&r.scenario),
            CSS
        )
    }

    fn summary_section(&self) -> String {
        let r = &self.compare;
        let rec = &r.recommendation;
        let mut out = format!(
            "<section><h2>Summary and recommendation</h2>\n<p class=\"callout{}\">{}</p>\n",
            if rec.winner.is_some() { "" } else { " warn" },
            html_escape(&rec.summary)
        );
        let total_header = format!("{}-month total (expected)", r.horizon_months);
        let mut t = Table::new(&[
            ("Option", Align::Left),
            ("What it runs", Align::Left),
            ("Expected per month", Align::Right),
            ("Median month", Align::Right),
            ("Bad month (p95)", Align::Right),
            (&total_header, Align::Right),
            ("Meets the SLO", Align::Left),
        ]);
        for o in &r.options {
            t.row(vec![
                o.name.clone(),
                o.description.clone(),
                format_usd(o.monthly_usd.mean),
                format_usd(o.monthly_usd.p50),
                format_usd(o.monthly_usd.p95),
                format_usd(o.horizon_usd.mean),
                if o.feasible {
                    if r.paths > 1 {
                        format!("yes ({:.0}% of paths)", o.feasible_share * 100.0)
                    } else {
                        "yes".to_string()
                    }
                } else if r.paths > 1 {
                    format!("no ({:.0}% of paths)", o.feasible_share * 100.0)
                } else {
                    "no".to_string()
                },
            ]);
        }
        out.push_str(&t.to_html());
        out.push_str("<ul class=\"reasons\">\n");
        for other in &rec.others {
            out.push_str(&format!(
                "<li><strong>{}</strong>: {}</li>\n",
                html_escape(&other.name),
                html_escape(&other.reason)
            ));
        }
        out.push_str("</ul></section>\n");
        out
    }

    fn forecast_section(&self) -> String {
        let mut out = String::from(
            "<section><h2>Monthly forecast by option</h2><p>Each calendar month's cost over the paths: the expected value, and the range in which 90% of paths fall (p5 to p95).</p>\n",
        );
        for o in &self.compare.options {
            out.push_str(&format!(
                "<h3>{} <span class=\"sub\">{}</span></h3>\n",
                html_escape(&o.name),
                html_escape(&o.description)
            ));
            let mut t = Table::new(&[
                ("Month", Align::Left),
                ("Expected", Align::Right),
                ("p5", Align::Right),
                ("Median", Align::Right),
                ("p95", Align::Right),
            ]);
            for m in &o.months {
                t.row(vec![
                    m.month.clone(),
                    format_usd(m.usd.mean),
                    format_usd(m.usd.p5),
                    format_usd(m.usd.p50),
                    format_usd(m.usd.p95),
                ]);
            }
            t.row(vec![
                "Total".to_string(),
                format_usd(o.horizon_usd.mean),
                format_usd(o.horizon_usd.p5),
                format_usd(o.horizon_usd.p50),
                format_usd(o.horizon_usd.p95),
            ]);
            out.push_str(&t.to_html());
        }
        out.push_str("</section>\n");
        out
    }

    fn components_section(&self) -> String {
        let r = &self.compare;
        let mut out = String::from(
            "<section><h2>Cost components</h2><p>What each option's average month is made of (expected USD).</p>\n",
        );
        out.push_str(&self.chart_figure("components"));
        #[allow(clippy::cast_precision_loss)]
        let months = r.horizon_months.max(1) as f64;
        for o in &r.options {
            let mut t = Table::new(&[
                ("Component", Align::Left),
                ("Per month", Align::Right),
                ("Over the horizon", Align::Right),
            ]);
            for (name, usd) in &o.components {
                t.row(vec![
                    name.clone(),
                    format_usd(usd / months),
                    format_usd(*usd),
                ]);
            }
            out.push_str(&format!("<h3>{}</h3>\n", html_escape(&o.name)));
            out.push_str(&t.to_html());
        }
        out.push_str("</section>\n");
        out
    }

    fn capacity_section(&self) -> String {
        let r = &self.compare;
        let mut out = String::from("<section><h2>Capacity verdicts</h2>\n");
        let mut t = Table::new(&[
            ("Option", Align::Left),
            ("Served (mean)", Align::Right),
            ("Served (p5 path)", Align::Right),
            ("p95 utilisation", Align::Right),
            ("Peak", Align::Right),
            ("Verdict", Align::Left),
        ]);
        for o in &r.options {
            t.row(vec![
                o.name.clone(),
                format!("{:.3}%", o.served_fraction.mean * 100.0),
                format!("{:.3}%", o.served_fraction.p5 * 100.0),
                o.capacity
                    .p95_utilization
                    .map_or("-".to_string(), |u| format!("{:.1}%", u * 100.0)),
                match (o.capacity.peak_instances, o.capacity.peak_concurrency) {
                    (Some(n), _) => format!("{} running", format_quantity(n, 0)),
                    (None, Some(c)) => format!("{} concurrent", format_quantity(c, 1)),
                    (None, None) => "-".to_string(),
                },
                if o.feasible {
                    "meets the SLO".to_string()
                } else {
                    format!("FAILS: {}", o.reasons.join("; "))
                },
            ]);
        }
        out.push_str(&t.to_html());
        out.push_str(&format!(
            "<p class=\"note\">SLO: at least {:.2}% of demand served and p95 utilisation at most {:.0}%, in at least {:.0}% of paths. Capacity figures are of each option's representative path.</p>\n",
            r.slo.min_served_fraction * 100.0,
            r.slo.max_p95_utilization * 100.0,
            r.slo.min_share_of_paths * 100.0
        ));
        for o in &r.options {
            if let Some(c) = o.credits
                && (c.surplus_charged_credits > 0.0 || c.outstanding_surplus_credits > 0.0)
            {
                out.push_str(&format!(
                    "<p class=\"note\"><strong>{}</strong>: CPU credits ({}): {} surplus credits charged; {} outstanding at the end ({}, charged only if the instances stop before earnings pay them down).</p>\n",
                    html_escape(&o.name),
                    c.mode,
                    format_quantity(c.surplus_charged_credits, 0),
                    format_quantity(c.outstanding_surplus_credits, 0),
                    format_usd(c.outstanding_surplus_usd)
                ));
            }
        }
        out.push_str("</section>\n");
        out
    }

    fn assumptions_section(&self) -> String {
        let r = &self.compare;
        let c = &r.catalog;
        format!(
            "<section><h2>Assumptions</h2>\n<dl>\n<dt>Prices</dt><dd>{} catalog for {}, retrieved {}; prices effective {} to {}. Sources per price are in the catalog's files (<code>pricing-data/</code>).</dd>\n<dt>Simulation</dt><dd>{} one-{}-second steps from {}; {}.</dd>\n<dt>Service levels</dt><dd>At least {:.2}% of demand served, p95 utilisation at most {:.0}%, in at least {:.0}% of paths.</dd>\n<dt>Not priced</dt><dd>Internet data transfer out of EC2, Fargate and Lambda, NAT gateways, and taxes.</dd>\n<dt>Scenario</dt><dd><code>{}</code>:</dd>\n</dl>\n<pre>{}</pre>\n</section>\n",
            html_escape(&c.origin),
            html_escape(&c.region),
            c.retrieved_date,
            c.oldest_price_date,
            c.newest_price_date,
            r.horizon_months,
            r.step_seconds,
            html_escape(&r.start),
            if r.paths == 1 {
                "one path, the scenario's demand as given".to_string()
            } else {
                format!(
                    "{} Monte Carlo paths with seed {} (the same seed gives the same figures)",
                    format_quantity(r.paths as f64, 0),
                    r.seed
                )
            },
            r.slo.min_served_fraction * 100.0,
            r.slo.max_p95_utilization * 100.0,
            r.slo.min_share_of_paths * 100.0,
            html_escape(&self.scenario_file),
            html_escape(&self.scenario_text)
        )
    }

    /// The chart `name` inline, with its caption (empty when there is no such chart).
    fn chart_figure(&self, name: &str) -> String {
        self.charts
            .iter()
            .find(|c| c.name == name)
            .map(|c| {
                let svg = c
                    .svg
                    .find("<svg")
                    .map_or(c.svg.as_str(), |i| &c.svg[i..]);
                format!(
                    "<figure role=\"img\" aria-label=\"{}\">{}<figcaption>{}</figcaption></figure>\n",
                    html_escape(&c.title),
                    svg,
                    html_escape(&c.title)
                )
            })
            .unwrap_or_default()
    }
}

fn parquet(frame: PolarsResult<DataFrame>) -> Result<Vec<u8>> {
    let fail = |e: PolarsError| Error::Invalid(format!("cannot encode a report table: {e}"));
    let mut frame = frame.map_err(fail)?;
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .finish(&mut frame)
        .map_err(fail)?;
    Ok(bytes)
}

/// The report's stylesheet: readable on screen and in print, no external fonts.
const CSS: &str = "body{margin:0;background:#f6f7f9;color:#1d2330;font:16px/1.5 -apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif}
main{max-width:1040px;margin:0 auto;padding:24px 32px 48px;background:#fff}
header h1{margin:0 0 4px;font-size:28px}
.lede{margin:0;font-size:18px;color:#3a4254}
.meta{margin:4px 0 0;color:#5b6475;font-size:14px}
h2{margin-top:36px;border-bottom:2px solid #e3e6eb;padding-bottom:4px;font-size:22px}
h3{margin:24px 0 8px;font-size:17px}
h3 .sub{font-weight:normal;color:#5b6475;font-size:14px}
.callout{background:#eaf4ea;border-left:5px solid #2c8a3c;padding:12px 16px;font-size:17px}
.callout.warn{background:#fdf0e6;border-left-color:#d9731a}
table{border-collapse:collapse;margin:8px 0 16px;font-size:14px;width:100%}
th,td{padding:6px 10px;border-bottom:1px solid #e3e6eb;text-align:left;vertical-align:top}
th{background:#f0f2f5}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
ul.reasons{padding-left:20px}
figure{margin:16px 0}
figure svg{width:100%;height:auto;display:block}
figcaption{color:#5b6475;font-size:13px;margin-top:4px}
.note{color:#5b6475;font-size:14px}
pre{background:#f6f7f9;padding:12px;overflow-x:auto;font-size:12px;line-height:1.35}
dt{font-weight:bold;margin-top:8px}
dd{margin-left:0}
@media print{body{background:#fff}main{padding:0}}
";

/// Writes `files` into the directory `dir` atomically: into a new directory beside it,
/// then swapped into place. `dir` must not exist, be empty, or hold a previous report.
///
/// # Errors
/// [`Error::Invalid`] when `dir` holds something else; [`Error::Io`] when writing fails
/// (nothing at `dir` changes then).
pub fn write_dir(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map_err(|e| Error::io(format!("cannot read `{}`", dir.display()), e))?
            .next()
            .is_none();
        if !empty && !dir.join("report.json").exists() {
            return Err(Error::Invalid(format!(
                "`{}` exists and is not a costcast report; choose another --out or empty it",
                dir.display()
            )));
        }
    }
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .map_err(|e| Error::io(format!("cannot create `{}`", parent.display()), e))?;
    let staging = tempfile::Builder::new()
        .prefix(".costcast-report-")
        .tempdir_in(parent)
        .map_err(|e| {
            Error::io(
                format!("cannot create a directory in `{}`", parent.display()),
                e,
            )
        })?;
    for (name, bytes) in files {
        let path = staging.path().join(name);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)
                .map_err(|e| Error::io(format!("cannot create `{}`", p.display()), e))?;
        }
        std::fs::write(&path, bytes)
            .map_err(|e| Error::io(format!("cannot write `{}`", path.display()), e))?;
    }
    // Kept from here on: after the swap it holds the old report (or is gone).
    let staged = staging.keep();
    let result = crate::fsutil::swap_in(&staged, dir);
    if staged.exists() {
        let _ = std::fs::remove_dir_all(&staged);
    }
    result
}
