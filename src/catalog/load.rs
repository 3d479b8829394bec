//! Reading and validating catalog CSV files.
//!
//! Every file is checked whole before it is used: the header must hold exactly the
//! expected columns, every price must be a non-negative exact decimal with a known unit,
//! and no key may appear twice. Each error names the file, the line and the column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{
    BurstableSpec, CatalogInfo, Confidence, CreditMode, Ec2InstanceType, FreeTierAllowance,
    LightsailPlan, Price, PriceCatalog, PriceUnit, Service, embedded,
};
use crate::error::{Error, Result};

/// Where to read a catalog from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogSource {
    /// The copy of `pricing-data/` compiled into the binary.
    Embedded,
    /// A `pricing-data` directory holding `aws/<region>/*.csv`.
    Dir(PathBuf),
}

/// The columns of every price file, in order.
pub(crate) const PRICE_COLUMNS: [&str; 9] = [
    "service",
    "usage_key",
    "description",
    "unit",
    "price_usd",
    "tier_start",
    "effective_date",
    "source",
    "confidence",
];

/// Regions a source has data for.
///
/// # Errors
/// [`Error::Io`] when a directory source cannot be listed.
pub fn regions(source: &CatalogSource) -> Result<Vec<String>> {
    match source {
        CatalogSource::Embedded => Ok(vec![embedded::REGION.to_string()]),
        CatalogSource::Dir(root) => {
            let aws = root.join("aws");
            let entries = std::fs::read_dir(&aws).map_err(|e| {
                Error::io(
                    format!(
                        "cannot read pricing directory `{}` (expected `{}/aws/<region>/*.csv`)",
                        aws.display(),
                        root.display()
                    ),
                    e,
                )
            })?;
            let mut names: Vec<String> = entries
                .filter_map(std::result::Result::ok)
                .filter(|e| e.path().is_dir())
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .collect();
            names.sort();
            Ok(names)
        }
    }
}

pub(super) fn load(source: &CatalogSource, region: &str) -> Result<PriceCatalog> {
    let available = regions(source)?;
    if !available.iter().any(|r| r == region) {
        return Err(Error::NoRegion {
            region: region.to_string(),
            available: if available.is_empty() {
                "none".to_string()
            } else {
                available.join(", ")
            },
        });
    }
    // The embedded list names every file a region must hold, in load order.
    let mut tables = Vec::with_capacity(embedded::FILES.len());
    for (name, _) in embedded::FILES {
        tables.push(read_file(source, region, name)?);
    }
    let [
        ec2,
        types,
        burst,
        ls,
        ls_plans,
        fargate,
        lambda,
        apigw,
        elb,
        eks,
        ecr,
        free,
        meta,
    ] = <[Table; 13]>::try_from(tables).expect("invariant: one table per file name");

    let mut prices: BTreeMap<(Service, String), Vec<Price>> = BTreeMap::new();
    for table in [&ec2, &ls, &fargate, &lambda, &apigw, &elb, &eks, &ecr] {
        parse_prices(table, &mut prices)?;
    }
    let (oldest, newest) = date_range(&prices);
    let origin = match source {
        CatalogSource::Embedded => "embedded".to_string(),
        CatalogSource::Dir(root) => root.display().to_string(),
    };
    Ok(PriceCatalog {
        info: CatalogInfo {
            region: region.to_string(),
            origin,
            retrieved_date: parse_meta(&meta)?,
            newest_price_date: newest,
            oldest_price_date: oldest,
        },
        prices,
        ec2_types: parse_ec2_types(&types)?,
        burstable: parse_burstable(&burst)?,
        lightsail_plans: parse_lightsail_plans(&ls_plans)?,
        free_tier: parse_free_tier(&free)?,
    })
}

fn date_range(prices: &BTreeMap<(Service, String), Vec<Price>>) -> (NaiveDate, NaiveDate) {
    let dates = prices.values().flatten().map(|p| p.effective_date);
    let oldest = dates.clone().min().unwrap_or_default();
    let newest = dates.max().unwrap_or_default();
    (oldest, newest)
}

/// A CSV file read whole, with its header checked.
#[derive(Debug)]
struct Table {
    file: PathBuf,
    columns: Vec<String>,
    rows: Vec<(u64, csv::StringRecord)>,
}

