//! Elastic Load Balancing: Application Load Balancer hours and capacity units.
//!
//! Rules (`aws-billing-rules.md` §8, AWS ELB pricing page as transcribed):
//! - $0.0225 per ALB-hour or partial hour.
//! - $0.008 per LCU-hour; an hour's LCUs are the **largest** of four dimensions:
//!   new connections (25 per second = 1 LCU), active connections (3,000 per minute),
//!   processed bytes (1 GB per hour for EC2, container and IP targets; 0.4 GB for Lambda
//!   targets) and rule evaluations (1,000 per second, after 10 free rules per request).

use super::LineItem;

/// ALB rates resolved from the catalog.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlbRates {
    /// Per load-balancer hour.
    pub usd_per_hour: f64,
    /// Per LCU-hour.
    pub usd_per_lcu_hour: f64,
}

/// Traffic through an ALB, averaged over an hour.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AlbTraffic {
    /// New connections per second.
    pub new_connections_per_second: f64,
    /// Concurrent active connections (sampled per minute).
    pub active_connections: f64,
    /// GB processed in the hour (requests and responses).
    pub processed_gb_per_hour: f64,
    /// Rule evaluations per second beyond the 10 free rules.
    pub billable_rule_evaluations_per_second: f64,
}

/// What one LCU provides, per dimension (EC2, container and IP targets).
pub const LCU_NEW_CONNECTIONS_PER_SECOND: f64 = 25.0;
/// Active connections per minute in one LCU.
pub const LCU_ACTIVE_CONNECTIONS: f64 = 3000.0;
/// Processed GB per hour in one LCU.
pub const LCU_PROCESSED_GB_PER_HOUR: f64 = 1.0;
/// Rule evaluations per second in one LCU.
pub const LCU_RULE_EVALUATIONS_PER_SECOND: f64 = 1000.0;
/// Rules evaluated per request at no charge.
pub const FREE_RULES_PER_REQUEST: f64 = 10.0;

/// LCUs consumed in an hour: the largest dimension.
#[must_use]
pub fn lcus(traffic: &AlbTraffic) -> f64 {
    (traffic.new_connections_per_second / LCU_NEW_CONNECTIONS_PER_SECOND)
        .max(traffic.active_connections / LCU_ACTIVE_CONNECTIONS)
        .max(traffic.processed_gb_per_hour / LCU_PROCESSED_GB_PER_HOUR)
        .max(traffic.billable_rule_evaluations_per_second / LCU_RULE_EVALUATIONS_PER_SECOND)
}

/// Traffic of `requests_per_second` HTTP requests of `request_kb` + `response_kb`,
/// `requests_per_connection` per connection, connections open `connection_seconds`,
/// each request evaluating `rules` listener rules.
#[must_use]
pub fn http_traffic(
    requests_per_second: f64,
    bytes_kb_per_request: f64,
    requests_per_connection: f64,
    connection_seconds: f64,
    rules: f64,
) -> AlbTraffic {
    let new = requests_per_second / requests_per_connection.max(1.0);
    AlbTraffic {
        new_connections_per_second: new,
        active_connections: new * connection_seconds,
        processed_gb_per_hour: requests_per_second * 3600.0 * bytes_kb_per_request * 1000.0 / 1e9,
        billable_rule_evaluations_per_second: requests_per_second
            * (rules - FREE_RULES_PER_REQUEST).max(0.0),
    }
}

/// The month's lines for one ALB running `hours` with `lcu_hours` consumed.
#[must_use]
pub fn alb_lines(hours: f64, lcu_hours: f64, rates: AlbRates) -> Vec<LineItem> {
    vec![
        LineItem::priced(
            "Application Load Balancer hours",
            hours.ceil(),
            "hours",
            rates.usd_per_hour,
        ),
        LineItem::priced(
            "Load balancer capacity units (LCU-hours)",
            lcu_hours,
            "LCU-hours",
            rates.usd_per_lcu_hour,
        ),
    ]
}

/// NLB and CLB rates resolved from the catalog.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OtherLbRates {
    /// Per load-balancer hour.
    pub usd_per_hour: f64,
    /// Per NLCU-hour (NLB) or per GB processed (CLB).
    pub usd_per_unit: f64,
}

/// What one NLCU provides for TCP traffic.
pub const NLCU_TCP_NEW_CONNECTIONS_PER_SECOND: f64 = 800.0;
/// Active TCP connections in one NLCU.
pub const NLCU_TCP_ACTIVE_CONNECTIONS: f64 = 100_000.0;
/// Processed GB per hour in one NLCU.
pub const NLCU_PROCESSED_GB_PER_HOUR: f64 = 1.0;

