//! Rendering a break-even sweep: a table of each option's expected monthly cost by load,
//! with the crossovers in a sentence.

use super::table::{Align, Table};
use super::{Format, to_csv, to_json};
use crate::money::format_usd;
use crate::sweep::SweepReport;

impl SweepReport {
    /// Renders the sweep.
    #[must_use]
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Json => to_json(self),
            Format::Csv => self.to_csv(),
            Format::Table => self.to_text(false),
            Format::Markdown => self.to_text(true),
        }
    }

    /// Expected monthly cost by load and option, infeasible cells marked ✗.
    pub(crate) fn table(&self) -> Table {
        let mut columns = vec![("LOAD ×", Align::Right), ("AVG REQ/S", Align::Right)];
        columns.extend(
            self.info
                .options
                .iter()
                .map(|o| (o.name.as_str(), Align::Right)),
        );
        columns.push(("CHEAPEST", Align::Left));
        let mut t = Table::new(&columns);
        for p in &self.points {
            let mut row = vec![
                format!("{:.3}", p.multiplier),
                format!("{:.2}", p.mean_requests_per_second),
            ];
            row.extend(p.options.iter().map(|c| {
                if c.feasible {
                    format_usd(c.monthly_usd_mean)
                } else {
                    format!("{} ✗", format_usd(c.monthly_usd_mean))
                }
            }));
            row.push(p.cheapest.clone().unwrap_or_else(|| "-".to_string()));
            t.row(row);
        }
        t
    }

    fn to_text(&self, markdown: bool) -> String {
        let mut out = String::new();
        let title = format!(
            "Break-even sweep of `{}`: expected monthly cost (USD) by load, {} path{} per point, seed {}",
            self.info.scenario,
            self.paths,
            if self.paths == 1 { "" } else { "s" },
            self.seed
        );
        if markdown {
            out.push_str(&format!("## {title}\n\n**{}**\n\n", self.summary));
            out.push_str(&self.table().to_markdown());
        } else {
            out.push_str(&format!("{title}\n{}\n\n", self.summary));
            out.push_str(&self.table().to_text());
        }
        out.push_str("\n✗: does not meet the SLO at that load.\n");
        out
    }

    fn to_csv(&self) -> String {
        let rows = self.points.iter().flat_map(|p| {
            p.options.iter().zip(&self.info.options).map(move |(c, o)| {
                vec![
                    p.multiplier.to_string(),
                    p.mean_requests_per_second.to_string(),
                    o.name.clone(),
                    c.monthly_usd_mean.to_string(),
                    c.monthly_usd_p50.to_string(),
                    c.monthly_usd_p95.to_string(),
                    c.feasible.to_string(),
                    (p.cheapest.as_deref() == Some(o.name.as_str())).to_string(),
                ]
            })
        });
        to_csv(
            &[
                "multiplier",
                "mean_requests_per_second",
                "option",
                "monthly_usd_mean",
                "monthly_usd_p50",
                "monthly_usd_p95",
                "feasible",
                "cheapest",
            ],
            rows,
        )
    }
}
