//! Reading AWS price list files and turning their rows into catalog prices.
//!
//! A region's CSV price list file starts with five metadata rows (`FormatVersion`,
//! `Disclaimer`, `Publication Date`, `Version`, `OfferCode`), then a header row, then one
//! row per price dimension ("Reading the service price list file", AWS Billing user
//! guide). It is read as it downloads and only the rows the catalog uses are kept: On
//! Demand terms in USD, shared tenancy, no pre-installed software, used capacity.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::catalog::{PriceUnit, Service};
use crate::error::{Error, Result};

/// The offers the catalog refreshes, with the catalog service each feeds.
pub const OFFERS: [(&str, Service); 8] = [
    ("AmazonEC2", Service::Ec2),
    ("AmazonLightsail", Service::Lightsail),
    ("AWSLambda", Service::Lambda),
    ("AmazonECS", Service::Fargate),
    ("AWSELB", Service::Elb),
    ("AmazonEKS", Service::Eks),
    ("AmazonECR", Service::Ecr),
    ("AmazonApiGateway", Service::ApiGateway),
];

/// A price read from an offer file, keyed as the catalog keys it.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferPrice {
    /// Catalog service.
    pub service: Service,
    /// Catalog usage key.
    pub usage_key: String,
    /// The offer's description of the price.
    pub description: String,
    /// Catalog unit.
    pub unit: PriceUnit,
    /// USD per unit.
    pub usd: Decimal,
    /// Tier start (the `StartingRange`).
    pub tier_start: Decimal,
    /// The term's effective date.
    pub effective_date: NaiveDate,
}

/// vCPUs, memory and architecture of an instance type, from the EC2 offer.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferInstanceType {
    /// e.g. `t3.micro`.
    pub name: String,
    /// vCPUs.
    pub vcpu: u32,
    /// Memory, GiB.
    pub memory_gib: Decimal,
    /// `amd64` or `arm64`.
    pub architecture: &'static str,
}

/// What one offer file held for the catalog.
#[derive(Debug, Clone, Default)]
pub struct OfferContents {
    /// `OfferCode`.
    pub offer_code: String,
    /// `Version`.
    pub version: String,
    /// `Publication Date`.
    pub publication_date: String,
    /// Prices the catalog uses.
    pub prices: Vec<OfferPrice>,
    /// Instance types (EC2 only).
    pub instance_types: Vec<OfferInstanceType>,
    /// Data rows read.
    pub rows: u64,
}

/// Reads a CSV price list file from `reader` (streaming), for `offer`.
///
/// # Errors
/// [`Error::Invalid`] naming the line for missing metadata, a missing column or a
/// malformed row of a kind the catalog uses; I/O errors from the reader.
pub fn read_offer_csv(offer: &str, reader: &mut dyn Read) -> Result<OfferContents> {
    let mut buffered = BufReader::with_capacity(1 << 16, reader);
    let mut contents = OfferContents::default();
    for line_no in 1..=5 {
        let mut line = String::new();
        let n = buffered
            .read_line(&mut line)
            .map_err(|e| Error::io("cannot read the price list", e))?;
        if n == 0 {
            return Err(Error::Invalid(format!(
                "{offer} price list: line {line_no}: the file ends inside its five metadata rows"
            )));
        }
        let mut fields = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(line.as_bytes());
        let record = fields
            .records()
            .next()
            .and_then(std::result::Result::ok)
            .unwrap_or_default();
        let (key, value) = (
            record.get(0).unwrap_or(""),
            record.get(1).unwrap_or("").to_string(),
        );
        match key {
            "Publication Date" => contents.publication_date = value,
            "Version" => contents.version = value,
            "OfferCode" => contents.offer_code = value,
            "FormatVersion" | "Disclaimer" => {}
            other => {
                return Err(Error::Invalid(format!(
                    "{offer} price list: line {line_no}: `{other}` is not a price list metadata row"
                )));
            }
        }
    }
    if contents.offer_code != offer {
        return Err(Error::Invalid(format!(
            "price list for `{offer}` says it is for `{}`",
            contents.offer_code
        )));
    }
    let mut csv_reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(buffered);
    let headers = csv_reader
        .headers()
        .map_err(|e| Error::Invalid(format!("{offer} price list: line 6: {e}")))?
        .clone();
    let columns: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.to_string(), i))
        .collect();
    for required in [
        "TermType",
        "PricePerUnit",
        "Currency",
        "Unit",
        "usageType",
        "StartingRange",
        "EffectiveDate",
        "PriceDescription",
    ] {
        if !columns.contains_key(required) {
            return Err(Error::Invalid(format!(
                "{offer} price list: line 6: no `{required}` column"
            )));
        }
    }
    // Only distinct keys are kept (the first row of each), so memory follows the
    // catalog's size, not the file's.
    let mut seen = std::collections::HashSet::new();
    let mut seen_types = std::collections::HashSet::new();
    let mut record = csv::StringRecord::new();
    loop {
        match csv_reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line) + 5;
                return Err(match e.into_kind() {
                    csv::ErrorKind::Io(io) => {
                        Error::io(format!("{offer} price list: line {line}"), io)
                    }
                    kind => Error::Invalid(format!(
                        "{offer} price list: line {line}: malformed CSV: {kind:?}"
                    )),
                });
            }
        }
        contents.rows += 1;
        let row = Row {
            record: &record,
            columns: &columns,
        };
        if row.get("TermType") != "OnDemand" || row.get("Currency") != "USD" {
            continue;
        }
        // The CSV reader counts from the header; the file has five metadata lines above it.
        let line = record.position().map_or(0, csv::Position::line) + 5;
        if let Some(mapped) = map_row(offer, &row) {
            let price = row.price(offer, line, mapped)?;
            if seen.insert((price.service, price.usage_key.clone(), price.tier_start)) {
                contents.prices.push(price);
            }
        }
        if offer == "AmazonEC2"
            && let Some(t) = instance_type(&row)
            && seen_types.insert(t.name.clone())
        {
            contents.instance_types.push(t);
        }
    }
    Ok(contents)
}

