//! EBS volumes and public IPv4 addresses: the storage and addressing every instance
//! option carries.
//!
//! Rules (`aws-billing-rules.md` §1.3, §1.4):
//! - gp3 $0.08 per GB-month with 3,000 IOPS and 125 MB/s included; extra IOPS $0.005 per
//!   IOPS-month, extra throughput $0.04 per MB/s-month. gp2 $0.10 per GB-month.
//! - Provisioned storage is billed per second; a GB-month is a GB for the whole month.
//!   costcast prorates by the calendar month (AWS's 720-hour example is a 30-day
//!   month), so a volume kept all month costs exactly the monthly rate.
//! - Every public IPv4 address costs $0.005 per hour, in use or idle (since 2024-02-01).

use super::LineItem;

/// IOPS included with every gp3 volume.
pub const GP3_FREE_IOPS: f64 = 3000.0;
/// Throughput (MB/s) included with every gp3 volume.
pub const GP3_FREE_THROUGHPUT_MBPS: f64 = 125.0;

/// EBS volume type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VolumeType {
    /// General purpose SSD, current generation.
    #[default]
    Gp3,
    /// General purpose SSD, previous generation.
    Gp2,
}

/// EBS rates resolved from the catalog.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EbsRates {
    /// gp3 per GB-month.
    pub gp3_usd_per_gb_month: f64,
    /// gp3 per IOPS-month above the free 3,000.
    pub gp3_usd_per_iops_month: f64,
    /// gp3 per MB/s-month above the free 125.
    pub gp3_usd_per_mbps_month: f64,
    /// gp2 per GB-month.
    pub gp2_usd_per_gb_month: f64,
}

/// One volume's configuration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Volume {
    /// Type.
    pub volume_type: VolumeType,
    /// Size in GB.
    pub size_gb: f64,
    /// Provisioned IOPS (gp3; at least the free 3,000).
    pub iops: f64,
    /// Provisioned throughput in MB/s (gp3).
    pub throughput_mbps: f64,
}

impl Volume {
    /// A gp3 volume of `size_gb` at the included performance.
    #[must_use]
    pub fn gp3(size_gb: f64) -> Volume {
        Volume {
            volume_type: VolumeType::Gp3,
            size_gb,
            iops: GP3_FREE_IOPS,
            throughput_mbps: GP3_FREE_THROUGHPUT_MBPS,
        }
    }
}

/// Lines for `count` volumes kept for `month_fraction` of a month (1 = all month).
#[must_use]
pub fn volume_lines(
    volume: &Volume,
    count: f64,
    month_fraction: f64,
    rates: &EbsRates,
) -> Vec<LineItem> {
    let share = count * month_fraction;
    match volume.volume_type {
        VolumeType::Gp2 => vec![LineItem::priced(
            "EBS gp2 storage",
            volume.size_gb * share,
            "GB-months",
            rates.gp2_usd_per_gb_month,
        )],
        VolumeType::Gp3 => {
            let mut lines = vec![LineItem::priced(
                "EBS gp3 storage",
                volume.size_gb * share,
                "GB-months",
                rates.gp3_usd_per_gb_month,
            )];
            let extra_iops = (volume.iops - GP3_FREE_IOPS).max(0.0);
            if extra_iops > 0.0 {
                lines.push(LineItem::priced(
                    "EBS gp3 IOPS above 3,000",
                    extra_iops * share,
                    "IOPS-months",
                    rates.gp3_usd_per_iops_month,
                ));
            }
            let extra_mbps = (volume.throughput_mbps - GP3_FREE_THROUGHPUT_MBPS).max(0.0);
            if extra_mbps > 0.0 {
                lines.push(LineItem::priced(
                    "EBS gp3 throughput above 125 MB/s",
                    extra_mbps * share,
                    "MBps-months",
                    rates.gp3_usd_per_mbps_month,
                ));
            }
            lines
        }
    }
}

/// The snapshot line for `size_gb` of standard-tier snapshot data kept a whole month.
#[must_use]
pub fn snapshot_line(size_gb: f64, usd_per_gb_month: f64) -> LineItem {
    LineItem::priced(
        "EBS snapshot storage",
        size_gb,
        "GB-months",
        usd_per_gb_month,
    )
}

/// The public IPv4 line for `address_hours` address-hours.
#[must_use]
pub fn public_ipv4_line(address_hours: f64, usd_per_ip_hour: f64) -> LineItem {
    LineItem::priced(
        "Public IPv4 addresses",
        address_hours,
        "IP-hours",
        usd_per_ip_hour,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::total_usd;

    const RATES: EbsRates = EbsRates {
        gp3_usd_per_gb_month: 0.08,
        gp3_usd_per_iops_month: 0.005,
        gp3_usd_per_mbps_month: 0.04,
        gp2_usd_per_gb_month: 0.10,
    };

    #[test]
    fn infracost_ebs_volume_test_figures() {
        // Infracost ebs_volume_test golden (rules §1.3): gp3 40 GB = $3.20; 4,000 IOPS
        // = 1,000 extra × $0.005 = $5.00; 130 MB/s = 5 extra × $0.04 = $0.20; gp2 10 GB = $1.00
        let gp3 = Volume {
            volume_type: VolumeType::Gp3,
            size_gb: 40.0,
            iops: 4000.0,
            throughput_mbps: 130.0,
        };
        let lines = volume_lines(&gp3, 1.0, 1.0, &RATES);
        let amounts: Vec<f64> = lines.iter().map(|l| l.monthly_usd).collect();
        assert!(
            (amounts[0] - 3.20).abs() < 1e-9
                && (amounts[1] - 5.00).abs() < 1e-9
                && (amounts[2] - 0.20).abs() < 1e-9
        );
        let gp2 = Volume {
            volume_type: VolumeType::Gp2,
            size_gb: 10.0,
            iops: 0.0,
            throughput_mbps: 0.0,
        };
        assert!((total_usd(&volume_lines(&gp2, 1.0, 1.0, &RATES)) - 1.00).abs() < 1e-9);
    }

    #[test]
    fn included_performance_is_free_and_time_prorates() {
        let lines = volume_lines(&Volume::gp3(8.0), 2.0, 0.5, &RATES);
        assert_eq!(lines.len(), 1);
        assert!((lines[0].monthly_usd - 8.0 * 2.0 * 0.5 * 0.08).abs() < 1e-12);
    }

    #[test]
    fn snapshots_per_gb_month() {
        // $0.05 per GB-month (EC2UG snapshot-archive.md): 100 GB = $5.00
        assert!((snapshot_line(100.0, 0.05).monthly_usd - 5.0).abs() < 1e-12);
    }

    #[test]
    fn public_ipv4_for_a_month() {
        // $0.005 per IP-hour × 730 h = $3.65 (Infracost eip_test golden)
        assert!((public_ipv4_line(730.0, 0.005).monthly_usd - 3.65).abs() < 1e-9);
    }
}
