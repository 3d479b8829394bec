//! The container control plane and registry: EKS clusters and ECR storage.
//!
//! Rules (`aws-billing-rules.md` §5): an EKS cluster costs $0.10 per cluster-hour in
//! standard support and $0.60 in extended support; ECR private storage $0.10 per
//! GB-month. ECS itself is free.

use super::LineItem;

/// EKS cluster rates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EksRates {
    /// Standard support, per cluster-hour.
    pub standard_usd_per_hour: f64,
    /// Extended support, per cluster-hour (the total, not a surcharge).
    pub extended_usd_per_hour: f64,
}

/// The month's line for `clusters` clusters running `hours`.
#[must_use]
pub fn eks_line(clusters: f64, hours: f64, extended_support: bool, rates: EksRates) -> LineItem {
    let (label, rate) = if extended_support {
        (
            "EKS cluster hours, extended support",
            rates.extended_usd_per_hour,
        )
    } else {
        ("EKS cluster hours", rates.standard_usd_per_hour)
    };
    LineItem::priced(label, clusters * hours, "cluster-hours", rate)
}

/// The month's line for `storage_gb` stored in ECR all month.
#[must_use]
pub fn ecr_line(storage_gb: f64, usd_per_gb_month: f64) -> LineItem {
    LineItem::priced("ECR storage", storage_gb, "GB-months", usd_per_gb_month)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EKS: EksRates = EksRates {
        standard_usd_per_hour: 0.10,
        extended_usd_per_hour: 0.60,
    };

    #[test]
    fn eks_standard_and_extended() {
        // Infracost eks_cluster_test (rules §5): 730 h = $73.00 standard, $438.00 extended
        assert!((eks_line(1.0, 730.0, false, EKS).monthly_usd - 73.0).abs() < 1e-9);
        assert!((eks_line(1.0, 730.0, true, EKS).monthly_usd - 438.0).abs() < 1e-9);
    }

    #[test]
    fn ecr_per_gb_month() {
        assert!((ecr_line(25.0, 0.10).monthly_usd - 2.5).abs() < 1e-12);
    }
}
