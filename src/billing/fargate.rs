//! AWS Fargate tasks (ECS): vCPU and memory per second, ephemeral storage, Spot.
//!
//! Rules (`aws-billing-rules.md` §4, aws.amazon.com/fargate/pricing):
//! - Billed for the vCPU, memory and storage requested, from image download until the
//!   task stops, rounded up to the second, with a one-minute minimum per task.
//! - Linux/x86 $0.04048 per vCPU-hour and $0.004445 per GB-hour; Linux/Arm lower.
//! - 20 GB of ephemeral storage is included; up to 200 GB may be configured, the rest
//!   billed per GB-hour.
//! - Fargate Spot is a dynamic discount (up to 70%), given here by the scenario.
//! - CPU and memory must be one of AWS's valid combinations (ECS Developer Guide
//!   `AWS_Fargate.md`).

use super::LineItem;
use super::lambda::Architecture;

/// The one-minute minimum per task.
pub const MINIMUM_SECONDS_PER_TASK: f64 = 60.0;
/// Ephemeral storage included with every task, GB.
pub const INCLUDED_STORAGE_GB: f64 = 20.0;
/// Largest ephemeral storage a task may have, GB.
pub const MAX_STORAGE_GB: f64 = 200.0;

/// Fargate rates of one architecture.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FargateRates {
    /// Per vCPU-hour.
    pub usd_per_vcpu_hour: f64,
    /// Per GB-hour of memory.
    pub usd_per_gb_hour: f64,
    /// Per GB-hour of ephemeral storage above 20 GB.
    pub usd_per_storage_gb_hour: f64,
}

/// A task size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskSize {
    /// vCPUs (0.25, 0.5, 1, 2, 4, 8, 16).
    pub vcpu: f64,
    /// Memory in GB.
    pub memory_gb: f64,
    /// Ephemeral storage in GB (20–200).
    pub storage_gb: f64,
}

