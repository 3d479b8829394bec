//! One random stream per path.
//!
//! A path's stream depends only on the run's seed and the path's index, never on which
//! thread, shard or chunk runs it: that is what makes results bit-identical for any
//! thread count and any sharding, and a path's result the same whatever `--paths` is.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator of one path: Xoshiro256++ (fast, 256 bits of state, passes BigCrush).
pub type PathRng = Xoshiro256PlusPlus;

/// The stream of path `path` of a run seeded with `seed`.
///
/// The two numbers are mixed with SplitMix64 (so that neighbouring seeds and paths give
/// unrelated streams) and the result seeds Xoshiro256++ through its own SplitMix64
/// expansion, as its authors recommend.
#[must_use]
pub fn path_rng(seed: u64, path: u64) -> PathRng {
    PathRng::seed_from_u64(splitmix64(
        splitmix64(seed) ^ path.wrapping_mul(0x9E37_79B9_7F4A_7C15),
    ))
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

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
}
