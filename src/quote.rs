//! `quote`: the point estimate of a usage file, priced like an invoice.
//!
//! A quote is the billing models run once over a constant monthly usage profile; it
//! calls the same functions as the simulation and knows no rule of its own.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::billing::ec2::{self, OperatingSystem};
use crate::billing::lambda::{self, Architecture};
use crate::billing::{self, LineItem};
use crate::catalog::{CatalogInfo, PriceCatalog};
use crate::error::{Error, Result};
use crate::scenario::input::TomlInput;
use crate::scenario::resolve::{
    check_lambda_memory, ec2_rates, lambda_rates, linux, one_u32, take_string, yes,
};

/// The quote schema version (the JSON contract).
pub const SCHEMA_VERSION: u32 = 1;

/// The services a usage file may name so far.
const SERVICES: [&str; 2] = ["ec2", "lambda"];

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
    let mut functions: Vec<(usize, lambda::FunctionMonth, bool)> = Vec::new();
    for (i, table) in spec.resources.into_iter().enumerate() {
        let prefix = format!("resource[{i}]");
        let mut table = table;
        let name = take_string(&input, &mut table, &prefix, "name")?;
        if resources.iter().any(|r| r.name == name) {
            return Err(input.error_at(
                &format!("{prefix}.name"),
                format!("`{name}` is used by another resource; names must be unique"),
            ));
        }
        let service = take_string(&input, &mut table, &prefix, "service")?;
        let line_items = match service.as_str() {
            "ec2" => quote_ec2(&input, &prefix, table, spec.hours_per_month, catalog)?,
            "lambda" => {
                let usage: LambdaUsage = input.parse_table(&prefix, table)?;
                check_lambda_memory(usage.memory_mb)
                    .map_err(|m| input.error_at(&format!("{prefix}.memory_mb"), m))?;
                for (key, value) in [
                    ("requests", usage.requests),
                    ("duration_ms", usage.duration_ms),
                ] {
                    if !(value.is_finite() && value >= 0.0) {
                        return Err(input.error_at(
                            &format!("{prefix}.{key}"),
                            format!("{value} must be >= 0"),
                        ));
                    }
                }
                let month = lambda::FunctionMonth {
                    architecture: usage.architecture,
                    requests: usage.requests,
                    gb_seconds: lambda::gb_seconds(
                        usage.requests,
                        usage.duration_ms,
                        usage.memory_mb,
                    ),
                };
                functions.push((resources.len(), month, usage.free_tier));
                Vec::new() // priced below, together: the tiers and the free tier are account-wide
            }
            other => {
                return Err(input.error_at(
                    &format!("{prefix}.service"),
                    format!(
                        "unknown service `{other}`; usage files accept: {}",
                        SERVICES.join(", ")
                    ),
                ));
            }
        };
        resources.push(QuotedResource {
            name,
            service,
            monthly_usd: 0.0,
            line_items,
        });
    }
    if let Some(&(first, _, free_tier)) = functions.first() {
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
    }
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

fn quote_ec2(
    input: &TomlInput<'_>,
    prefix: &str,
    table: toml::Table,
    hours_per_month: f64,
    catalog: &PriceCatalog,
) -> Result<Vec<LineItem>> {
    let usage: Ec2Usage = input.parse_table(prefix, table)?;
    let hours = usage.hours.unwrap_or(hours_per_month);
    if !(0.0..=hours_per_month).contains(&hours) {
        return Err(input.error_at(
            &format!("{prefix}.hours"),
            format!("{hours} is outside 0..={hours_per_month} (hours_per_month)"),
        ));
    }
    let rates = ec2_rates(catalog, &usage.instance_type, usage.os)
        .map_err(|e| input.error_at(&format!("{prefix}.instance_type"), e.to_string()))?;
    // Each instance starts once in the month and runs `hours`.
    let billed = f64::from(usage.count) * ec2::billed_seconds_per_run(hours * 3600.0);
    Ok(vec![ec2::instance_line(
        &usage.instance_type,
        billed,
        rates,
    )])
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
