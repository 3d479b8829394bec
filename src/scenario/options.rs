//! The `[[option]]` tables of a scenario: each service's keys, checked and resolved.
//!
//! An option's table is read in two steps: `name` and `service` first, then the rest
//! with the service's own key set (unknown keys are errors), so every message names the
//! option and the key.

use serde::Deserialize;

use super::input::TomlInput;
use super::resolve::{
    CreditModeKey, Workload, alb_rates, check_lambda_memory, credit_model, ebs_rates, ec2_rates,
    ipv4_rate, lambda_rates, linux, non_negative, one_u32, take_string, yes,
};
use super::scaling::{
    AutoscalingSpec, DeploymentSpec, Owner, TriggerSpec, resolve_autoscaling,
    resolve_beanstalk_group, resolve_deployments,
};
pub use super::scaling::{DeploymentClocks, DeploymentPlan, DeploymentPolicy};
use super::timeline::Timeline;
use crate::billing::apigw::{ApiRates, ApiType};
use crate::billing::burst::CreditSpec;
use crate::billing::containers::EksRates;
use crate::billing::ebs::{EbsRates, Volume};
use crate::billing::ec2::{Ec2Rates, OperatingSystem};
use crate::billing::elb::AlbRates;
use crate::billing::fargate::{self, FargateRates, TaskSize};
use crate::billing::lambda::{self, Architecture, FunctionConfig, LambdaRates};
use crate::billing::lightsail::LightsailRates;
use crate::capacity::autoscale::{GroupSpec, Metric};
use crate::catalog::{PriceCatalog, Service};
use crate::error::{Error, Result};

/// The services a scenario option may name.
pub const OPTION_SERVICES: [&str; 5] = ["ec2", "beanstalk", "lambda", "fargate", "lightsail"];

/// Public IPv4 addresses of an internet-facing ALB: one per Availability Zone, and an ALB
/// needs at least two zones.
pub const ALB_PUBLIC_IPV4_ADDRESSES: f64 = 2.0;

/// One candidate option.
#[derive(Debug, Clone)]
pub struct OptionPlan {
    /// Its unique name.
    pub name: String,
    /// The service, as written.
    pub service: &'static str,
    /// What to simulate.
    pub model: OptionModel,
}

impl OptionPlan {
    /// What the option runs, in a few words (for reports): e.g. `2–4 × t3.small
    /// (unlimited credits)` or `512 MB arm64, concurrency limit 1,000`.
    #[must_use]
    pub fn describe(&self) -> String {
        let count = |g: &crate::capacity::autoscale::GroupSpec| {
            if g.min == g.max {
                format!("{}", g.min)
            } else {
                format!("{}–{}", g.min, g.max)
            }
        };
        match &self.model {
            OptionModel::Ec2Fleet(f) => {
                let credits = f.credits.as_ref().map_or(String::new(), |(c, _)| {
                    format!(
                        " ({} credits)",
                        match c.mode {
                            crate::catalog::CreditMode::Standard => "standard",
                            crate::catalog::CreditMode::Unlimited => "unlimited",
                        }
                    )
                });
                format!("{} × {}{credits}", count(&f.group), f.instance_type)
            }
            OptionModel::Lambda(f) => format!(
                "{} MB {}, concurrency limit {}",
                f.config.memory_mb,
                f.config.architecture.as_str(),
                crate::report::table::format_quantity(f.concurrency_limit, 0)
            ),
            OptionModel::Fargate(f) => format!(
                "{} × {} vCPU / {} GB {}{}",
                count(&f.group),
                f.size.vcpu,
                f.size.memory_gb,
                f.architecture.as_str(),
                if f.spot_discount > 0.0 { " Spot" } else { "" }
            ),
            OptionModel::Lightsail(l) => format!("{} × {}", l.count, l.rates.bundle_id),
        }
    }

    /// The Lambda concurrency limit, for Lambda options.
    #[must_use]
    pub fn concurrency_limit(&self) -> Option<f64> {
        match &self.model {
            OptionModel::Lambda(f) => Some(f.concurrency_limit),
            _ => None,
        }
    }
}

/// Memory at which a Lambda function has one full vCPU (AWS: "at 1,769 MB, a function
/// has the equivalent of one vCPU"); below it, CPU is allocated in proportion to memory.
pub const LAMBDA_MB_PER_VCPU: f64 = 1769.0;

