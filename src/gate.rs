//! Budget gates: rules on a comparison's costs and service levels, for CI.
//!
//! Rules come from a scenario's `[gate]` table (`[[gate.rule]]`) or a budget file
//! (`[[rule]]`). Each names an option (or `recommended`: the cheapest option that meets
//! the SLO, by mean monthly cost) and one limit:
//! - `max_monthly_usd` on a statistic (`mean`, `p50`, `p95`, `p99`, `max`) of every
//!   month's cost, or of one `month`;
//! - `max_probability_over_usd` with `probability`: P(average monthly cost > X) ≤ p;
//! - `max_increase_pct` / `max_increase_usd` against a baseline result, on a statistic
//!   of the average monthly cost;
//! - `min_served_fraction` on the mean (or `p5`) share of demand served.
//!
//! Money is compared in whole cents, rounded half-to-even from the engine's `f64`, so a
//! verdict cannot flip on the last bit; shares and probabilities are compared at six
//! decimal places.

use std::path::Path;

use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::money::to_cents;
use crate::report::Stats;
use crate::report::compare::{CompareReport, OptionReport};
use crate::scenario::input::TomlInput;

/// The gate result schema version.
pub const SCHEMA_VERSION: u32 = 1;

/// `[gate]` in a scenario.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateSpec {
    /// The rules.
    #[serde(default)]
    pub rule: Vec<RuleSpec>,
}

/// A budget file: `[[rule]]` tables.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct BudgetFile {
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

/// A statistic over Monte Carlo paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Statistic {
    /// Mean.
    #[default]
    Mean,
    /// Median.
    P50,
    /// 95th percentile.
    P95,
    /// 99th percentile.
    P99,
    /// Largest path.
    Max,
    /// 5th percentile (for served fractions: the bad tail).
    P5,
}

impl Statistic {
    fn of(self, stats: &Stats) -> f64 {
        match self {
            Statistic::Mean => stats.mean,
            Statistic::P50 => stats.p50,
            Statistic::P95 => stats.p95,
            Statistic::P99 => stats.p99,
            Statistic::Max => stats.max,
            Statistic::P5 => stats.p5,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Statistic::Mean => "mean",
            Statistic::P50 => "p50",
            Statistic::P95 => "p95",
            Statistic::P99 => "p99",
            Statistic::Max => "max",
            Statistic::P5 => "p5",
        }
    }
}

/// One rule as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Its name, shown in every output.
    pub name: String,
    /// The option it applies to, or `recommended`.
    pub option: String,
    /// The statistic (default `mean`).
    #[serde(default)]
    pub statistic: Statistic,
    /// Limit on each month's cost (or `month`'s).
    #[serde(default)]
    pub max_monthly_usd: Option<f64>,
    /// Only this month (`YYYY-MM`), for `max_monthly_usd`.
    #[serde(default)]
    pub month: Option<String>,
    /// With `probability`: P(average monthly cost > this) must not exceed it.
    #[serde(default)]
    pub max_probability_over_usd: Option<f64>,
    /// The largest acceptable probability.
    #[serde(default)]
    pub probability: Option<f64>,
    /// Largest increase of the average monthly cost over the baseline, percent.
    #[serde(default)]
    pub max_increase_pct: Option<f64>,
    /// Largest increase of the average monthly cost over the baseline, USD.
    #[serde(default)]
    pub max_increase_usd: Option<f64>,
    /// Smallest acceptable share of demand served.
    #[serde(default)]
    pub min_served_fraction: Option<f64>,
}

/// The verdict of one rule.
#[derive(Debug, Clone, Serialize)]
pub struct RuleResult {
    /// The rule's name.
    pub rule: String,
    /// The option it was checked on.
    pub option: String,
    /// What was measured, in words (e.g. `p95 monthly cost, 2027-03`).
    pub measure: String,
    /// The measured value (USD, a share, or a probability), as compared.
    pub value: Decimal,
    /// The limit.
    pub limit: Decimal,
    /// How far inside the limit the value is (negative when breached).
    pub margin: Decimal,
    /// The unit of value, limit and margin: `usd`, `pct`, `fraction` or `probability`.
    pub unit: &'static str,
    /// Whether the rule holds.
    pub passed: bool,
}

