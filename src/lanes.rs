//! Per-lane arrays aligned to cache lines, the lane loops' minimum and maximum, and
//! the lanes of a mask.
//!
//! The engine keeps a step's per-lane quantities (`[f64; 32]`: four 512-bit vectors) in
//! its stack frame and in its state, storing them and loading them back within a few
//! instructions. An `[f64; 32]` is only aligned to 8 bytes, so where it falls relative
//! to the 64-byte cache lines depended on the depth of the callers' frames and on where
//! the allocator put a group's state, which any edit anywhere could change: the same
//! machine code for a group's step measured 1.10 s and 1.25 s (`compare --paths 64
//! --threads 1`, median of seven) in two builds. [`Lanes`] is the array aligned to a
//! cache line, so that every vector load and store of it is within one line.

use std::ops::{Deref, DerefMut};

/// `[T; L]`, aligned to a 64-byte cache line.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C, align(64))]
pub(crate) struct Lanes<T, const L: usize>(pub [T; L]);

impl<T, const L: usize> Lanes<T, L> {
    /// Every lane `f(l)`.
    #[inline(always)]
    pub(crate) fn from_fn(f: impl FnMut(usize) -> T) -> Lanes<T, L> {
        Lanes(std::array::from_fn(f))
    }
}

impl<T, const L: usize> Deref for Lanes<T, L> {
    type Target = [T; L];
    #[inline(always)]
    fn deref(&self) -> &[T; L] {
        &self.0
    }
}

impl<T, const L: usize> DerefMut for Lanes<T, L> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [T; L] {
        &mut self.0
    }
}

impl<'a, T, const L: usize> IntoIterator for &'a Lanes<T, L> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    #[inline(always)]
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<'a, T, const L: usize> IntoIterator for &'a mut Lanes<T, L> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;
    #[inline(always)]
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter_mut()
    }
}

/// The smaller of two numbers, neither NaN: one vector instruction a vector of lanes.
/// (`f64::min` also returns the number beside a NaN, which costs a comparison and a
/// blend more; the engine's quantities are never NaN.)
#[inline(always)]
pub(crate) fn smaller(a: f64, b: f64) -> f64 {
    if b < a { b } else { a }
}

/// The larger of two numbers, neither NaN (see [`smaller`]).
#[inline(always)]
pub(crate) fn larger(a: f64, b: f64) -> f64 {
    if b > a { b } else { a }
}

/// The lanes a mask names (bit `l` for lane `l`), in order: the lanes a pass over every
/// lane found to need work done one lane at a time.
#[inline(always)]
pub(crate) fn lanes_in(mut mask: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let lane = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            lane
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_start_on_a_cache_line() {
        let values: Vec<Lanes<f64, 3>> = vec![Lanes([1.0, 2.0, 3.0]); 5];
        for v in &values {
            assert_eq!(std::ptr::from_ref(v).addr() % 64, 0);
        }
        let on_stack = Lanes::<f64, 32>::from_fn(|l| l as f64);
        assert_eq!(std::ptr::from_ref(&on_stack).addr() % 64, 0);
        assert_eq!(on_stack[31], 31.0);
    }

    #[test]
    fn a_mask_names_its_lanes_in_order() {
        assert_eq!(lanes_in(0).count(), 0);
        assert_eq!(lanes_in(0b1010_0001).collect::<Vec<_>>(), [0, 5, 7]);
        assert_eq!(lanes_in(1 << 63).collect::<Vec<_>>(), [63]);
        assert_eq!(
            lanes_in(u64::MAX).collect::<Vec<_>>(),
            (0..64).collect::<Vec<_>>()
        );
    }

    #[test]
    fn smaller_and_larger_are_min_and_max_of_numbers() {
        let numbers = [
            -3.5,
            -1e-300,
            0.0,
            2.0,
            2.0 + f64::EPSILON * 2.0,
            1e300,
            f64::INFINITY,
        ];
        for a in numbers {
            for b in numbers {
                assert_eq!(smaller(a, b).to_bits(), a.min(b).to_bits(), "{a} {b}");
                assert_eq!(larger(a, b).to_bits(), a.max(b).to_bits(), "{a} {b}");
            }
        }
    }
}
