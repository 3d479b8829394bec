//! Exporters for a [`Quote`]: invoice-style text and markdown, CSV and JSON.

use super::table::{Align, Table, format_quantity, format_unit_price};
use super::{Format, to_csv, to_json};
use crate::money::format_usd;
use crate::quote::Quote;

impl Quote {
    /// Renders the quote.
    #[must_use]
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Json => to_json(self),
            Format::Csv => self.to_csv(),
            Format::Table => self.to_text(false),
            Format::Markdown => self.to_text(true),
        }
    }

    fn table(&self) -> Table {
        let mut t = Table::new(&[
            ("RESOURCE", Align::Left),
            ("SERVICE", Align::Left),
            ("COMPONENT", Align::Left),
            ("QUANTITY", Align::Right),
            ("UNIT", Align::Left),
            ("UNIT PRICE", Align::Right),
            ("MONTHLY", Align::Right),
        ]);
        for r in &self.resources {
            for (i, item) in r.line_items.iter().enumerate() {
                let first = i == 0;
                t.row(vec![
                    if first { r.name.clone() } else { String::new() },
                    if first {
                        r.service.clone()
                    } else {
                        String::new()
                    },
                    item.component.clone(),
                    format_quantity(item.quantity, 3),
                    item.unit.clone(),
                    format_unit_price(item.unit_price_usd),
                    format_usd(item.monthly_usd),
                ]);
            }
            t.row(vec![
                String::new(),
                String::new(),
                format!("subtotal {}", r.name),
                String::new(),
                String::new(),
                String::new(),
                format_usd(r.monthly_usd),
            ]);
        }
        t.row(vec![
            "TOTAL".into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            format_usd(self.total_monthly_usd),
        ]);
        for r in &self.resources {
            for item in &r.liabilities {
                t.row(vec![
                    "OUTSTANDING".into(),
                    r.name.clone(),
                    item.component.clone(),
                    format_quantity(item.quantity, 3),
                    item.unit.clone(),
                    format_unit_price(item.unit_price_usd),
                    format!("({})", format_usd(item.monthly_usd)),
                ]);
            }
        }
        t
    }

    fn to_text(&self, markdown: bool) -> String {
        let head = format!(
            "Monthly quote, {}, {} hours per month; prices: {} catalog retrieved {}, effective {} to {}\n\n",
            self.region,
            format_quantity(self.hours_per_month, 2),
            self.catalog.origin,
            self.catalog.retrieved_date,
            self.catalog.oldest_price_date,
            self.catalog.newest_price_date
        );
        let table = self.table();
        format!(
            "{head}{}",
            if markdown {
                table.to_markdown()
            } else {
                table.to_text()
            }
        )
    }

    fn to_csv(&self) -> String {
        let rows = self.resources.iter().flat_map(|r| {
            let charged = r.line_items.iter().map(|i| (i, true));
            let outstanding = r.liabilities.iter().map(|i| (i, false));
            charged.chain(outstanding).map(move |(i, in_total)| {
                vec![
                    r.name.clone(),
                    r.service.clone(),
                    i.component.clone(),
                    format!("{}", i.quantity),
                    i.unit.clone(),
                    format!("{}", i.unit_price_usd),
                    format!("{}", i.monthly_usd),
                    in_total.to_string(),
                ]
            })
        });
        to_csv(
            &[
                "resource",
                "service",
                "component",
                "quantity",
                "unit",
                "unit_price_usd",
                "monthly_usd",
                "in_total",
            ],
            rows,
        )
    }
}