fn read_file(source: &CatalogSource, region: &str, name: &str) -> Result<Table> {
    let (file, text) = match source {
        CatalogSource::Embedded => {
            let (_, text) = embedded::FILES
                .iter()
                .find(|(n, _)| *n == name)
                .expect("invariant: every catalog file is embedded");
            (
                PathBuf::from(format!("pricing-data/aws/{region}/{name} (embedded)")),
                (*text).to_string(),
            )
        }
        CatalogSource::Dir(root) => {
            let path = root.join("aws").join(region).join(name);
            let text = std::fs::read_to_string(&path).map_err(|e| {
                Error::io(format!("cannot read catalog file `{}`", path.display()), e)
            })?;
            (path, text)
        }
    };
    parse_table(file, &text)
}

/// The text of one catalog file of `region` in `source`.
pub(crate) fn raw_text(source: &CatalogSource, region: &str, name: &str) -> Result<String> {
    match source {
        CatalogSource::Embedded => Ok(embedded::FILES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, text)| (*text).to_string())
            .unwrap_or_default()),
        CatalogSource::Dir(root) => {
            let path = root.join("aws").join(region).join(name);
            std::fs::read_to_string(&path)
                .map_err(|e| Error::io(format!("cannot read catalog file `{}`", path.display()), e))
        }
    }
}

fn parse_table(file: PathBuf, text: &str) -> Result<Table> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let csv_error = |file: &Path, e: csv::Error| {
        let line = e.position().map_or(0, csv::Position::line);
        Error::Catalog {
            file: file.to_path_buf(),
            line,
            column: "-".to_string(),
            message: format!("malformed CSV: {e}"),
        }
    };
    let columns: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(&file, e))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(&file, e))?;
        let line = record.position().map_or(0, csv::Position::line);
        rows.push((line, record));
    }
    Ok(Table {
        file,
        columns,
        rows,
    })
}

impl Table {
    /// Checks that the header holds exactly `expected`, in any order.
    fn expect_columns(&self, expected: &[&str]) -> Result<()> {
        let header = expected.join(",");
        for want in expected {
            if !self.columns.iter().any(|c| c == want) {
                return Err(self.error(
                    1,
                    want,
                    format!("missing column; the header must be `{header}`"),
                ));
            }
        }
        if let Some(extra) = self
            .columns
            .iter()
            .find(|c| !expected.contains(&c.as_str()))
        {
            return Err(self.error(
                1,
                extra,
                format!("unknown column; the header must be `{header}`"),
            ));
        }
        Ok(())
    }

    fn error(&self, line: u64, column: &str, message: impl Into<String>) -> Error {
        Error::Catalog {
            file: self.file.clone(),
            line,
            column: column.to_string(),
            message: message.into(),
        }
    }

    fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(move |(line, record)| Row {
            table: self,
            line: *line,
            record,
        })
    }
}

/// One data row, with typed accessors whose errors name the column.
struct Row<'a> {
    table: &'a Table,
    line: u64,
    record: &'a csv::StringRecord,
}

impl Row<'_> {
    fn error(&self, column: &str, message: impl Into<String>) -> Error {
        self.table.error(self.line, column, message)
    }

    fn text(&self, column: &str) -> &str {
        let index = self
            .table
            .columns
            .iter()
            .position(|c| c == column)
            .expect("invariant: columns were checked by expect_columns");
        self.record.get(index).unwrap_or("").trim()
    }

    fn required(&self, column: &str) -> Result<&str> {
        let value = self.text(column);
        if value.is_empty() {
            return Err(self.error(column, "empty; a value is required"));
        }
        Ok(value)
    }

    fn decimal(&self, column: &str) -> Result<Decimal> {
        let raw = self.required(column)?;
        let value = Decimal::from_str(raw)
            .map_err(|_| self.error(column, format!("`{raw}` is not a decimal number")))?;
        if value.is_sign_negative() && !value.is_zero() {
            return Err(self.error(
                column,
                format!("`{raw}` is negative; prices and quantities must be >= 0"),
            ));
        }
        Ok(value)
    }

    fn number(&self, column: &str) -> Result<f64> {
        let raw = self.required(column)?;
        match raw.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(self.error(column, format!("`{raw}` is not a non-negative number"))),
        }
    }

    fn count(&self, column: &str) -> Result<u32> {
        let raw = self.required(column)?;
        raw.parse::<u32>()
            .map_err(|_| self.error(column, format!("`{raw}` is not a whole number")))
    }

    fn percent(&self, column: &str) -> Result<f64> {
        let value = self.number(column)?;
        if value > 100.0 {
            return Err(self.error(column, format!("{value} is above 100 percent")));
        }
        Ok(value / 100.0)
    }

    fn boolean(&self, column: &str) -> Result<bool> {
        match self.required(column)? {
            "true" => Ok(true),
            "false" => Ok(false),
            raw => Err(self.error(column, format!("`{raw}` is not `true` or `false`"))),
        }
    }

    fn unit(&self, column: &str) -> Result<PriceUnit> {
        let raw = self.required(column)?;
        PriceUnit::parse(raw).ok_or_else(|| {
            self.error(
                column,
                format!(
                    "unknown unit `{raw}`; expected one of: {}",
                    PriceUnit::names()
                ),
            )
        })
    }

    fn confidence(&self) -> Result<Confidence> {
        let raw = self.required("confidence")?;
        Confidence::parse(raw).ok_or_else(|| {
            self.error(
                "confidence",
                format!("unknown confidence `{raw}`; expected aws, price-list or third-party"),
            )
        })
    }

    fn service(&self) -> Result<Service> {
        let raw = self.required("service")?;
        Service::parse(raw).ok_or_else(|| {
            let names: Vec<_> = Service::ALL.iter().map(|s| s.as_str()).collect();
            self.error(
                "service",
                format!(
                    "unknown service `{raw}`; expected one of: {}",
                    names.join(", ")
                ),
            )
        })
    }
}