/// The valid memory sizes (GB) for a task of `vcpu` vCPUs, or `None` for an invalid CPU.
#[must_use]
pub fn valid_memory_gb(vcpu: f64) -> Option<Vec<f64>> {
    let range = |from: u32, to: u32, step: u32| {
        (from..=to)
            .step_by(step as usize)
            .map(f64::from)
            .collect::<Vec<_>>()
    };
    let key = (vcpu * 4.0).round();
    if (vcpu * 4.0 - key).abs() > 1e-9 {
        return None;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    match key as u32 {
        1 => Some(vec![0.5, 1.0, 2.0]),
        2 => Some(range(1, 4, 1)),
        4 => Some(range(2, 8, 1)),
        8 => Some(range(4, 16, 1)),
        16 => Some(range(8, 30, 1)),
        32 => Some(range(16, 60, 4)),
        64 => Some(range(32, 120, 8)),
        _ => None,
    }
}

/// Checks a task size against AWS's valid combinations, saying what is valid when not.
///
/// # Errors
/// The offending key (`vcpu`, `memory_gb` or `ephemeral_storage_gb`) and a message
/// listing the valid CPU values or the valid memory for that CPU.
pub fn check_size(size: &TaskSize) -> Result<(), (&'static str, String)> {
    let memory = valid_memory_gb(size.vcpu).ok_or_else(|| {
        (
            "vcpu",
            format!(
                "{} vCPU is not a Fargate task size; use 0.25, 0.5, 1, 2, 4, 8 or 16",
                size.vcpu
            ),
        )
    })?;
    if !memory.iter().any(|m| (m - size.memory_gb).abs() < 1e-9) {
        let list: Vec<String> = memory.iter().map(|m| format!("{m}")).collect();
        let message = format!(
            "{} GB is not valid with {} vCPU; valid memory (GB): {}",
            size.memory_gb,
            size.vcpu,
            list.join(", ")
        );
        return Err(("memory_gb", message));
    }
    if !(INCLUDED_STORAGE_GB..=MAX_STORAGE_GB).contains(&size.storage_gb) {
        return Err((
            "ephemeral_storage_gb",
            format!(
                "ephemeral storage {} GB is outside 20–200 GB",
                size.storage_gb
            ),
        ));
    }
    Ok(())
}

/// Seconds billed for one task that ran `run_seconds` (rounded up to the second, with
/// the one-minute minimum).
#[must_use]
pub fn billed_seconds_per_task(run_seconds: f64) -> f64 {
    if run_seconds <= 0.0 {
        0.0
    } else {
        run_seconds.ceil().max(MINIMUM_SECONDS_PER_TASK)
    }
}

/// The month's lines for `task_seconds` billed task-seconds of `size` on `architecture`,
/// with `spot_discount` (0–1) off the on-demand rates.
#[must_use]
pub fn task_lines(
    task_seconds: f64,
    size: &TaskSize,
    architecture: Architecture,
    rates: &FargateRates,
    spot_discount: f64,
) -> Vec<LineItem> {
    let hours = task_seconds / 3600.0;
    let factor = 1.0 - spot_discount;
    let arch = match architecture {
        Architecture::X86_64 => "Linux/x86",
        Architecture::Arm64 => "Linux/Arm",
    };
    let spot = if spot_discount > 0.0 { " (Spot)" } else { "" };
    let mut lines = vec![
        LineItem::priced(
            format!("Fargate vCPU-hours, {arch}{spot}"),
            hours * size.vcpu,
            "vCPU-hours",
            rates.usd_per_vcpu_hour * factor,
        ),
        LineItem::priced(
            format!("Fargate GB-hours, {arch}{spot}"),
            hours * size.memory_gb,
            "GB-hours",
            rates.usd_per_gb_hour * factor,
        ),
    ];
    let extra_storage = (size.storage_gb - INCLUDED_STORAGE_GB).max(0.0);
    if extra_storage > 0.0 {
        lines.push(LineItem::priced(
            "Fargate ephemeral storage above 20 GB",
            hours * extra_storage,
            "GB-hours",
            rates.usd_per_storage_gb_hour * factor,
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::total_usd;
    use proptest::prelude::*;

    const X86: FargateRates = FargateRates {
        usd_per_vcpu_hour: 0.04048,
        usd_per_gb_hour: 0.004445,
        usd_per_storage_gb_hour: 0.000111,
    };

    fn size(vcpu: f64, memory_gb: f64) -> TaskSize {
        TaskSize {
            vcpu,
            memory_gb,
            storage_gb: 20.0,
        }
    }

    #[test]
    fn a_task_is_billed_at_least_a_minute_and_by_the_second() {
        // "A minimum charge of one minute applies"; "rounded up to the nearest second"
        assert_eq!(billed_seconds_per_task(10.0), 60.0);
        assert_eq!(billed_seconds_per_task(60.2), 61.0);
        assert_eq!(billed_seconds_per_task(3600.0), 3600.0);
        assert_eq!(billed_seconds_per_task(0.0), 0.0);
    }

    #[test]
    fn infracost_ecs_service_month() {
        // Infracost ecs_service_test (rules §4): 1 vCPU × 730 h = $29.55; 2 GB × 730 h = $6.49
        let lines = task_lines(
            730.0 * 3600.0,
            &size(1.0, 2.0),
            Architecture::X86_64,
            &X86,
            0.0,
        );
        assert!((lines[0].monthly_usd - 29.5504).abs() < 1e-9);
        assert!((lines[1].monthly_usd - 6.4897).abs() < 1e-9);
        let spot = task_lines(
            730.0 * 3600.0,
            &size(1.0, 2.0),
            Architecture::X86_64,
            &X86,
            0.7,
        );
        assert!((total_usd(&spot) - 0.3 * (29.5504 + 6.4897)).abs() < 1e-9);
    }

    #[test]
    fn storage_above_20_gb_is_billed() {
        let s = TaskSize {
            vcpu: 0.25,
            memory_gb: 0.5,
            storage_gb: 50.0,
        };
        let lines = task_lines(3600.0, &s, Architecture::X86_64, &X86, 0.0);
        assert!((lines[2].monthly_usd - 30.0 * 0.000111).abs() < 1e-12);
    }

    #[test]
    fn invalid_sizes_say_what_is_valid() {
        let error = |vcpu: f64, memory: f64| check_size(&size(vcpu, memory)).unwrap_err();
        assert_eq!(
            error(0.25, 4.0),
            (
                "memory_gb",
                "4 GB is not valid with 0.25 vCPU; valid memory (GB): 0.5, 1, 2".to_string()
            )
        );
        assert_eq!(
            error(0.5, 5.0).1,
            "5 GB is not valid with 0.5 vCPU; valid memory (GB): 1, 2, 3, 4"
        );
        assert!(
            error(1.0, 1.0)
                .1
                .contains("valid memory (GB): 2, 3, 4, 5, 6, 7, 8")
        );
        assert!(error(2.0, 17.0).1.contains("4, 5, 6"));
        assert!(error(4.0, 31.0).1.contains("8, 9,"));
        assert!(error(8.0, 18.0).1.contains("16, 20, 24"));
        assert!(error(16.0, 36.0).1.contains("32, 40, 48"));
        assert_eq!(
            error(3.0, 8.0),
            (
                "vcpu",
                "3 vCPU is not a Fargate task size; use 0.25, 0.5, 1, 2, 4, 8 or 16".to_string()
            )
        );
        let too_much_storage = check_size(&TaskSize {
            vcpu: 1.0,
            memory_gb: 2.0,
            storage_gb: 250.0,
        });
        assert_eq!(too_much_storage.unwrap_err().0, "ephemeral_storage_gb");
        for (vcpu, memory) in [
            (0.25, 0.5),
            (0.5, 4.0),
            (1.0, 8.0),
            (2.0, 16.0),
            (4.0, 30.0),
            (8.0, 60.0),
            (16.0, 120.0),
        ] {
            assert!(check_size(&size(vcpu, memory)).is_ok(), "{vcpu} {memory}");
        }
    }

    proptest! {
        #[test]
        fn cost_is_never_negative_and_monotone_in_time_and_size(
            seconds in 0.0f64..1e8, extra in 0.0f64..1e6, storage in 20.0f64..200.0, spot in 0.0f64..0.99,
        ) {
            let size = TaskSize { vcpu: 1.0, memory_gb: 2.0, storage_gb: storage };
            let cost = |s: f64, size: &TaskSize| total_usd(&task_lines(billed_seconds_per_task(s), size, Architecture::X86_64, &X86, spot));
            let base = cost(seconds, &size);
            prop_assert!(base >= 0.0);
            prop_assert!(cost(seconds + extra, &size) >= base);
            let bigger = TaskSize { memory_gb: 4.0, ..size };
            prop_assert!(cost(seconds, &bigger) >= base);
            prop_assert!(billed_seconds_per_task(seconds) >= seconds);
        }
    }
}