struct Row<'a> {
    record: &'a csv::StringRecord,
    columns: &'a HashMap<String, usize>,
}

/// Where a row goes in the catalog.
struct Target {
    service: Service,
    usage_key: String,
    unit: PriceUnit,
    /// How many of the offer's units make one catalog unit's worth: the offer's price is
    /// divided by it (1 when the units are the same).
    per_catalog_unit: Decimal,
}

impl Target {
    /// `usage_key` of `service`, priced in the same unit as the offer's.
    fn new(service: Service, usage_key: &str, unit: PriceUnit) -> Option<Target> {
        Some(Target {
            service,
            usage_key: usage_key.to_string(),
            unit,
            per_catalog_unit: Decimal::ONE,
        })
    }
}

impl Row<'_> {
    fn get(&self, column: &str) -> &str {
        self.columns
            .get(column)
            .and_then(|i| self.record.get(*i))
            .unwrap_or("")
            .trim()
    }

    fn price(&self, offer: &str, line: u64, target: Target) -> Result<OfferPrice> {
        let bad = |column: &str, value: &str| {
            Error::Invalid(format!(
                "{offer} price list: line {line}: column `{column}`: `{value}` is not valid"
            ))
        };
        let raw = self.get("PricePerUnit");
        let usd = Decimal::from_str(raw).map_err(|_| bad("PricePerUnit", raw))?;
        if usd.is_sign_negative() && !usd.is_zero() {
            return Err(bad("PricePerUnit", raw));
        }
        let usd = usd / target.per_catalog_unit;
        let start = self.get("StartingRange");
        let tier_start = if start.is_empty() {
            Decimal::ZERO
        } else {
            Decimal::from_str(start).map_err(|_| bad("StartingRange", start))?
        };
        let date = self.get("EffectiveDate");
        let effective_date = NaiveDate::parse_from_str(date.get(..10).unwrap_or(date), "%Y-%m-%d")
            .map_err(|_| bad("EffectiveDate", date))?;
        let mut description = self.get("PriceDescription").to_string();
        if target.per_catalog_unit != Decimal::ONE {
            description.push_str(&format!(
                " (as read: {raw} per {}, divided by {})",
                self.get("Unit"),
                target.per_catalog_unit
            ));
        }
        Ok(OfferPrice {
            service: target.service,
            usage_key: target.usage_key,
            description,
            unit: target.unit,
            usd: usd.normalize(),
            tier_start: tier_start.normalize(),
            effective_date,
        })
    }
}

/// The usage type without its Region prefix (`USE2-BoxUsage:t3.micro` → `BoxUsage:t3.micro`;
/// us-east-1 usage types often have none).
pub(crate) fn strip_region_prefix(usage_type: &str) -> &str {
    match usage_type.split_once('-') {
        Some((prefix, rest))
            if (3..=5).contains(&prefix.len())
                && prefix
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                && prefix.chars().any(|c| c.is_ascii_digit()) =>
        {
            rest
        }
        _ => usage_type,
    }
}

