//! `quote`: the point estimate of a usage file, priced like an invoice.
//!
//! A quote is the billing models run once over a constant monthly usage profile; it
//! calls the same functions as the simulation and knows no rule of its own.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::billing::apigw::{self, ApiType};
use crate::billing::burst::{CreditSpec, CreditState};
use crate::billing::ebs::{self, Volume, VolumeType};
use crate::billing::ec2::{self, OperatingSystem};
use crate::billing::elb::{self, AlbTraffic, OtherLbRates};
use crate::billing::fargate::{self, TaskSize};
use crate::billing::lambda::{self, Architecture, FunctionConfig};
use crate::billing::{self, LineItem, containers, lightsail};
use crate::catalog::CreditMode;
use crate::catalog::{CatalogInfo, PriceCatalog, Service};
use crate::error::{Error, Result};
use crate::scenario::input::TomlInput;
use crate::scenario::options::{api_rates, fargate_rates, lightsail_rates};
use crate::scenario::resolve::{
    CreditModeKey, alb_rates, check_lambda_memory, credit_model, ebs_rates, ec2_rates, ipv4_rate,
    lambda_rates, linux, one_u32, take_string, yes,
};

/// The quote schema version (the JSON contract).
pub const SCHEMA_VERSION: u32 = 1;

/// The services a usage file may name.
pub const SERVICES: [&str; 14] = [
    "ec2",
    "ebs_snapshot",
    "public_ipv4",
    "lightsail",
    "lightsail_database",
    "lightsail_load_balancer",
    "fargate",
    "lambda",
    "apigateway",
    "alb",
    "nlb",
    "clb",
    "eks",
    "ecr",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UsageSpec {
    #[serde(default = "crate::scenario::default_region")]
    region: String,
    #[serde(default = "default_hours")]
    hours_per_month: f64,
    #[serde(rename = "resource", default)]
    resources: Vec<toml::Table>,
}

/// The AWS Pricing Calculator's month: 365 × 24 / 12 hours.
fn default_hours() -> f64 {
    730.0
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Ec2Usage {
    instance_type: String,
    #[serde(default = "one_u32")]
    count: u32,
    #[serde(default)]
    hours: Option<f64>,
    #[serde(default = "linux")]
    os: OperatingSystem,
    #[serde(default)]
    public_ipv4: f64,
    #[serde(default)]
    ebs: Vec<EbsUsage>,
    #[serde(default)]
    credit_mode: Option<CreditModeKey>,
    #[serde(default)]
    average_cpu_percent: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EbsUsage {
    #[serde(rename = "type", default)]
    volume_type: VolumeType,
    size_gb: f64,
    #[serde(default)]
    iops: Option<f64>,
    #[serde(default)]
    throughput_mbps: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LambdaUsage {
    memory_mb: u32,
    #[serde(default)]
    architecture: Architecture,
    requests: f64,
    duration_ms: f64,
    #[serde(default = "yes")]
    free_tier: bool,
    #[serde(default = "default_storage_mb")]
    ephemeral_storage_mb: u32,
    #[serde(default)]
    provisioned_concurrency: f64,
    #[serde(default)]
    provisioned_hours: Option<f64>,
}

fn default_storage_mb() -> u32 {
    lambda::INCLUDED_STORAGE_MB
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FargateUsage {
    vcpu: f64,
    memory_gb: f64,
    #[serde(default = "one_u32")]
    tasks: u32,
    #[serde(default)]
    hours: Option<f64>,
    #[serde(default)]
    architecture: Architecture,
    #[serde(default = "default_fargate_storage")]
    ephemeral_storage_gb: f64,
    #[serde(default)]
    spot_discount: f64,
}

fn default_fargate_storage() -> f64 {
    fargate::INCLUDED_STORAGE_GB
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiUsage {
    #[serde(default)]
    api_type: ApiType,
    requests: f64,
    #[serde(default)]
    free_tier: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LoadBalancerUsage {
    #[serde(default)]
    hours: Option<f64>,
    #[serde(default)]
    new_connections_per_second: f64,
    #[serde(default)]
    active_connections_per_minute: f64,
    #[serde(default)]
    processed_gb_per_hour: f64,
    #[serde(default)]
    rule_evaluations_per_second: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClbUsage {
    #[serde(default)]
    hours: Option<f64>,
    #[serde(default)]
    processed_gb: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LightsailUsage {
    plan: String,
    #[serde(default = "one_u32")]
    count: u32,
    #[serde(default)]
    hours: Option<f64>,
    #[serde(default)]
    data_transfer_out_gb: f64,
    #[serde(default)]
    data_transfer_in_gb: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LightsailDatabaseUsage {
    plan: String,
    #[serde(default)]
    ha: bool,
    #[serde(default = "one_u32")]
    count: u32,
    #[serde(default)]
    hours: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CountUsage {
    #[serde(default = "one_u32")]
    count: u32,
    #[serde(default)]
    hours: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SnapshotUsage {
    size_gb: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Ipv4Usage {
    addresses: f64,
    #[serde(default)]
    hours: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EksUsage {
    #[serde(default = "one_f64")]
    clusters: f64,
    #[serde(default)]
    extended_support: bool,
    #[serde(default)]
    hours: Option<f64>,
}

fn one_f64() -> f64 {
    1.0
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EcrUsage {
    storage_gb: f64,
}

/// A priced usage file.
#[derive(Debug, Clone, Serialize)]
pub struct Quote {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Region priced.
    pub region: String,
    /// Hours in the quoted month.
    pub hours_per_month: f64,
    /// Where the prices came from.
    pub catalog: CatalogInfo,
    /// One entry per resource, in file order.
    pub resources: Vec<QuotedResource>,
    /// Sum of every resource's monthly cost.
    pub total_monthly_usd: f64,
}

/// One resource of a quote.
#[derive(Debug, Clone, Serialize)]
pub struct QuotedResource {
    /// Its name.
    pub name: String,
    /// Its service.
    pub service: String,
    /// Monthly cost.
    pub monthly_usd: f64,
    /// The invoice lines.
    pub line_items: Vec<LineItem>,
    /// Amounts owed but not charged this month: surplus CPU credits still open at the
    /// month's end, charged only if the instance stops before earnings pay them down.
    pub liabilities: Vec<LineItem>,
}

/// The region a usage file names (to pick the catalog first).
///
/// # Errors
/// [`Error::Input`] for a syntax error or a non-string region.
pub fn usage_region(file: &Path, text: &str) -> Result<String> {
    let input = TomlInput::new(file, text);
    let table: toml::Table = input.parse()?;
    match table.get("region") {
        None => Ok(crate::scenario::default_region()),
        Some(toml::Value::String(r)) => Ok(r.clone()),
        Some(other) => Err(input.error_at(
            "region",
            format!("expected a string, found {}", other.type_str()),
        )),
    }
}

/// Reads one resource: its input, path prefix, month length and the catalog.
struct Resource<'a> {
    input: &'a TomlInput<'a>,
    prefix: String,
    hours_per_month: f64,
    catalog: &'a PriceCatalog,
}

impl Resource<'_> {
    fn at(&self, field: &str) -> String {
        format!("{}.{field}", self.prefix)
    }

    fn error(&self, field: &str, message: impl Into<String>) -> Error {
        self.input.error_at(&self.at(field), message)
    }

    /// Wraps a catalog look-up error so it points at `field`.
    fn lookup<T>(&self, field: &str, result: Result<T>) -> Result<T> {
        result.map_err(|e| self.error(field, e.to_string()))
    }

    fn parse<T: serde::de::DeserializeOwned>(&self, table: toml::Table) -> Result<T> {
        self.input.parse_table(&self.prefix, table)
    }

    /// `hours`, defaulting to the whole month, checked to lie within it.
    fn hours(&self, hours: Option<f64>) -> Result<f64> {
        let hours = hours.unwrap_or(self.hours_per_month);
        if (0.0..=self.hours_per_month).contains(&hours) {
            Ok(hours)
        } else {
            Err(self.error(
                "hours",
                format!(
                    "{hours} is outside 0..={} (hours_per_month)",
                    self.hours_per_month
                ),
            ))
        }
    }

    fn non_negative(&self, field: &str, value: f64) -> Result<f64> {
        if value.is_finite() && value >= 0.0 {
            Ok(value)
        } else {
            Err(self.error(field, format!("{value} must be >= 0")))
        }
    }
}

/// Prices the usage file `text` (read from `file`) against `catalog`.
///
/// # Errors
/// [`Error::Input`] naming file, line and field for anything invalid.
pub fn quote(file: &Path, text: &str, catalog: &PriceCatalog) -> Result<Quote> {
    let input = TomlInput::new(file, text);
    let spec: UsageSpec = input.parse()?;
    if spec.region != catalog.region() {
        return Err(input.error_at(
            "region",
            format!("the catalog loaded is for {}", catalog.region()),
        ));
    }
    if !(spec.hours_per_month > 0.0 && spec.hours_per_month <= 744.0) {
        return Err(input.error_at(
            "hours_per_month",
            format!("{} is outside (0, 744]", spec.hours_per_month),
        ));
    }
    if spec.resources.is_empty() {
        return Err(input.error_at(".", "add at least one [[resource]]"));
    }
    let mut resources: Vec<QuotedResource> = Vec::new();
    // Lambda functions are priced together: tiers and the free tier are account-wide.
    let mut functions: Vec<(usize, lambda::FunctionMonth, bool)> = Vec::new();
    for (i, mut table) in spec.resources.into_iter().enumerate() {
        let r = Resource {
            input: &input,
            prefix: format!("resource[{i}]"),
            hours_per_month: spec.hours_per_month,
            catalog,
        };
        let name = take_string(&input, &mut table, &r.prefix, "name")?;
        if resources.iter().any(|q| q.name == name) {
            return Err(r.error(
                "name",
                format!("`{name}` is used by another resource; names must be unique"),
            ));
        }
        let service = take_string(&input, &mut table, &r.prefix, "service")?;
        let mut liabilities = Vec::new();
        let line_items = if service == "lambda" {
            let (month, free_tier) = lambda_usage(&r, table)?;
            functions.push((resources.len(), month, free_tier));
            Vec::new()
        } else if service == "ec2" {
            ec2_lines(&r, table, &mut liabilities)?
        } else {
            resource_lines(&r, &service, table)?
        };
        resources.push(QuotedResource {
            name,
            service,
            monthly_usd: 0.0,
            line_items,
            liabilities,
        });
    }
    price_functions(&input, catalog, &functions, &mut resources)?;
    for r in &mut resources {
        r.monthly_usd = billing::total_usd(&r.line_items);
    }
    let total_monthly_usd = resources.iter().map(|r| r.monthly_usd).sum();
    Ok(Quote {
        schema_version: SCHEMA_VERSION,
        region: catalog.region().to_string(),
        hours_per_month: spec.hours_per_month,
        catalog: catalog.info().clone(),
        resources,
        total_monthly_usd,
    })
}

fn price_functions(
    input: &TomlInput<'_>,
    catalog: &PriceCatalog,
    functions: &[(usize, lambda::FunctionMonth, bool)],
    resources: &mut [QuotedResource],
) -> Result<()> {
    let Some(&(first, _, free_tier)) = functions.first() else {
        return Ok(());
    };
    if let Some(&(i, _, _)) = functions.iter().find(|f| f.2 != free_tier) {
        return Err(input.error_at(
            &format!("resource[{i}].free_tier"),
            format!("the Lambda free tier is account-wide; resource[{first}] sets free_tier = {free_tier}, set the same on every lambda resource"),
        ));
    }
    let rates = lambda_rates(catalog)?;
    let months: Vec<_> = functions.iter().map(|f| f.1).collect();
    for ((index, _, _), items) in functions
        .iter()
        .zip(lambda::bill_month(&months, &rates, free_tier))
    {
        resources[*index].line_items = items;
    }
    Ok(())
}

fn lambda_usage(r: &Resource<'_>, table: toml::Table) -> Result<(lambda::FunctionMonth, bool)> {
    let usage: LambdaUsage = r.parse(table)?;
    check_lambda_memory(usage.memory_mb).map_err(|m| r.error("memory_mb", m))?;
    let (min, max) = (lambda::INCLUDED_STORAGE_MB, lambda::MEMORY_MB_RANGE.1);
    if !(min..=max).contains(&usage.ephemeral_storage_mb) {
        return Err(r.error(
            "ephemeral_storage_mb",
            format!(
                "{} MB is outside {min}–{max} MB",
                usage.ephemeral_storage_mb
            ),
        ));
    }
    let requests = r.non_negative("requests", usage.requests)?;
    let duration_ms = r.non_negative("duration_ms", usage.duration_ms)?;
    let concurrency = r.non_negative("provisioned_concurrency", usage.provisioned_concurrency)?;
    let provisioned_hours = if concurrency > 0.0 {
        r.hours(usage.provisioned_hours)?
    } else {
        0.0
    };
    let config = FunctionConfig {
        architecture: usage.architecture,
        memory_mb: usage.memory_mb,
        duration_ms,
        storage_mb: usage.ephemeral_storage_mb,
        provisioned_concurrency: concurrency,
    };
    // Requests arrive evenly over the month; while provisioned concurrency is enabled it
    // serves up to its concurrency and the rest spills over to on-demand.
    let mean_rps = requests / (r.hours_per_month * 3600.0);
    let on_provisioned =
        requests * config.provisioned_share(mean_rps) * provisioned_hours / r.hours_per_month;
    let month = config.month(
        requests - on_provisioned,
        on_provisioned,
        lambda::provisioned_billed_seconds(provisioned_hours * 3600.0),
    );
    Ok((month, usage.free_tier))
}

fn resource_lines(r: &Resource<'_>, service: &str, table: toml::Table) -> Result<Vec<LineItem>> {
    let catalog = r.catalog;
    match service {
        "ebs_snapshot" => {
            let u: SnapshotUsage = r.parse(table)?;
            let rate = r.lookup("service", catalog.rate(Service::Ec2, "EBS:SnapshotUsage"))?;
            Ok(vec![ebs::snapshot_line(r.non_negative("size_gb", u.size_gb)?, rate)])
        }
        "public_ipv4" => {
            let u: Ipv4Usage = r.parse(table)?;
            let hours = r.hours(u.hours)?;
            let rate = r.lookup("service", ipv4_rate(catalog))?;
            Ok(vec![ebs::public_ipv4_line(r.non_negative("addresses", u.addresses)? * hours, rate)])
        }
        "lightsail" => {
            let u: LightsailUsage = r.parse(table)?;
            let hours = r.hours(u.hours)?;
            let (rates, _) = r.lookup("plan", lightsail_rates(catalog, &u.plan))?;
            let count = f64::from(u.count);
            let out_gb = r.non_negative("data_transfer_out_gb", u.data_transfer_out_gb)?;
            let in_gb = r.non_negative("data_transfer_in_gb", u.data_transfer_in_gb)?;
            Ok(vec![lightsail::plan_line(count, hours, r.hours_per_month, &rates), lightsail::overage_line(count, out_gb, in_gb, &rates)])
        }
        "lightsail_database" => {
            let u: LightsailDatabaseUsage = r.parse(table)?;
            let hours = r.hours(u.hours)?;
            let key = format!("Database:{}_{}", u.plan, if u.ha { "ha" } else { "standard" });
            let price = r.lookup("plan", catalog.rate(Service::Lightsail, &key))?;
            Ok(vec![lightsail::database_line(&u.plan, u.ha, f64::from(u.count), hours, r.hours_per_month, price)])
        }
        "lightsail_load_balancer" => {
            let u: CountUsage = r.parse(table)?;
            let hours = r.hours(u.hours)?;
            let price = r.lookup("service", catalog.rate(Service::Lightsail, "LoadBalancer"))?;
            Ok(vec![lightsail::load_balancer_line(f64::from(u.count), hours, r.hours_per_month, price)])
        }
        "fargate" => fargate_lines(r, table),
        "apigateway" => {
            let u: ApiUsage = r.parse(table)?;
            let rates = r.lookup("api_type", api_rates(catalog, u.api_type))?;
            Ok(apigw::request_lines(r.non_negative("requests", u.requests)?, &rates, u.free_tier))
        }
        "alb" | "nlb" => {
            let u: LoadBalancerUsage = r.parse(table)?;
            let hours = r.hours(u.hours)?;
            let traffic = AlbTraffic {
                new_connections_per_second: r.non_negative("new_connections_per_second", u.new_connections_per_second)?,
                active_connections: r.non_negative("active_connections_per_minute", u.active_connections_per_minute)?,
                processed_gb_per_hour: r.non_negative("processed_gb_per_hour", u.processed_gb_per_hour)?,
                billable_rule_evaluations_per_second: r.non_negative("rule_evaluations_per_second", u.rule_evaluations_per_second)?,
            };
            if service == "alb" {
                let rates = r.lookup("service", alb_rates(catalog))?;
                Ok(elb::alb_lines(hours, elb::lcus(&traffic) * hours, rates))
            } else {
                let rates = OtherLbRates {
                    usd_per_hour: r.lookup("service", catalog.rate(Service::Elb, "LoadBalancerUsage:network"))?,
                    usd_per_unit: r.lookup("service", catalog.rate(Service::Elb, "LCUUsage:network"))?,
                };
                Ok(elb::nlb_lines(hours, elb::nlcus(&traffic) * hours, rates))
            }
        }
        "clb" => {
            let u: ClbUsage = r.parse(table)?;
            let hours = r.hours(u.hours)?;
            let rates = OtherLbRates {
                usd_per_hour: r.lookup("service", catalog.rate(Service::Elb, "LoadBalancerUsage:classic"))?,
                usd_per_unit: r.lookup("service", catalog.rate(Service::Elb, "DataProcessing-Bytes:classic"))?,
            };
            Ok(elb::clb_lines(hours, r.non_negative("processed_gb", u.processed_gb)?, rates))
        }
        "eks" => {
            let u: EksUsage = r.parse(table)?;
            let hours = r.hours(u.hours)?;
            let rates = r.lookup("service", eks_rates(catalog))?;
            Ok(vec![containers::eks_line(r.non_negative("clusters", u.clusters)?, hours, u.extended_support, rates)])
        }
        "ecr" => {
            let u: EcrUsage = r.parse(table)?;
            let rate = r.lookup("service", catalog.rate(Service::Ecr, "TimedStorage-ByteHrs"))?;
            Ok(vec![containers::ecr_line(r.non_negative("storage_gb", u.storage_gb)?, rate)])
        }
        "beanstalk" => Err(r.error(
            "service",
            "Elastic Beanstalk has no charge of its own; quote what it creates (ec2 with ebs and public_ipv4, alb), or compare a `beanstalk` option in a scenario",
        )),
        other => Err(r.error("service", format!("unknown service `{other}`; usage files accept: {}", SERVICES.join(", ")))),
    }
}

fn ec2_lines(
    r: &Resource<'_>,
    table: toml::Table,
    liabilities: &mut Vec<LineItem>,
) -> Result<Vec<LineItem>> {
    let usage: Ec2Usage = r.parse(table)?;
    let hours = r.hours(usage.hours)?;
    let rates = r.lookup(
        if usage.os == OperatingSystem::Linux {
            "instance_type"
        } else {
            "os"
        },
        ec2_rates(r.catalog, &usage.instance_type, usage.os),
    )?;
    let count = f64::from(usage.count);
    // Each instance starts once in the month and runs `hours`.
    let billed = count * rates.os.billed_per_run()(hours * 3600.0);
    let mut lines = vec![ec2::instance_line(&usage.instance_type, billed, rates)];
    let cpu = usage.average_cpu_percent;
    if !(0.0..=100.0).contains(&cpu) {
        return Err(r.error("average_cpu_percent", format!("{cpu} is outside 0..=100")));
    }
    let credits = credit_model(r.catalog, &usage.instance_type, usage.credit_mode, usage.os)
        .map_err(|e| r.error("credit_mode", e.to_string()))?;
    if let Some((spec, usd_per_vcpu_hour)) = credits
        && spec.mode == CreditMode::Unlimited
    {
        let (charged, open) =
            surplus_over_month(&spec, cpu / 100.0, hours, hours < r.hours_per_month);
        if charged > 0.0 {
            lines.push(LineItem::priced(
                format!("CPU credits (unlimited surplus, {})", rates.os.label()),
                count * charged / 60.0,
                "vCPU-hours",
                usd_per_vcpu_hour,
            ));
        }
        if open > 0.0 {
            liabilities.push(LineItem::priced(
                "Surplus CPU credits outstanding at the month's end (charged if stopped)",
                count * open / 60.0,
                "vCPU-hours",
                usd_per_vcpu_hour,
            ));
        }
    }
    if !usage.ebs.is_empty() {
        let ebs_rates = r.lookup("ebs", ebs_rates(r.catalog))?;
        for (j, v) in usage.ebs.iter().enumerate() {
            let field = format!("ebs[{j}]");
            let volume = Volume {
                volume_type: v.volume_type,
                size_gb: r.non_negative(&format!("{field}.size_gb"), v.size_gb)?,
                iops: v.iops.unwrap_or(ebs::GP3_FREE_IOPS),
                throughput_mbps: v.throughput_mbps.unwrap_or(ebs::GP3_FREE_THROUGHPUT_MBPS),
            };
            if v.volume_type == VolumeType::Gp2 && (v.iops.is_some() || v.throughput_mbps.is_some())
            {
                return Err(r.error(
                    &field,
                    "gp2 performance is set by its size; remove `iops` and `throughput_mbps`",
                ));
            }
            // Volumes exist all month, whether or not the instance runs.
            lines.extend(ebs::volume_lines(&volume, count, 1.0, &ebs_rates));
        }
    }
    let addresses = r.non_negative("public_ipv4", usage.public_ipv4)?;
    if addresses > 0.0 {
        let rate = r.lookup("public_ipv4", ipv4_rate(r.catalog))?;
        lines.push(ebs::public_ipv4_line(count * addresses * hours, rate));
    }
    Ok(lines)
}

fn fargate_lines(r: &Resource<'_>, table: toml::Table) -> Result<Vec<LineItem>> {
    let u: FargateUsage = r.parse(table)?;
    let hours = r.hours(u.hours)?;
    let size = TaskSize {
        vcpu: u.vcpu,
        memory_gb: u.memory_gb,
        storage_gb: u.ephemeral_storage_gb,
    };
    fargate::check_size(&size).map_err(|(field, m)| r.error(field, m))?;
    if !(0.0..1.0).contains(&u.spot_discount) {
        return Err(r.error(
            "spot_discount",
            format!(
                "{} is outside 0..1 (a fraction off the price)",
                u.spot_discount
            ),
        ));
    }
    let rates = r.lookup("architecture", fargate_rates(r.catalog, u.architecture))?;
    // Each task starts once and runs `hours`.
    let seconds = f64::from(u.tasks) * fargate::billed_seconds_per_task(hours * 3600.0);
    Ok(fargate::task_lines(
        seconds,
        &size,
        u.architecture,
        &rates,
        u.spot_discount,
    ))
}

/// Surplus credits of one instance started at the month's start and run `hours` at
/// `cpu` (a fraction of its vCPUs): (charged in the month, still open at its end). An
/// instance that stops within the month has its whole surplus charged then.
fn surplus_over_month(spec: &CreditSpec, cpu: f64, hours: f64, stops: bool) -> (f64, f64) {
    let mut state = CreditState::launched(spec);
    let mut charged = 0.0;
    let mut left = hours;
    while left > 0.0 {
        let step_hours = left.min(1.0);
        state.step(spec, step_hours * 3600.0, cpu * spec.vcpu);
        charged += state.charge_hourly_excess(spec);
        left -= step_hours;
    }
    if stops {
        charged += state.stop();
    }
    (charged, state.surplus)
}

/// EKS cluster rates.
///
/// # Errors
/// [`Error::Lookup`] when the catalog lacks them.
pub fn eks_rates(catalog: &PriceCatalog) -> Result<containers::EksRates> {
    Ok(containers::EksRates {
        standard_usd_per_hour: catalog.rate(Service::Eks, "AmazonEKS-Hours:perCluster")?,
        extended_usd_per_hour: catalog.rate(Service::Eks, "AmazonEKS-Hours:extendedSupport")?,
    })
}

/// A usage file read from disk.
///
/// # Errors
/// [`Error::Io`] when it cannot be read.
pub fn read_usage(path: &Path) -> Result<(PathBuf, String)> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("cannot read usage file `{}`", path.display()), e))?;
    Ok((path.to_path_buf(), text))
}