/// A gate's verdict.
#[derive(Debug, Clone, Serialize)]
pub struct GateOutcome {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `gate`.
    pub kind: &'static str,
    /// True when every rule holds.
    pub passed: bool,
    /// One entry per rule check (a rule over every month gives its worst month).
    pub rules: Vec<RuleResult>,
    /// The comparison the rules were checked on (usable as the next baseline).
    pub report: CompareReport,
}

/// Reads and checks a budget file.
///
/// # Errors
/// [`Error::Input`] naming the line and field of anything invalid; I/O errors.
pub fn read_budget(path: &Path) -> Result<Vec<RuleSpec>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("cannot read budget file `{}`", path.display()), e))?;
    let input = TomlInput::new(path, &text);
    let budget: BudgetFile = input.parse()?;
    check_rules(&input, "rule", &budget.rule)?;
    Ok(budget.rule)
}

/// Checks rules read from `input` at `prefix` (`rule` or `gate.rule`).
///
/// # Errors
/// [`Error::Input`] for a rule with no limit, two limits, or values out of range.
pub fn check_rules(input: &TomlInput<'_>, prefix: &str, rules: &[RuleSpec]) -> Result<()> {
    for (i, r) in rules.iter().enumerate() {
        let at = |field: &str| format!("{prefix}[{i}].{field}");
        let kinds = [
            r.max_monthly_usd.is_some(),
            r.max_probability_over_usd.is_some(),
            r.max_increase_pct.is_some(),
            r.max_increase_usd.is_some(),
            r.min_served_fraction.is_some(),
        ];
        let count = kinds.iter().filter(|k| **k).count();
        if count != 1 {
            return Err(input.error_at(
                &format!("{prefix}[{i}]"),
                format!("rule `{}` needs exactly one of max_monthly_usd, max_probability_over_usd, max_increase_pct, max_increase_usd, min_served_fraction (it has {count})", r.name),
            ));
        }
        if r.max_probability_over_usd.is_some()
            && !r.probability.is_some_and(|p| (0.0..=1.0).contains(&p))
        {
            return Err(input.error_at(
                &at("probability"),
                "max_probability_over_usd needs `probability` in 0..=1",
            ));
        }
        if let Some(f) = r.min_served_fraction
            && !(0.0..=1.0).contains(&f)
        {
            return Err(input.error_at(&at("min_served_fraction"), format!("{f} is outside 0..=1")));
        }
        if let Some(m) = &r.month
            && chrono::NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").is_err()
        {
            return Err(input.error_at(&at("month"), format!("`{m}` is not a month (YYYY-MM)")));
        }
        for (field, value) in [
            ("max_monthly_usd", r.max_monthly_usd),
            ("max_probability_over_usd", r.max_probability_over_usd),
            ("max_increase_usd", r.max_increase_usd),
        ] {
            if value.is_some_and(|v| !(v.is_finite() && v >= 0.0)) {
                return Err(input.error_at(&at(field), "must be a finite number >= 0"));
            }
        }
    }
    Ok(())
}

/// A baseline: a `compare --format json` or `gate --format json` result.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// Its scenario.
    pub scenario: String,
    /// Its options: what increase rules read of them.
    pub options: Vec<BaselineOption>,
}

/// What a baseline keeps of an option.
#[derive(Debug, Clone, Deserialize)]
pub struct BaselineOption {
    /// Option name.
    pub name: String,
    /// Statistics of its average monthly cost.
    pub monthly_usd: Stats,
}

