//! Tiered prices: a monthly quantity priced in bands (Lambda duration, API Gateway
//! requests). Each band's price applies only to the quantity inside the band.

use crate::catalog::Tier;

/// Splits `quantity` across `tiers` (ascending starts, the first at 0): the amount that
/// falls in each tier, in tier order.
#[must_use]
pub fn split(quantity: f64, tiers: &[Tier]) -> Vec<f64> {
    let quantity = quantity.max(0.0);
    tiers
        .iter()
        .enumerate()
        .map(|(i, tier)| {
            let end = tiers.get(i + 1).map_or(f64::INFINITY, |next| next.start);
            (quantity.min(end) - tier.start).max(0.0)
        })
        .collect()
}

/// The cost of `quantity` under `tiers`.
#[must_use]
pub fn cost_usd(quantity: f64, tiers: &[Tier]) -> f64 {
    split(quantity, tiers)
        .iter()
        .zip(tiers)
        .map(|(q, t)| q * t.usd_per_unit)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lambda_x86() -> Vec<Tier> {
        // Lambda x86 duration tiers (rules §6, PL: Infracost lambda_function_test).
        vec![
            Tier {
                start: 0.0,
                usd_per_unit: 0.000_016_666_7,
            },
            Tier {
                start: 6e9,
                usd_per_unit: 0.000_015,
            },
            Tier {
                start: 15e9,
                usd_per_unit: 0.000_013_333_4,
            },
        ]
    }

    #[test]
    fn quantity_falls_into_bands() {
        assert_eq!(split(7e9, &lambda_x86()), vec![6e9, 1e9, 0.0]);
        assert_eq!(split(20e9, &lambda_x86()), vec![6e9, 9e9, 5e9]);
        assert_eq!(split(-5.0, &lambda_x86()), vec![0.0, 0.0, 0.0]);
    }

    #[test]
    fn infracost_lambda_tier_amounts() {
        // Infracost lambda_function_test golden: 6B GB-s in tier 1 = $100,000.20,
        // 9B in tier 2 = $135,000.00 (rules §6).
        let t = lambda_x86();
        assert!((cost_usd(6e9, &t) - 100_000.2).abs() < 1e-6);
        assert!((cost_usd(15e9, &t) - 235_000.2).abs() < 1e-6);
    }
}