fn map_row(offer: &str, row: &Row<'_>) -> Option<Target> {
    let usage = strip_region_prefix(row.get("usageType"));
    let unit = row.get("Unit");
    match offer {
        "AmazonEC2" => map_ec2(row, usage, unit),
        "AmazonLightsail" => map_lightsail(usage, unit),
        "AWSLambda" => {
            const KEYS: [&str; 8] = [
                "Lambda-GB-Second",
                "Lambda-GB-Second-ARM",
                "Request",
                "Lambda-Provisioned-Concurrency",
                "Lambda-Provisioned-Concurrency-ARM",
                "Lambda-Provisioned-GB-Second",
                "Lambda-Provisioned-GB-Second-ARM",
                "Lambda-Storage-GB-Second",
            ];
            let key = KEYS.iter().find(|k| k.eq_ignore_ascii_case(usage))?;
            let unit = if *key == "Request" {
                PriceUnit::Request
            } else {
                PriceUnit::GbSecond
            };
            Target::new(Service::Lambda, key, unit)
        }
        "AmazonECS" => match usage {
            "Fargate-vCPU-Hours:perCPU" | "Fargate-ARM-vCPU-Hours:perCPU" => {
                Target::new(Service::Fargate, usage, PriceUnit::VcpuHour)
            }
            "Fargate-GB-Hours" | "Fargate-ARM-GB-Hours" | "Fargate-EphemeralStorage-GB-Hours" => {
                Target::new(Service::Fargate, usage, PriceUnit::GbHour)
            }
            _ => None,
        },
        "AWSELB" => {
            let kind = match row.get("Product Family") {
                "Load Balancer-Application" => "application",
                "Load Balancer-Network" => "network",
                "Load Balancer" => "classic",
                _ => return None,
            };
            match (usage, kind) {
                ("LoadBalancerUsage", _) => Target::new(
                    Service::Elb,
                    &format!("LoadBalancerUsage:{kind}"),
                    PriceUnit::Hour,
                ),
                ("LCUUsage", "application" | "network") => Target::new(
                    Service::Elb,
                    &format!("LCUUsage:{kind}"),
                    PriceUnit::LcuHour,
                ),
                ("DataProcessing-Bytes", "classic") => {
                    Target::new(Service::Elb, "DataProcessing-Bytes:classic", PriceUnit::Gb)
                }
                _ => None,
            }
        }
        "AmazonEKS" => match usage {
            "AmazonEKS-Hours:perCluster" | "AmazonEKS-Hours:extendedSupport" => {
                Target::new(Service::Eks, usage, PriceUnit::ClusterHour)
            }
            _ => None,
        },
        "AmazonECR" if usage == "TimedStorage-ByteHrs" && unit == "GB-Mo" => {
            Target::new(Service::Ecr, usage, PriceUnit::GbMonth)
        }
        "AmazonApiGateway" => match usage {
            "ApiGatewayHttpRequest" | "ApiGatewayRequest" => {
                Target::new(Service::ApiGateway, usage, PriceUnit::Request)
            }
            _ => None,
        },
        _ => None,
    }
}

/// Lightsail's hourly plan rates and its transfer overage.
///
/// An instance plan's usage type is `BundleUsage:<memory>` (`USE1-BundleUsage:0.5GB`),
/// with a suffix for Windows (`_win`) and IPv6-only (`_IPv6`) plans; only the Linux/Unix
/// dual-stack plans (no suffix) are the catalog's. Layout as read by two independent
/// price-list clients (Infracost's `lightsail_instance.go` matches
/// `-BundleUsage:<memory>[_win]$` in product family `Lightsail Instance`, unit hours;
/// another reads `BundleUsage:` rows and skips `_win` and `_IPv6`); the overage is
/// `DataXfer-Out-Overage-Bytes`, the usage type Lightsail bills it under (as Cost
/// Explorer reports it). Neither is confirmed against an offer file, so a row of another
/// shape is simply not taken and the catalog keeps its price (the update reports how
/// many prices each offer gave).
fn map_lightsail(usage: &str, unit: &str) -> Option<Target> {
    let target = |key, unit| Target::new(Service::Lightsail, key, unit);
    match (usage, unit) {
        (bundle, "Hrs") if is_linux_bundle_usage(bundle) => target(bundle, PriceUnit::Hour),
        ("DataXfer-Out-Overage-Bytes", "GB") => target("DataTransfer-Out-Bytes", PriceUnit::Gb),
        _ => None,
    }
}

/// `BundleUsage:<memory>GB` with a plain decimal memory and no suffix.
fn is_linux_bundle_usage(usage: &str) -> bool {
    usage
        .strip_prefix("BundleUsage:")
        .and_then(|rest| rest.strip_suffix("GB"))
        // digits and a point only (no sign or exponent), and a number
        .is_some_and(|memory| {
            memory.chars().all(|c| c.is_ascii_digit() || c == '.')
                && Decimal::from_str(memory).is_ok()
        })
}