/// How much slower single-threaded CPU work runs at `memory_mb` than at `reference_mb`:
/// the ratio of their CPU shares, each capped at one vCPU.
#[must_use]
pub fn lambda_cpu_slowdown(reference_mb: u32, memory_mb: u32) -> f64 {
    let share = |mb: u32| (f64::from(mb) / LAMBDA_MB_PER_VCPU).min(1.0);
    share(reference_mb) / share(memory_mb)
}

/// A function's duration when its CPU work (`vcpu_ms`, at most the whole duration) runs
/// `slowdown` times slower and the rest (waiting on I/O) is unchanged.
#[must_use]
pub fn lambda_duration_ms(duration_ms: f64, vcpu_ms: f64, slowdown: f64) -> f64 {
    let cpu = vcpu_ms.clamp(0.0, duration_ms);
    duration_ms - cpu + cpu * slowdown
}

/// The model of an option, with its rates.
#[derive(Debug, Clone)]
pub enum OptionModel {
    /// A fixed fleet of identical EC2 instances, load spread evenly (also what an Elastic
    /// Beanstalk environment runs).
    Ec2Fleet(Ec2FleetPlan),
    /// One Lambda function serving every request.
    Lambda(LambdaPlan),
    /// An ECS service of identical Fargate tasks.
    Fargate(FargatePlan),
    /// Lightsail instances on one plan.
    Lightsail(LightsailPlan),
}

/// What sits in front of and beside instances or tasks.
#[derive(Debug, Clone)]
pub struct Attachments {
    /// An Application Load Balancer, when there is one.
    pub alb: Option<AlbRates>,
    /// Public IPv4 addresses per instance or task.
    pub public_ipv4_per_unit: f64,
    /// Per public IPv4 address-hour.
    pub ipv4_usd_per_hour: f64,
    /// The root volume of each instance, when billed separately.
    pub root_volume: Option<Volume>,
    /// EBS rates.
    pub ebs: EbsRates,
}

/// A fixed EC2 fleet.
#[derive(Debug, Clone)]
pub struct Ec2FleetPlan {
    /// Instance type.
    pub instance_type: String,
    /// Size and scaling of the group (fixed for a plain fleet).
    pub group: GroupSpec,
    /// The metric the group scales on.
    pub metric: Metric,
    /// Beanstalk deployments, when modelled.
    pub deployments: Option<DeploymentPlan>,
    /// vCPUs per instance.
    pub vcpu: f64,
    /// Rates.
    pub rates: Ec2Rates,
    /// CPU credits and the surplus rate per vCPU-hour, for burstable types.
    pub credits: Option<(CreditSpec, f64)>,
    /// Load balancer, addresses and volumes.
    pub attachments: Attachments,
}

/// A Lambda function.
#[derive(Debug, Clone)]
pub struct LambdaPlan {
    /// Memory, duration, storage, architecture and provisioned concurrency.
    pub config: FunctionConfig,
    /// Concurrent executions available (the account's Region quota, or reserved concurrency).
    pub concurrency_limit: f64,
    /// Whether the monthly free tier applies.
    pub free_tier: bool,
    /// Rates.
    pub rates: LambdaRates,
    /// The API Gateway in front, when there is one.
    pub api: Option<(ApiRates, bool)>,
    /// True when the duration is the workload's (so an uncertain workload duration
    /// applies), false when the option sets its own.
    pub duration_from_workload: bool,
    /// How much slower its CPU work runs than at the memory the scenario measured the
    /// duration at (1 as written; rightsizing sets it for other sizes: see
    /// [`lambda_duration_ms`]).
    pub cpu_slowdown: f64,
}

/// An ECS service on Fargate with a fixed number of tasks.
#[derive(Debug, Clone)]
pub struct FargatePlan {
    /// Task size.
    pub size: TaskSize,
    /// Size and scaling of the service (fixed without autoscaling).
    pub group: GroupSpec,
    /// The metric the service scales on.
    pub metric: Metric,
    /// Architecture.
    pub architecture: Architecture,
    /// Fraction off the on-demand rates (Fargate Spot), 0 for on-demand.
    pub spot_discount: f64,
    /// Rates of the architecture.
    pub rates: FargateRates,
    /// Load balancer and addresses.
    pub attachments: Attachments,
    /// Share of the time a task slot is serving: Spot interruptions leave a slot empty
    /// while its replacement starts.
    pub in_service_fraction: f64,
    /// Seconds a replacement task takes to start after a Spot interruption.
    pub task_start_seconds: f64,
    /// The EKS cluster the tasks run in (ECS has no charge of its own).
    pub eks: Option<(EksRates, bool)>,
    /// Images kept in ECR, GB, and the ECR rate.
    pub ecr: Option<(f64, f64)>,
}

