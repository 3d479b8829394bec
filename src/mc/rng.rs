//! One random stream per path.
//!
//! A path's stream depends only on the run's seed and the path's index, never on which
//! thread, shard or chunk runs it: that is what makes results bit-identical for any
//! thread count and any sharding, and a path's result the same whatever `--paths` is.
//!
//! The generator is Xoshiro256++ (Blackman and Vigna), written here rather than taken
//! from `rand_xoshiro` so that the engine can hold many paths' states side by side
//! ([`RngLanes`]) and advance them together in vector instructions; a test checks that
//! it gives exactly `rand_xoshiro`'s numbers.

use rand::RngCore;

use crate::lanes::Lanes;

/// The generator of one path: Xoshiro256++ (fast, 256 bits of state, passes BigCrush).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathRng {
    s: [u64; 4],
}

impl PathRng {
    /// The generator seeded from one number as `rand_xoshiro` seeds it: the state is
    /// the first four outputs of SplitMix64 started at `seed`.
    #[must_use]
    pub fn seed_from_u64(seed: u64) -> PathRng {
        let mut s = [0; 4];
        let mut x = seed;
        for word in &mut s {
            *word = splitmix64(x);
            x = x.wrapping_add(GOLDEN_GAMMA);
        }
        PathRng { s }
    }
}

impl PathRng {
    /// The generator 2¹²⁸ numbers ahead of this one, as `rand_xoshiro`'s `jump` moves
    /// it: a second stream of the same path that this one never reaches.
    #[must_use]
    pub fn jumped(&self) -> PathRng {
        // Blackman and Vigna's jump polynomial for Xoshiro256
        const JUMP: [u64; 4] = [
            0x180e_c6d3_3cfd_0aba,
            0xd5a6_1266_f0c9_392c,
            0xa958_2618_e03f_c9aa,
            0x39ab_dc45_29b1_661c,
        ];
        let mut rng = self.clone();
        let mut ahead = [0; 4];
        for word in JUMP {
            for bit in 0..64 {
                if word >> bit & 1 == 1 {
                    for (a, s) in ahead.iter_mut().zip(rng.s) {
                        *a ^= s;
                    }
                }
                rng.next_u64();
            }
        }
        PathRng { s: ahead }
    }
}

impl RngCore for PathRng {
    #[inline]
    fn next_u32(&mut self) -> u32 {
        // the high half, as `rand_xoshiro` takes it
        #[allow(clippy::cast_possible_truncation)]
        let high = (self.next_u64() >> 32) as u32;
        high
    }

    #[inline]
    fn next_u64(&mut self) -> u64 {
        let [mut s0, mut s1, mut s2, mut s3] = self.s;
        let out = step(&mut s0, &mut s1, &mut s2, &mut s3);
        self.s = [s0, s1, s2, s3];
        out
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        rand::rand_core::impls::fill_bytes_via_next(self, dest);
    }
}

/// One Xoshiro256++ step on a state held in four words: the output, and the state
/// moved on.
#[inline(always)]
fn step(s0: &mut u64, s1: &mut u64, s2: &mut u64, s3: &mut u64) -> u64 {
    let out = s0.wrapping_add(*s3).rotate_left(23).wrapping_add(*s0);
    let t = *s1 << 17;
    *s2 ^= *s0;
    *s3 ^= *s1;
    *s1 ^= *s2;
    *s0 ^= *s3;
    *s2 ^= t;
    *s3 = s3.rotate_left(45);
    out
}

/// The streams of `L` paths side by side: each state word is an array over the lanes,
/// so that one call advances every lane with a few vector instructions. Lane `l`
/// gives exactly the numbers its [`PathRng`] would.
#[derive(Debug, Clone)]
pub struct RngLanes<const L: usize> {
    s: [Lanes<u64, L>; 4],
}

impl<const L: usize> RngLanes<L> {
    /// The lanes' generators, as they stand.
    #[must_use]
    pub fn new(rngs: &[PathRng; L]) -> RngLanes<L> {
        RngLanes {
            s: std::array::from_fn(|w| Lanes::from_fn(|l| rngs[l].s[w])),
        }
    }

