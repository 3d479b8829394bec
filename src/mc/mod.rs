//! Monte Carlo: many plausible paths of the workload through every option.
//!
//! Each path draws its uncertain parameters and its demand ([`uncertainty`]) from its own
//! random stream ([`rng::path_rng`]: a function of the seed and the path's index only) and
//! runs through the same capacity and billing models as a single run ([`crate::sim`]).
//! Paths run in parallel with rayon; results are collected in path order and every
//! statistic is computed afterwards in that order, so the bits are the same for any
//! thread count, any chunking and any sharding ([`Shard`], merged with [`partial`]).
//!
//! The bits are also the same on every machine, so that shards run on different
//! machines merge into the run on one: Rust neither contracts nor reorders floating-point
//! operations, and the logarithms, exponentials and cosines behind the draws and the
//! demand come from the `libm` crate (Rust code, the same everywhere) or the engine's own
//! `exp`, never from the C library, whose last bits depend on its version and on the
//! CPU variant it picks. The samplers ([`normal`], [`beta`]) are `rand_distr`'s
//! algorithms with those functions; a test pins a few draws' bits.
//!
//! Paths go to the workers in groups of [`sim::LANES`], which the engine advances side
//! by side, their demand streamed in blocks. Memory is O(block × lanes) per worker and
//! O(paths) for the results: what is kept of a path is its per-month, per-component
//! totals and its capacity figures.

pub mod beta;
pub mod dist;
pub mod normal;
pub mod partial;
pub mod rng;
pub mod uncertainty;
mod ziggurat_tables;

use rayon::prelude::*;

use crate::capacity::CapacityStats;
use crate::error::{Error, Result};
use crate::scenario::Plan;
use crate::sim::{self, CreditStats, RunResult, Verdict};

/// How many paths, from which seed, and which of them this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunConfig {
    /// Paths in the whole run (all shards).
    pub paths: u64,
    /// The run's seed.
    pub seed: u64,
    /// The part of the paths this process runs (all of them when `None`).
    pub shard: Option<Shard>,
}

/// Part `index` of `count`: the paths whose index is ≡ `index` (mod `count`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, `0..count`.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

