//! Standard normal numbers, for one path or for many paths at once, with
//! `rand_distr`'s algorithm.
//!
//! `rand_distr::StandardNormal` uses the ziggurat method: one 64-bit number gives a box
//! (its low 8 bits) and a point in it (its high 52 bits), accepted at once when it lies
//! inside the box's inner rectangle, about 98.5% of the time. [`standard_normal`] is that
//! method for one path, with the `libm` crate's `exp` and `ln` in the rare second tries
//! (the C library's differ between machines in the last bit; see [`crate::mc`]), so its
//! numbers are `rand_distr`'s up to those last bits, and its stream stays in step.
//!
//! The engine's noise draws a number for every path at every step, and its paths run
//! side by side in lanes ([`crate::mc::rng::RngLanes`]). For it, a draw's first try takes
//! exactly one number from the path's stream and any second try takes its numbers from
//! a second stream of the path ([`split_normal`]): the same ziggurat, so the same normal
//! distribution, but a stream's place no longer depends on which draws needed a second
//! try. [`split_normals`] can then make the first tries of many steps for every lane at
//! once (vector instructions, no branches) and finish the few points that fell outside
//! afterwards, each from its lane's second stream, in step order. Drawn so, each lane
//! gets exactly the numbers, and leaves both streams exactly where, [`split_normal`]
//! would on that path alone (a test checks it). Finishing a lane's second try at once,
//! from its one stream, cost a quarter of the noise's time: it moved that lane's stream
//! out of the vectors and back in the middle of their step.

use rand::distr::Open01;
use rand::{Rng, RngCore};

use super::rng::{PathRng, RngLanes};
use super::ziggurat_tables::{ZIG_NORM_F, ZIG_NORM_R, ZIG_NORM_X};
use crate::lanes::lanes_in;

/// `f64::from_bits(bits | EXPONENT_2)` is a number in [2, 4) whose mantissa is `bits`
/// (52 bits), as `rand`'s `into_float_with_exponent(1)` makes it.
const EXPONENT_2: u64 = 1024 << 52;

/// One standard normal number from `rng`, as `rand_distr::StandardNormal` draws it but
/// with the `libm` crate's `exp` and `ln` in the rare second tries.
pub fn standard_normal(rng: &mut PathRng) -> f64 {
    let bits = rng.next_u64();
    match first_try(bits) {
        (x, true) => x,
        (_, false) => after_first_try(rng, bits),
    }
}

/// One standard normal number for a path whose first tries come from `main`, exactly
/// one number a draw, and whose second tries come from `second` (see the module's doc).
pub fn split_normal(main: &mut PathRng, second: &mut PathRng) -> f64 {
    let bits = main.next_u64();
    match first_try(bits) {
        (x, true) => x,
        (_, false) => after_first_try(second, bits),
    }
}

/// What [`split_normals`] keeps between calls (to reuse its allocations): each step's
/// numbers, and the lanes whose first try fell outside.
#[derive(Debug, Clone, Default)]
pub struct SplitScratch<const L: usize> {
    bits: Vec<[u64; L]>,
    outside: Vec<u64>,
}

/// [`split_normal`] for every lane at each of `z.len()` steps: `z[i][l]` is lane `l`'s
/// number at the `i`-th, its first try from `main`'s lane and any second try from its
/// `second` stream.
pub fn split_normals<const L: usize>(
    main: &mut RngLanes<L>,
    second: &mut [PathRng; L],
    z: &mut [[f64; L]],
    scratch: &mut SplitScratch<L>,
) {
    const { assert!(L <= 64, "a lane mask is 64 bits") };
    let SplitScratch { bits, outside } = scratch;
    bits.resize(z.len(), [0; L]);
    outside.resize(z.len(), 0);
    // Every first try, lane by lane and without a branch: bit l of a step's mask set
    // where lane l's point fell outside its rectangle.
    for ((z, bits), outside) in z.iter_mut().zip(bits.iter_mut()).zip(outside.iter_mut()) {
        *bits = main.next_u64();
        let mut mask = 0;
        for l in 0..L {
            let inside;
            (z[l], inside) = first_try(bits[l]);
            mask |= u64::from(!inside) << l;
        }
        *outside = mask;
    }
    // Then the second tries, in step order, so each lane's second stream is drawn in
    // the order its path alone draws it.
    for ((z, bits), &mask) in z.iter_mut().zip(bits.iter()).zip(outside.iter()) {
        for l in lanes_in(mask) {
            z[l] = after_first_try(&mut second[l], bits[l]);
        }
    }
}