fn map_ec2(row: &Row<'_>, usage: &str, unit: &str) -> Option<Target> {
    let target = |key: String, unit| Target::new(Service::Ec2, &key, unit);
    match row.get("Product Family") {
        "Compute Instance" => {
            let usable = row.get("Tenancy") == "Shared"
                && matches!(row.get("Pre Installed S/W"), "NA" | "")
                && row.get("CapacityStatus") == "Used"
                && row.get("License Model") != "Bring your own license";
            if !usable || !usage.starts_with("BoxUsage:") {
                return None;
            }
            let suffix = match row.get("Operating System") {
                "Linux" => "",
                "Windows" => ":Windows",
                "RHEL" => ":RHEL",
                "SUSE" => ":SUSE",
                _ => return None,
            };
            target(format!("{usage}{suffix}"), PriceUnit::Hour)
        }
        "CPU Credits" if usage.starts_with("CPUCredits:") => match row.get("Operating System") {
            "Linux" => target("CPUCredits:Linux".into(), PriceUnit::VcpuHour),
            "Windows" => target("CPUCredits:Windows".into(), PriceUnit::VcpuHour),
            _ => None,
        },
        _ => match (usage, unit) {
            ("EBS:VolumeUsage.gp3" | "EBS:VolumeUsage.gp2" | "EBS:SnapshotUsage", "GB-Mo") => {
                target(usage.into(), PriceUnit::GbMonth)
            }
            ("EBS:VolumeP-IOPS.gp3", "IOPS-Mo") => target(usage.into(), PriceUnit::IopsMonth),
            // The price list prices gp3 throughput per GiB/s-month (e.g. 40.96 in
            // us-east-1); AWS's pricing page, and the catalog, per MB/s-month ($0.04):
            // 1 GiB/s = 1,024 MiB/s.
            ("EBS:VolumeP-Throughput.gp3", "GiBps-mo") => {
                target(usage.into(), PriceUnit::MbpsMonth).map(|t| Target {
                    per_catalog_unit: Decimal::from(1024),
                    ..t
                })
            }
            ("PublicIPv4:InUseAddress" | "PublicIPv4:IdleAddress", "Hrs") => {
                target(usage.into(), PriceUnit::IpHour)
            }
            _ => None,
        },
    }
}

fn instance_type(row: &Row<'_>) -> Option<OfferInstanceType> {
    if row.get("Product Family") != "Compute Instance" {
        return None;
    }
    let name = row.get("Instance Type");
    let vcpu = row.get("vCPU").parse().ok()?;
    let memory = row
        .get("Memory")
        .trim_end_matches("GiB")
        .trim()
        .replace(',', "");
    let memory_gib = Decimal::from_str(&memory).ok()?.normalize();
    let processor = row.get("Physical Processor");
    let architecture = if processor.contains("Graviton") || processor.starts_with("AWS") {
        "arm64"
    } else {
        "amd64"
    };
    (!name.is_empty()).then(|| OfferInstanceType {
        name: name.to_string(),
        vcpu,
        memory_gib,
        architecture,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_linux_dual_stack_lightsail_plans_are_taken() {
        for usage in ["BundleUsage:0.5GB", "BundleUsage:2GB", "BundleUsage:64GB"] {
            assert!(is_linux_bundle_usage(usage), "{usage}");
        }
        for usage in [
            "BundleUsage:2GB_win",
            "BundleUsage:0.5GB_IPv6",
            "BundleUsage:GB",
            "BundleUsage:2",
            "BundleUsage:1.2.3GB",
            "DataXfer-Out-Overage-Bytes",
        ] {
            assert!(!is_linux_bundle_usage(usage), "{usage}");
        }
    }

    #[test]
    fn region_prefixes_are_stripped() {
        assert_eq!(
            strip_region_prefix("USE2-BoxUsage:t3.micro"),
            "BoxUsage:t3.micro"
        );
        assert_eq!(
            strip_region_prefix("BoxUsage:t3.micro"),
            "BoxUsage:t3.micro"
        );
        assert_eq!(
            strip_region_prefix("EUW1-Lambda-GB-Second"),
            "Lambda-GB-Second"
        );
        assert_eq!(strip_region_prefix("Lambda-GB-Second"), "Lambda-GB-Second");
        assert_eq!(
            strip_region_prefix("EBS:VolumeUsage.gp3"),
            "EBS:VolumeUsage.gp3"
        );
    }
}
