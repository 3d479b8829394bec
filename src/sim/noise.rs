//! AR(1) noise on the log of the demand, for many paths at once.
//!
//! A path's noise is `exp(x_k − σ²/2)` at step `k`, with `x_{k+1} = ρ x_k + σ √(1 − ρ²) z_k`
//! and `z_k` standard normal from the path's own stream: a mean-one factor with
//! coefficient of variation `cv` (σ² = ln(1 + cv²)) and lag-one correlation ρ.
//!
//! [`NoiseLanes`] runs the recurrence on `L` paths together, time outer and paths inner:
//! one path's recurrence is a chain of dependent multiplications and additions, but
//! the lanes' chains are independent, so each step is a few vector instructions, and the
//! normal numbers are drawn for every lane at once ([`crate::mc::normal::split_normals`],
//! the first tries from the path's stream and the second tries from a second stream of
//! it, 2¹²⁸ numbers ahead). Lane `l` computes exactly what its path computes alone (a
//! single run is one lane).

use crate::lanes::Lanes;
use crate::mc::normal::{SplitScratch, split_normals, standard_normal};
use crate::mc::rng::{PathRng, RngLanes};

/// One path's noise: its parameters, where its recurrence stands, and its stream.
#[derive(Debug, Clone)]
pub(crate) struct NoiseState {
    x: f64,
    rho: f64,
    innovation: f64,
    bias: f64,
    rng: PathRng,
    /// The stream of the normal draws' second tries.
    second: PathRng,
}

impl NoiseState {
    /// Noise with coefficient of variation `cv` and lag-one correlation `rho`, drawn
    /// from `rng` (the first value at once, from the stationary distribution; the
    /// second tries of the rest from `rng` 2¹²⁸ numbers on).
    #[must_use]
    pub(crate) fn new(cv: f64, rho: f64, mut rng: PathRng) -> NoiseState {
        let sigma = libm::log(1.0 + cv * cv).sqrt();
        let x = sigma * standard_normal(&mut rng);
        NoiseState {
            x,
            rho,
            innovation: sigma * (1.0 - rho * rho).sqrt(),
            bias: -sigma * sigma / 2.0,
            second: rng.jumped(),
            rng,
        }
    }

    /// No noise: every factor exactly 1 (its draws are multiplied by zero).
    fn none() -> NoiseState {
        NoiseState {
            x: 0.0,
            rho: 0.0,
            innovation: 0.0,
            bias: 0.0,
            rng: PathRng::seed_from_u64(0),
            second: PathRng::seed_from_u64(1),
        }
    }
}

/// The noise of `L` paths, advanced together.
#[derive(Debug, Clone)]
pub(crate) struct NoiseLanes<const L: usize> {
    x: Lanes<f64, L>,
    rho: Lanes<f64, L>,
    innovation: Lanes<f64, L>,
    bias: Lanes<f64, L>,
    rngs: RngLanes<L>,
    seconds: [PathRng; L],
    /// A piece's normal numbers, then its factors' exponents and its factors, kept to
    /// reuse the allocations.
    normals: Vec<[f64; L]>,
    factors: Vec<[f32; L]>,
    scratch: SplitScratch<L>,
}

impl<const L: usize> NoiseLanes<L> {
    /// Each lane's noise as it stands; a lane without (`None`) gets factors of exactly 1.
    #[must_use]
    pub(crate) fn new(states: [Option<NoiseState>; L]) -> NoiseLanes<L> {
        let states = states.map(|s| s.unwrap_or_else(NoiseState::none));
        NoiseLanes {
            x: Lanes::from_fn(|l| states[l].x),
            rho: Lanes::from_fn(|l| states[l].rho),
            innovation: Lanes::from_fn(|l| states[l].innovation),
            bias: Lanes::from_fn(|l| states[l].bias),
            rngs: RngLanes::new(&states.clone().map(|s| s.rng)),
            seconds: states.map(|s| s.second),
            normals: Vec::new(),
            factors: Vec::new(),
            scratch: SplitScratch::default(),
        }
    }

