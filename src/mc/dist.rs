//! Distributions of uncertain scenario parameters, as written in `[uncertainty]`.
//!
//! A parameter is either a bare number (fixed) or a table with `dist` and its
//! parameters:
//!
//! | `dist`       | keys                          | notes                                       |
//! |--------------|-------------------------------|---------------------------------------------|
//! | `fixed`      | `value`                       | the same as a bare number                   |
//! | `uniform`    | `min`, `max`                  |                                             |
//! | `normal`     | `mean`, `sd`                  | truncated to the parameter's valid range    |
//! | `lognormal`  | `median`, `sigma`             | `sigma` of the logarithm                    |
//! | `triangular` | `min`, `mode`, `max`          |                                             |
//! | `pert`       | `min`, `mode`, `max`          | Beta-PERT with shape 4                      |
//! | `empirical`  | `samples`                     | each listed value equally likely            |
//!
//! Every distribution is checked against the range its parameter allows (a normal is
//! truncated to it and must keep at least 1% of its mass inside), so a path never
//! receives an impossible value.

use rand::Rng;

use crate::error::Result;
use crate::scenario::TomlInput;

use super::beta::Beta;
use super::normal::standard_normal;
use super::rng::PathRng;

/// The values a parameter may take: `[min, max]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// Smallest valid value.
    pub min: f64,
    /// Largest valid value (may be infinite).
    pub max: f64,
}

impl Range {
    /// `[0, ∞)`.
    pub const NON_NEGATIVE: Range = Range {
        min: 0.0,
        max: f64::INFINITY,
    };
    /// `[0, 1]`.
    pub const FRACTION: Range = Range { min: 0.0, max: 1.0 };

    fn contains(self, x: f64) -> bool {
        x >= self.min && x <= self.max
    }

    fn describe(self) -> String {
        if self.max.is_infinite() {
            format!("at least {}", self.min)
        } else {
            format!("within {}..={}", self.min, self.max)
        }
    }
}

/// A distribution of one parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    /// Always this value.
    Fixed(f64),
    /// Uniform on `[min, max)`.
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Normal, redrawn until inside `range`.
    Normal {
        /// Mean before truncation.
        mean: f64,
        /// Standard deviation before truncation.
        sd: f64,
        /// The parameter's valid range.
        range: Range,
    },
    /// `exp(N(ln median, sigma²))`.
    LogNormal {
        /// `ln(median)`.
        mu: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
    /// Triangular on `[min, max]` with its peak at `mode`.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// Beta-PERT: `min + (max − min) × Beta(alpha, beta)`.
    Pert {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
        /// The Beta distribution for the mode.
        beta: Beta,
    },
    /// One of the listed values, each equally likely.
    Empirical(Vec<f64>),
}

impl Dist {
    /// Draws one value.
    pub fn sample(&self, rng: &mut PathRng) -> f64 {
        match self {
            Dist::Fixed(v) => *v,
            Dist::Uniform { min, max } => min + (max - min) * rng.random::<f64>(),
            Dist::Normal { mean, sd, range } => {
                // At least 1% of the mass is inside (checked when parsed), so the chance of
                // 10,000 misses is below 1e-43; the clamp only keeps the loop bounded.
                for _ in 0..10_000 {
                    let x = mean + sd * standard_normal(rng);
                    if range.contains(x) {
                        return x;
                    }
                }
                mean.clamp(range.min, range.max)
            }
            Dist::LogNormal { mu, sigma } => libm::exp(mu + sigma * standard_normal(rng)),
            Dist::Triangular { min, mode, max } => {
                // inverse of the CDF
                let u: f64 = rng.random();
                let (a, c, b) = (*min, *mode, *max);
                if b <= a {
                    return a;
                }
                let split = (c - a) / (b - a);
                if u < split {
                    a + (u * (b - a) * (c - a)).sqrt()
                } else {
                    b - ((1.0 - u) * (b - a) * (b - c)).sqrt()
                }
            }
            Dist::Pert { min, max, beta, .. } => min + (max - min) * beta.sample(rng),
            Dist::Empirical(samples) => samples[rng.random_range(0..samples.len())],
        }
    }