impl Shard {
    /// Parses `K/N`.
    ///
    /// # Errors
    /// [`Error::Invalid`] unless `K` and `N` are whole numbers with `K < N`.
    pub fn parse(text: &str) -> Result<Shard> {
        let bad = || {
            Error::Invalid(format!(
                "--shard `{text}` is not K/N with 0 ≤ K < N (e.g. 0/4 for the first of four shards)"
            ))
        };
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether path `path` belongs to this shard.
    #[must_use]
    pub fn has(self, path: u64) -> bool {
        path % self.count == self.index
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// One option on one path.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionPath {
    /// Cost of each calendar month, USD.
    pub monthly_usd: Vec<f64>,
    /// Cost per component and calendar month, USD, components in first-billed order.
    pub components: Vec<(String, Vec<f64>)>,
    /// What it served.
    pub capacity: CapacityStats,
    /// CPU credits, for burstable instances and Lightsail.
    pub credits: Option<CreditStats>,
}

impl OptionPath {
    /// Total over the horizon.
    #[must_use]
    pub fn horizon_usd(&self) -> f64 {
        self.monthly_usd.iter().sum()
    }

    /// Whether this path meets `slo`, and why not.
    #[must_use]
    pub fn verdict(&self, slo: &crate::scenario::Slo) -> Verdict {
        sim::verdict(&self.capacity, self.credits.as_ref(), slo)
    }
}

/// One path: every option, in plan order.
#[derive(Debug, Clone, PartialEq)]
pub struct PathResult {
    /// The path's index in the run.
    pub path: u64,
    /// Its average demand over the horizon, requests per second.
    pub mean_requests_per_second: f64,
    /// One entry per option.
    pub options: Vec<OptionPath>,
}

/// The paths of a run (or of one shard), in path order.
#[derive(Debug, Clone, PartialEq)]
pub struct McRun {
    /// Paths in the whole run (1 when the scenario has no uncertainty).
    pub paths: u64,
    /// The seed.
    pub seed: u64,
    /// The paths computed here, ascending by index.
    pub results: Vec<PathResult>,
}

/// Paths in the whole run: `config.paths`, or 1 when the scenario has no uncertainty
/// (every path would be the same: the demand as given, with any fixed `[uncertainty]`
/// values applied).
#[must_use]
pub fn run_paths(plan: &Plan, config: &RunConfig) -> u64 {
    if plan.uncertainty.is_deterministic() {
        1
    } else {
        config.paths
    }
}

/// Paths this process runs: those of its shard.
#[must_use]
pub fn paths_here(plan: &Plan, config: &RunConfig) -> u64 {
    let paths = run_paths(plan, config);
    config
        .shard
        .map_or(paths, |s| (0..paths).filter(|p| s.has(*p)).count() as u64)
}

/// Runs the paths of `config` (those of its shard) on the current rayon pool, calling
/// `progress` once per finished path (from any worker).
///
/// Paths go to the workers in groups of [`sim::LANES`], which the engine advances
/// together; each path's result is the same in any group.
#[must_use]
pub fn run(plan: &Plan, config: &RunConfig, progress: &(dyn Fn() + Sync)) -> McRun {
    let paths = run_paths(plan, config);
    let here: Vec<u64> = (0..paths)
        .filter(|p| config.shard.is_none_or(|s| s.has(*p)))
        .collect();
    // `collect` keeps the input order, whatever order the workers finish in.
    let groups: Vec<Vec<PathResult>> = here
        .par_chunks(sim::LANES)
        .map(|group| {
            let results = run_group_of_paths(plan, config.seed, group);
            for _ in group {
                progress();
            }
            results
        })
        .collect();
    McRun {
        paths,
        seed: config.seed,
        results: groups.into_iter().flatten().collect(),
    }
}

/// Runs path `path` of a run seeded with `seed`.
#[must_use]
pub fn run_path(plan: &Plan, seed: u64, path: u64) -> PathResult {
    run_group_of_paths(plan, seed, &[path]).swap_remove(0)
}

/// Runs up to [`sim::LANES`] paths together.
fn run_group_of_paths(plan: &Plan, seed: u64, paths: &[u64]) -> Vec<PathResult> {
    let draws: Vec<_> = paths
        .iter()
        .map(|p| plan.uncertainty.draw(plan, &mut rng::path_rng(seed, *p)))
        .collect();
    let lanes = draws.iter().map(|d| (&d.plan, d.demand.clone())).collect();
    sim::run_together(lanes)
        .iter()
        .zip(paths)
        .map(|(run, path)| PathResult {
            path: *path,
            mean_requests_per_second: run.mean_requests_per_second,
            options: option_paths(run),
        })
        .collect()
}

/// Path `path` of a run seeded with `seed`, keeping every step of each option, and its
/// demand (for `costcast simulate --path` and the report's representative path).
#[must_use]
pub fn record_path(plan: &Plan, seed: u64, path: u64) -> (RunResult, Vec<f64>) {
    let draw = plan.uncertainty.draw(plan, &mut rng::path_rng(seed, path));
    let mut run = sim::run_stream(&draw.plan, draw.demand, true);
    let demand = std::mem::take(&mut run.demand_rps);
    (run, demand)
}

fn option_paths(run: &RunResult) -> Vec<OptionPath> {
    run.options
        .iter()
        .map(|o| {
            let months = o.months.len();
            let mut components: Vec<(String, Vec<f64>)> = Vec::new();
            for (m, items) in o.months.iter().enumerate() {
                for item in items {
                    let index = match components
                        .iter()
                        .position(|(name, _)| *name == item.component)
                    {
                        Some(i) => i,
                        None => {
                            components.push((item.component.clone(), vec![0.0; months]));
                            components.len() - 1
                        }
                    };
                    components[index].1[m] += item.monthly_usd;
                }
            }
            OptionPath {
                monthly_usd: o.monthly_usd(),
                components,
                capacity: o.capacity,
                credits: o.credits,
            }
        })
        .collect()
}

impl McRun {
    /// Joins shards of one run into the whole run.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the parts disagree on seed or path count, a path appears
    /// twice, or paths are missing (naming the first few).
    pub fn merge(parts: Vec<McRun>) -> Result<McRun> {
        let Some(first) = parts.first() else {
            return Err(Error::Invalid("no partial results to merge".to_string()));
        };
        let (paths, seed) = (first.paths, first.seed);
        let mut results = Vec::new();
        for part in parts {
            if (part.paths, part.seed) != (paths, seed) {
                return Err(Error::Invalid(format!(
                    "the parts come from different runs: {paths} paths with seed {seed}, and {} paths with seed {}",
                    part.paths, part.seed
                )));
            }
            results.extend(part.results);
        }
        results.sort_by_key(|r| r.path);
        if let Some(w) = results.windows(2).find(|w| w[0].path == w[1].path) {
            return Err(Error::Invalid(format!(
                "path {} is in more than one part; give each shard once",
                w[0].path
            )));
        }
        let have: std::collections::BTreeSet<u64> = results.iter().map(|r| r.path).collect();
        let missing: Vec<String> = (0..paths)
            .filter(|p| !have.contains(p))
            .take(5)
            .map(|p| p.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(Error::Invalid(format!(
                "paths are missing (first: {}); merge every shard of the run",
                missing.join(", ")
            )));
        }
        Ok(McRun {
            paths,
            seed,
            results,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_partition_the_paths() {
        let s = Shard::parse("1/3").unwrap();
        assert_eq!(s, Shard { index: 1, count: 3 });
        assert!(s.has(4) && !s.has(3));
        for bad in ["3/3", "1", "a/2", "0/0", "-1/2"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}

#[cfg(test)]
mod engine_tests {
    use super::*;

    fn fixture_plan() -> Plan {
        crate::testing::plan(crate::testing::MC)
    }

    fn run_on(threads: usize, plan: &Plan, config: &RunConfig) -> McRun {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| run(plan, config, &|| {}))
    }

    #[test]
    fn one_thread_and_four_threads_give_the_same_bits() {
        let plan = fixture_plan();
        let config = RunConfig {
            paths: 12,
            seed: 9,
            shard: None,
        };
        assert_eq!(run_on(1, &plan, &config), run_on(4, &plan, &config));
    }

    #[test]
    fn a_path_does_not_change_when_the_run_grows() {
        let plan = fixture_plan();
        let small = run_on(
            2,
            &plan,
            &RunConfig {
                paths: 4,
                seed: 3,
                shard: None,
            },
        );
        let large = run_on(
            2,
            &plan,
            &RunConfig {
                paths: 9,
                seed: 3,
                shard: None,
            },
        );
        assert_eq!(small.results[..], large.results[..4]);
        // and the paths differ from one another
        assert_ne!(large.results[0].options, large.results[1].options);
    }

    #[test]
    fn a_path_is_the_same_alone_as_beside_others_in_the_lanes() {
        // 40 paths fill one group of lanes and part of a second; each path run alone
        // (the other lanes copies of it) gives the same bits
        let plan = fixture_plan();
        let config = RunConfig {
            paths: u64::try_from(sim::LANES + 8).unwrap(),
            seed: 11,
            shard: None,
        };
        let together = run_on(2, &plan, &config);
        for result in &together.results {
            assert_eq!(
                *result,
                run_path(&plan, 11, result.path),
                "path {}",
                result.path
            );
        }
    }

    #[test]
    fn shards_merge_into_the_whole_run() {
        let plan = fixture_plan();
        let whole = run_on(
            2,
            &plan,
            &RunConfig {
                paths: 7,
                seed: 5,
                shard: None,
            },
        );
        let parts: Vec<McRun> = (0..3)
            .map(|index| {
                run_on(
                    1,
                    &plan,
                    &RunConfig {
                        paths: 7,
                        seed: 5,
                        shard: Some(Shard { index, count: 3 }),
                    },
                )
            })
            .collect();
        assert_eq!(
            parts[1].results.iter().map(|r| r.path).collect::<Vec<_>>(),
            [1, 4]
        );
        assert_eq!(McRun::merge(parts.clone()).unwrap(), whole);
        let missing = McRun::merge(parts[..2].to_vec()).unwrap_err().to_string();
        assert!(
            missing.contains("paths are missing (first: 2, 5)"),
            "{missing}"
        );
        let twice = McRun::merge(vec![parts[0].clone(), parts[0].clone()]).unwrap_err();
        assert!(
            twice
                .to_string()
                .contains("path 0 is in more than one part")
        );
    }

    #[test]
    fn partial_files_round_trip_bit_for_bit() {
        let plan = fixture_plan();
        let info = crate::report::compare::RunInfo::of(&plan);
        let run = run_on(
            2,
            &plan,
            &RunConfig {
                paths: 3,
                seed: 2,
                shard: None,
            },
        );
        let bytes = partial::to_parquet(&info, &run, Shard { index: 0, count: 1 }).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("part.parquet");
        std::fs::write(&path, bytes).unwrap();
        let (read_info, read_run) = partial::read(&path).unwrap();
        assert_eq!(read_info, info);
        assert_eq!(read_run, run);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn linear_plan() -> Plan {
        crate::testing::plan(crate::testing::MC_LINEAR)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]

        /// Any seed, any thread count, any shard count: the same bits; costs never
        /// negative.
        #[test]
        fn threads_and_shards_never_change_the_bits(seed in any::<u64>(), threads in 1usize..5, shards in 1u64..4) {
            let plan = linear_plan();
            let config = RunConfig { paths: 5, seed, shard: None };
            let pool = |n| rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap();
            let one = pool(1).install(|| run(&plan, &config, &|| {}));
            let many = pool(threads).install(|| run(&plan, &config, &|| {}));
            prop_assert_eq!(&one, &many);
            let parts = (0..shards)
                .map(|index| run(&plan, &RunConfig { shard: Some(Shard { index, count: shards }), ..config }, &|| {}))
                .collect();
            prop_assert_eq!(&McRun::merge(parts).unwrap(), &one);
            prop_assert!(one.results.iter().all(|r| r.options.iter().all(|o| o.monthly_usd.iter().all(|v| *v >= 0.0))));
        }
    }
}
