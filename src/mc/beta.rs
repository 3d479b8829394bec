//! The Beta distribution (for Beta-PERT), drawn with Cheng's algorithms BB and BC
//! (R. C. H. Cheng, "Generating beta variates with nonintegral shape parameters",
//! Communications of the ACM 21(4), 1978), exactly as `rand_distr` 0.5 writes them
//! (`beta.rs`), but with the logarithms and exponentials of the `libm` crate: the C
//! library's differ between CPUs and library versions in the last bit now and then,
//! and one bit of difference can flip an accept-or-reject test and so change a
//! path's draws. See [`crate::mc`] on determinism across machines.
//!
//! Ported from `rand_distr`: copyright 2018 Developers of the Rand project, copyright
//! 2013 The Rust Project Developers; licensed under the Apache License, Version 2.0 or
//! the MIT license, at your option (the Rand project's licences).

use rand::Rng;
use rand::distr::Open01;

use super::rng::PathRng;

/// Beta(α, β) on (0, 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Beta {
    /// The smaller shape for BB, the larger for BC (Cheng's notation).
    a: f64,
    b: f64,
    /// Whether the draw is `1 − x` of the algorithm's `x` (the shapes were swapped).
    switched: bool,
    algorithm: Algorithm,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Algorithm {
    /// Both shapes above 1.
    BB { alpha: f64, beta: f64, gamma: f64 },
    /// At least one shape at or below 1.
    BC {
        alpha: f64,
        beta: f64,
        kappa1: f64,
        kappa2: f64,
    },
}

impl Beta {
    /// Beta(`alpha`, `beta`); `None` unless both are positive.
    #[must_use]
    pub fn new(alpha: f64, beta: f64) -> Option<Beta> {
        if !(alpha > 0.0 && beta > 0.0) {
            return None;
        }
        let (a, b, switched) = if alpha < beta {
            (alpha, beta, false)
        } else {
            (beta, alpha, true)
        };
        if a > 1.0 {
            let alpha = a + b;
            let beta = ((alpha - 2.0) / (2.0 * a * b - alpha)).sqrt();
            Some(Beta {
                a,
                b,
                switched,
                algorithm: Algorithm::BB {
                    alpha,
                    beta,
                    gamma: a + 1.0 / beta,
                },
            })
        } else {
            // here `a` is the larger shape
            let (a, b, switched) = (b, a, !switched);
            let alpha = a + b;
            let beta = 1.0 / b;
            let delta = 1.0 + a - b;
            let kappa1 = delta * (1. / 18. / 4. + 3. / 18. / 4. * b) / (a * beta - 14. / 18.);
            let kappa2 = 0.25 + (0.5 + 0.25 / delta) * b;
            Some(Beta {
                a,
                b,
                switched,
                algorithm: Algorithm::BC {
                    alpha,
                    beta,
                    kappa1,
                    kappa2,
                },
            })
        }
    }

    /// One draw.
    // `!(x < t)` as `rand_distr` writes it: a NaN accepts rather than loops.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    pub fn sample(&self, rng: &mut PathRng) -> f64 {
        let ln_4 = libm::log(4.0);
        let w = match self.algorithm {
            Algorithm::BB { alpha, beta, gamma } => loop {
                let u1: f64 = rng.sample(Open01);
                let u2: f64 = rng.sample(Open01);
                let v = beta * libm::log(u1 / (1.0 - u1));
                let w = self.a * libm::exp(v);
                let z = u1 * u1 * u2;
                let r = gamma * v - ln_4;
                let s = self.a + r - w;
                if s + 1.0 + libm::log(5.0) >= 5.0 * z {
                    break w;
                }
                let t = libm::log(z);
                if s >= t {
                    break w;
                }
                if !(r + alpha * libm::log(alpha / (self.b + w)) < t) {
                    break w;
                }
            },
            Algorithm::BC {
                alpha,
                beta,
                kappa1,
                kappa2,
            } => loop {
                let u1: f64 = rng.sample(Open01);
                let u2: f64 = rng.sample(Open01);
                let z;
                if u1 < 0.5 {
                    let y = u1 * u2;
                    z = u1 * y;
                    if 0.25 * u2 + z - y >= kappa1 {
                        continue;
                    }
                } else {
                    z = u1 * u1 * u2;
                    if z <= 0.25 {
                        let v = beta * libm::log(u1 / (1.0 - u1));
                        break self.a * libm::exp(v);
                    }
                    if z >= kappa2 {
                        continue;
                    }
                }
                let v = beta * libm::log(u1 / (1.0 - u1));
                let w = self.a * libm::exp(v);
                if !(alpha * (libm::log(alpha / (self.b + w)) + v) - ln_4 < libm::log(z)) {
                    break w;
                }
            },
        };
        if self.switched {
            self.b / (self.b + w)
        } else if w.is_infinite() {
            // for a finite `b` and a large `w`
            1.0
        } else {
            w / (self.b + w)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mc::rng::path_rng;
    use rand_distr::Distribution;

    #[test]
    fn draws_what_rand_distr_draws_up_to_the_last_bits_of_exp_and_ln() {
        // Both algorithms, both orders of the shapes, the PERT shapes of the default
        // scenario (min 20, mode 25, max 40: α 2, β 4) among them. libm's `exp` and
        // `ln` may differ from the C library's in the last bit, so a draw may differ by
        // a few ulps; the accept-or-reject tests come out the same, so the streams stay
        // in step.
        for (alpha, beta) in [
            (2.0, 4.0),
            (4.0, 2.0),
            (3.0, 3.0),
            (0.5, 0.7),
            (0.8, 3.0),
            (5.0, 0.6),
        ] {
            let ours = Beta::new(alpha, beta).unwrap();
            let theirs = rand_distr::Beta::new(alpha, beta).unwrap();
            let (mut a, mut b) = (path_rng(7, 1), path_rng(7, 1));
            for i in 0..100_000 {
                let (x, y): (f64, f64) = (ours.sample(&mut a), theirs.sample(&mut b));
                assert!(
                    (x - y).abs() <= 1e-14 * y.abs().max(f64::MIN_POSITIVE),
                    "Beta({alpha}, {beta}) draw {i}: {x} vs {y}"
                );
            }
            assert_eq!(
                a, b,
                "Beta({alpha}, {beta}): the streams end in the same place"
            );
        }
    }

    #[test]
    fn mean_and_variance_are_the_beta_distributions() {
        // Beta(2, 4): mean 1/3, variance αβ / ((α+β)²(α+β+1)) = 8 / 252
        let beta = Beta::new(2.0, 4.0).unwrap();
        let mut rng = path_rng(1, 2);
        let n = 200_000;
        let draws: Vec<f64> = (0..n).map(|_| beta.sample(&mut rng)).collect();
        #[allow(clippy::cast_precision_loss)]
        let mean = draws.iter().sum::<f64>() / n as f64;
        #[allow(clippy::cast_precision_loss)]
        let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!((mean - 1.0 / 3.0).abs() < 0.002, "{mean}");
        assert!((var - 8.0 / 252.0).abs() < 0.0005, "{var}");
        assert!(draws.iter().all(|x| (0.0..=1.0).contains(x)));
        assert_eq!(Beta::new(0.0, 1.0), None);
        assert_eq!(Beta::new(1.0, f64::NAN), None);
    }
}
