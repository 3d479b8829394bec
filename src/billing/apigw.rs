//! Amazon API Gateway requests.
//!
//! Rules (`aws-billing-rules.md` §6): HTTP APIs $1.00 per million for the first 300M
//! requests a month, $0.90 above; REST APIs $3.50 / $2.80 / $2.38 / $1.51 per million in
//! tiers at 333M, 1B and 20B. Tiers apply to the month's aggregate. The free tier
//! (1M calls a month) lasts only 12 months for new accounts, so it is off unless asked.

use super::{LineItem, tiers};
use crate::catalog::Tier;

/// The kind of API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiType {
    /// HTTP API.
    #[default]
    Http,
    /// REST API.
    Rest,
}

impl ApiType {
    /// The name used on a bill line.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            ApiType::Http => "HTTP API",
            ApiType::Rest => "REST API",
        }
    }
}

/// API Gateway rates of one API type.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiRates {
    /// The API type.
    pub api_type: ApiType,
    /// Request tiers, USD per request.
    pub tiers: Vec<Tier>,
    /// Free requests per month while the 12-month free tier lasts.
    pub free_requests: f64,
}

/// The month's lines for `requests` calls.
#[must_use]
pub fn request_lines(requests: f64, rates: &ApiRates, free_tier: bool) -> Vec<LineItem> {
    let free = if free_tier {
        rates.free_requests.min(requests)
    } else {
        0.0
    };
    let mut lines = Vec::new();
    if free > 0.0 {
        lines.push(LineItem::free(
            format!("{} requests (free tier)", rates.api_type.label()),
            free,
            "requests",
        ));
    }
    for (i, (quantity, tier)) in tiers::split(requests - free, &rates.tiers)
        .iter()
        .zip(&rates.tiers)
        .enumerate()
    {
        if *quantity > 0.0 || i == 0 {
            lines.push(LineItem::priced(
                format!("{} requests (tier {})", rates.api_type.label(), i + 1),
                *quantity,
                "requests",
                tier.usd_per_unit,
            ));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::total_usd;
    use proptest::prelude::*;

    fn http() -> ApiRates {
        ApiRates {
            api_type: ApiType::Http,
            tiers: vec![
                Tier {
                    start: 0.0,
                    usd_per_unit: 1.0e-6,
                },
                Tier {
                    start: 300e6,
                    usd_per_unit: 0.9e-6,
                },
            ],
            free_requests: 1e6,
        }
    }

    fn rest() -> ApiRates {
        ApiRates {
            api_type: ApiType::Rest,
            tiers: vec![
                Tier {
                    start: 0.0,
                    usd_per_unit: 3.5e-6,
                },
                Tier {
                    start: 333e6,
                    usd_per_unit: 2.8e-6,
                },
                Tier {
                    start: 1e9,
                    usd_per_unit: 2.38e-6,
                },
                Tier {
                    start: 20e9,
                    usd_per_unit: 1.51e-6,
                },
            ],
            free_requests: 1e6,
        }
    }

    #[test]
    fn http_tier_boundary_at_300_million() {
        // 300M × $1.00/M = $300; the next 100M at $0.90/M = $90
        assert!((total_usd(&request_lines(300e6, &http(), false)) - 300.0).abs() < 1e-6);
        assert!((total_usd(&request_lines(400e6, &http(), false)) - 390.0).abs() < 1e-6);
    }

    #[test]
    fn rest_tier_boundaries() {
        // 333M × 3.5 = $1,165.5; +667M × 2.8 = $1,867.6; +19B × 2.38 = $45,220; +1B × 1.51
        let cost = |n| total_usd(&request_lines(n, &rest(), false));
        assert!((cost(333e6) - 1165.5).abs() < 1e-6);
        assert!((cost(1e9) - (1165.5 + 1867.6)).abs() < 1e-6);
        assert!((cost(20e9) - (1165.5 + 1867.6 + 45_220.0)).abs() < 1e-4);
        assert!((cost(21e9) - (1165.5 + 1867.6 + 45_220.0 + 1510.0)).abs() < 1e-4);
    }

    #[test]
    fn free_tier_covers_the_first_million_only_when_on() {
        assert!(total_usd(&request_lines(800_000.0, &http(), true)).abs() < 1e-12);
        assert!((total_usd(&request_lines(3e6, &http(), true)) - 2.0).abs() < 1e-9);
        assert!((total_usd(&request_lines(3e6, &http(), false)) - 3.0).abs() < 1e-9);
    }

    proptest! {
        #[test]
        fn cost_is_never_negative_and_monotone(requests in 0.0f64..3e10, extra in 0.0f64..1e9, free in any::<bool>()) {
            for rates in [http(), rest()] {
                let base = total_usd(&request_lines(requests, &rates, free));
                prop_assert!(base >= 0.0);
                prop_assert!(total_usd(&request_lines(requests + extra, &rates, free)) >= base - 1e-9);
                let free_lines: f64 = request_lines(requests, &rates, free).iter().filter(|l| l.unit_price_usd == 0.0).map(|l| l.quantity).sum();
                prop_assert!(free_lines <= requests.min(1e6) + 1e-6);
            }
        }
    }
}