    /// True when every draw is the same value.
    #[must_use]
    pub fn is_fixed(&self) -> bool {
        matches!(self, Dist::Fixed(_))
    }

    /// Reads the parameter at `path` (a bare number or a `{ dist = … }` table) and checks
    /// it against `range`.
    ///
    /// # Errors
    /// [`Error::Input`] naming the field: an unknown `dist`, a missing or unknown key, a
    /// value outside `range`, or bounds in the wrong order.
    pub fn parse(
        input: &TomlInput<'_>,
        path: &str,
        value: &toml::Value,
        range: Range,
    ) -> Result<Dist> {
        let table = match value {
            toml::Value::Float(_) | toml::Value::Integer(_) => {
                let v = number(input, path, value)?;
                check_in(input, path, v, range)?;
                return Ok(Dist::Fixed(v));
            }
            toml::Value::Table(t) => t,
            other => {
                return Err(input.error_at(
                    path,
                    format!(
                        "expected a number or a table such as {{ dist = \"uniform\", min = 1, max = 2 }}, found {}",
                        other.type_str()
                    ),
                ));
            }
        };
        let kind = match table.get("dist") {
            Some(toml::Value::String(s)) => s.as_str(),
            Some(other) => {
                return Err(input.error_at(
                    &format!("{path}.dist"),
                    format!("expected a string, found {}", other.type_str()),
                ));
            }
            None => {
                return Err(
                    input.error_at(path, format!("add `dist`, one of {}", KINDS.join(", ")))
                );
            }
        };
        let keys: &[&str] = match kind {
            "fixed" => &["value"],
            "uniform" => &["min", "max"],
            "normal" => &["mean", "sd"],
            "lognormal" => &["median", "sigma"],
            "triangular" | "pert" => &["min", "mode", "max"],
            "empirical" => &["samples"],
            other => {
                return Err(input.error_at(
                    &format!("{path}.dist"),
                    format!(
                        "unknown distribution `{other}`; use one of {}",
                        KINDS.join(", ")
                    ),
                ));
            }
        };
        for key in table.keys() {
            if key != "dist" && !keys.contains(&key.as_str()) {
                return Err(input.error_at(
                    &format!("{path}.{key}"),
                    format!(
                        "a {kind} distribution takes {}",
                        keys.iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
        let get = |key: &str| -> Result<f64> {
            let v = table.get(key).ok_or_else(|| {
                input.error_at(path, format!("a {kind} distribution needs `{key}`"))
            })?;
            number(input, &format!("{path}.{key}"), v)
        };
        let ordered = |low: &str, a: f64, high: &str, b: f64| -> Result<()> {
            if a <= b {
                Ok(())
            } else {
                Err(input.error_at(
                    &format!("{path}.{high}"),
                    format!("`{high}` ({b}) is below `{low}` ({a})"),
                ))
            }
        };
        let dist = match kind {
            "fixed" => {
                let v = get("value")?;
                check_in(input, &format!("{path}.value"), v, range)?;
                Dist::Fixed(v)
            }
            "uniform" => {
                let (min, max) = (get("min")?, get("max")?);
                ordered("min", min, "max", max)?;
                check_in(input, &format!("{path}.min"), min, range)?;
                check_in(input, &format!("{path}.max"), max, range)?;
                Dist::Uniform { min, max }
            }
            "normal" => {
                let (mean, sd) = (get("mean")?, get("sd")?);
                if sd <= 0.0 {
                    return Err(input.error_at(
                        &format!("{path}.sd"),
                        format!("{sd} is not positive (for a fixed value, write the number)"),
                    ));
                }
                let inside =
                    normal_cdf((range.max - mean) / sd) - normal_cdf((range.min - mean) / sd);
                if inside < 0.01 {
                    return Err(input.error_at(
                        path,
                        format!(
                            "a normal with mean {mean} and sd {sd} puts {:.2}% of its draws in the valid range ({}); centre it inside the range",
                            inside * 100.0,
                            range.describe()
                        ),
                    ));
                }
                Dist::Normal { mean, sd, range }
            }
            "lognormal" => {
                let (median, sigma) = (get("median")?, get("sigma")?);
                if median <= 0.0 {
                    return Err(input.error_at(
                        &format!("{path}.median"),
                        format!("{median} is not positive"),
                    ));
                }
                if sigma <= 0.0 {
                    return Err(input
                        .error_at(&format!("{path}.sigma"), format!("{sigma} is not positive")));
                }
                if range.min > 0.0 || range.max.is_finite() {
                    return Err(input.error_at(
                        path,
                        format!(
                            "a lognormal takes any positive value, but this parameter must be {}; use uniform, triangular, pert or normal (truncated)",
                            range.describe()
                        ),
                    ));
                }
                Dist::LogNormal {
                    mu: libm::log(median),
                    sigma,
                }
            }
            "triangular" | "pert" => {
                let (min, mode, max) = (get("min")?, get("mode")?, get("max")?);
                ordered("min", min, "mode", mode)?;
                ordered("mode", mode, "max", max)?;
                check_in(input, &format!("{path}.min"), min, range)?;
                check_in(input, &format!("{path}.max"), max, range)?;
                if kind == "triangular" {
                    Dist::Triangular { min, mode, max }
                } else if max > min {
                    let alpha = 1.0 + 4.0 * (mode - min) / (max - min);
                    let beta = 1.0 + 4.0 * (max - mode) / (max - min);
                    let beta = Beta::new(alpha, beta).ok_or_else(|| {
                        input.error_at(
                            path,
                            format!(
                                "not a valid PERT distribution: its Beta shapes {alpha} and {beta} must be positive"
                            ),
                        )
                    })?;
                    Dist::Pert {
                        min,
                        mode,
                        max,
                        beta,
                    }
                } else {
                    Dist::Fixed(min)
                }
            }
            "empirical" => {
                let Some(toml::Value::Array(items)) = table.get("samples") else {
                    return Err(input.error_at(
                        &format!("{path}.samples"),
                        "expected a list of numbers, e.g. samples = [1.0, 1.2, 0.9]",
                    ));
                };
                if items.is_empty() {
                    return Err(input.error_at(
                        &format!("{path}.samples"),
                        "the list is empty; give at least one value",
                    ));
                }
                let mut samples = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let at = format!("{path}.samples[{i}]");
                    let v = number(input, &at, item)?;
                    check_in(input, &at, v, range)?;
                    samples.push(v);
                }
                Dist::Empirical(samples)
            }
            _ => unreachable!("every kind was matched above"),
        };
        Ok(dist)
    }
}

const KINDS: [&str; 7] = [
    "fixed",
    "uniform",
    "normal",
    "lognormal",
    "triangular",
    "pert",
    "empirical",
];

fn number(input: &TomlInput<'_>, path: &str, value: &toml::Value) -> Result<f64> {
    #[allow(clippy::cast_precision_loss)]
    let v = match value {
        toml::Value::Float(f) => *f,
        toml::Value::Integer(i) => *i as f64,
        other => {
            return Err(input.error_at(
                path,
                format!("expected a number, found {}", other.type_str()),
            ));
        }
    };
    if v.is_finite() {
        Ok(v)
    } else {
        Err(input.error_at(path, format!("{v} is not a finite number")))
    }
}

fn check_in(input: &TomlInput<'_>, path: &str, v: f64, range: Range) -> Result<()> {
    if range.contains(v) {
        Ok(())
    } else {
        Err(input.error_at(
            path,
            format!(
                "{v} is out of range: this parameter must be {}",
                range.describe()
            ),
        ))
    }
}

/// The standard normal CDF, Φ(x), to about 1e-7 (Abramowitz & Stegun 7.1.26); used only
/// to check that a truncated normal keeps enough mass.
fn normal_cdf(x: f64) -> f64 {
    if x.is_infinite() {
        return if x > 0.0 { 1.0 } else { 0.0 };
    }
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * libm::exp(-z * z);
    if x >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mc::rng::path_rng;
    use std::path::Path;

    fn parse(text: &str, range: Range) -> Result<Dist> {
        let doc = format!("p = {text}\n");
        let input = TomlInput::new(Path::new("s.toml"), &doc);
        let table: toml::Table = toml::from_str(&doc).unwrap();
        Dist::parse(&input, "p", &table["p"], range)
    }

    fn draws(d: &Dist, n: usize) -> Vec<f64> {
        let mut rng = path_rng(11, 0);
        let mut v: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        v.sort_by(f64::total_cmp);
        v
    }

    fn mean(v: &[f64]) -> f64 {
        v.iter().sum::<f64>() / v.len() as f64
    }

    #[test]
    fn each_distribution_matches_its_analytic_moments() {
        let n = 200_000;
        let q = |v: &[f64], p: f64| crate::stats::quantile_sorted(v, p);
        let u = draws(
            &parse(
                "{ dist = \"uniform\", min = 2, max = 4 }",
                Range::NON_NEGATIVE,
            )
            .unwrap(),
            n,
        );
        assert!((mean(&u) - 3.0).abs() < 0.01 && (q(&u, 0.25) - 2.5).abs() < 0.01);
        let l = draws(
            &parse(
                "{ dist = \"lognormal\", median = 2, sigma = 0.5 }",
                Range::NON_NEGATIVE,
            )
            .unwrap(),
            n,
        );
        assert!((q(&l, 0.5) - 2.0).abs() < 0.02, "{}", q(&l, 0.5));
        assert!((mean(&l) - 2.0 * (0.125f64).exp()).abs() < 0.02);
        let t = draws(
            &parse(
                "{ dist = \"triangular\", min = 0, mode = 1, max = 5 }",
                Range::NON_NEGATIVE,
            )
            .unwrap(),
            n,
        );
        assert!((mean(&t) - 2.0).abs() < 0.02, "{}", mean(&t));
        // CDF at the mode is (mode − min)/(max − min) = 0.2
        assert!((q(&t, 0.2) - 1.0).abs() < 0.03);
        let p = draws(
            &parse(
                "{ dist = \"pert\", min = 0, mode = 1, max = 5 }",
                Range::NON_NEGATIVE,
            )
            .unwrap(),
            n,
        );
        // (0 + 4·1 + 5) / 6 = 1.5
        assert!((mean(&p) - 1.5).abs() < 0.01, "{}", mean(&p));
        assert!(p[0] >= 0.0 && p[n - 1] <= 5.0);
        let e = draws(
            &parse(
                "{ dist = \"empirical\", samples = [1, 2, 6] }",
                Range::NON_NEGATIVE,
            )
            .unwrap(),
            n,
        );
        assert!((mean(&e) - 3.0).abs() < 0.03 && e.iter().all(|x| [1.0, 2.0, 6.0].contains(x)));
        let f = parse("7.5", Range::NON_NEGATIVE).unwrap();
        assert_eq!(f, Dist::Fixed(7.5));
        assert!(f.is_fixed());
    }

    #[test]
    fn a_normal_is_truncated_to_the_valid_range() {
        // mean 0.1, sd 0.1 on [0, ∞): the truncated mean is 0.1 + 0.1·φ(1)/Φ(1) = 0.12876
        let d = parse(
            "{ dist = \"normal\", mean = 0.1, sd = 0.1 }",
            Range::NON_NEGATIVE,
        )
        .unwrap();
        let v = draws(&d, 200_000);
        assert!(v[0] >= 0.0);
        assert!((mean(&v) - 0.128_76).abs() < 0.001, "{}", mean(&v));
    }

    #[test]
    fn bad_distributions_say_what_and_where() {
        let message = |text: &str, range| parse(text, range).unwrap_err().to_string();
        assert!(
            message("{ dist = \"gamma\", k = 1 }", Range::NON_NEGATIVE)
                .contains("unknown distribution `gamma`; use one of fixed, uniform")
        );
        assert!(
            message(
                "{ dist = \"uniform\", min = 3, max = 1 }",
                Range::NON_NEGATIVE
            )
            .contains("`max` (1) is below `min` (3)")
        );
        assert!(
            message("{ dist = \"uniform\", min = 1 }", Range::NON_NEGATIVE).contains("needs `max`")
        );
        assert!(
            message(
                "{ dist = \"uniform\", min = 0, max = 1, mode = 2 }",
                Range::NON_NEGATIVE
            )
            .contains("`p.mode`: a uniform distribution takes `min`, `max`")
        );
        assert!(
            message(
                "{ dist = \"lognormal\", median = 0.5, sigma = 0.1 }",
                Range::FRACTION
            )
            .contains("use uniform, triangular, pert or normal")
        );
        assert!(
            message(
                "{ dist = \"normal\", mean = -5, sd = 1 }",
                Range::NON_NEGATIVE
            )
            .contains("0.00% of its draws in the valid range (at least 0)")
        );
        assert!(message("-1", Range::NON_NEGATIVE).contains("-1 is out of range"));
        assert!(message("{ min = 1 }", Range::NON_NEGATIVE).contains("add `dist`"));
        assert!(message("\"x\"", Range::NON_NEGATIVE).contains("expected a number or a table"));
        assert!(
            message(
                "{ dist = \"empirical\", samples = [] }",
                Range::NON_NEGATIVE
            )
            .contains("the list is empty")
        );
        // the line of the field
        assert!(message("-1", Range::NON_NEGATIVE).starts_with("s.toml:1:"));
    }

    #[test]
    fn draws_are_the_same_bits_on_every_machine() {
        // A sharded run merged from several machines must equal the run on one. Rust
        // neither contracts nor reorders floating-point operations, and `exp` and `ln`
        // come from the `libm` crate (the same Rust code everywhere), not from the C
        // library (whose results depend on its version and the CPU it picks a variant
        // for), so these bits, recorded on x86-64, must come out on every platform.
        // Tail draws of the normal sampler and both of Cheng's Beta algorithms included.
        let all = [
            "{ dist = \"lognormal\", median = 1.0, sigma = 0.15 }",
            "{ dist = \"pert\", min = 20.0, mode = 25.0, max = 40.0 }",
            "{ dist = \"pert\", min = 0.0, mode = 0.0, max = 1.0 }",
            "{ dist = \"normal\", mean = 5.0, sd = 2.0 }",
            "{ dist = \"triangular\", min = 0.0, mode = 0.01, max = 0.03 }",
        ];
        let mut rng = path_rng(2027, 0);
        let bits: Vec<Vec<u64>> = all
            .iter()
            .map(|text| {
                let d = parse(text, Range::NON_NEGATIVE).unwrap();
                (0..4).map(|_| d.sample(&mut rng).to_bits()).collect()
            })
            .collect();
        let tails: Vec<u64> = (0..100_000)
            .map(|_| standard_normal(&mut rng))
            .filter(|z| z.abs() > 3.7)
            .take(4)
            .map(f64::to_bits)
            .collect();
        assert_eq!(
            bits,
            [
                [
                    0x3ff7_8848_768a_80f0,
                    0x3ff0_961f_7cd2_9432,
                    0x3fee_dda1_e30c_c368,
                    0x3ff0_fff0_960a_9366
                ],
                [
                    0x4037_2634_18ed_d9fc,
                    0x403a_7ea1_452b_0628,
                    0x4038_1ab1_7c2e_a46d,
                    0x4038_670b_da97_0e57
                ],
                [
                    0x3f98_4632_7c36_78ab,
                    0x3f9d_03b6_c913_c127,
                    0x3fc5_74c5_3421_2ab2,
                    0x3fd2_a9ea_469d_9caa
                ],
                [
                    0x3fdf_aa2a_ff93_97e0,
                    0x4017_e555_0174_0020,
                    0x4012_866b_ee20_6588,
                    0x4011_0c4a_8d5b_b503
                ],
                [
                    0x3f71_dcbc_ff0f_5c19,
                    0x3f91_2f63_5362_2038,
                    0x3f7e_66f8_db7a_fb72,
                    0x3f96_1873_3a29_1712
                ],
            ]
        );
        assert_eq!(
            tails,
            [
                0xc012_22c3_3113_d268,
                0x400f_0d5e_32c6_787b,
                0x4010_8226_6bdb_0504,
                0xc00e_1250_3fc8_3700
            ]
        );
    }
}
