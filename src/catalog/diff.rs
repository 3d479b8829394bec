//! Differences between two catalogs: what `pricing update --dry-run` and `pricing diff`
//! report.

use rust_decimal::Decimal;
use serde::Serialize;

use super::{PriceCatalog, PriceUnit, Service};

/// One price that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceChange {
    /// Service.
    pub service: String,
    /// Usage key.
    pub usage_key: String,
    /// Tier start.
    pub tier_start: Decimal,
    /// Unit.
    pub unit: String,
    /// Old price (absent for a new key).
    pub old_usd: Option<Decimal>,
    /// New price (absent for a removed key).
    pub new_usd: Option<Decimal>,
    /// Change in percent, when both exist.
    pub change_pct: Option<Decimal>,
}

/// Prices that changed, appeared or disappeared from `old` to `new`.
#[must_use]
pub fn diff(old: &PriceCatalog, new: &PriceCatalog) -> Vec<PriceChange> {
    let key =
        |service: Service, usage_key: &str, tier: Decimal| (service, usage_key.to_string(), tier);
    let mut old_map = std::collections::BTreeMap::new();
    for p in old.prices() {
        old_map.insert(key(p.service, &p.usage_key, p.tier_start), (p.usd, p.unit));
    }
    let mut new_map = std::collections::BTreeMap::new();
    for p in new.prices() {
        new_map.insert(key(p.service, &p.usage_key, p.tier_start), (p.usd, p.unit));
    }
    let mut keys: Vec<_> = old_map.keys().chain(new_map.keys()).cloned().collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let old = old_map.get(&k);
            let new = new_map.get(&k);
            if let (Some(o), Some(n)) = (old, new)
                && o.0 == n.0
            {
                return None;
            }
            let unit: PriceUnit = new
                .or(old)
                .map(|x| x.1)
                .expect("invariant: the key is in one of them");
            Some(PriceChange {
                service: k.0.to_string(),
                usage_key: k.1,
                tier_start: k.2,
                unit: unit.to_string(),
                old_usd: old.map(|x| x.0),
                new_usd: new.map(|x| x.0),
                change_pct: old
                    .zip(new)
                    .and_then(|(o, n)| super::update::percent_change(o.0, n.0)),
            })
        })
        .collect()
}