fn parse_prices(table: &Table, out: &mut BTreeMap<(Service, String), Vec<Price>>) -> Result<()> {
    table.expect_columns(&PRICE_COLUMNS)?;
    let stem = table
        .file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("");
    for row in table.rows() {
        let service = row.service()?;
        if !stem.starts_with(&format!("{service}.csv")) {
            return Err(row.error(
                "service",
                format!("`{service}` row in a file for another service"),
            ));
        }
        let usage_key = row.required("usage_key")?.to_string();
        let tier_start = if row.text("tier_start").is_empty() {
            Decimal::ZERO
        } else {
            row.decimal("tier_start")?
        };
        let raw_date = row.required("effective_date")?;
        let effective_date = NaiveDate::parse_from_str(raw_date, "%Y-%m-%d").map_err(|_| {
            row.error(
                "effective_date",
                format!("`{raw_date}` is not a date (YYYY-MM-DD)"),
            )
        })?;
        let price = Price {
            service,
            usage_key: usage_key.clone(),
            description: row.text("description").to_string(),
            unit: row.unit("unit")?,
            usd: row.decimal("price_usd")?,
            tier_start,
            effective_date,
            source: row.required("source")?.to_string(),
            confidence: row.confidence()?,
        };
        let tiers = out.entry((service, usage_key.clone())).or_default();
        if let Some(first) = tiers.first() {
            if tiers.iter().any(|t| t.tier_start == tier_start) {
                return Err(row.error(
                    "usage_key",
                    format!("duplicate key {service} `{usage_key}` (tier_start {tier_start})"),
                ));
            }
            if first.unit != price.unit {
                return Err(row.error(
                    "unit",
                    format!(
                        "tiers of `{usage_key}` must share one unit ({})",
                        first.unit
                    ),
                ));
            }
        }
        tiers.push(price);
        tiers.sort_by_key(|t| t.tier_start);
    }
    // A tiered price must start at zero, or quantities below its first tier have no price.
    for ((service, key), tiers) in out.iter() {
        if tiers.first().is_some_and(|t| !t.tier_start.is_zero()) {
            return Err(table.error(
                0,
                "tier_start",
                format!("{service} `{key}` has no tier starting at 0"),
            ));
        }
    }
    Ok(())
}

fn parse_ec2_types(table: &Table) -> Result<BTreeMap<String, Ec2InstanceType>> {
    table.expect_columns(&[
        "instance_type",
        "family",
        "vcpu",
        "memory_gib",
        "architecture",
        "source",
        "confidence",
    ])?;
    let mut out = BTreeMap::new();
    for row in table.rows() {
        let name = row.required("instance_type")?.to_string();
        let architecture = row.required("architecture")?.to_string();
        if architecture != "amd64" && architecture != "arm64" {
            return Err(row.error(
                "architecture",
                format!("`{architecture}` is not amd64 or arm64"),
            ));
        }
        row.confidence()?;
        let spec = Ec2InstanceType {
            name: name.clone(),
            family: row.required("family")?.to_string(),
            vcpu: row.count("vcpu")?,
            memory_gib: row.number("memory_gib")?,
            architecture,
        };
        if out.insert(name.clone(), spec).is_some() {
            return Err(row.error("instance_type", format!("duplicate instance type `{name}`")));
        }
    }
    Ok(out)
}

