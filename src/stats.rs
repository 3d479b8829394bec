//! Order statistics shared by trace summaries and results.

/// The `q`-quantile of an ascending slice by linear interpolation between closest ranks
/// (the "type 7" definition that NumPy and R use by default).
///
/// # Panics
/// Panics when `sorted` is empty (an invariant of every caller).
#[must_use]
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    assert!(!sorted.is_empty(), "invariant: quantile of an empty slice");
    #[allow(clippy::cast_precision_loss)]
    let position = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let lower = position.floor() as usize;
    let upper = (lower + 1).min(sorted.len() - 1);
    let weight = position - position.floor();
    sorted[lower] + (sorted[upper] - sorted[lower]) * weight
}

/// The `q`-quantile of `values` (any order; they are reordered), the same value as
/// [`quantile_sorted`] of their sorted copy, in linear time: two selections instead of a
/// sort (a year of one-minute steps is half a million values per option and path).
///
/// # Panics
/// Panics when `values` is empty (an invariant of every caller).
#[must_use]
pub fn quantile_select(values: &mut [f64], q: f64) -> f64 {
    assert!(!values.is_empty(), "invariant: quantile of an empty slice");
    #[allow(clippy::cast_precision_loss)]
    let position = q.clamp(0.0, 1.0) * (values.len() - 1) as f64;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let lower = position.floor() as usize;
    let weight = position - position.floor();
    let (_, lower_value, above) = values.select_nth_unstable_by(lower, f64::total_cmp);
    let lower_value = *lower_value;
    // the next order statistic is the smallest of those above
    let upper_value = above
        .iter()
        .copied()
        .min_by(f64::total_cmp)
        .unwrap_or(lower_value);
    lower_value + (upper_value - lower_value) * weight
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn selection_gives_the_sorted_quantile(
            mut values in proptest::collection::vec(-1e6f64..1e6, 1..200),
            q in 0.0f64..=1.0,
        ) {
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let expected = quantile_sorted(&sorted, q);
            proptest::prop_assert_eq!(quantile_select(&mut values, q).to_bits(), expected.to_bits());
        }
    }

    #[test]
    fn quantiles_interpolate_between_ranks() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert!((quantile_sorted(&v, 0.5) - 3.0).abs() < 1e-12);
        assert!((quantile_sorted(&v, 0.95) - 4.8).abs() < 1e-12);
        assert!((quantile_sorted(&v, 0.0) - 1.0).abs() < 1e-12);
        assert!((quantile_sorted(&[7.0], 0.95) - 7.0).abs() < 1e-12);
    }
}
