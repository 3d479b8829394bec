//! Standard normal numbers for many paths at once, exactly as `rand_distr` draws them.
//!
//! `rand_distr::StandardNormal` uses the ziggurat method: one 64-bit number gives a box
//! (its low 8 bits) and a point in it (its high 52 bits), accepted at once when it lies
//! inside the box's inner rectangle, about 98.5% of the time. [`standard_normals`] does
//! that first try for every lane together (vector instructions, and two table lookups
//! per lane), and finishes the lanes whose point fell outside one at a time, drawing
//! more from that lane's own stream as `rand_distr` would. Each lane therefore gets
//! exactly the numbers, and leaves its stream exactly where, `StandardNormal.sample`
//! would on that path alone (a test checks it): a path's noise does not depend on the
//! paths beside it, or on whether it runs in lanes at all.

use rand::Rng;
use rand::distr::Open01;
use rand_distr::{Distribution, StandardNormal};

use super::rng::{PathRng, RngLanes};
use super::ziggurat_tables::{ZIG_NORM_F, ZIG_NORM_R, ZIG_NORM_X};

/// `f64::from_bits(bits | EXPONENT_2)` is a number in [2, 4) whose mantissa is `bits`
/// (52 bits), as `rand`'s `into_float_with_exponent(1)` makes it.
const EXPONENT_2: u64 = 1024 << 52;

/// One standard normal number for every lane, each from its lane's stream.
#[inline]
pub fn standard_normals<const L: usize>(rngs: &mut RngLanes<L>) -> [f64; L] {
    let bits = rngs.next_u64();
    let mut z = [0.0; L];
    let mut any_outside = false;
    for l in 0..L {
        let (x, inside) = first_try(bits[l]);
        z[l] = x;
        any_outside |= !inside;
    }
    if any_outside {
        for (l, z) in z.iter_mut().enumerate() {
            if !first_try(bits[l]).1 {
                let mut rng = rngs.get(l);
                *z = after_first_try(&mut rng, bits[l]);
                rngs.set(l, &rng);
            }
        }
    }
    z
}

/// The ziggurat's first try with the number `bits`: the point, and whether it is inside
/// its box's rectangle (and so accepted).
#[inline(always)]
fn first_try(bits: u64) -> (f64, bool) {
    let i = usize::try_from(bits & 0xff).unwrap_or(0);
    // [2, 4) − 3: [−1, 1)
    let u = f64::from_bits((bits >> 12) | EXPONENT_2) - 3.0;
    let x = u * ZIG_NORM_X[i];
    (x, x.abs() < ZIG_NORM_X[i + 1])
}

/// The rest of `rand_distr`'s ziggurat after a first try with `bits` that fell outside
/// its rectangle: the tail for the bottom box, the wedge test otherwise, and a whole
/// new draw when that rejects.
#[cold]
fn after_first_try(rng: &mut PathRng, bits: u64) -> f64 {
    let i = usize::try_from(bits & 0xff).unwrap_or(0);
    let u = f64::from_bits((bits >> 12) | EXPONENT_2) - 3.0;
    let x = u * ZIG_NORM_X[i];
    if i == 0 {
        return tail(rng, u);
    }
    if ZIG_NORM_F[i + 1] + (ZIG_NORM_F[i] - ZIG_NORM_F[i + 1]) * rng.random::<f64>()
        < (-x * x / 2.0).exp()
    {
        return x;
    }
    StandardNormal.sample(rng)
}

/// A number from the normal's tail beyond the bottom box, on the side of `u`'s sign
/// (Marsaglia's method, as `rand_distr` writes it).
fn tail(rng: &mut PathRng, u: f64) -> f64 {
    let mut x = 1.0f64;
    let mut y = 0.0f64;
    while -2.0 * y < x * x {
        let x_: f64 = rng.sample(Open01);
        let y_: f64 = rng.sample(Open01);
        x = x_.ln() / ZIG_NORM_R;
        y = y_.ln();
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
    use rand::RngCore;

    #[test]
    fn every_lane_draws_what_rand_distr_draws_on_its_path_alone() {
        // 8 lanes × 200,000 draws: some 24,000 first tries outside the rectangle, and
        // hundreds of draws from the tail, all of which must match
        let rngs: [PathRng; 8] = std::array::from_fn(|p| path_rng(2027, p as u64));
        let mut lanes = RngLanes::new(&rngs);
        let mut alone = rngs.clone();
        let mut tails = 0;
        for _ in 0..200_000 {
            let z = standard_normals(&mut lanes);
            for (l, rng) in alone.iter_mut().enumerate() {
                let expected: f64 = StandardNormal.sample(rng);
                assert_eq!(z[l].to_bits(), expected.to_bits());
                tails += usize::from(z[l].abs() > ZIG_NORM_R);
            }
        }
        assert!(tails > 50, "{tails} draws beyond the bottom box");
        // the first try is accepted about 98.5% of the time
        let mut rng = path_rng(1, 1);
        let inside = (0..1_000_000)
            .filter(|_| first_try(rng.next_u64()).1)
            .count();
        assert!((980_000..995_000).contains(&inside), "{inside}");
        for (l, rng) in alone.iter().enumerate() {
            assert_eq!(&lanes.get(l), rng, "lane {l} ends where its path would");
        }
    }
}