fn parse_burstable(table: &Table) -> Result<BTreeMap<String, BurstableSpec>> {
    table.expect_columns(&[
        "instance_type",
        "credits_earned_per_hour",
        "max_accrued_credits",
        "vcpu",
        "baseline_percent_per_vcpu",
        "launch_credits",
        "default_credit_mode",
        "source",
        "confidence",
    ])?;
    let mut out = BTreeMap::new();
    for row in table.rows() {
        let name = row.required("instance_type")?.to_string();
        let default_mode = match row.required("default_credit_mode")? {
            "standard" => CreditMode::Standard,
            "unlimited" => CreditMode::Unlimited,
            raw => {
                return Err(row.error(
                    "default_credit_mode",
                    format!("`{raw}` is not standard or unlimited"),
                ));
            }
        };
        row.confidence()?;
        let spec = BurstableSpec {
            name: name.clone(),
            credits_earned_per_hour: row.number("credits_earned_per_hour")?,
            max_accrued_credits: row.number("max_accrued_credits")?,
            vcpu: row.count("vcpu")?,
            baseline_per_vcpu: row.percent("baseline_percent_per_vcpu")?,
            launch_credits: row.number("launch_credits")?,
            default_mode,
        };
        if out.insert(name.clone(), spec).is_some() {
            return Err(row.error("instance_type", format!("duplicate instance type `{name}`")));
        }
    }
    Ok(out)
}

fn parse_lightsail_plans(table: &Table) -> Result<Vec<LightsailPlan>> {
    table.expect_columns(&[
        "bundle_id",
        "name",
        "vcpu",
        "memory_gb",
        "ssd_gb",
        "transfer_gb",
        "baseline_percent",
        "accrues_burst",
        "source",
        "confidence",
    ])?;
    let mut out: Vec<LightsailPlan> = Vec::new();
    for row in table.rows() {
        let bundle_id = row.required("bundle_id")?.to_string();
        if out.iter().any(|p| p.bundle_id == bundle_id) {
            return Err(row.error("bundle_id", format!("duplicate plan `{bundle_id}`")));
        }
        row.confidence()?;
        out.push(LightsailPlan {
            bundle_id,
            name: row.required("name")?.to_string(),
            vcpu: row.count("vcpu")?,
            memory_gb: row.number("memory_gb")?,
            ssd_gb: row.number("ssd_gb")?,
            transfer_gb: row.number("transfer_gb")?,
            baseline: row.percent("baseline_percent")?,
            accrues_burst: row.boolean("accrues_burst")?,
        });
    }
    Ok(out)
}

fn parse_meta(table: &Table) -> Result<NaiveDate> {
    table.expect_columns(&["retrieved_date", "method", "source"])?;
    let mut rows = table.rows();
    let row = rows.next().ok_or_else(|| {
        table.error(
            2,
            "retrieved_date",
            "one row is required: when and how this catalog was made",
        )
    })?;
    if rows.next().is_some() {
        return Err(table.error(3, "retrieved_date", "only one row is allowed"));
    }
    let raw = row.required("retrieved_date")?;
    row.required("method")?;
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
        row.error(
            "retrieved_date",
            format!("`{raw}` is not a date (YYYY-MM-DD)"),
        )
    })
}

