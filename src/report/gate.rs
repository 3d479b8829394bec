//! Exporters for a [`GateOutcome`]: text, markdown, JSON (the next baseline), JUnit XML
//! and GitHub Actions annotations.

use rust_decimal::Decimal;

use super::table::{Align, Table};
use crate::gate::{GateOutcome, RuleResult};

/// Output formats of the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateFormat {
    /// Aligned text.
    Text,
    /// A markdown summary (for pull requests and `GITHUB_STEP_SUMMARY`).
    Markdown,
    /// JSON with `schema_version`, usable as the next baseline.
    Json,
    /// JUnit XML: one test case per rule, breaches as failures.
    Junit,
    /// GitHub Actions workflow commands (`::error::`, `::warning::`).
    Github,
}

impl GateOutcome {
    /// Renders the outcome.
    #[must_use]
    pub fn render(&self, format: GateFormat) -> String {
        match format {
            GateFormat::Text => self.text(false),
            GateFormat::Markdown => self.text(true),
            GateFormat::Json => super::to_json(self),
            GateFormat::Junit => self.junit(),
            GateFormat::Github => self.github(),
        }
    }

    fn breaches(&self) -> usize {
        self.rules.iter().filter(|r| !r.passed).count()
    }

    fn headline(&self) -> String {
        let verdict = if self.passed { "passed" } else { "BREACHED" };
        format!(
            "costcast budget gate for scenario `{}`: {verdict} ({} of {} rules pass; {} path{}, prices retrieved {})",
            self.report.scenario,
            self.rules.len() - self.breaches(),
            self.rules.len(),
            self.report.paths,
            if self.report.paths == 1 { "" } else { "s" },
            self.report.catalog.retrieved_date,
        )
    }

    fn text(&self, markdown: bool) -> String {
        let mut t = Table::new(&[
            ("RULE", Align::Left),
            ("OPTION", Align::Left),
            ("MEASURE", Align::Left),
            ("VALUE", Align::Right),
            ("LIMIT", Align::Right),
            ("MARGIN", Align::Right),
            ("RESULT", Align::Left),
        ]);
        for r in &self.rules {
            t.row(vec![
                r.rule.clone(),
                r.option.clone(),
                r.measure.clone(),
                show(r, r.value),
                show(r, r.limit),
                show(r, r.margin),
                if r.passed {
                    "pass".to_string()
                } else {
                    "BREACH".to_string()
                },
            ]);
        }
        if markdown {
            format!("## {}\n\n{}", self.headline(), t.to_markdown())
        } else if self.rules.is_empty() {
            format!(
                "{}\nno rules: add [[gate.rule]] to the scenario or pass --budget FILE\n",
                self.headline()
            )
        } else {
            format!("{}\n\n{}", self.headline(), t.to_text())
        }
    }

    fn junit(&self) -> String {
        let (n, failures) = (self.rules.len(), self.breaches());
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.push_str(&format!(
            "<testsuites name=\"costcast gate\" tests=\"{n}\" failures=\"{failures}\">\n"
        ));
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{n}\" failures=\"{failures}\" errors=\"0\">\n",
            xml(&self.report.scenario)
        ));
        for r in &self.rules {
            out.push_str(&format!(
                "    <testcase name=\"{}\" classname=\"costcast.gate.{}\">\n",
                xml(&r.rule),
                xml(&r.option)
            ));
            let detail = format!(
                "{}: {} against a limit of {} (margin {})",
                r.measure,
                show(r, r.value),
                show(r, r.limit),
                show(r, r.margin)
            );
            if r.passed {
                out.push_str(&format!(
                    "      <system-out>{}</system-out>\n",
                    xml(&detail)
                ));
            } else {
                out.push_str(&format!(
                    "      <failure message=\"{}\" type=\"budget\">{}</failure>\n",
                    xml(&detail),
                    xml(&detail)
                ));
            }
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n</testsuites>\n");
        out
    }

    fn github(&self) -> String {
        let mut out = String::new();
        for r in &self.rules {
            let detail = format!(
                "{}: {} {} against a limit of {} (margin {})",
                r.option,
                r.measure,
                show(r, r.value),
                show(r, r.limit),
                show(r, r.margin)
            );
            if !r.passed {
                out.push_str(&format!(
                    "::error title={}::{}\n",
                    property(&format!("costcast gate {}", r.rule)),
                    command(&detail)
                ));
            } else if near_limit(r) {
                out.push_str(&format!(
                    "::warning title={}::within 10% of the limit: {}\n",
                    property(&format!("costcast gate {}", r.rule)),
                    command(&detail)
                ));
            }
        }
        out.push_str(&format!(
            "::notice title={}::{}\n",
            property("costcast gate"),
            command(&self.headline())
        ));
        out
    }
}

/// A passing rule whose margin is under a tenth of its limit.
fn near_limit(r: &RuleResult) -> bool {
    !r.limit.is_zero() && (r.margin / r.limit).abs() < Decimal::new(1, 1)
}

fn show(r: &RuleResult, value: Decimal) -> String {
    match r.unit {
        "usd" => {
            let negative = value.is_sign_negative() && !value.is_zero();
            format!("{}${:.2}", if negative { "-" } else { "" }, value.abs())
        }
        "pct" => format!("{value:.2}%"),
        "fraction" => format!("{:.4}%", value * Decimal::ONE_HUNDRED),
        _ => format!("{value}"),
    }
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// Escapes workflow-command message data (GitHub's `%`, CR and LF encoding).
fn command(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property value (`title=`): also `:` and `,`.
fn property(text: &str) -> String {
    command(text).replace(':', "%3A").replace(',', "%2C")
}
