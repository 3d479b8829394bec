//! Money at the edges: exact decimals for published prices and for cent rounding.
//!
//! Inside the engine, money is `f64` dollars (see the README's "How it works"). Prices
//! enter as [`Decimal`] from the catalog and are converted to `f64` once per plan; results
//! leave through [`to_cents`], which rounds half-to-even to whole cents, so that reports
//! and gates never depend on the last bit of a float.

use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::{Decimal, RoundingStrategy};

/// Converts an exact catalog price to the engine's `f64` dollars.
#[must_use]
pub fn to_f64(price: Decimal) -> f64 {
    // A catalog price has at most 28 significant digits; every one we ship fits f64's
    // range, so the conversion cannot fail. Treat failure as a broken invariant.
    price
        .to_f64()
        .expect("invariant: a catalog decimal fits in f64")
}

/// Rounds an engine amount to whole cents, half-to-even (banker's rounding).
///
/// Non-finite inputs cannot be represented; they map to zero and are a bug upstream,
/// caught by the billing property tests that assert every cost is finite.
#[must_use]
pub fn to_cents(usd: f64) -> Decimal {
    let mut cents = Decimal::from_f64(usd)
        .unwrap_or_default()
        .round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven);
    cents.rescale(2);
    cents
}

/// Formats dollars for people: `$1,234.56` (rounded to cents, thousands separated).
#[must_use]
pub fn format_usd(usd: f64) -> String {
    let cents = to_cents(usd);
    let negative = cents.is_sign_negative() && !cents.is_zero();
    let text = format!("{:.2}", cents.abs());
    let (whole, frac) = text.split_once('.').unwrap_or((&text, "00"));
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{}${grouped}.{frac}", if negative { "-" } else { "" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn cents_round_half_to_even() {
        // 0.125 and 0.375 are exact in binary, so they test the tie rule itself.
        assert_eq!(to_cents(0.125), Decimal::from_str("0.12").unwrap());
        assert_eq!(to_cents(0.375), Decimal::from_str("0.38").unwrap());
        assert_eq!(to_cents(18.3337), Decimal::from_str("18.33").unwrap());
    }

    #[test]
    fn usd_is_grouped_and_signed() {
        assert_eq!(format_usd(1_234_567.891), "$1,234,567.89");
        assert_eq!(format_usd(0.004), "$0.00");
        assert_eq!(format_usd(-12.5), "-$12.50");
        assert_eq!(format_usd(999.999), "$1,000.00");
    }
}