fn parse_free_tier(table: &Table) -> Result<Vec<FreeTierAllowance>> {
    table.expect_columns(&[
        "service",
        "allowance",
        "quantity",
        "unit",
        "period",
        "applies",
        "source",
        "confidence",
    ])?;
    let mut out: Vec<FreeTierAllowance> = Vec::new();
    for row in table.rows() {
        let service = row.service()?;
        let allowance = row.required("allowance")?.to_string();
        if out
            .iter()
            .any(|a| a.service == service && a.allowance == allowance)
        {
            return Err(row.error(
                "allowance",
                format!("duplicate key {service} `{allowance}`"),
            ));
        }
        if row.required("period")? != "month" {
            return Err(row.error(
                "period",
                "only monthly allowances are modelled; use `month`",
            ));
        }
        let applies = row.required("applies")?.to_string();
        if applies != "always" && applies != "first-12-months" {
            return Err(row.error(
                "applies",
                format!("`{applies}` is not `always` or `first-12-months`"),
            ));
        }
        row.confidence()?;
        out.push(FreeTierAllowance {
            service,
            allowance,
            quantity: row.decimal("quantity")?,
            unit: row.unit("unit")?,
            applies,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prices(text: &str) -> Result<BTreeMap<(Service, String), Vec<Price>>> {
        let table = parse_table(PathBuf::from("lambda.csv"), text)?;
        let mut out = BTreeMap::new();
        parse_prices(&table, &mut out).map(|()| out)
    }

    const HEADER: &str = "service,usage_key,description,unit,price_usd,tier_start,effective_date,source,confidence\n";

    fn message(err: Error) -> String {
        err.to_string()
    }

    #[test]
    fn embedded_catalog_loads_and_keeps_exact_prices() {
        let catalog = PriceCatalog::embedded("us-east-1").unwrap();
        let t3 = catalog.price(Service::Ec2, "BoxUsage:t3.micro").unwrap();
        assert_eq!(t3.usd, Decimal::from_str("0.0104").unwrap());
        assert_eq!(catalog.ec2_type("t3.micro").unwrap().vcpu, 2);
        assert_eq!(catalog.lightsail_plans().len(), 8);
        // every EC2 type has a price and a spec (1,367 types in the source table)
        assert_eq!(catalog.ec2_types().count(), 1367);
        for t in catalog.ec2_types() {
            catalog
                .price(Service::Ec2, &format!("BoxUsage:{}", t.name))
                .unwrap();
        }
        let tiers = catalog.tiers(Service::Lambda, "Lambda-GB-Second").unwrap();
        assert_eq!(tiers.len(), 3);
        assert!((tiers[1].start - 6e9).abs() < 1.0);
    }

    #[test]
    fn unknown_region_lists_the_available_ones() {
        let err = PriceCatalog::embedded("eu-west-9").unwrap_err();
        assert_eq!(
            err.to_string(),
            "no pricing for region eu-west-9; available: us-east-1"
        );
    }

    #[test]
    fn bad_rows_name_file_line_and_column() {
        let cases = [
            (
                "lambda,Request,,furlong,0.1,,2026-01-01,x,aws\n",
                "lambda.csv:2: column `unit`: unknown unit `furlong`",
            ),
            (
                "lambda,Request,,request,-0.1,,2026-01-01,x,aws\n",
                "lambda.csv:2: column `price_usd`: `-0.1` is negative",
            ),
            (
                "lambda,Request,,request,abc,,2026-01-01,x,aws\n",
                "lambda.csv:2: column `price_usd`: `abc` is not a decimal number",
            ),
            (
                "lambda,Request,,request,0.1,,2026-01-01,x,aws\nlambda,Request,,request,0.2,,2026-01-01,x,aws\n",
                "lambda.csv:3: column `usage_key`: duplicate key lambda `Request`",
            ),
            (
                "lambda,Request,,request,0.1,,26/01/01,x,aws\n",
                "lambda.csv:2: column `effective_date`: `26/01/01` is not a date",
            ),
            (
                "lambda,Request,,request,0.1,,2026-01-01,x,sure\n",
                "lambda.csv:2: column `confidence`: unknown confidence `sure`",
            ),
            (
                "ec2,Request,,request,0.1,,2026-01-01,x,aws\n",
                "lambda.csv:2: column `service`: `ec2` row in a file for another service",
            ),
        ];
        for (rows, want) in cases {
            let got = message(prices(&format!("{HEADER}{rows}")).unwrap_err());
            assert!(got.starts_with(want), "got: {got}\nwant: {want}");
        }
    }

    #[test]
    fn missing_or_unknown_column_is_reported_on_line_1() {
        let missing =
            "service,usage_key,description,unit,tier_start,effective_date,source,confidence\n";
        let got = message(prices(missing).unwrap_err());
        assert!(
            got.starts_with("lambda.csv:1: column `price_usd`: missing column"),
            "{got}"
        );
        let extra = format!("{}extra\n", HEADER.trim_end().to_string() + ",");
        let got = message(prices(&extra).unwrap_err());
        assert!(
            got.starts_with("lambda.csv:1: column `extra`: unknown column"),
            "{got}"
        );
    }

    #[test]
    fn ragged_row_is_malformed_csv_with_its_line() {
        let got = message(prices(&format!("{HEADER}lambda,Request\n")).unwrap_err());
        assert!(
            got.starts_with("lambda.csv:2: column `-`: malformed CSV"),
            "{got}"
        );
    }

    #[test]
    fn tiered_price_needs_a_zero_tier() {
        let got = message(
            prices(&format!(
                "{HEADER}lambda,X,,request,0.1,5,2026-01-01,x,aws\n"
            ))
            .unwrap_err(),
        );
        assert!(got.contains("has no tier starting at 0"), "{got}");
    }
}
