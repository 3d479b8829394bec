//! Amazon Lightsail: flat monthly plans billed by the hour up to the plan price, and the
//! data-transfer allowance.
//!
//! Rules (`aws-billing-rules.md` §3, Lightsail billing FAQ):
//! - "we charge you the fixed hourly price, up to the maximum monthly plan cost";
//!   instances are charged until deleted, even when stopped. AWS's pages print the hourly
//!   rate of the $5 plan only ("$0.0067 USD/hour ($5 USD/month)"); the Price List carries
//!   each plan's (`BundleUsage:<memory>`, brought in by `pricing update`). With the
//!   plan's hourly rate, `hours` cost that rate up to the plan price; without it, costcast
//!   prorates the plan price by the hours of the calendar month, so an instance kept all
//!   month costs exactly the plan price and a shorter stay its share.
//! - The allowance counts inbound and outbound transfer; only outbound traffic above the
//!   allowance is charged, at $0.09 per GB in us-east-1.

use super::LineItem;

/// A plan's monthly price and allowance.
#[derive(Debug, Clone, PartialEq)]
pub struct LightsailRates {
    /// Bundle id, e.g. `small_3_0`.
    pub bundle_id: String,
    /// Plan price per month.
    pub usd_per_month: f64,
    /// The plan's hourly rate, when the catalog has it (from the Price List).
    pub usd_per_hour: Option<f64>,
    /// Transfer allowance per instance per month, GB.
    pub transfer_gb: f64,
    /// Per GB of outbound transfer above the allowance.
    pub usd_per_overage_gb: f64,
}

/// Plan charge for `count` instances kept `hours` of a month of `hours_in_month`.
#[must_use]
pub fn plan_line(count: f64, hours: f64, hours_in_month: f64, rates: &LightsailRates) -> LineItem {
    let share = match rates.usd_per_hour {
        Some(usd_per_hour) if rates.usd_per_month > 0.0 => {
            (hours * usd_per_hour / rates.usd_per_month).clamp(0.0, 1.0)
        }
        _ => month_share(hours, hours_in_month),
    };
    LineItem::priced(
        format!(
            "Lightsail plan {} (capped at the monthly price)",
            rates.bundle_id
        ),
        count * share,
        "instance-months",
        rates.usd_per_month,
    )
}

/// Outbound GB charged when `count` instances move `out_gb` out and `in_gb` in (in total):
/// the amount over the pooled allowance, but never more than the outbound traffic.
#[must_use]
pub fn overage_gb(count: f64, out_gb: f64, in_gb: f64, transfer_gb: f64) -> f64 {
    (out_gb + in_gb - count * transfer_gb).max(0.0).min(out_gb)
}

/// The data-transfer overage line.
#[must_use]
pub fn overage_line(count: f64, out_gb: f64, in_gb: f64, rates: &LightsailRates) -> LineItem {
    LineItem::priced(
        "Lightsail data transfer out above the allowance",
        overage_gb(count, out_gb, in_gb, rates.transfer_gb),
        "GB",
        rates.usd_per_overage_gb,
    )
}

/// A managed database plan charge: `count` databases kept `hours` of a month of
/// `hours_in_month`, capped at the monthly price like instances.
#[must_use]
pub fn database_line(
    plan: &str,
    high_availability: bool,
    count: f64,
    hours: f64,
    hours_in_month: f64,
    usd_per_month: f64,
) -> LineItem {
    let share = month_share(hours, hours_in_month);
    let kind = if high_availability {
        "high availability"
    } else {
        "standard"
    };
    LineItem::priced(
        format!("Lightsail database {plan} ({kind})"),
        count * share,
        "database-months",
        usd_per_month,
    )
}

/// The load-balancer charge: `count` balancers kept `hours` of a month of
/// `hours_in_month`, capped at the monthly price like instances.
#[must_use]
pub fn load_balancer_line(
    count: f64,
    hours: f64,
    hours_in_month: f64,
    usd_per_month: f64,
) -> LineItem {
    LineItem::priced(
        "Lightsail load balancer",
        count * month_share(hours, hours_in_month),
        "months",
        usd_per_month,
    )
}

/// The share of a monthly price owed for `hours` of a month of `hours_in_month`: billed
/// by the hour, never more than the month.
fn month_share(hours: f64, hours_in_month: f64) -> f64 {
    (hours / hours_in_month).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> LightsailRates {
        LightsailRates {
            bundle_id: "small_3_0".into(),
            usd_per_month: 12.0,
            usd_per_hour: None,
            transfer_gb: 3072.0,
            usd_per_overage_gb: 0.09,
        }
    }

    #[test]
    fn a_full_month_costs_the_plan_price_exactly() {
        for hours in [672.0, 720.0, 744.0] {
            assert_eq!(plan_line(1.0, hours, hours, &small()).monthly_usd, 12.0);
        }
        // half the month: half the plan; more hours than the month cannot exceed the cap
        assert_eq!(plan_line(2.0, 372.0, 744.0, &small()).monthly_usd, 12.0);
        assert_eq!(plan_line(1.0, 800.0, 744.0, &small()).monthly_usd, 12.0);
    }

    #[test]
    fn with_the_hourly_rate_hours_cost_that_rate_up_to_the_plan_price() {
        // Lightsail FAQ (billing): "if you use a $5 plan for 100 hours, you are charged
        // 67 cents (100*0.0067)"; "the fixed hourly price, up to the maximum monthly plan
        // cost".
        let nano = LightsailRates {
            bundle_id: "nano_3_0".into(),
            usd_per_month: 5.0,
            usd_per_hour: Some(0.0067),
            transfer_gb: 1024.0,
            usd_per_overage_gb: 0.09,
        };
        let line = plan_line(1.0, 100.0, 744.0, &nano);
        assert!(
            (line.monthly_usd - 0.67).abs() < 1e-12,
            "{}",
            line.monthly_usd
        );
        // a 30-day month at the hourly rate: 720 × 0.0067 = $4.824, under the cap
        let line = plan_line(1.0, 720.0, 720.0, &nano);
        assert!((line.monthly_usd - 4.824).abs() < 1e-12);
        // more hours than the plan price buys: the plan price, per instance
        assert_eq!(plan_line(3.0, 800.0, 744.0, &nano).monthly_usd, 15.0);
    }

    #[test]
    fn databases_and_load_balancers_are_capped_like_plans() {
        assert_eq!(
            database_line("medium", true, 1.0, 800.0, 744.0, 120.0).monthly_usd,
            120.0
        );
        assert_eq!(load_balancer_line(1.0, 372.0, 744.0, 18.0).monthly_usd, 9.0);
        assert_eq!(
            load_balancer_line(2.0, 744.0, 744.0, 18.0).monthly_usd,
            36.0
        );
    }

    #[test]
    fn overage_is_outbound_above_the_pooled_allowance() {
        // 3,000 GB out + 200 GB in against 3,072: 128 GB over, all of it outbound
        assert!((overage_gb(1.0, 3000.0, 200.0, 3072.0) - 128.0).abs() < 1e-9);
        assert!(
            (overage_line(1.0, 3000.0, 200.0, &small()).monthly_usd - 128.0 * 0.09).abs() < 1e-9
        );
        // inbound alone never costs: 100 GB out + 5,000 in → at most the 100 GB out
        assert!((overage_gb(1.0, 100.0, 5000.0, 3072.0) - 100.0).abs() < 1e-9);
        // two instances pool their allowances
        assert_eq!(overage_gb(2.0, 6000.0, 0.0, 3072.0), 0.0);
    }
}