/// Reads a baseline result file.
///
/// # Errors
/// [`Error::Invalid`] when it is not a compare or gate result; I/O errors.
pub fn read_baseline(path: &Path) -> Result<Baseline> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("cannot read baseline `{}`", path.display()), e))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::Invalid(format!("baseline `{}` is not JSON: {e}", path.display())))?;
    let report = if value.get("kind").and_then(|k| k.as_str()) == Some("gate") {
        &value["report"]
    } else {
        &value
    };
    let invalid = |what: &str| {
        Error::Invalid(format!(
            "baseline `{}` is not a compare or gate result ({what}); write one with `costcast compare --format json`",
            path.display()
        ))
    };
    if report
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
        != Some(u64::from(crate::report::compare::SCHEMA_VERSION))
    {
        return Err(invalid("no schema_version 1"));
    }
    let scenario = report["scenario"]
        .as_str()
        .ok_or_else(|| invalid("no scenario"))?
        .to_string();
    let options: Vec<BaselineOption> =
        serde_json::from_value(report["options"].clone()).map_err(|e| invalid(&e.to_string()))?;
    Ok(Baseline { scenario, options })
}

/// Checks `rules` on `report` (and `baseline` for increase rules).
///
/// # Errors
/// [`Error::Invalid`] for a rule naming an option the scenario does not have, an
/// increase rule without a baseline, or a baseline from another scenario.
pub fn evaluate(
    report: CompareReport,
    rules: &[RuleSpec],
    baseline: Option<&Baseline>,
) -> Result<GateOutcome> {
    if let Some(b) = baseline
        && b.scenario != report.scenario
    {
        return Err(Error::Invalid(format!(
            "the baseline is for scenario `{}`, not `{}`; use a baseline written from this scenario",
            b.scenario, report.scenario
        )));
    }
    let mut results = Vec::new();
    for rule in rules {
        let option = find_option(&report, &rule.option)?;
        results.push(check(rule, option, baseline)?);
    }
    Ok(GateOutcome {
        schema_version: SCHEMA_VERSION,
        kind: "gate",
        passed: results.iter().all(|r| r.passed),
        rules: results,
        report,
    })
}

/// The option a rule names; `recommended` is the cheapest option meeting the SLO.
fn find_option<'a>(report: &'a CompareReport, name: &str) -> Result<&'a OptionReport> {
    if name == "recommended" {
        let winner = report.recommendation.winner.as_deref().ok_or_else(|| {
            Error::Invalid(
                "no option meets the SLO, so there is no recommended option to gate".to_string(),
            )
        })?;
        return report
            .options
            .iter()
            .find(|o| o.name == winner)
            .ok_or_else(|| {
                Error::Invalid(format!("the recommended option `{winner}` is missing"))
            });
    }
    report
        .options
        .iter()
        .find(|o| o.name == name)
        .ok_or_else(|| {
            let names: Vec<_> = report.options.iter().map(|o| o.name.as_str()).collect();
            Error::Invalid(format!(
                "a gate rule names option `{name}`; the scenario has: {}, recommended",
                names.join(", ")
            ))
        })
}

fn decimal(value: f64, places: u32) -> Decimal {
    Decimal::from_f64(value)
        .unwrap_or_default()
        .round_dp_with_strategy(places, rust_decimal::RoundingStrategy::MidpointNearestEven)
}

fn result(
    rule: &RuleSpec,
    option: &str,
    measure: String,
    (value, limit): (Decimal, Decimal),
    unit: &'static str,
    lower_is_better: bool,
) -> RuleResult {
    let margin = if lower_is_better {
        limit - value
    } else {
        value - limit
    };
    RuleResult {
        rule: rule.name.clone(),
        option: option.to_string(),
        measure,
        value,
        limit,
        margin,
        unit,
        passed: !margin.is_sign_negative() || margin.is_zero(),
    }
}

