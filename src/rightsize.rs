//! Rightsizing: within each option's family, the cheapest size that meets the SLO.
//!
//! The sizes tried, per service:
//! - EC2 and Elastic Beanstalk: every instance type of the same family (`t3.*`, `m7g.*`)
//!   that the catalog prices;
//! - Lambda: memory from 128 MB to 10,240 MB. CPU is allocated in proportion to memory up
//!   to one vCPU at 1,769 MB, so the request's CPU time (`vcpu_ms_per_request`, at most
//!   its duration) runs slower or faster than at the memory asked for, and the rest of
//!   its duration (waiting) does not change: single-threaded handlers are assumed;
//! - Fargate: every valid CPU size, each with the smallest valid memory at least the
//!   memory asked for;
//! - Lightsail: every plan of the same kind.
//!
//! Each size runs on the same Monte Carlo paths as the option asked for (same seed), so
//! the differences are the size's, not sampling noise.

use serde::Serialize;

use crate::billing::fargate;
use crate::catalog::PriceCatalog;
use crate::error::Result;
use crate::mc::{self, RunConfig};
use crate::report::compare::{CompareReport, Figures, RunInfo};
use crate::scenario::options::{OptionModel, OptionPlan, lambda_cpu_slowdown, lambda_duration_ms};
use crate::scenario::{Plan, ScenarioSource};

/// Lambda memory sizes tried, MB.
pub const LAMBDA_MEMORY_MB: [u32; 14] = [
    128, 256, 512, 768, 1024, 1536, 1769, 2048, 3008, 4096, 5120, 6144, 8192, 10240,
];

/// One size of an option.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SizeResult {
    /// The size, as a scenario would write it (`t3.small`, `512 MB`, …).
    pub size: String,
    /// What it runs, in a few words.
    pub description: String,
    /// Its cost and whether it meets the SLO.
    #[serde(flatten)]
    pub figures: Figures,
}

/// The rightsizing of one option.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rightsizing {
    /// The option.
    pub option: String,
    /// The size the scenario asked for.
    pub asked: SizeResult,
    /// The cheapest size that meets the SLO (none: no size does).
    pub best: Option<SizeResult>,
    /// `best` minus `asked`, expected USD a month (negative: a saving).
    pub difference_usd: Option<f64>,
    /// Every size tried, smallest first.
    pub sizes: Vec<SizeResult>,
}

/// The sizes to try for `option`, as edits of its scenario table.
fn candidates(catalog: &PriceCatalog, option: &OptionPlan) -> Vec<(String, Edit)> {
    match &option.model {
        OptionModel::Ec2Fleet(f) => {
            let family = f.instance_type.split('.').next().unwrap_or("").to_string();
            let mut types: Vec<_> = catalog
                .ec2_types()
                .filter(|t| t.name.split('.').next() == Some(family.as_str()))
                .map(|t| (t.vcpu, t.memory_gib, t.name.clone()))
                .collect();
            types.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
            types
                .into_iter()
                .map(|(_, _, name)| (name.clone(), Edit::Set("instance_type", name.into())))
                .collect()
        }
        OptionModel::Lambda(f) => LAMBDA_MEMORY_MB
            .iter()
            .map(|&mb| {
                (
                    format!("{mb} MB"),
                    Edit::Lambda {
                        memory_mb: mb,
                        slowdown: lambda_cpu_slowdown(f.config.memory_mb, mb),
                    },
                )
            })
            .collect(),
        OptionModel::Fargate(f) => [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0]
            .into_iter()
            .filter_map(|vcpu| {
                let memory = fargate::valid_memory_gb(vcpu)?
                    .into_iter()
                    .find(|m| *m >= f.size.memory_gb)?;
                Some((
                    format!("{vcpu} vCPU / {memory} GB"),
                    Edit::Fargate {
                        vcpu,
                        memory_gb: memory,
                    },
                ))
            })
            .collect(),
        OptionModel::Lightsail(l) => {
            let kind = l
                .rates
                .bundle_id
                .split_once('_')
                .map_or("", |(_, k)| k)
                .to_string();
            catalog
                .lightsail_plans()
                .iter()
                .filter(|p| p.bundle_id.split_once('_').map(|(_, k)| k) == Some(kind.as_str()))
                .map(|p| {
                    (
                        p.bundle_id.clone(),
                        Edit::Set("plan", p.bundle_id.clone().into()),
                    )
                })
                .collect()
        }
    }
}