    /// The next number of every lane.
    #[inline]
    pub fn next_u64(&mut self) -> [u64; L] {
        let [s0, s1, s2, s3] = &mut self.s;
        let mut out = [0; L];
        for l in 0..L {
            out[l] = step(&mut s0[l], &mut s1[l], &mut s2[l], &mut s3[l]);
        }
        out
    }

    /// Lane `lane`'s generator, as it stands (to draw from it alone; see
    /// [`RngLanes::set`]).
    #[must_use]
    pub fn get(&self, lane: usize) -> PathRng {
        PathRng {
            s: std::array::from_fn(|w| self.s[w][lane]),
        }
    }

    /// Puts lane `lane`'s generator back after drawing from it alone.
    pub fn set(&mut self, lane: usize, rng: &PathRng) {
        for (word, value) in self.s.iter_mut().zip(rng.s) {
            word[lane] = value;
        }
    }
}

/// The stream of path `path` of a run seeded with `seed`.
///
/// The two numbers are mixed with SplitMix64 (so that neighbouring seeds and paths give
/// unrelated streams) and the result seeds Xoshiro256++ through its own SplitMix64
/// expansion, as its authors recommend.
#[must_use]
pub fn path_rng(seed: u64, path: u64) -> PathRng {
    PathRng::seed_from_u64(splitmix64(
        splitmix64(seed) ^ path.wrapping_mul(GOLDEN_GAMMA),
    ))
}

/// SplitMix64's increment, 2⁶⁴ / φ.
const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output for the state before `x`'s increment.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(GOLDEN_GAMMA);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn a_path_stream_depends_only_on_seed_and_index() {
        let a: Vec<u64> = (0..4).map(|_| path_rng(7, 3).random()).collect();
        let mut r = path_rng(7, 3);
        let b: Vec<u64> = (0..4).map(|_| r.random()).collect();
        assert_eq!(a[0], b[0]);
        assert_ne!(
            path_rng(7, 3).random::<u64>(),
            path_rng(7, 4).random::<u64>()
        );
        assert_ne!(
            path_rng(7, 3).random::<u64>(),
            path_rng(8, 3).random::<u64>()
        );
    }

    #[test]
    fn it_is_rand_xoshiro_bit_for_bit() {
        for seed in [0, 1, 42, u64::MAX, 0x0123_4567_89AB_CDEF] {
            let mut ours = PathRng::seed_from_u64(seed);
            let mut theirs = Xoshiro256PlusPlus::seed_from_u64(seed);
            for _ in 0..1000 {
                assert_eq!(ours.next_u64(), theirs.next_u64());
                assert_eq!(ours.next_u32(), theirs.next_u32());
            }
            // a tail of more than 4 bytes takes a 64-bit number, of 4 or fewer a 32-bit one
            for len in [13, 12, 3] {
                let (mut a, mut b) = (vec![0u8; len], vec![0u8; len]);
                ours.fill_bytes(&mut a);
                theirs.fill_bytes(&mut b);
                assert_eq!(a, b);
            }
            assert_eq!(ours.random::<f64>(), theirs.random::<f64>());
        }
    }

    #[test]
    fn a_jump_is_rand_xoshiro_jump() {
        for seed in [0, 7, u64::MAX] {
            let ours = PathRng::seed_from_u64(seed);
            let mut theirs = Xoshiro256PlusPlus::seed_from_u64(seed);
            theirs.jump();
            let mut jumped = ours.jumped();
            for _ in 0..100 {
                assert_eq!(jumped.next_u64(), theirs.next_u64());
            }
            // and the stream it came from is left where it was
            assert_eq!(ours, PathRng::seed_from_u64(seed));
        }
    }

    #[test]
    fn each_lane_is_its_own_path_stream() {
        let rngs: [PathRng; 5] = std::array::from_fn(|p| path_rng(3, p as u64));
        let mut lanes = RngLanes::new(&rngs);
        let mut alone = rngs.clone();
        for k in 0..100 {
            if k == 50 {
                // a lane drawn from alone and put back goes on from where it was
                let mut rng = lanes.get(2);
                assert_eq!(rng.next_u64(), alone[2].next_u64());
                lanes.set(2, &rng);
            }
            let together = lanes.next_u64();
            for (l, rng) in alone.iter_mut().enumerate() {
                assert_eq!(together[l], rng.next_u64());
            }
        }
    }
}