    /// Lane `lane`'s noise as it stands now.
    #[must_use]
    pub(crate) fn state(&self, lane: usize) -> NoiseState {
        NoiseState {
            x: self.x[lane],
            rho: self.rho[lane],
            innovation: self.innovation[lane],
            bias: self.bias[lane],
            rng: self.rngs.get(lane),
            second: self.seconds[lane].clone(),
        }
    }

    /// Multiplies the next steps by their noise: `block[i][l]` is lane `l`'s demand at
    /// the `i`-th of them.
    pub(crate) fn apply(&mut self, block: &mut [[f64; L]]) {
        // a piece at a time, so that its factors stay in the cache until they are used
        for piece in block.chunks_mut(NOISE_PIECE_STEPS) {
            self.apply_piece(piece);
        }
    }

    fn apply_piece(&mut self, block: &mut [[f64; L]]) {
        let (normals, factors) = (&mut self.normals, &mut self.factors);
        normals.resize(block.len(), [0.0; L]);
        factors.resize(block.len(), [0.0; L]);
        split_normals(
            &mut self.rngs,
            &mut self.seconds,
            normals,
            &mut self.scratch,
        );
        // The recurrence, each step's factor's exponent put down in `f32` (see
        // `exp_in_place`). On copies of the lanes' arrays: the loop keeps them in
        // registers.
        let (mut x, rho, innovation, bias) = (self.x.0, self.rho.0, self.innovation.0, self.bias.0);
        for (z, e) in normals.iter().zip(factors.iter_mut()) {
            for l in 0..L {
                #[allow(clippy::cast_possible_truncation)]
                let exponent = (x[l] + bias[l]) as f32;
                e[l] = exponent;
                x[l] = rho[l] * x[l] + innovation[l] * z[l];
            }
        }
        self.x.0 = x;
        // the exponentials of the whole piece at once
        exp_in_place(factors.as_flattened_mut());
        // one flat run of values: as steps of lanes, the loop was vectorized across steps
        // instead, with a gather and a scatter for every lane
        for (r, f) in block
            .as_flattened_mut()
            .iter_mut()
            .zip(factors.as_flattened())
        {
            *r *= f64::from(*f);
        }
    }
}

/// Steps whose noise factors are worked out together (64 KB of factors for 32 lanes).
const NOISE_PIECE_STEPS: usize = 256;

/// `eˣ` of every value, in place, in `f32`: Cody–Waite reduction to `r = x − k·ln 2`
/// with `|r| ≤ ln 2 / 2`, a degree-7 Taylor polynomial (truncation below 6 × 10⁻⁹, a
/// tenth of an `f32` ulp), and `2ᵏ` put in the exponent bits. Within 2 ulp of the exact
/// value for `|x| ≤ 87`; held at `e^±87` beyond.
///
/// A noise factor's exponent is a few tenths, and the factor scales a demand whose
/// noise has a coefficient of variation of several percent: `f32`'s relative precision
/// (6 × 10⁻⁸) moves the results by about 10⁻¹¹ of their value (the default scenario's
/// costs), and 16 values a vector instruction instead of 8, with a polynomial of half
/// the degree, made the noise's `exp` a quarter of its cost in `f64`.
///
/// Written as plain arithmetic on each value, with no calls and no branches, so that a
/// block of noise factors compiles to vector instructions; the C library's `exp` is a
/// call per value, and its bits depend on the CPU it picks a variant for.
fn exp_in_place(values: &mut [f32]) {
    let (chunks, rest) = values.as_chunks_mut::<EXP_CHUNK>();
    for chunk in chunks {
        exp_chunk(chunk);
    }
    if !rest.is_empty() {
        let mut padded = [0.0; EXP_CHUNK];
        padded[..rest.len()].copy_from_slice(rest);
        exp_chunk(&mut padded);
        rest.copy_from_slice(&padded[..rest.len()]);
    }
}

/// Values whose exponentials are worked out together: the polynomial is a chain of 7
/// dependent multiply-adds per value, so four vectors' chains are interleaved to keep
/// the arithmetic units busy.
const EXP_CHUNK: usize = 64;