/// A change to an option's table.
#[derive(Debug, Clone)]
enum Edit {
    Set(&'static str, toml::Value),
    Lambda { memory_mb: u32, slowdown: f64 },
    Fargate { vcpu: f64, memory_gb: f64 },
}

/// The option `index` of `source` at each size of its family.
fn variants(
    source: &ScenarioSource,
    catalog: &PriceCatalog,
    plan: &Plan,
    index: usize,
) -> Result<Vec<(String, OptionPlan)>> {
    let option = &plan.options[index];
    let mut out = Vec::new();
    for (size, edit) in candidates(catalog, option) {
        let variant = source.option_variant(catalog, plan, index, |table| match &edit {
            Edit::Set(key, value) => {
                table.insert((*key).to_string(), value.clone());
            }
            Edit::Lambda { memory_mb, .. } => {
                table.insert("memory_mb".into(), i64::from(*memory_mb).into());
            }
            Edit::Fargate { vcpu, memory_gb } => {
                table.insert("vcpu".into(), (*vcpu).into());
                table.insert("memory_gb".into(), (*memory_gb).into());
            }
        });
        // A size the option cannot take (e.g. a type without a price for its OS) is skipped.
        let Ok(mut variant) = variant else { continue };
        if let (Edit::Lambda { slowdown, .. }, OptionModel::Lambda(f)) = (&edit, &mut variant.model)
        {
            f.cpu_slowdown = *slowdown;
            f.config.duration_ms = lambda_duration_ms(
                f.config.duration_ms,
                plan.workload.vcpu_ms_per_request,
                *slowdown,
            );
        }
        out.push((size, variant));
    }
    Ok(out)
}

/// Rightsizes every option of `plan` (read from `source`) on the paths of `config`,
/// calling `progress` after each path.
///
/// # Errors
/// When the scenario cannot be read again (it was read once already, so not expected).
pub fn rightsize(
    source: &ScenarioSource,
    catalog: &PriceCatalog,
    plan: &Plan,
    asked: &CompareReport,
    config: &RunConfig,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<Rightsizing>> {
    let mut out = Vec::new();
    for (index, option) in plan.options.iter().enumerate() {
        let mut sizes = Vec::new();
        for (size, variant) in variants(source, catalog, plan, index)? {
            let mut single = plan.clone();
            single.options = vec![variant];
            let run = mc::run(&single, config, progress);
            let report = CompareReport::new(&RunInfo::of(&single), &run, None);
            let o = &report.options[0];
            sizes.push(SizeResult {
                size,
                description: o.description.clone(),
                figures: Figures::of(o),
            });
        }
        let asked_size = SizeResult {
            size: size_of(option),
            description: asked.options[index].description.clone(),
            figures: Figures::of(&asked.options[index]),
        };
        let best = sizes
            .iter()
            .filter(|s| s.figures.feasible)
            .min_by(|a, b| {
                a.figures
                    .monthly_usd_mean
                    .total_cmp(&b.figures.monthly_usd_mean)
            })
            .cloned();
        out.push(Rightsizing {
            option: option.name.clone(),
            difference_usd: best
                .as_ref()
                .map(|b| b.figures.monthly_usd_mean - asked_size.figures.monthly_usd_mean),
            asked: asked_size,
            best,
            sizes,
        });
    }
    Ok(out)
}

/// The number of single-option runs [`rightsize`] makes for `plan` (for progress bars).
#[must_use]
pub fn runs(catalog: &PriceCatalog, plan: &Plan) -> usize {
    plan.options
        .iter()
        .map(|o| candidates(catalog, o).len())
        .sum()
}

fn size_of(option: &OptionPlan) -> String {
    match &option.model {
        OptionModel::Ec2Fleet(f) => f.instance_type.clone(),
        OptionModel::Lambda(f) => format!("{} MB", f.config.memory_mb),
        OptionModel::Fargate(f) => format!("{} vCPU / {} GB", f.size.vcpu, f.size.memory_gb),
        OptionModel::Lightsail(l) => l.rates.bundle_id.clone(),
    }
}
