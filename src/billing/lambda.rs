//! AWS Lambda on-demand billing: requests and duration.
//!
//! Rules (`aws-billing-rules.md` §6, aws.amazon.com/lambda/pricing):
//! - $0.20 per 1M requests, x86 and Arm alike.
//! - Duration is rounded up to the nearest 1 ms per invocation and billed per GB-second
//!   of configured memory (128–10,240 MB in 1 MB steps; GB = MB / 1024).
//! - Duration tiers apply to the **monthly aggregate per architecture** across all
//!   functions of the account and Region.
//! - The free tier, 1M requests and 400,000 GB-seconds per month, is shared by all
//!   functions and both architectures. Here it is divided between architectures (and
//!   between functions) in proportion to their use: AWS does not say in which order it
//!   applies, and the proportional split is the one that does not depend on the order in
//!   which functions are listed. The free tier covers requests and on-demand duration,
//!   not provisioned concurrency.
//! - Ephemeral storage above the included 512 MB is billed per GB-second of duration.
//! - Provisioned concurrency is billed per GB-second from enable to disable, rounded up
//!   to 5 minutes; invocations it serves pay its own (lower) duration rate, and the
//!   overflow is billed on demand.

use super::{LineItem, tiers};
use crate::catalog::Tier;

/// Ephemeral storage included with every function, MB.
pub const INCLUDED_STORAGE_MB: u32 = 512;

/// Provisioned concurrency is billed in 5-minute increments.
pub const PROVISIONED_INCREMENT_SECONDS: f64 = 300.0;

/// The smallest and largest memory Lambda accepts, in MB.
pub const MEMORY_MB_RANGE: (u32, u32) = (128, 10_240);

/// Instruction set of a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
pub enum Architecture {
    /// x86_64.
    #[default]
    #[serde(rename = "x86_64")]
    X86_64,
    /// arm64 (Graviton).
    #[serde(rename = "arm64")]
    Arm64,
}

impl Architecture {
    /// The name AWS uses.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        }
    }
}

/// Provisioned-concurrency rates of one architecture.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ProvisionedRates {
    /// Per GB-second of concurrency kept provisioned.
    pub usd_per_gb_second: f64,
    /// Per GB-second of duration executed on provisioned concurrency.
    pub duration_usd_per_gb_second: f64,
}

/// Lambda rates resolved from the catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct LambdaRates {
    /// USD per request.
    pub usd_per_request: f64,
    /// x86 duration tiers, USD per GB-second.
    pub x86_tiers: Vec<Tier>,
    /// Arm duration tiers, USD per GB-second.
    pub arm_tiers: Vec<Tier>,
    /// Free requests per month.
    pub free_requests: f64,
    /// Free GB-seconds per month.
    pub free_gb_seconds: f64,
    /// Ephemeral storage above 512 MB, per GB-second.
    pub storage_usd_per_gb_second: f64,
    /// Provisioned concurrency, x86.
    pub provisioned_x86: ProvisionedRates,
    /// Provisioned concurrency, Arm.
    pub provisioned_arm: ProvisionedRates,
}

impl LambdaRates {
    fn tiers(&self, arch: Architecture) -> &[Tier] {
        match arch {
            Architecture::X86_64 => &self.x86_tiers,
            Architecture::Arm64 => &self.arm_tiers,
        }
    }

    fn provisioned(&self, arch: Architecture) -> ProvisionedRates {
        match arch {
            Architecture::X86_64 => self.provisioned_x86,
            Architecture::Arm64 => self.provisioned_arm,
        }
    }
}

/// One function's usage in one calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FunctionMonth {
    /// Its architecture.
    pub architecture: Architecture,
    /// Invocations (on demand and on provisioned concurrency).
    pub requests: f64,
    /// Billed on-demand GB-seconds (after the 1 ms rounding).
    pub gb_seconds: f64,
    /// GB-seconds of ephemeral storage above 512 MB, over all invocations.
    pub storage_gb_seconds: f64,
    /// GB-seconds of provisioned concurrency kept enabled (after the 5-minute rounding).
    pub provisioned_gb_seconds: f64,
    /// Billed GB-seconds of duration executed on provisioned concurrency.
    pub provisioned_duration_gb_seconds: f64,
}

/// The billed duration of an invocation lasting `duration_ms`: rounded up to the
/// millisecond.
#[must_use]
pub fn billed_duration_ms(duration_ms: f64) -> f64 {
    duration_ms.ceil()
}

