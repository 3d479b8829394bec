//! Billing models: how AWS turns usage into dollars, one implementation per rule.
//!
//! Each model takes usage that has already been measured (instance-seconds, requests,
//! GB-seconds, …) and rates already resolved from the catalog, and returns line items
//! named as AWS names them on a bill. `quote` calls these with a constant usage profile;
//! the simulation calls the same functions with the usage of each calendar month, so
//! the two can never disagree on a rule.

pub mod apigw;
pub mod burst;
pub mod containers;
pub mod ebs;
pub mod ec2;
pub mod elb;
pub mod fargate;
pub mod lambda;
pub mod lightsail;
pub mod tiers;

use serde::Serialize;

/// One line of a bill: quantity × unit price = amount.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineItem {
    /// What is charged, as AWS names it (e.g. "Instance hours (t3.micro, Linux)").
    pub component: String,
    /// Quantity in `unit`.
    pub quantity: f64,
    /// The unit of `quantity` (e.g. "hours", "requests", "GB-seconds").
    pub unit: String,
    /// USD per unit.
    pub unit_price_usd: f64,
    /// The amount in USD for the month.
    pub monthly_usd: f64,
}

impl LineItem {
    /// A line whose amount is quantity × unit price.
    #[must_use]
    pub fn priced(
        component: impl Into<String>,
        quantity: f64,
        unit: &str,
        unit_price_usd: f64,
    ) -> LineItem {
        LineItem {
            component: component.into(),
            quantity,
            unit: unit.to_string(),
            unit_price_usd,
            monthly_usd: quantity * unit_price_usd,
        }
    }

    /// A free-tier line: the quantity that was covered, at no charge.
    #[must_use]
    pub fn free(component: impl Into<String>, quantity: f64, unit: &str) -> LineItem {
        LineItem::priced(component, quantity, unit, 0.0)
    }
}

/// Billed seconds per calendar month of `count` identical resources started together
/// and kept running across months, given the seconds each month contributes to the run
/// (in order). `billed_per_run` is the service's rule for one run (a minimum, rounding);
/// its top-up over the seconds that ran lands in the month the run ended.
#[must_use]
pub fn continuous_run_by_month(
    count: f64,
    run_seconds_by_month: &[f64],
    billed_per_run: fn(f64) -> f64,
) -> Vec<f64> {
    let run: f64 = run_seconds_by_month.iter().sum();
    let top_up = billed_per_run(run) - run;
    let last = run_seconds_by_month.iter().rposition(|s| *s > 0.0);
    run_seconds_by_month
        .iter()
        .enumerate()
        .map(|(i, s)| count * (s + if Some(i) == last { top_up } else { 0.0 }))
        .collect()
}

/// The sum of the amounts of `items`.
#[must_use]
pub fn total_usd(items: &[LineItem]) -> f64 {
    items.iter().map(|i| i.monthly_usd).sum()
}
