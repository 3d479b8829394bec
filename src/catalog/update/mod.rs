//! Refreshing `pricing-data/` from AWS's Price List Bulk API.
//!
//! The service index (`/offers/v1.0/aws/index.json`) names each offer's Region index;
//! that names the Region's current price list file, read here in its CSV form as it
//! downloads ([`offers`]). Prices found replace the catalog's rows with the same key
//! (every tier of a tiered key at once); keys the offers do not carry are kept as they
//! were, and the tables that are not prices (credit table, Lightsail plans, free tier)
//! are copied unchanged.
//!
//! The new catalog is written beside the old one, loaded back and validated, and only
//! then exchanged with it in one step; any failure before that leaves the old catalog
//! exactly as it was.

mod fetch;
pub mod offers;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

pub use fetch::FetchOptions;

use super::diff::{PriceChange, diff};
use super::load::{CatalogSource, raw_text};
use super::{Confidence, Price, PriceCatalog, Service};
use crate::error::{Error, Result};

/// The public Price List endpoint.
pub const DEFAULT_ENDPOINT: &str = "https://pricing.us-east-1.amazonaws.com";

/// What to refresh and how.
#[derive(Debug, Clone)]
pub struct UpdateOptions {
    /// Base URL of the price list (a mirror may stand in for AWS).
    pub endpoint: String,
    /// The Region to refresh.
    pub region: String,
    /// Offer codes to fetch (all of [`offers::OFFERS`] when empty).
    pub offers: Vec<String>,
    /// Compute and report the changes, write nothing.
    pub dry_run: bool,
    /// HTTP limits.
    pub fetch: FetchOptions,
    /// The time of retrieval, recorded with every refreshed price.
    pub now: DateTime<Utc>,
}

/// Where one offer's prices came from.
#[derive(Debug, Clone, Serialize)]
pub struct OfferProvenance {
    /// Offer code.
    pub offer: String,
    /// Price list version.
    pub version: String,
    /// Its publication date.
    pub publication_date: String,
    /// The file read.
    pub url: String,
    /// Data rows read.
    pub rows_read: u64,
    /// Prices the catalog took from it.
    pub prices_used: usize,
}

/// The outcome of an update.
#[derive(Debug, Clone, Serialize)]
pub struct UpdateReport {
    /// The catalog directory updated (its Region subdirectory).
    pub target: PathBuf,
    /// One entry per offer read.
    pub offers: Vec<OfferProvenance>,
    /// Prices that changed, appeared or disappeared.
    pub changes: Vec<PriceChange>,
    /// Keys of the catalog no offer carried (kept as they were).
    pub kept: usize,
    /// Whether the new catalog replaced the old one (false for a dry run).
    pub written: bool,
}