/// Billed GB-seconds of `requests` invocations lasting `duration_ms` each at `memory_mb`:
/// each invocation's duration is rounded up to the millisecond first.
#[must_use]
pub fn gb_seconds(requests: f64, duration_ms: f64, memory_mb: u32) -> f64 {
    requests * (billed_duration_ms(duration_ms) / 1000.0) * (f64::from(memory_mb) / 1024.0)
}

/// How a function is configured: what turns its invocations into usage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FunctionConfig {
    /// Architecture.
    pub architecture: Architecture,
    /// Memory, MB.
    pub memory_mb: u32,
    /// Duration per invocation before rounding, ms.
    pub duration_ms: f64,
    /// Ephemeral storage, MB (512 included).
    pub storage_mb: u32,
    /// Provisioned concurrency (0 for none).
    pub provisioned_concurrency: f64,
}

impl FunctionConfig {
    /// The month's usage of `on_demand` and `provisioned` invocations, with provisioned
    /// concurrency billed for `provisioned_seconds` (already rounded to 5 minutes).
    #[must_use]
    pub fn month(
        &self,
        on_demand: f64,
        provisioned: f64,
        provisioned_seconds: f64,
    ) -> FunctionMonth {
        let memory_gb = f64::from(self.memory_mb) / 1024.0;
        FunctionMonth {
            architecture: self.architecture,
            requests: on_demand + provisioned,
            gb_seconds: gb_seconds(on_demand, self.duration_ms, self.memory_mb),
            storage_gb_seconds: storage_gb_seconds(
                on_demand + provisioned,
                self.duration_ms,
                self.storage_mb,
            ),
            provisioned_gb_seconds: self.provisioned_concurrency * memory_gb * provisioned_seconds,
            provisioned_duration_gb_seconds: gb_seconds(
                provisioned,
                self.duration_ms,
                self.memory_mb,
            ),
        }
    }

    /// The share of invocations at `requests_per_second` that provisioned concurrency
    /// serves (the rest spill over to on-demand).
    #[must_use]
    pub fn provisioned_share(&self, requests_per_second: f64) -> f64 {
        if self.provisioned_concurrency <= 0.0 {
            return 0.0;
        }
        let c = concurrency(requests_per_second, self.duration_ms);
        if c > 0.0 {
            (self.provisioned_concurrency / c).min(1.0)
        } else {
            0.0
        }
    }
}

/// Billed GB-seconds of ephemeral storage above the included 512 MB.
#[must_use]
pub fn storage_gb_seconds(requests: f64, duration_ms: f64, storage_mb: u32) -> f64 {
    let extra_gb = f64::from(storage_mb.saturating_sub(INCLUDED_STORAGE_MB)) / 1024.0;
    requests * (billed_duration_ms(duration_ms) / 1000.0) * extra_gb
}

/// Seconds billed for provisioned concurrency enabled for `enabled_seconds`: rounded up
/// to the next 5 minutes.
#[must_use]
pub fn provisioned_billed_seconds(enabled_seconds: f64) -> f64 {
    (enabled_seconds.max(0.0) / PROVISIONED_INCREMENT_SECONDS).ceil()
        * PROVISIONED_INCREMENT_SECONDS
}

/// Mean concurrent executions of `requests_per_second` lasting `duration_ms` (Little's
/// law on the billed duration).
#[must_use]
pub fn concurrency(requests_per_second: f64, duration_ms: f64) -> f64 {
    concurrency_billed(requests_per_second, billed_duration_ms(duration_ms))
}

/// [`concurrency`] of invocations whose billed duration is already known (so a loop over
/// steps rounds it once).
#[must_use]
pub fn concurrency_billed(requests_per_second: f64, billed_ms: f64) -> f64 {
    requests_per_second * billed_ms / 1000.0
}