/// NLCUs for TCP traffic in an hour: the largest dimension.
#[must_use]
pub fn nlcus(traffic: &AlbTraffic) -> f64 {
    (traffic.new_connections_per_second / NLCU_TCP_NEW_CONNECTIONS_PER_SECOND)
        .max(traffic.active_connections / NLCU_TCP_ACTIVE_CONNECTIONS)
        .max(traffic.processed_gb_per_hour / NLCU_PROCESSED_GB_PER_HOUR)
}

/// The month's lines for one NLB running `hours` with `nlcu_hours` consumed.
#[must_use]
pub fn nlb_lines(hours: f64, nlcu_hours: f64, rates: OtherLbRates) -> Vec<LineItem> {
    vec![
        LineItem::priced(
            "Network Load Balancer hours",
            hours.ceil(),
            "hours",
            rates.usd_per_hour,
        ),
        LineItem::priced(
            "Network load balancer capacity units (NLCU-hours)",
            nlcu_hours,
            "NLCU-hours",
            rates.usd_per_unit,
        ),
    ]
}

/// The month's lines for one Classic Load Balancer running `hours` processing `gb`.
#[must_use]
pub fn clb_lines(hours: f64, processed_gb: f64, rates: OtherLbRates) -> Vec<LineItem> {
    vec![
        LineItem::priced(
            "Classic Load Balancer hours",
            hours.ceil(),
            "hours",
            rates.usd_per_hour,
        ),
        LineItem::priced(
            "Classic Load Balancer data processed",
            processed_gb,
            "GB",
            rates.usd_per_unit,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATES: AlbRates = AlbRates {
        usd_per_hour: 0.0225,
        usd_per_lcu_hour: 0.008,
    };

    #[test]
    fn the_largest_dimension_is_billed() {
        // 50 new connections/s = 2 LCU; 1.5 GB/h = 1.5 LCU; 1,500 active = 0.5 LCU
        let t = AlbTraffic {
            new_connections_per_second: 50.0,
            active_connections: 1500.0,
            processed_gb_per_hour: 1.5,
            billable_rule_evaluations_per_second: 0.0,
        };
        assert_eq!(lcus(&t), 2.0);
        // 20 req/s × 20 kB, a new connection each, open 10 s, 1 rule:
        // processed 20 × 3600 × 20,000 B = 1.44 GB/h → 1.44 LCU beats 0.8 (connections)
        let h = http_traffic(20.0, 20.0, 1.0, 10.0, 1.0);
        assert!((lcus(&h) - 1.44).abs() < 1e-12);
        // 12 rules: 2 billable × 1,000 req/s = 2,000 evaluations/s = 2 LCU
        let r = http_traffic(1000.0, 0.0, 1000.0, 0.0, 12.0);
        assert!((lcus(&r) - 2.0).abs() < 1e-12);
    }

    #[test]
    fn nlb_and_clb() {
        // NLB: 1,600 new TCP connections/s = 2 NLCU; 730 h × $0.0225 = $16.425; 2 × 730 × $0.006 = $8.76
        let t = AlbTraffic {
            new_connections_per_second: 1600.0,
            ..AlbTraffic::default()
        };
        assert_eq!(nlcus(&t), 2.0);
        let rates = OtherLbRates {
            usd_per_hour: 0.0225,
            usd_per_unit: 0.006,
        };
        let lines = nlb_lines(730.0, 2.0 * 730.0, rates);
        assert!(
            (lines[0].monthly_usd - 16.425).abs() < 1e-9
                && (lines[1].monthly_usd - 8.76).abs() < 1e-9
        );
        // CLB: $0.025 per hour and $0.008 per GB
        let clb = clb_lines(
            730.0,
            100.0,
            OtherLbRates {
                usd_per_hour: 0.025,
                usd_per_unit: 0.008,
            },
        );
        assert!(
            (clb[0].monthly_usd - 18.25).abs() < 1e-9 && (clb[1].monthly_usd - 0.8).abs() < 1e-12
        );
    }

    #[test]
    fn a_month_of_one_alb() {
        // 730 h × $0.0225 = $16.425 (Infracost lb_test golden "$16.43"); 730 LCU-h × $0.008 = $5.84
        let lines = alb_lines(730.0, 730.0, RATES);
        assert!((lines[0].monthly_usd - 16.425).abs() < 1e-9);
        assert!((lines[1].monthly_usd - 5.84).abs() < 1e-9);
        // a partial hour is billed as a whole one
        assert_eq!(alb_lines(0.5, 0.0, RATES)[0].quantity, 1.0);
    }
}
