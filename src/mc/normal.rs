//! Standard normal numbers, for one path or for many paths at once, with
//! `rand_distr`'s algorithm.
//!
//! `rand_distr::StandardNormal` uses the ziggurat method: one 64-bit number gives a box
//! (its low 8 bits) and a point in it (its high 52 bits), accepted at once when it lies
//! inside the box's inner rectangle, about 98.5% of the time. [`standard_normal`] is that
//! method for one path, with the `libm` crate's `exp` and `ln` in the rare second tries
//! (the C library's differ between machines in the last bit; see [`crate::mc`]), so its
//! numbers are `rand_distr`'s up to those last bits, and its stream stays in step.
//! [`standard_normals`] does the first try for every lane together (vector instructions,
//! and two table lookups per lane), and finishes the lanes whose point fell outside one
//! at a time, from that lane's own stream. Each lane therefore gets exactly the numbers,
//! and leaves its stream exactly where, [`standard_normal`] would on that path alone (a
//! test checks it): a path's noise does not depend on the paths beside it, or on whether
//! it runs in lanes at all.

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

/// One standard normal number for every lane, each from its lane's stream.
#[inline]
pub fn standard_normals<const L: usize>(rngs: &mut RngLanes<L>) -> [f64; L] {
    const { assert!(L <= 64, "a lane mask is 64 bits") };
    let bits = rngs.next_u64();
    let mut z = [0.0; L];
    // bit l set: lane l's point fell outside its rectangle (a mask, not an array of
    // flags: read back at once, flags stored one by one stall the load)
    let mut outside = 0;
    for l in 0..L {
        let inside;
        (z[l], inside) = first_try(bits[l]);
        outside |= u64::from(!inside) << l;
    }
    for l in lanes_in(outside) {
        let mut rng = rngs.get(l);
        z[l] = after_first_try(&mut rng, bits[l]);
        rngs.set(l, &rng);
    }
    z
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
/// its rectangle: the tail for the bottom box, the wedge test otherwise, and a whole
/// new draw when that rejects.
#[cold]
fn after_first_try(rng: &mut PathRng, bits: u64) -> f64 {
    let (i, u, x) = point(bits);
    if i == 0 {
        return tail(rng, u);
    }
    if ZIG_NORM_F[i + 1] + (ZIG_NORM_F[i] - ZIG_NORM_F[i + 1]) * rng.random::<f64>()
        < libm::exp(-x * x / 2.0)
    {
        return x;
    }
    standard_normal(rng)
}

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
        // 8 lanes × 200,000 draws: some 24,000 first tries outside the rectangle, and
        // hundreds of draws from the tail, all of which must match to the bit
        let rngs: [PathRng; 8] = std::array::from_fn(|p| path_rng(2027, p as u64));
        let mut lanes = RngLanes::new(&rngs);
        let mut alone = rngs.clone();
        let mut tails = 0;
        for _ in 0..200_000 {
            let z = standard_normals(&mut lanes);
            for (l, rng) in alone.iter_mut().enumerate() {
                assert_eq!(z[l].to_bits(), standard_normal(rng).to_bits());
                tails += usize::from(z[l].abs() > ZIG_NORM_R);
            }
        }
        assert!(tails > 50, "{tails} draws beyond the bottom box");
        for (l, rng) in alone.iter().enumerate() {
            assert_eq!(&lanes.get(l), rng, "lane {l} ends where its path would");
        }
        // the first try is accepted about 98.5% of the time
        let mut rng = path_rng(1, 1);
        let inside = (0..1_000_000)
            .filter(|_| first_try(rng.next_u64()).1)
            .count();
        assert!((980_000..995_000).contains(&inside), "{inside}");
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