/// Refreshes the catalog under `root` (a `pricing-data` directory) from the price list.
/// When `root` has no catalog for the Region yet, the built-in one is the starting point.
///
/// # Errors
/// [`Error::Fetch`] for anything the network or server did wrong, [`Error::Invalid`] for
/// a malformed price list, I/O errors; in every case the old catalog is untouched.
pub fn update(root: &Path, options: &UpdateOptions) -> Result<UpdateReport> {
    let existing = root.join("aws").join(&options.region);
    let old_source = if existing.is_dir() {
        CatalogSource::Dir(root.to_path_buf())
    } else {
        CatalogSource::Embedded
    };
    let old = PriceCatalog::load(&old_source, &options.region)?;
    let fetcher = fetch::Fetcher::new(options.fetch.clone())?;
    let wanted: Vec<(&str, Service)> = offers::OFFERS
        .iter()
        .filter(|(code, _)| options.offers.is_empty() || options.offers.iter().any(|o| o == code))
        .copied()
        .collect();
    if let Some(unknown) = options
        .offers
        .iter()
        .find(|o| !offers::OFFERS.iter().any(|(code, _)| code == o))
    {
        let known: Vec<_> = offers::OFFERS.iter().map(|(c, _)| *c).collect();
        return Err(Error::Invalid(format!(
            "no offer `{unknown}` is refreshed; choose from: {}",
            known.join(", ")
        )));
    }
    let index_url = format!(
        "{}/offers/v1.0/aws/index.json",
        options.endpoint.trim_end_matches('/')
    );
    let index: serde_json::Value = fetcher.with_body(&index_url, |r| json_body(&index_url, r))?;
    let mut contents = Vec::new();
    for (code, _) in &wanted {
        let url = region_file_url(
            &fetcher,
            &options.endpoint,
            &index_url,
            &index,
            code,
            &options.region,
        )?;
        let offer = fetcher.with_body(&url, |r| offers::read_offer_csv(code, r))?;
        contents.push((url, offer));
    }
    let merged = merge(&old, &contents, options.now);
    let staging_root = root.join(format!(
        ".staging-{}-{}",
        std::process::id(),
        options.now.timestamp_nanos_opt().unwrap_or(0)
    ));
    let result = write_and_check(&old_source, &staging_root, options, &merged, &contents);
    let outcome = result.and_then(|new| {
        let changes = diff(&old, &new);
        if !options.dry_run {
            crate::fsutil::swap_in(&staging_root.join("aws").join(&options.region), &existing)?;
        }
        Ok(changes)
    });
    let _ = std::fs::remove_dir_all(&staging_root);
    let changes = outcome?;
    Ok(UpdateReport {
        target: existing,
        offers: contents
            .iter()
            .map(|(url, c)| OfferProvenance {
                offer: c.offer_code.clone(),
                version: c.version.clone(),
                publication_date: c.publication_date.clone(),
                url: url.clone(),
                rows_read: c.rows,
                prices_used: c.prices.len(),
            })
            .collect(),
        changes,
        kept: merged.kept,
        written: !options.dry_run,
    })
}

fn json_body(url: &str, reader: &mut dyn std::io::Read) -> Result<serde_json::Value> {
    let mut text = String::new();
    reader
        .read_to_string(&mut text)
        .map_err(|e| Error::io(format!("cannot read {url}"), e))?;
    serde_json::from_str(&text).map_err(|e| Error::Fetch {
        url: url.to_string(),
        message: format!("not valid JSON: {e}"),
    })
}

/// The CSV price list URL of `offer` in `region`, through the offer's Region index.
fn region_file_url(
    fetcher: &fetch::Fetcher,
    endpoint: &str,
    index_url: &str,
    index: &serde_json::Value,
    offer: &str,
    region: &str,
) -> Result<String> {
    let base = endpoint.trim_end_matches('/');
    let region_index = index["offers"][offer]["currentRegionIndexUrl"]
        .as_str()
        .ok_or_else(|| Error::Fetch {
            url: index_url.to_string(),
            message: format!("the service index has no `offers.{offer}.currentRegionIndexUrl`"),
        })?;
    let region_index_url = format!("{base}{region_index}");
    let regions: serde_json::Value =
        fetcher.with_body(&region_index_url, |r| json_body(&region_index_url, r))?;
    let version_url = regions["regions"][region]["currentVersionUrl"]
        .as_str()
        .ok_or_else(|| Error::Fetch {
            url: region_index_url.clone(),
            message: format!("{offer} has no price list for region {region}"),
        })?;
    let csv_path = version_url
        .strip_suffix(".json")
        .map_or_else(|| version_url.to_string(), |p| format!("{p}.csv"));
    Ok(format!("{base}{csv_path}"))
}

/// The merged catalog before it is written.
struct Merged {
    prices: BTreeMap<(Service, String), Vec<Price>>,
    kept: usize,
}

