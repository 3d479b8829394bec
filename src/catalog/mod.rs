//! The pricing catalog: AWS prices and instance tables for one region.
//!
//! Prices are kept exactly as published ([`Decimal`]) with their unit, effective date,
//! source and confidence. Models never read this module's tables in a hot loop: a
//! scenario is resolved against the catalog once, converting each rate to `f64` once.
//!
//! This module only looks things up; it knows no billing rule. Loading and validation of
//! the CSV files live in [`load`].

pub mod diff;
mod embedded;
pub(crate) mod load;
pub mod update;
mod write;

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::money;

pub use load::{CatalogSource, regions};

/// The AWS services the catalog prices, named as in the `service` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Service {
    /// Amazon EC2 (instances, EBS, public IPv4, CPU credits).
    Ec2,
    /// Amazon Lightsail.
    Lightsail,
    /// AWS Fargate (for ECS and EKS).
    Fargate,
    /// AWS Lambda.
    Lambda,
    /// Amazon API Gateway.
    ApiGateway,
    /// Elastic Load Balancing (ALB, NLB, CLB).
    Elb,
    /// Amazon EKS control plane.
    Eks,
    /// Amazon ECR.
    Ecr,
}

impl Service {
    /// Every service, in catalog file order.
    pub const ALL: [Service; 8] = [
        Service::Ec2,
        Service::Lightsail,
        Service::Fargate,
        Service::Lambda,
        Service::ApiGateway,
        Service::Elb,
        Service::Eks,
        Service::Ecr,
    ];

    /// The name used in catalog files and on the command line.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Service::Ec2 => "ec2",
            Service::Lightsail => "lightsail",
            Service::Fargate => "fargate",
            Service::Lambda => "lambda",
            Service::ApiGateway => "apigateway",
            Service::Elb => "elb",
            Service::Eks => "eks",
            Service::Ecr => "ecr",
        }
    }

    /// Parses a catalog service name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The unit a price is quoted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceUnit {
    /// Per instance- or resource-hour.
    Hour,
    /// Per vCPU-hour.
    VcpuHour,
    /// Per GB-hour (memory or storage).
    GbHour,
    /// Per GB-second (Lambda duration).
    GbSecond,
    /// Per GB-month of storage.
    GbMonth,
    /// Per provisioned IOPS-month.
    IopsMonth,
    /// Per provisioned MB/s-month.
    MbpsMonth,
    /// Per request.
    Request,
    /// Per GB transferred or processed.
    Gb,
    /// Per load-balancer capacity unit-hour.
    LcuHour,
    /// Per IP address-hour.
    IpHour,
    /// Per cluster-hour.
    ClusterHour,
    /// Per month (flat plans).
    Month,
}

impl PriceUnit {
    const NAMES: [(&'static str, PriceUnit); 13] = [
        ("hour", PriceUnit::Hour),
        ("vCPU-hour", PriceUnit::VcpuHour),
        ("GB-hour", PriceUnit::GbHour),
        ("GB-second", PriceUnit::GbSecond),
        ("GB-month", PriceUnit::GbMonth),
        ("IOPS-month", PriceUnit::IopsMonth),
        ("MBps-month", PriceUnit::MbpsMonth),
        ("request", PriceUnit::Request),
        ("GB", PriceUnit::Gb),
        ("LCU-hour", PriceUnit::LcuHour),
        ("IP-hour", PriceUnit::IpHour),
        ("cluster-hour", PriceUnit::ClusterHour),
        ("month", PriceUnit::Month),
    ];

    /// The unit's name in catalog files.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, u)| *u == self)
            .map_or("?", |(n, _)| n)
    }

    /// Parses a catalog unit name.
    #[must_use]
    pub fn parse(name: &str) -> Option<PriceUnit> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, u)| *u)
    }

    /// All unit names, for error messages.
    #[must_use]
    pub fn names() -> String {
        Self::NAMES
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for PriceUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much a catalog figure can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confidence {
    /// Read on an AWS-authored page, or transcribed verbatim from one.
    Aws,
    /// Derived from AWS Price List API data.
    PriceList,
    /// Third-party tables only; re-verify before relying on it.
    ThirdParty,
}

impl Confidence {
    /// The name used in catalog files.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Aws => "aws",
            Confidence::PriceList => "price-list",
            Confidence::ThirdParty => "third-party",
        }
    }

    /// Parses a catalog confidence name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Confidence> {
        [
            Confidence::Aws,
            Confidence::PriceList,
            Confidence::ThirdParty,
        ]
        .into_iter()
        .find(|c| c.as_str() == name)
    }
}