/// Bills one month of several functions that share an account: returns, per function in
/// input order, its line items (free-tier lines at $0 show what the free tier covered).
#[must_use]
pub fn bill_month(
    functions: &[FunctionMonth],
    rates: &LambdaRates,
    free_tier: bool,
) -> Vec<Vec<LineItem>> {
    let total_requests: f64 = functions.iter().map(|f| f.requests).sum();
    let free_requests = if free_tier {
        rates.free_requests.min(total_requests)
    } else {
        0.0
    };
    let gb_by_arch = |arch| -> f64 {
        functions
            .iter()
            .filter(|f| f.architecture == arch)
            .map(|f| f.gb_seconds)
            .sum()
    };
    let total_gb = gb_by_arch(Architecture::X86_64) + gb_by_arch(Architecture::Arm64);
    let free_gb = if free_tier {
        rates.free_gb_seconds.min(total_gb)
    } else {
        0.0
    };

    functions
        .iter()
        .map(|f| {
            let arch_gb = gb_by_arch(f.architecture);
            let request_share = share(f.requests, total_requests);
            let gb_share = share(f.gb_seconds, arch_gb);
            // The architecture's free GB-s (its share of the pool) and billable remainder.
            let arch_free_gb = free_gb * share(arch_gb, total_gb);
            let arch_billable_gb = arch_gb - arch_free_gb;

            let mut items = Vec::new();
            let free_req = free_requests * request_share;
            if free_req > 0.0 {
                items.push(LineItem::free("Requests (free tier)", free_req, "requests"));
            }
            items.push(LineItem::priced(
                "Requests",
                f.requests - free_req,
                "requests",
                rates.usd_per_request,
            ));
            let f_free_gb = arch_free_gb * gb_share;
            if f_free_gb > 0.0 {
                items.push(LineItem::free(
                    "Duration (free tier)",
                    f_free_gb,
                    "GB-seconds",
                ));
            }
            let provisioned = rates.provisioned(f.architecture);
            if f.provisioned_gb_seconds > 0.0 {
                items.push(LineItem::priced(
                    "Provisioned concurrency",
                    f.provisioned_gb_seconds,
                    "GB-seconds",
                    provisioned.usd_per_gb_second,
                ));
            }
            if f.provisioned_duration_gb_seconds > 0.0 {
                items.push(LineItem::priced(
                    "Duration on provisioned concurrency",
                    f.provisioned_duration_gb_seconds,
                    "GB-seconds",
                    provisioned.duration_usd_per_gb_second,
                ));
            }
            if f.storage_gb_seconds > 0.0 {
                items.push(LineItem::priced(
                    "Ephemeral storage above 512 MB",
                    f.storage_gb_seconds,
                    "GB-seconds",
                    rates.storage_usd_per_gb_second,
                ));
            }
            let tier_rates = rates.tiers(f.architecture);
            let in_tiers = tiers::split(arch_billable_gb, tier_rates);
            for (i, (quantity, tier)) in in_tiers.iter().zip(tier_rates).enumerate() {
                if *quantity > 0.0 || i == 0 {
                    items.push(LineItem::priced(
                        format!("Duration ({}, tier {})", f.architecture.as_str(), i + 1),
                        quantity * gb_share,
                        "GB-seconds",
                        tier.usd_per_unit,
                    ));
                }
            }
            items
        })
        .collect()
}

