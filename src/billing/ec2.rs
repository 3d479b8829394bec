//! EC2 On-Demand instance billing.
//!
//! Rules (`aws-billing-rules.md` §1.1, EC2 User Guide `ec2-on-demand-instances.md` and
//! `ec2-instance-lifecycle.md`):
//! - Linux, Windows, RHEL and Ubuntu are billed per second while `running`, with a
//!   60-second minimum every time an instance goes from `stopped` (or launch) to `running`;
//!   a reboot starts no new minimum.
//! - Stopped instances are not billed.
//! - Charges land in the calendar month in which the seconds ran.

use super::LineItem;

/// The minimum billed per start of a per-second-billed instance.
pub const MINIMUM_SECONDS_PER_START: f64 = 60.0;

/// On-Demand operating systems, with their billing granularity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OperatingSystem {
    /// Linux/Unix (Amazon Linux, Ubuntu, …): per second.
    Linux,
    /// Windows: per second.
    Windows,
    /// Red Hat Enterprise Linux: per second.
    Rhel,
    /// SUSE Linux Enterprise Server: per hour, each partial hour billed whole.
    Suse,
}

impl OperatingSystem {
    /// The name on bill lines and in catalog keys.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            OperatingSystem::Linux => "Linux",
            OperatingSystem::Windows => "Windows",
            OperatingSystem::Rhel => "RHEL",
            OperatingSystem::Suse => "SUSE",
        }
    }

    /// The billing rule of one run: per second with a 60-second minimum, or per hour
    /// with a one-hour minimum for SUSE ("Each partial instance-hour is billed as a full
    /// hour for instances launched in … SUSE", re:Post ec2-instance-hour-billing).
    #[must_use]
    pub fn billed_per_run(self) -> fn(f64) -> f64 {
        match self {
            OperatingSystem::Suse => billed_seconds_hourly,
            _ => billed_seconds_per_run,
        }
    }
}

/// Rates of one instance type, resolved from the catalog.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ec2Rates {
    /// On-Demand price per instance-hour.
    pub usd_per_hour: f64,
    /// The operating system the price is for.
    pub os: OperatingSystem,
}

/// Seconds billed for one run (start to stop) of `run_seconds`.
#[must_use]
pub fn billed_seconds_per_run(run_seconds: f64) -> f64 {
    if run_seconds <= 0.0 {
        0.0
    } else {
        run_seconds.max(MINIMUM_SECONDS_PER_START)
    }
}

/// Seconds billed for one run of an hourly-billed OS: every partial hour is a full hour,
/// with a one-hour minimum.
#[must_use]
pub fn billed_seconds_hourly(run_seconds: f64) -> f64 {
    if run_seconds <= 0.0 {
        0.0
    } else {
        (run_seconds / 3600.0).ceil().max(1.0) * 3600.0
    }
}

/// The instance-hours line for `billed_seconds` of `instance_type`.
#[must_use]
pub fn instance_line(instance_type: &str, billed_seconds: f64, rates: Ec2Rates) -> LineItem {
    LineItem::priced(
        format!(
            "Instance hours ({instance_type}, {}, On-Demand)",
            rates.os.label()
        ),
        billed_seconds / 3600.0,
        "hours",
        rates.usd_per_hour,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::continuous_run_by_month;
    use proptest::prelude::*;

    const T3_MICRO: Ec2Rates = Ec2Rates {
        usd_per_hour: 0.0104,
        os: OperatingSystem::Linux,
    };

    #[test]
    fn thirty_second_run_is_billed_as_sixty() {
        // "You pay only for the seconds … with a 60-second minimum" (EC2UG ec2-on-demand-instances.md)
        assert!((billed_seconds_per_run(30.0) - 60.0).abs() < 1e-12);
        assert!((billed_seconds_per_run(61.5) - 61.5).abs() < 1e-12);
        assert!(billed_seconds_per_run(0.0).abs() < 1e-12);
    }

    #[test]
    fn stop_start_pays_the_minimum_twice() {
        // "a minimum of one minute every time you start your instance" (EC2UG ec2-instance-lifecycle.md):
        // two 20 s runs bill 120 s, one 40 s run bills 60 s.
        let two_starts = billed_seconds_per_run(20.0) + billed_seconds_per_run(20.0);
        assert!((two_starts - 120.0).abs() < 1e-12);
        assert!((billed_seconds_per_run(40.0) - 60.0).abs() < 1e-12);
    }

    #[test]
    fn suse_partial_hours_are_billed_whole() {
        // "Each partial instance-hour is billed as a full hour for … SUSE", with a one-hour
        // minimum at each start (re:Post ec2-instance-hour-billing).
        assert_eq!(billed_seconds_hourly(30.0), 3600.0);
        assert_eq!(billed_seconds_hourly(3601.0), 7200.0);
        assert_eq!(billed_seconds_hourly(7200.0), 7200.0);
        assert_eq!(OperatingSystem::Suse.billed_per_run()(90.0 * 60.0), 7200.0);
        assert_eq!(
            OperatingSystem::Windows.billed_per_run()(90.0 * 60.0),
            5400.0
        );
        // two SUSE instances running 90 minutes across a month boundary: 2 h each
        assert_eq!(
            continuous_run_by_month(
                2.0,
                &[1800.0, 3600.0],
                OperatingSystem::Suse.billed_per_run()
            ),
            vec![3600.0, 10_800.0]
        );
    }

    #[test]
    fn t3_micro_for_730_hours() {
        // t3.micro $0.0104/h × 730 h = $7.592 (rules §1.2, PL Infracost golden "$7.59")
        let usd = instance_line("t3.micro", 730.0 * 3600.0, T3_MICRO).monthly_usd;
        assert!((usd - 7.592).abs() < 1e-9);
    }

    #[test]
    fn fleet_seconds_land_in_their_month_and_top_up_at_the_end() {
        let months = continuous_run_by_month(3.0, &[10.0, 20.0], billed_seconds_per_run);
        assert_eq!(months, vec![30.0, 150.0]); // 30 s run billed 60 s each: top-up in month 2
        let long = continuous_run_by_month(2.0, &[3600.0, 7200.0], billed_seconds_per_run);
        assert_eq!(long, vec![7200.0, 14400.0]);
    }

    proptest! {
        #[test]
        fn billed_time_and_cost_are_monotone_and_never_below_use(run in 0.0f64..1e7, more in 0.0f64..1e5) {
            for os in [OperatingSystem::Linux, OperatingSystem::Suse] {
                let rule = os.billed_per_run();
                prop_assert!(rule(run) >= run);
                prop_assert!(rule(run + more) >= rule(run));
                let rates = Ec2Rates { usd_per_hour: 0.0104, os };
                let cost = |seconds: f64| instance_line("t3.micro", seconds, rates).monthly_usd;
                prop_assert!(cost(rule(run + more)) >= cost(rule(run)));
                prop_assert!(cost(rule(run)) >= 0.0);
            }
        }
    }
}