/// Lightsail instances.
#[derive(Debug, Clone)]
pub struct LightsailPlan {
    /// Number of instances.
    pub count: u32,
    /// vCPUs per instance.
    pub vcpu: f64,
    /// Plan rates and allowance.
    pub rates: LightsailRates,
    /// Burst capacity, modelled as CPU credits in standard mode.
    pub credits: CreditSpec,
    /// A Lightsail load balancer's monthly price, when there is one.
    pub load_balancer_usd_per_month: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
enum LoadBalancer {
    #[default]
    None,
    Alb,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Ec2OptionSpec {
    instance_type: String,
    #[serde(default)]
    count: Option<u32>,
    #[serde(default)]
    autoscaling: Option<AutoscalingSpec>,
    #[serde(default = "linux")]
    os: OperatingSystem,
    #[serde(default)]
    load_balancer: LoadBalancer,
    #[serde(default = "default_root_volume_gb")]
    root_volume_gb: f64,
    #[serde(default = "yes")]
    public_ipv4: bool,
    #[serde(default)]
    credit_mode: Option<CreditModeKey>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BeanstalkOptionSpec {
    instance_type: String,
    #[serde(default = "one_u32")]
    min_instances: u32,
    #[serde(default = "four")]
    max_instances: u32,
    #[serde(default = "default_beanstalk_cooldown_s")]
    cooldown_s: f64,
    #[serde(default = "default_launch_delay_s")]
    launch_delay_s: f64,
    #[serde(default)]
    trigger: TriggerSpec,
    #[serde(default)]
    deployments: Option<DeploymentSpec>,
    #[serde(default = "alb")]
    load_balancer: LoadBalancer,
    #[serde(default = "default_root_volume_gb")]
    root_volume_gb: f64,
    #[serde(default = "yes")]
    public_ipv4: bool,
    #[serde(default)]
    credit_mode: Option<CreditModeKey>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LambdaOptionSpec {
    memory_mb: u32,
    #[serde(default)]
    architecture: Architecture,
    #[serde(default)]
    duration_ms: Option<f64>,
    #[serde(default = "yes")]
    free_tier: bool,
    #[serde(default)]
    api_gateway: Option<ApiType>,
    #[serde(default)]
    api_free_tier: bool,
    #[serde(default = "default_lambda_storage_mb")]
    ephemeral_storage_mb: u32,
    #[serde(default)]
    provisioned_concurrency: f64,
    #[serde(default = "default_concurrency_limit")]
    concurrency_limit: f64,
}

fn default_lambda_storage_mb() -> u32 {
    lambda::INCLUDED_STORAGE_MB
}

/// Lambda's default concurrency quota per Region (LAMBDADG `gettingstarted-limits.md`).
fn default_concurrency_limit() -> f64 {
    1000.0
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FargateOptionSpec {
    vcpu: f64,
    memory_gb: f64,
    #[serde(default)]
    tasks: Option<u32>,
    #[serde(default)]
    autoscaling: Option<AutoscalingSpec>,
    #[serde(default)]
    architecture: Architecture,
    #[serde(default = "default_storage_gb")]
    ephemeral_storage_gb: f64,
    #[serde(default)]
    spot_discount: f64,
    #[serde(default)]
    load_balancer: LoadBalancer,
    #[serde(default)]
    public_ipv4: bool,
    #[serde(default)]
    spot_interruptions_per_task_hour: f64,
    #[serde(default = "default_task_start_seconds")]
    task_start_seconds: f64,
    #[serde(default)]
    orchestrator: Orchestrator,
    #[serde(default)]
    eks_extended_support: bool,
    #[serde(default)]
    ecr_storage_gb: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Orchestrator {
    #[default]
    Ecs,
    Eks,
}

/// Time for a replacement task to pull its image and start serving.
fn default_task_start_seconds() -> f64 {
    60.0
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LightsailOptionSpec {
    plan: String,
    #[serde(default = "one_u32")]
    count: u32,
    #[serde(default)]
    load_balancer: bool,
}

/// Beanstalk's `aws:autoscaling:asg` MaxSize default.
fn four() -> u32 {
    4
}

/// Beanstalk's `aws:autoscaling:asg` Cooldown default, seconds.
fn default_beanstalk_cooldown_s() -> f64 {
    360.0
}

/// Seconds from launch until an EC2 instance serves: boot, application start, health
/// checks. An assumption; set `launch_delay_s` from your own measurements.
fn default_launch_delay_s() -> f64 {
    120.0
}

/// Amazon Linux 2023's default root volume: 8 GB gp3.
fn default_root_volume_gb() -> f64 {
    8.0
}

fn default_storage_gb() -> f64 {
    fargate::INCLUDED_STORAGE_GB
}

fn alb() -> LoadBalancer {
    LoadBalancer::Alb
}

/// Resolves `option[index]`.
pub(crate) fn resolve_option(
    input: &TomlInput<'_>,
    index: usize,
    mut table: toml::Table,
    workload: &Workload,
    catalog: &PriceCatalog,
    timeline: &Timeline,
) -> Result<OptionPlan> {
    let prefix = format!("option[{index}]");
    let name = take_string(input, &mut table, &prefix, "name")?;
    let service = take_string(input, &mut table, &prefix, "service")?;
    let at = |field: &str| format!("{prefix}.{field}");
    let lookup = |field: &str| {
        let path = at(field);
        move |e: Error| input.error_at(&path, e.to_string())
    };
    // An EC2 fleet (plain, autoscaled or Beanstalk's) with what sits beside it.
    let fleet_option =
        |fleet: Fleet<'_>, (load_balancer, public_ipv4, root_volume_gb)| -> Result<OptionModel> {
            let attachments = attachments(catalog, load_balancer, public_ipv4, root_volume_gb)
                .map_err(lookup("service"))?;
            Ok(OptionModel::Ec2Fleet(
                fleet
                    .resolve(catalog, attachments)
                    .map_err(lookup("instance_type"))?,
            ))
        };
    let (service, model) = match service.as_str() {
        "ec2" => {
            let spec: Ec2OptionSpec = input.parse_table(&prefix, table)?;
            non_negative(input, &at("root_volume_gb"), spec.root_volume_gb)?;
            if spec.os != OperatingSystem::Linux {
                ec2_rates(catalog, &spec.instance_type, spec.os).map_err(lookup("os"))?;
            }
            let (group, metric) = match (&spec.autoscaling, spec.count) {
                (Some(_), Some(_)) => {
                    return Err(input.error_at(&at("count"), "an autoscaled group sizes itself; remove `count` and set `autoscaling.min`, `max` and `desired`"));
                }
                (Some(a), None) => resolve_autoscaling(
                    input,
                    &at("autoscaling"),
                    a,
                    Owner::Ec2,
                    default_launch_delay_s(),
                    timeline,
                )?,
                (None, count) => {
                    let count = count.unwrap_or(1);
                    positive_count(input, &at("count"), count)?;
                    (GroupSpec::fixed(count), Metric::Cpu)
                }
            };
            let fleet = Fleet {
                instance_type: &spec.instance_type,
                group,
                metric,
                deployments: None,
                os: spec.os,
                credit_mode: spec.credit_mode,
            };
            let fleet = fleet_option(
                fleet,
                (spec.load_balancer, spec.public_ipv4, spec.root_volume_gb),
            )?;
            ("ec2", fleet)
        }
        "beanstalk" => {
            let spec: BeanstalkOptionSpec = input.parse_table(&prefix, table)?;
            non_negative(input, &at("root_volume_gb"), spec.root_volume_gb)?;
            non_negative(input, &at("cooldown_s"), spec.cooldown_s)?;
            non_negative(input, &at("launch_delay_s"), spec.launch_delay_s)?;
            let (group, metric) = resolve_beanstalk_group(
                input,
                &prefix,
                (
                    spec.min_instances,
                    spec.max_instances,
                    spec.cooldown_s,
                    spec.launch_delay_s,
                ),
                &spec.trigger,
                timeline,
            )?;
            let deployments = spec
                .deployments
                .as_ref()
                .map(|d| resolve_deployments(input, &at("deployments"), d, timeline))
                .transpose()?;
            let fleet = Fleet {
                instance_type: &spec.instance_type,
                group,
                metric,
                deployments,
                os: OperatingSystem::Linux,
                credit_mode: spec.credit_mode,
            };
            let fleet = fleet_option(
                fleet,
                (spec.load_balancer, spec.public_ipv4, spec.root_volume_gb),
            )?;
            ("beanstalk", fleet)
        }
        "lambda" => {
            let spec: LambdaOptionSpec = input.parse_table(&prefix, table)?;
            check_lambda_memory(spec.memory_mb).map_err(|m| input.error_at(&at("memory_mb"), m))?;
            let duration_ms = spec.duration_ms.unwrap_or(workload.duration_ms);
            non_negative(input, &at("duration_ms"), duration_ms)?;
            let api = spec
                .api_gateway
                .map(|t| api_rates(catalog, t).map(|r| (r, spec.api_free_tier)))
                .transpose()
                .map_err(lookup("api_gateway"))?;
            let (min, max) = (lambda::INCLUDED_STORAGE_MB, lambda::MEMORY_MB_RANGE.1);
            if !(min..=max).contains(&spec.ephemeral_storage_mb) {
                return Err(input.error_at(
                    &at("ephemeral_storage_mb"),
                    format!("{} MB is outside {min}–{max} MB", spec.ephemeral_storage_mb),
                ));
            }
            non_negative(
                input,
                &at("provisioned_concurrency"),
                spec.provisioned_concurrency,
            )?;
            if !(spec.concurrency_limit >= 1.0 && spec.concurrency_limit.is_finite()) {
                return Err(input.error_at(&at("concurrency_limit"), "must be at least 1"));
            }
            if spec.provisioned_concurrency > spec.concurrency_limit {
                return Err(input.error_at(
                    &at("provisioned_concurrency"),
                    "cannot exceed `concurrency_limit`",
                ));
            }
            let plan = LambdaPlan {
                config: FunctionConfig {
                    architecture: spec.architecture,
                    memory_mb: spec.memory_mb,
                    duration_ms,
                    storage_mb: spec.ephemeral_storage_mb,
                    provisioned_concurrency: spec.provisioned_concurrency,
                },
                concurrency_limit: spec.concurrency_limit,
                free_tier: spec.free_tier,
                rates: lambda_rates(catalog).map_err(lookup("service"))?,
                api,
                duration_from_workload: spec.duration_ms.is_none(),
                cpu_slowdown: 1.0,
            };
            ("lambda", OptionModel::Lambda(plan))
        }
        "fargate" => {
            let spec: FargateOptionSpec = input.parse_table(&prefix, table)?;
            non_negative(input, &at("task_start_seconds"), spec.task_start_seconds)?;
            let (group, metric) = match (&spec.autoscaling, spec.tasks) {
                (Some(_), Some(_)) => {
                    return Err(input.error_at(&at("tasks"), "an autoscaled service sizes itself; remove `tasks` and set `autoscaling.min`, `max` and `desired`"));
                }
                (Some(a), None) => resolve_autoscaling(
                    input,
                    &at("autoscaling"),
                    a,
                    Owner::Ecs,
                    spec.task_start_seconds,
                    timeline,
                )?,
                (None, tasks) => {
                    let tasks = tasks.unwrap_or(1);
                    positive_count(input, &at("tasks"), tasks)?;
                    (GroupSpec::fixed(tasks), Metric::Cpu)
                }
            };
            let size = TaskSize {
                vcpu: spec.vcpu,
                memory_gb: spec.memory_gb,
                storage_gb: spec.ephemeral_storage_gb,
            };
            fargate::check_size(&size).map_err(|(field, m)| input.error_at(&at(field), m))?;
            if !(0.0..1.0).contains(&spec.spot_discount) {
                return Err(input.error_at(
                    &at("spot_discount"),
                    format!(
                        "{} is outside 0..1 (a fraction off the price)",
                        spec.spot_discount
                    ),
                ));
            }
            non_negative(
                input,
                &at("spot_interruptions_per_task_hour"),
                spec.spot_interruptions_per_task_hour,
            )?;
            non_negative(input, &at("task_start_seconds"), spec.task_start_seconds)?;
            if spec.spot_interruptions_per_task_hour > 0.0 && spec.spot_discount == 0.0 {
                return Err(input.error_at(
                    &at("spot_interruptions_per_task_hour"),
                    "only Fargate Spot tasks are interrupted; set `spot_discount` too",
                ));
            }
            // Expected share of time a slot waits for its replacement after an interruption.
            let down = spec.spot_interruptions_per_task_hour * spec.task_start_seconds / 3600.0;
            if down >= 1.0 {
                return Err(input.error_at(
                    &at("spot_interruptions_per_task_hour"),
                    "tasks would never be in service",
                ));
            }
            non_negative(input, &at("ecr_storage_gb"), spec.ecr_storage_gb)?;
            let eks = match spec.orchestrator {
                Orchestrator::Ecs => None,
                Orchestrator::Eks => Some((
                    crate::quote::eks_rates(catalog).map_err(lookup("orchestrator"))?,
                    spec.eks_extended_support,
                )),
            };
            let ecr = if spec.ecr_storage_gb > 0.0 {
                Some((
                    spec.ecr_storage_gb,
                    catalog
                        .rate(Service::Ecr, "TimedStorage-ByteHrs")
                        .map_err(lookup("ecr_storage_gb"))?,
                ))
            } else {
                None
            };
            let plan = FargatePlan {
                size,
                group,
                metric,
                architecture: spec.architecture,
                spot_discount: spec.spot_discount,
                rates: fargate_rates(catalog, spec.architecture).map_err(lookup("architecture"))?,
                attachments: attachments(catalog, spec.load_balancer, spec.public_ipv4, 0.0)
                    .map_err(lookup("service"))?,
                in_service_fraction: 1.0 - down,
                task_start_seconds: spec.task_start_seconds,
                eks,
                ecr,
            };
            ("fargate", OptionModel::Fargate(plan))
        }
        "lightsail" => {
            let spec: LightsailOptionSpec = input.parse_table(&prefix, table)?;
            positive_count(input, &at("count"), spec.count)?;
            let (rates, credits) = lightsail_rates(catalog, &spec.plan).map_err(lookup("plan"))?;
            let load_balancer_usd_per_month = if spec.load_balancer {
                Some(
                    catalog
                        .rate(Service::Lightsail, "LoadBalancer")
                        .map_err(lookup("load_balancer"))?,
                )
            } else {
                None
            };
            (
                "lightsail",
                OptionModel::Lightsail(LightsailPlan {
                    count: spec.count,
                    vcpu: credits.vcpu,
                    rates,
                    credits,
                    load_balancer_usd_per_month,
                }),
            )
        }
        other => {
            return Err(input.error_at(
                &at("service"),
                format!(
                    "unknown service `{other}`; scenarios accept: {}",
                    OPTION_SERVICES.join(", ")
                ),
            ));
        }
    };
    Ok(OptionPlan {
        name,
        service,
        model,
    })
}

fn positive_count(input: &TomlInput<'_>, path: &str, count: u32) -> Result<()> {
    if count == 0 {
        Err(input.error_at(path, "must be at least 1"))
    } else {
        Ok(())
    }
}

struct Fleet<'a> {
    instance_type: &'a str,
    group: GroupSpec,
    metric: Metric,
    deployments: Option<DeploymentPlan>,
    os: OperatingSystem,
    credit_mode: Option<CreditModeKey>,
}

impl Fleet<'_> {
    fn resolve(&self, catalog: &PriceCatalog, attachments: Attachments) -> Result<Ec2FleetPlan> {
        let vcpu = catalog.ec2_type(self.instance_type)?.vcpu;
        Ok(Ec2FleetPlan {
            instance_type: self.instance_type.to_string(),
            group: self.group.clone(),
            metric: self.metric,
            deployments: self.deployments,
            vcpu: f64::from(vcpu),
            rates: ec2_rates(catalog, self.instance_type, self.os)?,
            credits: credit_model(catalog, self.instance_type, self.credit_mode, self.os)?,
            attachments,
        })
    }
}

fn attachments(
    catalog: &PriceCatalog,
    load_balancer: LoadBalancer,
    public_ipv4: bool,
    root_volume_gb: f64,
) -> Result<Attachments> {
    Ok(Attachments {
        alb: match load_balancer {
            LoadBalancer::None => None,
            LoadBalancer::Alb => Some(alb_rates(catalog)?),
        },
        public_ipv4_per_unit: if public_ipv4 { 1.0 } else { 0.0 },
        ipv4_usd_per_hour: ipv4_rate(catalog)?,
        root_volume: (root_volume_gb > 0.0).then(|| Volume::gp3(root_volume_gb)),
        ebs: ebs_rates(catalog)?,
    })
}

/// API Gateway rates of one API type.
///
/// # Errors
/// [`Error::Lookup`] when the catalog lacks them.
pub fn api_rates(catalog: &PriceCatalog, api_type: ApiType) -> Result<ApiRates> {
    let (key, allowance) = match api_type {
        ApiType::Http => ("ApiGatewayHttpRequest", "http_requests"),
        ApiType::Rest => ("ApiGatewayRequest", "rest_requests"),
    };
    Ok(ApiRates {
        api_type,
        tiers: catalog.tiers(Service::ApiGateway, key)?,
        free_requests: catalog.free_tier(Service::ApiGateway, allowance)?,
    })
}

/// Fargate rates of one architecture.
///
/// # Errors
/// [`Error::Lookup`] when the catalog lacks them.
pub fn fargate_rates(catalog: &PriceCatalog, architecture: Architecture) -> Result<FargateRates> {
    let (cpu, memory) = match architecture {
        Architecture::X86_64 => ("Fargate-vCPU-Hours:perCPU", "Fargate-GB-Hours"),
        Architecture::Arm64 => ("Fargate-ARM-vCPU-Hours:perCPU", "Fargate-ARM-GB-Hours"),
    };
    Ok(FargateRates {
        usd_per_vcpu_hour: catalog.rate(Service::Fargate, cpu)?,
        usd_per_gb_hour: catalog.rate(Service::Fargate, memory)?,
        usd_per_storage_gb_hour: catalog
            .rate(Service::Fargate, "Fargate-EphemeralStorage-GB-Hours")?,
    })
}

/// The Price List usage type of a Linux/Unix plan's hours: `BundleUsage:0.5GB` for a plan
/// with 0.5 GB of memory, `BundleUsage:16GB` for 16.
fn bundle_usage_key(memory_gb: f64) -> String {
    format!("BundleUsage:{memory_gb}GB")
}

/// A Lightsail plan by bundle id (`small_3_0`) or monthly price (`"12"`), with its burst
/// capacity as a credit model.
///
/// # Errors
/// [`Error::Lookup`] listing the plans when none matches.
pub fn lightsail_rates(catalog: &PriceCatalog, plan: &str) -> Result<(LightsailRates, CreditSpec)> {
    let price_of = |bundle: &str| catalog.price(Service::Lightsail, &format!("Instance:{bundle}"));
    let found = catalog.lightsail_plans().iter().find(|p| {
        p.bundle_id == plan
            || price_of(&p.bundle_id).is_ok_and(|price| {
                plan.parse::<rust_decimal::Decimal>()
                    .is_ok_and(|d| d == price.usd)
            })
    });
    let Some(found) = found else {
        let names: Vec<String> = catalog
            .lightsail_plans()
            .iter()
            .map(|p| {
                price_of(&p.bundle_id).map_or(p.bundle_id.clone(), |price| {
                    format!("{} (${})", p.bundle_id, price.usd)
                })
            })
            .collect();
        return Err(Error::Lookup(format!(
            "no Lightsail plan `{plan}`; plans: {}",
            names.join(", ")
        )));
    };
    let rates = LightsailRates {
        bundle_id: found.bundle_id.clone(),
        usd_per_month: price_of(&found.bundle_id)?.usd_f64(),
        usd_per_hour: catalog
            .optional_rate(Service::Lightsail, &bundle_usage_key(found.memory_gb))?,
        transfer_gb: found.transfer_gb,
        usd_per_overage_gb: catalog.rate(Service::Lightsail, "DataTransfer-Out-Bytes")?,
    };
    // Burst capacity works like CPU credits in standard mode: the plan earns its
    // baseline and banks up to 24 hours of it (none for plans that do not accrue).
    let vcpu = f64::from(found.vcpu);
    let earned_per_hour = found.baseline * vcpu * 60.0;
    let credits = CreditSpec {
        vcpu,
        earned_per_hour,
        max_balance: if found.accrues_burst {
            24.0 * earned_per_hour
        } else {
            0.0
        },
        launch_credits: 0.0,
        mode: crate::catalog::CreditMode::Standard,
    };
    Ok((rates, credits))
}