/// `part / whole`, or 0 when there is nothing to share.
fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::total_usd;
    use proptest::prelude::*;

    /// The rates AWS's own published examples used (older pricing page: $0.00001667 per
    /// GB-s, one tier), with the current free tier.
    fn example_rates() -> LambdaRates {
        LambdaRates {
            usd_per_request: 0.000_000_2,
            x86_tiers: vec![Tier {
                start: 0.0,
                usd_per_unit: 0.000_016_67,
            }],
            arm_tiers: vec![Tier {
                start: 0.0,
                usd_per_unit: 0.000_013_333_4,
            }],
            free_requests: 1e6,
            free_gb_seconds: 400_000.0,
            storage_usd_per_gb_second: 0.000_000_030_9,
            provisioned_x86: ProvisionedRates {
                usd_per_gb_second: 0.000_004_166_7,
                duration_usd_per_gb_second: 0.000_009_722_2,
            },
            provisioned_arm: ProvisionedRates {
                usd_per_gb_second: 0.000_003_333_4,
                duration_usd_per_gb_second: 0.000_007_777_8,
            },
        }
    }

    fn current_rates() -> LambdaRates {
        let catalog = crate::catalog::PriceCatalog::embedded("us-east-1").unwrap();
        crate::scenario::resolve::lambda_rates(&catalog).unwrap()
    }

    fn one(
        architecture: Architecture,
        requests: f64,
        duration_ms: f64,
        memory_mb: u32,
    ) -> FunctionMonth {
        FunctionMonth {
            architecture,
            requests,
            gb_seconds: gb_seconds(requests, duration_ms, memory_mb),
            ..FunctionMonth::default()
        }
    }

    fn amount(items: &[LineItem], component: &str) -> f64 {
        items
            .iter()
            .filter(|i| i.component == component)
            .map(|i| i.monthly_usd)
            .sum()
    }

    #[test]
    fn aws_example_1_512mb_3m_requests_1s() {
        // AWS Lambda pricing page, Example 1 (rules §6): 3M × 1 s × 0.5 GB = 1.5M GB-s;
        // minus 400,000 free = 1.1M × $0.00001667 = $18.34; (3M − 1M) × $0.2/M = $0.40.
        let items = &bill_month(
            &[one(Architecture::X86_64, 3e6, 1000.0, 512)],
            &example_rates(),
            true,
        )[0];
        let duration = amount(items, "Duration (x86_64, tier 1)");
        let requests = amount(items, "Requests");
        assert_eq!(crate::money::to_cents(duration).to_string(), "18.34");
        assert_eq!(crate::money::to_cents(requests).to_string(), "0.40");
        assert_eq!(
            crate::money::to_cents(total_usd(items)).to_string(),
            "18.74"
        );
    }

    #[test]
    fn aws_example_2_128mb_30m_requests_200ms() {
        // Example 2 (rules §6, CALC from AWS's rules): 750,000 GB-s − 400,000 = 350,000 ×
        // $0.00001667 = $5.83; (30M − 1M) × $0.2/M = $5.80; total $11.63.
        let items = &bill_month(
            &[one(Architecture::X86_64, 30e6, 200.0, 128)],
            &example_rates(),
            true,
        )[0];
        assert_eq!(
            crate::money::to_cents(total_usd(items)).to_string(),
            "11.63"
        );
    }

    #[test]
    fn duration_rounds_up_to_the_millisecond_per_invocation() {
        // "rounded up to the nearest 1 ms" (aws.amazon.com/lambda/pricing): 1M × 1.2 ms at
        // 1,024 MB bills 2 ms each = 2,000 GB-s, not 1,200.
        assert!((gb_seconds(1e6, 1.2, 1024) - 2000.0).abs() < 1e-9);
        assert!((gb_seconds(1e6, 2.0, 1024) - 2000.0).abs() < 1e-9);
        assert!((gb_seconds(1e6, 2.001, 1024) - 3000.0).abs() < 1e-9);
    }

    #[test]
    fn tier_boundaries_x86_and_arm() {
        // x86: 6B and 15B GB-s; Arm: 7.5B and 18.75B (rules §6, PL).
        let rates = current_rates();
        let bill = |arch, gb: f64| {
            total_usd(
                &bill_month(
                    &[FunctionMonth {
                        architecture: arch,
                        requests: 0.0,
                        gb_seconds: gb,
                        ..FunctionMonth::default()
                    }],
                    &rates,
                    false,
                )[0],
            )
        };
        assert!((bill(Architecture::X86_64, 6e9) - 6e9 * 0.000_016_666_7).abs() < 1e-4);
        let over = bill(Architecture::X86_64, 6e9 + 1e6) - bill(Architecture::X86_64, 6e9);
        assert!((over - 1e6 * 0.000_015).abs() < 1e-6);
        let over = bill(Architecture::X86_64, 15e9 + 1e6) - bill(Architecture::X86_64, 15e9);
        assert!((over - 1e6 * 0.000_013_333_4).abs() < 1e-6);
        let over = bill(Architecture::Arm64, 7.5e9 + 1e6) - bill(Architecture::Arm64, 7.5e9);
        assert!((over - 1e6 * 0.000_012_000_1).abs() < 1e-6);
        let over = bill(Architecture::Arm64, 18.75e9 + 1e6) - bill(Architecture::Arm64, 18.75e9);
        assert!((over - 1e6 * 0.000_010_666_7).abs() < 1e-6);
    }

    #[test]
    fn two_functions_share_one_free_tier() {
        // Free tier is per account: two functions of 600k requests each get 1M free
        // between them (500k each), not 1M each.
        let f = one(Architecture::X86_64, 600_000.0, 100.0, 128);
        let bills = bill_month(&[f, f], &example_rates(), true);
        for items in &bills {
            let free: f64 = items
                .iter()
                .filter(|i| i.component == "Requests (free tier)")
                .map(|i| i.quantity)
                .sum();
            assert!((free - 500_000.0).abs() < 1e-6);
            assert!((amount(items, "Requests") - 100_000.0 * 0.000_000_2).abs() < 1e-12);
        }
        // GB-s: 2 × 7,500 = 15,000 < 400,000, all free.
        assert!(
            bills
                .iter()
                .all(|items| amount(items, "Duration (x86_64, tier 1)").abs() < 1e-12)
        );
    }

    #[test]
    fn free_gb_seconds_are_shared_across_architectures_in_proportion() {
        let x86 = FunctionMonth {
            architecture: Architecture::X86_64,
            requests: 0.0,
            gb_seconds: 300_000.0,
            ..FunctionMonth::default()
        };
        let arm = FunctionMonth {
            architecture: Architecture::Arm64,
            requests: 0.0,
            gb_seconds: 500_000.0,
            ..FunctionMonth::default()
        };
        let bills = bill_month(&[x86, arm], &example_rates(), true);
        // 400,000 free over 800,000 used: half of each is free.
        assert!(
            (amount(&bills[0], "Duration (x86_64, tier 1)") - 150_000.0 * 0.000_016_67).abs()
                < 1e-9
        );
        assert!(
            (amount(&bills[1], "Duration (arm64, tier 1)") - 250_000.0 * 0.000_013_333_4).abs()
                < 1e-9
        );
    }

    #[test]
    fn ephemeral_storage_above_512_mb() {
        // 1M × 100 ms with 1,536 MB of /tmp: 1 GB extra × 100,000 s = 100,000 GB-s × $0.0000000309
        assert!((storage_gb_seconds(1e6, 100.0, 1536) - 100_000.0).abs() < 1e-6);
        assert_eq!(storage_gb_seconds(1e6, 100.0, 512), 0.0);
        let f = FunctionMonth {
            storage_gb_seconds: 100_000.0,
            ..one(Architecture::X86_64, 1e6, 100.0, 128)
        };
        let items = &bill_month(&[f], &example_rates(), false)[0];
        assert!((amount(items, "Ephemeral storage above 512 MB") - 0.00309).abs() < 1e-12);
    }

    #[test]
    fn provisioned_concurrency_rounds_up_to_five_minutes() {
        // "billed from enable to disable, rounded up to the nearest 5 minutes"
        assert_eq!(provisioned_billed_seconds(1.0), 300.0);
        assert_eq!(provisioned_billed_seconds(3600.0), 3600.0);
        assert_eq!(provisioned_billed_seconds(3601.0), 3900.0);
        // Infracost lambda_provisioned_concurrency_config_test (rules §6, Arm):
        // 9,000,000 GB-s × $0.0000033334 = $30.00
        let f = FunctionMonth {
            architecture: Architecture::Arm64,
            provisioned_gb_seconds: 9e6,
            ..FunctionMonth::default()
        };
        let items = &bill_month(&[f], &example_rates(), true)[0];
        assert!((amount(items, "Provisioned concurrency") - 30.0006).abs() < 1e-9);
        // provisioned concurrency is not covered by the free tier
        assert!(items.iter().all(|i| i.component != "Duration (free tier)"));
    }

    #[test]
    fn concurrency_is_rate_times_billed_duration() {
        // Little's law: 200 req/s × 250 ms = 50 concurrent executions
        assert!((concurrency(200.0, 250.0) - 50.0).abs() < 1e-12);
        assert!((concurrency(1000.0, 0.4) - 1.0).abs() < 1e-12);
    }

    proptest! {
        #[test]
        fn cost_is_never_negative_and_monotone(
            requests in 0.0f64..5e9, duration in 0.0f64..900_000.0, memory in 128u32..=10_240,
            extra in 0.0f64..1e8, free in any::<bool>(),
        ) {
            let rates = example_rates();
            let cost = |r: f64, d: f64| total_usd(&bill_month(&[one(Architecture::X86_64, r, d, memory)], &rates, free)[0]);
            let base = cost(requests, duration);
            prop_assert!(base >= 0.0);
            prop_assert!(cost(requests + extra, duration) >= base - 1e-9 * base.max(1.0));
            prop_assert!(cost(requests, duration + 1.0) >= base - 1e-9 * base.max(1.0));
        }

        #[test]
        fn free_tier_never_exceeds_usage(requests in 0.0f64..3e6, gb in 0.0f64..1e6) {
            let f = FunctionMonth { architecture: Architecture::Arm64, requests, gb_seconds: gb, ..FunctionMonth::default() };
            let items = &bill_month(&[f], &example_rates(), true)[0];
            let free_req: f64 = items.iter().filter(|i| i.component == "Requests (free tier)").map(|i| i.quantity).sum();
            let free_gb: f64 = items.iter().filter(|i| i.component == "Duration (free tier)").map(|i| i.quantity).sum();
            prop_assert!(free_req <= requests + 1e-6 && free_req <= 1e6 + 1e-6);
            prop_assert!(free_gb <= gb + 1e-6 && free_gb <= 400_000.0 + 1e-6);
            prop_assert!(items.iter().all(|i| i.quantity >= -1e-6 && i.monthly_usd >= -1e-12));
        }
    }
}