/// [`exp_in_place`] on one chunk.
#[inline]
fn exp_chunk(values: &mut [f32; EXP_CHUNK]) {
    // ln 2 split in two (Cephes's): the high part has its low 15 bits zero, so
    // k × LN2_HI is exact for the k that occur here (|k| ≤ 126)
    const LN2_HI: f32 = f32::from_bits(0x3F31_8000);
    const LN2_LO: f32 = f32::from_bits(0xB95E_8083);
    // 1/n! for n = 7 down to 1
    const INVERSE_FACTORIALS: [f32; 7] = [
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0,
    ];
    let x = values.map(|v| v.clamp(-87.0, 87.0));
    let k = x.map(|x| (x * std::f32::consts::LOG2_E).round_ties_even());
    let r: [f32; EXP_CHUNK] = std::array::from_fn(|j| (x[j] - k[j] * LN2_HI) - k[j] * LN2_LO);
    let mut p = [INVERSE_FACTORIALS[0]; EXP_CHUNK];
    for c in &INVERSE_FACTORIALS[1..] {
        for (p, r) in p.iter_mut().zip(&r) {
            *p = *p * r + c;
        }
    }
    for ((v, p), (r, k)) in values.iter_mut().zip(p).zip(r.iter().zip(k)) {
        // 2ᵏ has the biased exponent k + 127 (between 1 and 253 here). 2²³ + that
        // exponent holds it in its low bits, which the shift moves into place: bit
        // operations, which vectorize where `k as i32` does not.
        let biased = k + (127.0 + 8_388_608.0);
        let two_to_k = f32::from_bits(biased.to_bits() << 23);
        *v = (p * r + 1.0) * two_to_k;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mc::rng::path_rng;

    #[test]
    fn exp_is_within_two_ulp_of_the_exact_value() {
        let mut xs: Vec<f32> = (-870_000..=870_000).map(|i| i as f32 * 1e-4).collect();
        xs.extend([-87.0, -1e-30, 0.0, 1e-30, 0.346_573_6, -0.346_573_6, 87.0]);
        let mut ys = xs.clone();
        exp_in_place(&mut ys);
        for (x, y) in xs.iter().zip(&ys) {
            let exact = f64::from(*x).exp();
            let ulp = exact * f64::from(f32::EPSILON);
            assert!(
                (f64::from(*y) - exact).abs() <= 2.0 * ulp,
                "exp({x}) = {y}, exactly {exact}"
            );
        }
        // held at the ends
        let mut ends = [-100.0, -87.0, 87.0, 100.0];
        exp_in_place(&mut ends);
        assert_eq!((ends[0], ends[3]), (ends[1], ends[2]));
    }

    #[test]
    fn lanes_compute_what_each_path_computes_alone() {
        let states: [NoiseState; 3] = std::array::from_fn(|p| {
            NoiseState::new(
                0.1 * (p as f64 + 1.0),
                0.5 + 0.2 * p as f64,
                path_rng(9, p as u64),
            )
        });
        let mut together = NoiseLanes::new([
            Some(states[0].clone()),
            None,
            Some(states[1].clone()),
            Some(states[2].clone()),
        ]);
        let mut block = vec![[10.0; 4]; 5000];
        together.apply(&mut block);
        // no noise: exactly the demand
        assert!(block.iter().all(|s| s[1].to_bits() == 10.0f64.to_bits()));
        for (lane, state) in [(0, &states[0]), (2, &states[1]), (3, &states[2])] {
            let mut alone = NoiseLanes::new([Some(state.clone())]);
            // in uneven pieces
            let mut values = Vec::new();
            for size in [1, 999, 4000] {
                let mut piece = vec![[10.0]; size];
                alone.apply(&mut piece);
                values.extend(piece.iter().map(|s| s[0]));
            }
            for (k, v) in values.iter().enumerate() {
                assert_eq!(
                    v.to_bits(),
                    block[k][lane].to_bits(),
                    "lane {lane} step {k}"
                );
            }
            let (a, b) = (alone.state(0), together.state(lane));
            assert_eq!(
                (a.x.to_bits(), a.rng, a.second),
                (b.x.to_bits(), b.rng, b.second)
            );
        }
    }
}