/// One published price (one tier of it, for tiered prices).
#[derive(Debug, Clone)]
pub struct Price {
    /// The service it belongs to.
    pub service: Service,
    /// The AWS usage type where one exists (e.g. `BoxUsage:t3.micro`).
    pub usage_key: String,
    /// A human description.
    pub description: String,
    /// The unit the price is per.
    pub unit: PriceUnit,
    /// The price in USD per unit, exactly as published.
    pub usd: Decimal,
    /// For tiered prices, the monthly quantity (in `unit`) at which this tier starts.
    pub tier_start: Decimal,
    /// The date from which the price is known to apply.
    pub effective_date: NaiveDate,
    /// Where the figure comes from.
    pub source: String,
    /// How far it can be trusted.
    pub confidence: Confidence,
}

impl Price {
    /// The price as engine dollars.
    #[must_use]
    pub fn usd_f64(&self) -> f64 {
        money::to_f64(self.usd)
    }
}

/// One tier of a tiered price, converted for the engine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tier {
    /// Monthly quantity at which this tier starts.
    pub start: f64,
    /// USD per unit within the tier.
    pub usd_per_unit: f64,
}

/// vCPUs, memory and architecture of an EC2 instance type.
#[derive(Debug, Clone)]
pub struct Ec2InstanceType {
    /// e.g. `t3.micro`.
    pub name: String,
    /// e.g. `t3`.
    pub family: String,
    /// Number of vCPUs.
    pub vcpu: u32,
    /// Memory in GiB.
    pub memory_gib: f64,
    /// `amd64` or `arm64`.
    pub architecture: String,
}

/// Credit mode of a burstable instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditMode {
    /// Throttled to the baseline when credits run out.
    Standard,
    /// Bursts on surplus credits, charged per vCPU-hour.
    Unlimited,
}

/// The CPU-credit figures of a T2/T3/T3a/T4g instance type.
#[derive(Debug, Clone)]
pub struct BurstableSpec {
    /// e.g. `t3.micro`.
    pub name: String,
    /// Credits earned per hour.
    pub credits_earned_per_hour: f64,
    /// Maximum accrued balance (24 hours of earnings).
    pub max_accrued_credits: f64,
    /// vCPUs.
    pub vcpu: u32,
    /// Baseline utilisation per vCPU, as a fraction (0.2 = 20%).
    pub baseline_per_vcpu: f64,
    /// Launch credits granted at each start in standard mode (T2 only).
    pub launch_credits: f64,
    /// The mode AWS sets when none is asked for.
    pub default_mode: CreditMode,
}

/// A Lightsail Linux/Unix plan (bundle).
#[derive(Debug, Clone)]
pub struct LightsailPlan {
    /// e.g. `small_3_0`.
    pub bundle_id: String,
    /// e.g. `Small`.
    pub name: String,
    /// vCPUs.
    pub vcpu: u32,
    /// Memory in GB.
    pub memory_gb: f64,
    /// SSD in GB.
    pub ssd_gb: f64,
    /// Monthly data-transfer allowance in GB.
    pub transfer_gb: f64,
    /// Baseline CPU as a fraction of all vCPUs.
    pub baseline: f64,
    /// Whether the plan accrues burst capacity.
    pub accrues_burst: bool,
}

/// A free-tier allowance.
#[derive(Debug, Clone)]
pub struct FreeTierAllowance {
    /// The service.
    pub service: Service,
    /// Which allowance (e.g. `requests`, `duration`).
    pub allowance: String,
    /// Quantity per period.
    pub quantity: Decimal,
    /// The unit of the quantity.
    pub unit: PriceUnit,
    /// `always` or `first-12-months`.
    pub applies: String,
}

/// Where a loaded catalog came from and how old it is.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CatalogInfo {
    /// The region.
    pub region: String,
    /// `embedded` or the directory it was read from.
    pub origin: String,
    /// When the catalog was last made or refreshed (`catalog_meta.csv`).
    pub retrieved_date: NaiveDate,
    /// The newest effective date of any price.
    pub newest_price_date: NaiveDate,
    /// The oldest effective date of any price.
    pub oldest_price_date: NaiveDate,
}

/// All prices and tables for one region.
#[derive(Debug, Clone)]
pub struct PriceCatalog {
    info: CatalogInfo,
    prices: BTreeMap<(Service, String), Vec<Price>>,
    ec2_types: BTreeMap<String, Ec2InstanceType>,
    burstable: BTreeMap<String, BurstableSpec>,
    lightsail_plans: Vec<LightsailPlan>,
    free_tier: Vec<FreeTierAllowance>,
}

impl PriceCatalog {
    /// Loads the catalog for `region` from `source`.
    ///
    /// # Errors
    /// [`Error::NoRegion`] when the source has no data for the region; [`Error::Catalog`]
    /// naming file, line and column for any malformed row.
    pub fn load(source: &CatalogSource, region: &str) -> Result<PriceCatalog> {
        load::load(source, region)
    }

    /// The catalog compiled into the binary (`pricing-data/aws/us-east-1`).
    ///
    /// # Errors
    /// As [`PriceCatalog::load`].
    pub fn embedded(region: &str) -> Result<PriceCatalog> {
        load::load(&CatalogSource::Embedded, region)
    }

    /// Provenance of this catalog.
    #[must_use]
    pub fn info(&self) -> &CatalogInfo {
        &self.info
    }

