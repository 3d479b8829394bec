//! Writing catalog files (for `pricing update`): the same schema [`super::load`] reads.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;

use super::Price;
use super::update::offers::OfferContents;
use crate::error::{Error, Result};

fn csv_error(path: &Path, e: &csv::Error) -> Error {
    Error::Invalid(format!("cannot write `{}`: {e}", path.display()))
}

/// Writes price rows (tiers in order) in the catalog's price-file schema.
pub(crate) fn write_prices<'a>(path: &Path, prices: impl Iterator<Item = &'a Price>) -> Result<()> {
    let mut writer = csv::Writer::from_path(path).map_err(|e| csv_error(path, &e))?;
    writer
        .write_record(super::load::PRICE_COLUMNS)
        .map_err(|e| csv_error(path, &e))?;
    let prices: Vec<&Price> = prices.collect();
    for p in &prices {
        let tiered = prices
            .iter()
            .filter(|q| q.service == p.service && q.usage_key == p.usage_key)
            .count()
            > 1;
        writer
            .write_record([
                p.service.as_str(),
                &p.usage_key,
                &p.description,
                p.unit.as_str(),
                &p.usd.to_string(),
                &if tiered {
                    p.tier_start.to_string()
                } else {
                    String::new()
                },
                &p.effective_date.to_string(),
                &p.source,
                p.confidence.as_str(),
            ])
            .map_err(|e| csv_error(path, &e))?;
    }
    writer
        .flush()
        .map_err(|e| Error::io(format!("cannot write `{}`", path.display()), e))
}

/// `ec2_instance_types.csv` with the EC2 offer's figures replacing or adding rows.
pub(crate) fn merge_instance_types(
    old_text: &str,
    offer: Option<(&str, &OfferContents)>,
) -> Result<String> {
    let mut reader = csv::Reader::from_reader(old_text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| Error::Invalid(format!("ec2_instance_types.csv: {e}")))?
        .clone();
    let mut rows: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| Error::Invalid(format!("ec2_instance_types.csv: {e}")))?;
        let fields: Vec<String> = record.iter().map(str::to_string).collect();
        rows.insert(fields.first().cloned().unwrap_or_default(), fields);
    }
    if let Some((url, contents)) = offer {
        let source = format!(
            "AWS Price List AmazonEC2 version {} ({url})",
            contents.version
        );
        for t in &contents.instance_types {
            let family = t.name.split('.').next().unwrap_or(&t.name).to_string();
            rows.insert(
                t.name.clone(),
                vec![
                    t.name.clone(),
                    family,
                    t.vcpu.to_string(),
                    t.memory_gib.to_string(),
                    t.architecture.to_string(),
                    source.clone(),
                    "price-list".to_string(),
                ],
            );
        }
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(&headers)
        .map_err(|e| Error::Invalid(e.to_string()))?;
    for fields in rows.values() {
        writer
            .write_record(fields)
            .map_err(|e| Error::Invalid(e.to_string()))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| Error::Invalid(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| Error::Invalid(e.to_string()))
}

/// `catalog_meta.csv`: when and how the catalog was made.
pub(crate) fn meta_csv(retrieved: NaiveDate, method: &str, source: &str) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::Invalid(e.to_string());
    writer
        .write_record(["retrieved_date", "method", "source"])
        .map_err(fail)?;
    writer
        .write_record([retrieved.to_string().as_str(), method, source])
        .map_err(fail)?;
    let bytes = writer
        .into_inner()
        .map_err(|e| Error::Invalid(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| Error::Invalid(e.to_string()))
}