fn merge(
    old: &PriceCatalog,
    contents: &[(String, offers::OfferContents)],
    now: DateTime<Utc>,
) -> Merged {
    let mut prices: BTreeMap<(Service, String), Vec<Price>> = BTreeMap::new();
    for p in old.prices() {
        prices
            .entry((p.service, p.usage_key.clone()))
            .or_default()
            .push(p.clone());
    }
    let mut refreshed: BTreeMap<(Service, String), Vec<Price>> = BTreeMap::new();
    for (url, offer) in contents {
        let source = format!(
            "AWS Price List {} version {} (published {}), {url}, retrieved {}",
            offer.offer_code,
            offer.version,
            offer.publication_date,
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        for p in &offer.prices {
            let tiers = refreshed
                .entry((p.service, p.usage_key.clone()))
                .or_default();
            // The first row for a key and tier wins (later duplicates repeat it).
            if tiers.iter().any(|t| t.tier_start == p.tier_start) {
                continue;
            }
            let description = prices
                .get(&(p.service, p.usage_key.clone()))
                .and_then(|old| old.iter().find(|t| t.tier_start == p.tier_start))
                .map_or_else(|| p.description.clone(), |t| t.description.clone());
            tiers.push(Price {
                service: p.service,
                usage_key: p.usage_key.clone(),
                description,
                unit: p.unit,
                usd: p.usd,
                tier_start: p.tier_start,
                effective_date: p.effective_date,
                source: source.clone(),
                confidence: Confidence::PriceList,
            });
        }
    }
    let refreshed_services: Vec<Service> = refreshed.keys().map(|(s, _)| *s).collect();
    let kept = prices
        .keys()
        .filter(|k| refreshed_services.contains(&k.0) && !refreshed.contains_key(*k))
        .count();
    for (key, mut tiers) in refreshed {
        tiers.sort_by_key(|t| t.tier_start);
        prices.insert(key, tiers);
    }
    Merged { prices, kept }
}

fn write_and_check(
    old_source: &CatalogSource,
    staging_root: &Path,
    options: &UpdateOptions,
    merged: &Merged,
    contents: &[(String, offers::OfferContents)],
) -> Result<PriceCatalog> {
    let dir = staging_root.join("aws").join(&options.region);
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::io(format!("cannot create `{}`", dir.display()), e))?;
    for service in Service::ALL {
        let rows = merged
            .prices
            .iter()
            .filter(|((s, _), _)| *s == service)
            .flat_map(|(_, tiers)| tiers);
        super::write::write_prices(&dir.join(format!("{service}.csv")), rows)?;
    }
    let types = raw_text(old_source, &options.region, "ec2_instance_types.csv")?;
    let ec2_offer = contents.iter().find(|(_, c)| c.offer_code == "AmazonEC2");
    let merged_types =
        super::write::merge_instance_types(&types, ec2_offer.map(|(url, c)| (url.as_str(), c)))?;
    write_file(&dir.join("ec2_instance_types.csv"), &merged_types)?;
    for name in ["ec2_burstable.csv", "lightsail_plans.csv", "free_tier.csv"] {
        write_file(
            &dir.join(name),
            &raw_text(old_source, &options.region, name)?,
        )?;
    }
    let versions: Vec<String> = contents
        .iter()
        .map(|(_, c)| format!("{} {}", c.offer_code, c.version))
        .collect();
    let meta = super::write::meta_csv(
        options.now.date_naive(),
        "price-list update",
        &format!("{}: {}", options.endpoint, versions.join(", ")),
    )?;
    write_file(&dir.join("catalog_meta.csv"), &meta)?;
    // Loading it back runs every check the catalog has.
    PriceCatalog::load(
        &CatalogSource::Dir(staging_root.to_path_buf()),
        &options.region,
    )
}

fn write_file(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text)
        .map_err(|e| Error::io(format!("cannot write `{}`", path.display()), e))
}

/// The percentage change from `old` to `new`, when both exist and `old` is not zero.
#[must_use]
pub fn percent_change(old: Decimal, new: Decimal) -> Option<Decimal> {
    (!old.is_zero()).then(|| ((new - old) / old * Decimal::ONE_HUNDRED).round_dp(2))
}