    /// The region.
    #[must_use]
    pub fn region(&self) -> &str {
        &self.info.region
    }

    /// Every price, ordered by service and usage key (tiers in order).
    pub fn prices(&self) -> impl Iterator<Item = &Price> {
        self.prices.values().flatten()
    }

    /// The single (untiered) price for a usage key.
    ///
    /// # Errors
    /// [`Error::Lookup`] naming the closest keys when it is absent, or when the key is tiered.
    pub fn price(&self, service: Service, usage_key: &str) -> Result<&Price> {
        let tiers = self.tier_rows(service, usage_key)?;
        match tiers {
            [one] => Ok(one),
            _ => Err(Error::Lookup(format!(
                "{service} `{usage_key}` is a tiered price with {} tiers; the model must use its tiers",
                tiers.len()
            ))),
        }
    }

    /// The single price of a usage key, or `None` when the catalog does not carry it (a
    /// price some catalogs have and others not, like Lightsail's hourly plan rates).
    ///
    /// # Errors
    /// [`Error::Lookup`] when the key is tiered.
    pub fn optional_rate(&self, service: Service, usage_key: &str) -> Result<Option<f64>> {
        if self.prices.contains_key(&(service, usage_key.to_string())) {
            self.rate(service, usage_key).map(Some)
        } else {
            Ok(None)
        }
    }

    /// The price of a usage key as engine dollars per unit.
    ///
    /// # Errors
    /// As [`PriceCatalog::price`].
    pub fn rate(&self, service: Service, usage_key: &str) -> Result<f64> {
        self.price(service, usage_key).map(Price::usd_f64)
    }

    /// The tiers of a usage key, in order of their start (an untiered price is one tier at 0).
    ///
    /// # Errors
    /// [`Error::Lookup`] when the key is absent.
    pub fn tiers(&self, service: Service, usage_key: &str) -> Result<Vec<Tier>> {
        Ok(self
            .tier_rows(service, usage_key)?
            .iter()
            .map(|p| Tier {
                start: money::to_f64(p.tier_start),
                usd_per_unit: p.usd_f64(),
            })
            .collect())
    }

    fn tier_rows(&self, service: Service, usage_key: &str) -> Result<&[Price]> {
        self.prices.get(&(service, usage_key.to_string())).map(Vec::as_slice).ok_or_else(|| {
            let keys = self.prices.keys().filter(|(s, _)| *s == service).map(|(_, k)| k.as_str());
            Error::Lookup(format!(
                "no price for {service} `{usage_key}` in {} ({} catalog){}; see `costcast pricing list {service}`",
                self.info.region,
                self.info.origin,
                did_you_mean(usage_key, keys),
            ))
        })
    }

    /// vCPUs and memory of an EC2 instance type.
    ///
    /// # Errors
    /// [`Error::Lookup`] with the closest names when the type is unknown.
    pub fn ec2_type(&self, name: &str) -> Result<&Ec2InstanceType> {
        self.ec2_types.get(name).ok_or_else(|| {
            Error::Lookup(format!(
                "unknown EC2 instance type `{name}` in {}{}",
                self.info.region,
                did_you_mean(name, self.ec2_types.keys().map(String::as_str))
            ))
        })
    }

    /// Every EC2 instance type, by name.
    pub fn ec2_types(&self) -> impl Iterator<Item = &Ec2InstanceType> {
        self.ec2_types.values()
    }

    /// CPU-credit figures of a burstable type, or `None` for a fixed-performance type.
    #[must_use]
    pub fn burstable(&self, name: &str) -> Option<&BurstableSpec> {
        self.burstable.get(name)
    }

    /// Lightsail plans, cheapest first.
    #[must_use]
    pub fn lightsail_plans(&self) -> &[LightsailPlan] {
        &self.lightsail_plans
    }

    /// A free-tier allowance, as engine units.
    ///
    /// # Errors
    /// [`Error::Lookup`] when the catalog has no such allowance.
    pub fn free_tier(&self, service: Service, allowance: &str) -> Result<f64> {
        self.free_tier
            .iter()
            .find(|a| a.service == service && a.allowance == allowance)
            .map(|a| money::to_f64(a.quantity))
            .ok_or_else(|| {
                Error::Lookup(format!(
                    "no free-tier allowance `{allowance}` for {service} in {}",
                    self.info.region
                ))
            })
    }

    /// Every free-tier allowance.
    #[must_use]
    pub fn free_tier_allowances(&self) -> &[FreeTierAllowance] {
        &self.free_tier
    }
}

/// `; did you mean `x`?` for the closest candidate, or nothing when none is close.
pub(crate) fn did_you_mean<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    let best = candidates
        .map(|c| (strsim::levenshtein(wanted, c), c))
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    match best {
        Some((distance, name)) if distance <= wanted.len().max(3) / 3 => {
            format!("; did you mean `{name}`?")
        }
        _ => String::new(),
    }
}