fn check(
    rule: &RuleSpec,
    option: &OptionReport,
    baseline: Option<&Baseline>,
) -> Result<RuleResult> {
    let stat = rule.statistic;
    if let Some(limit) = rule.max_monthly_usd {
        // The month checked: the named one, or the worst month of the horizon.
        let months: Vec<_> = option
            .months
            .iter()
            .filter(|m| rule.month.as_ref().is_none_or(|want| &m.month == want))
            .collect();
        let worst = months
            .iter()
            .max_by(|a, b| stat.of(&a.usd).total_cmp(&stat.of(&b.usd)))
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "rule `{}`: month {} is not in the horizon",
                    rule.name,
                    rule.month.as_deref().unwrap_or("?")
                ))
            })?;
        let measure = format!("{} monthly cost, {}", stat.name(), worst.month);
        return Ok(result(
            rule,
            &option.name,
            measure,
            (to_cents(stat.of(&worst.usd)), to_cents(limit)),
            "usd",
            true,
        ));
    }
    if let Some(threshold) = rule.max_probability_over_usd {
        let limit = rule.probability.unwrap_or(0.0);
        let threshold_cents = to_cents(threshold);
        #[allow(clippy::cast_precision_loss)]
        let p = option
            .paths_monthly_usd
            .iter()
            .filter(|v| to_cents(**v) > threshold_cents)
            .count() as f64
            / option.paths_monthly_usd.len().max(1) as f64;
        let measure = format!(
            "P(average monthly cost > {})",
            crate::money::format_usd(threshold)
        );
        return Ok(result(
            rule,
            &option.name,
            measure,
            (decimal(p, 6), decimal(limit, 6)),
            "probability",
            true,
        ));
    }
    if let Some(fraction) = rule.min_served_fraction {
        let served = match stat {
            Statistic::P5 => option.served_fraction.p5,
            _ => option.served_fraction.mean,
        };
        let name = if stat == Statistic::P5 { "p5" } else { "mean" };
        return Ok(result(
            rule,
            &option.name,
            format!("{name} share of demand served"),
            (decimal(served, 6), decimal(fraction, 6)),
            "fraction",
            false,
        ));
    }
    let baseline = baseline.ok_or_else(|| {
        Error::Invalid(format!(
            "rule `{}` compares with a baseline; pass --baseline FILE",
            rule.name
        ))
    })?;
    let before = baseline
        .options
        .iter()
        .find(|o| o.name == option.name)
        .ok_or_else(|| {
            Error::Invalid(format!(
                "the baseline has no option `{}` for rule `{}`",
                option.name, rule.name
            ))
        })?;
    let (now, then) = (
        to_cents(stat.of(&option.monthly_usd)),
        to_cents(stat.of(&before.monthly_usd)),
    );
    if let Some(limit) = rule.max_increase_usd {
        let measure = format!(
            "increase of {} monthly cost over the baseline (${then} → ${now})",
            stat.name()
        );
        return Ok(result(
            rule,
            &option.name,
            measure,
            (now - then, to_cents(limit)),
            "usd",
            true,
        ));
    }
    let limit = rule.max_increase_pct.unwrap_or(0.0);
    let pct = if then.is_zero() {
        if now.is_zero() {
            Decimal::ZERO
        } else {
            Decimal::MAX
        }
    } else {
        ((now - then) / then * Decimal::ONE_HUNDRED).round_dp(2)
    };
    let measure = format!(
        "increase of {} monthly cost over the baseline (${then} → ${now})",
        stat.name()
    );
    Ok(result(
        rule,
        &option.name,
        measure,
        (pct, decimal(limit, 2)),
        "pct",
        true,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> RuleSpec {
        RuleSpec {
            name: "r".into(),
            option: "o".into(),
            statistic: Statistic::Mean,
            max_monthly_usd: Some(25.0),
            month: None,
            max_probability_over_usd: None,
            probability: None,
            max_increase_pct: None,
            max_increase_usd: None,
            min_served_fraction: None,
        }
    }

    #[test]
    fn money_is_compared_in_cents_so_the_last_bit_cannot_flip_a_verdict() {
        // 24.999999999 and 25.000000001 both round to $25.00: on the limit, which passes
        for value in [24.999_999_999, 25.0, 25.000_000_001] {
            let r = result(
                &rule(),
                "o",
                "m".into(),
                (to_cents(value), to_cents(25.0)),
                "usd",
                true,
            );
            assert!(r.passed && r.margin.is_zero(), "{value}");
        }
        let r = result(
            &rule(),
            "o",
            "m".into(),
            (to_cents(25.006), to_cents(25.0)),
            "usd",
            true,
        );
        assert!(!r.passed);
        assert_eq!(r.margin.to_string(), "-0.01");
    }
}