/// The ziggurat's first try with the number `bits`: the point, and whether it is inside
/// its box's rectangle (and so accepted).
#[inline(always)]
fn first_try(bits: u64) -> (f64, bool) {
    let (i, _, x) = point(bits);
    (x, x.abs() < ZIG_NORM_X[i + 1])
}

/// The box of the number `bits` (its low 8 bits), the position `u` in [−1, 1) its high
/// 52 bits give, and the point `x = u × X[box]`.
#[inline(always)]
fn point(bits: u64) -> (usize, f64, f64) {
    let i = usize::try_from(bits & 0xff).unwrap_or(0);
    // [2, 4) − 3: [−1, 1)
    let u = f64::from_bits((bits >> 12) | EXPONENT_2) - 3.0;
    (i, u, u * ZIG_NORM_X[i])
}

/// The rest of `rand_distr`'s ziggurat after a first try with `bits` that fell outside
/// its rectangle: the tail for the bottom box, the wedge test otherwise
/// ([`under_curve`]), and a whole new draw when that rejects.
#[cold]
fn after_first_try(rng: &mut PathRng, bits: u64) -> f64 {
    let (i, u, x) = point(bits);
    if i == 0 {
        return tail(rng, u);
    }
    if under_curve(i, x, wedge_height(i, rng)) {
        return x;
    }
    standard_normal(rng)
}

/// The height of a point in box `i`'s wedge, between `F[i+1]` and `F[i]`, drawn from
/// `rng` as `rand_distr` draws it.
fn wedge_height(i: usize, rng: &mut PathRng) -> f64 {
    ZIG_NORM_F[i + 1] + (ZIG_NORM_F[i] - ZIG_NORM_F[i + 1]) * rng.random::<f64>()
}

/// Whether the point `(x, y)` of box `i`'s wedge (`1 ≤ i ≤ 255`) lies under the curve,
/// `y < e^(−x²/2)` with `libm`'s `exp`: [`squeeze`]'s answer where it has one, about
/// 92% of the time, else the exponential's.
#[inline]
fn under_curve(i: usize, x: f64, y: f64) -> bool {
    squeeze(i, x, y).unwrap_or_else(|| y < libm::exp(-x * x / 2.0))
}

/// The wedge test of [`under_curve`] decided by lines that bound the curve, where the
/// point is clear of them; `None` where it is not, and in the one box whose wedge
/// spans `x = 1`, where the curve's bend changes sides.
///
/// Across a wedge, from `a = X[i+1]` to `b = X[i]`, the curve `f(x) = e^(−x²/2)` is
/// convex beyond 1 and concave below. A convex curve lies under its chord and over its
/// tangents; a concave one over its chord and under its tangents. The tangent at `a`
/// is `f(a)(1 + a(a − x))`, as `f′(x) = −x f(x)`. A line decides only where the point
/// is clear of it by [`SQUEEZE_MARGIN`] of its value, millions of times the rounding of
/// the bounds and of `exp` (the table's values, the lines' arithmetic and `libm`'s
/// `exp` are each within an ulp or two), so every answer is the one the exponential
/// would give: the draws are the same to the bit, without the exponential in all but
/// about 8% of the wedge tests. (`libm`'s `exp` had been 2–4% of the engine's time.)
#[inline]
fn squeeze(i: usize, x: f64, y: f64) -> Option<bool> {
    let (a, b) = (ZIG_NORM_X[i + 1], ZIG_NORM_X[i]);
    let (fa, fb) = (ZIG_NORM_F[i + 1], ZIG_NORM_F[i]);
    let x = x.abs();
    let chord = fa + (fb - fa) * ((x - a) / (b - a));
    let tangent_a = fa * (1.0 + a * (a - x));
    let tangent_b = fb * (1.0 + b * (b - x));
    let (above, below) = if a >= 1.0 {
        (chord, tangent_a.max(tangent_b))
    } else if b <= 1.0 {
        (tangent_a.min(tangent_b), chord)
    } else {
        return None;
    };
    if y < below * (1.0 - SQUEEZE_MARGIN) {
        Some(true)
    } else if y >= above * (1.0 + SQUEEZE_MARGIN) {
        Some(false)
    } else {
        None
    }
}

/// How far clear of a bounding line, in parts of its value, a wedge point must be for
/// [`squeeze`] to decide by the line.
const SQUEEZE_MARGIN: f64 = 1e-9;

/// A number from the normal's tail beyond the bottom box, on the side of `u`'s sign
/// (Marsaglia's method, as `rand_distr` writes it).
fn tail(rng: &mut PathRng, u: f64) -> f64 {
    let mut x = 1.0f64;
    let mut y = 0.0f64;
    while -2.0 * y < x * x {
        let x_: f64 = rng.sample(Open01);
        let y_: f64 = rng.sample(Open01);
        x = libm::log(x_) / ZIG_NORM_R;
        y = libm::log(y_);
    }
    if u < 0.0 {
        x - ZIG_NORM_R
    } else {
        ZIG_NORM_R - x
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mc::rng::path_rng;
    use rand_distr::{Distribution, StandardNormal};

    /// Whether two numbers are within `ulps` units in the last place of each other.
    fn within_ulps(a: f64, b: f64, ulps: u64) -> bool {
        a.signum() == b.signum() && a.to_bits().abs_diff(b.to_bits()) <= ulps
    }

    #[test]
    fn every_lane_draws_what_its_path_draws_alone() {
        // 8 lanes × 200,000 draws in uneven pieces: some 24,000 first tries outside the
        // rectangle, and hundreds of draws from the tail, all of which must match to the
        // bit
        let mains: [PathRng; 8] = std::array::from_fn(|p| path_rng(2027, p as u64));
        let seconds = mains.clone().map(|m| m.jumped());
        let mut lanes = RngLanes::new(&mains);
        let mut lane_seconds = seconds.clone();
        let mut alone: Vec<(PathRng, PathRng)> = mains.into_iter().zip(seconds).collect();
        let mut scratch = SplitScratch::default();
        let mut tails = 0;
        for piece in [1, 255, 199_744] {
            let mut z = vec![[0.0; 8]; piece];
            split_normals(&mut lanes, &mut lane_seconds, &mut z, &mut scratch);
            for step in &z {
                for (l, (main, second)) in alone.iter_mut().enumerate() {
                    assert_eq!(step[l].to_bits(), split_normal(main, second).to_bits());
                    tails += usize::from(step[l].abs() > ZIG_NORM_R);
                }
            }
        }
        assert!(tails > 50, "{tails} draws beyond the bottom box");
        for (l, (main, second)) in alone.iter().enumerate() {
            assert_eq!(
                &lanes.get(l),
                main,
                "lane {l}'s stream ends where its path's would"
            );
            assert_eq!(&lane_seconds[l], second, "and its second stream");
        }
        // the first try is accepted about 98.5% of the time
        let mut rng = path_rng(1, 1);
        let inside = (0..1_000_000)
            .filter(|_| first_try(rng.next_u64()).1)
            .count();
        assert!((980_000..995_000).contains(&inside), "{inside}");
    }

    #[test]
    fn the_wedge_squeeze_decides_as_the_exponential_does() {
        // Wedge points drawn as the ziggurat draws them, and points within a few parts
        // in 10¹⁰ of the curve (where rounding could tip a line's answer), each against
        // the exponential's answer.
        let exact = |x: f64, y: f64| y < libm::exp(-x * x / 2.0);
        let mut rng = path_rng(2027, 6);
        let (mut wedge_points, mut decided) = (0u32, 0u32);
        while wedge_points < 400_000 {
            let (i, _, x) = point(rng.next_u64());
            if i == 0 || x.abs() < ZIG_NORM_X[i + 1] {
                continue;
            }
            wedge_points += 1;
            let y = wedge_height(i, &mut rng);
            if let Some(under) = squeeze(i, x, y) {
                decided += 1;
                assert_eq!(under, exact(x, y), "box {i}, ({x}, {y})");
            }
            assert_eq!(under_curve(i, x, y), exact(x, y));
            if wedge_points % 10 != 0 {
                continue;
            }
            let on_curve = libm::exp(-x * x / 2.0);
            for k in -30..=30 {
                let y = on_curve * (1.0 + f64::from(k) * 1e-10);
                for y in [y.next_down(), y, y.next_up()] {
                    if let Some(under) = squeeze(i, x, y) {
                        assert_eq!(under, exact(x, y), "box {i}, ({x}, {y}) by the curve");
                    }
                }
            }
        }
        // the lines decide about 92% of the wedge tests: a squeeze that decided none
        // would pass the checks above and save nothing
        let share = f64::from(decided) / f64::from(wedge_points);
        assert!((0.88..0.96).contains(&share), "{share}");
    }

    /// The standard normal distribution function (Zelen and Severo's 26.2.17, error
    /// below 7.5 × 10⁻⁸).
    fn phi(x: f64) -> f64 {
        let t = 1.0 / (1.0 + 0.231_641_9 * x.abs());
        let poly = t
            * (0.319_381_530
                + t * (-0.356_563_782
                    + t * (1.781_477_937 + t * (-1.821_255_978 + t * 1.330_274_429))));
        let upper = (-x * x / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt() * poly;
        if x >= 0.0 { 1.0 - upper } else { upper }
    }

    #[test]
    fn split_draws_are_standard_normal() {
        // What a second try returns is checked against `rand_distr` above (the draws of
        // one stream make them with the same function); this checks that split draws
        // put them together into the normal distribution. 4 million draws: the largest
        // gap between their distribution and Φ (the Kolmogorov–Smirnov distance) is
        // about 0.0004 by chance.
        const N: usize = 4_000_000;
        let mut main = path_rng(11, 5);
        let mut second = main.jumped();
        let mut draws: Vec<f64> = (0..N)
            .map(|_| split_normal(&mut main, &mut second))
            .collect();
        draws.sort_by(f64::total_cmp);
        #[allow(clippy::cast_precision_loss)]
        let distance = draws
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                let p = phi(x);
                (p - i as f64 / N as f64)
                    .abs()
                    .max((p - (i + 1) as f64 / N as f64).abs())
            })
            .fold(0.0, f64::max);
        assert!(distance < 0.001, "Kolmogorov–Smirnov distance {distance}");
        // The tails, made only by second tries: beyond the bottom box (3.654…), about
        // 1.29 × 10⁻⁴ on each side (some 520 draws), and beyond 4, 3.17 × 10⁻⁵ (some 127;
        // the bottom box's own points stop at 3.91, so these come from its tail alone).
        #[allow(clippy::cast_precision_loss)]
        let beyond = |side: f64, from: f64| {
            draws.iter().filter(|&&x| x * side > from).count() as f64 / N as f64
        };
        for side in [-1.0, 1.0] {
            for (from, tolerance) in [(ZIG_NORM_R, 0.1), (4.0, 0.3)] {
                let share = beyond(side, from) / (1.0 - phi(from));
                assert!(
                    (share - 1.0).abs() < tolerance,
                    "beyond {side} × {from}: {share}"
                );
            }
        }
    }

    #[test]
    fn draws_what_rand_distr_draws_up_to_the_last_bits_of_exp_and_ln() {
        // The same algorithm and tables as `rand_distr`: the first tries (98.5%) are the
        // same bits; the second tries use libm's `exp` and `ln`, which may differ from
        // the C library's in the last bit, so a tail draw may differ by an ulp or two.
        // The streams stay in step (the same numbers are drawn from them).
        let mut ours = path_rng(3, 9);
        let mut theirs = ours.clone();
        let mut differ = 0;
        for i in 0..1_000_000 {
            let (a, b): (f64, f64) = (
                standard_normal(&mut ours),
                StandardNormal.sample(&mut theirs),
            );
            assert!(within_ulps(a, b, 4), "draw {i}: {a} vs {b}");
            differ += usize::from(a.to_bits() != b.to_bits());
        }
        assert!(differ < 1_000, "{differ} draws differ");
        assert_eq!(ours, theirs, "the streams end in the same place");
    }
}
