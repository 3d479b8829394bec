//! `costcast pricing list [SERVICE]` and `costcast pricing show SERVICE KEY`

use clap::{Args, Subcommand};
use costcast::catalog::diff::PriceChange;
use costcast::catalog::update::{FetchOptions, UpdateOptions};
use costcast::catalog::{CatalogSource, Price, PriceCatalog, Service};
use costcast::report::table::{Align, Table, format_quantity};

use crate::cli::{ExitStatus, Pricing, load_catalog, output};

#[derive(Debug, Subcommand)]
pub(crate) enum PricingCommand {
    /// List prices (all services, or one).
    List(ListArgs),
    /// Show one price with its provenance, e.g. `pricing show ec2 t3.micro`.
    Show(ShowArgs),
    /// Refresh the catalog in `--pricing-dir` (default `pricing-data`) from AWS's Price
    /// List Bulk API; the old catalog is replaced only by a complete, valid new one.
    Update(UpdateArgs),
    /// Compare two catalog directories: prices changed, added and removed.
    Diff(DiffArgs),
}

#[derive(Debug, Args)]
pub(crate) struct UpdateArgs {
    /// The region.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// Offers to fetch, comma-separated (default: all the catalog uses).
    #[arg(long, value_delimiter = ',')]
    services: Vec<String>,
    /// Base URL of the price list (a mirror; plain HTTP only on loopback).
    #[arg(long, default_value = costcast::catalog::update::DEFAULT_ENDPOINT)]
    endpoint: String,
    /// Show the changes, write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Seconds one request may take, body included.
    #[arg(long, default_value_t = 900)]
    timeout_s: u64,
    /// Retries after a failed request, with doubling waits.
    #[arg(long, default_value_t = 3)]
    retries: u32,
    /// Seconds before the first retry.
    #[arg(long, default_value_t = 1.0)]
    backoff_s: f64,
    /// Largest file accepted, MB.
    #[arg(long, default_value_t = 2048)]
    max_mb: u64,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The old `pricing-data` directory.
    old: std::path::PathBuf,
    /// The new `pricing-data` directory.
    new: std::path::PathBuf,
    /// The region.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// Print the changes as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Only this service (ec2, lightsail, fargate, lambda, apigateway, elb, eks, ecr).
    service: Option<String>,
    /// The region.
    #[arg(long, default_value = "us-east-1")]
    region: String,
}

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// The service.
    service: String,
    /// A usage key (`BoxUsage:t3.micro`), its suffix (`t3.micro`) or a Lightsail bundle.
    key: String,
    /// The region.
    #[arg(long, default_value = "us-east-1")]
    region: String,
}

pub(crate) fn run(source: &Pricing, command: &PricingCommand) -> anyhow::Result<ExitStatus> {
    let text = match command {
        PricingCommand::List(a) => {
            let catalog = load_catalog(source, &a.region)?;
            let service = a.service.as_deref().map(parse_service).transpose()?;
            list(&catalog, service)
        }
        PricingCommand::Show(a) => {
            let catalog = load_catalog(source, &a.region)?;
            show(&catalog, parse_service(&a.service)?, &a.key)?
        }
        PricingCommand::Update(a) => update(source, a)?,
        PricingCommand::Diff(a) => {
            let old = PriceCatalog::load(&CatalogSource::Dir(a.old.clone()), &a.region)?;
            let new = PriceCatalog::load(&CatalogSource::Dir(a.new.clone()), &a.region)?;
            let changes = costcast::catalog::diff::diff(&old, &new);
            if a.json {
                costcast::report::to_json(&changes)
            } else {
                changes_table(&changes)
            }
        }
    };
    output::emit(&text, None)?;
    Ok(ExitStatus::Success)
}

fn parse_service(name: &str) -> anyhow::Result<Service> {
    Service::parse(name).ok_or_else(|| {
        let names: Vec<_> = Service::ALL.iter().map(|s| s.as_str()).collect();
        anyhow::anyhow!(
            "unknown service `{name}`; expected one of: {}",
            names.join(", ")
        )
    })
}

fn list(catalog: &PriceCatalog, service: Option<Service>) -> String {
    let mut t = Table::new(&[
        ("SERVICE", Align::Left),
        ("USAGE KEY", Align::Left),
        ("TIER FROM", Align::Right),
        ("PRICE USD", Align::Right),
        ("UNIT", Align::Left),
        ("EFFECTIVE", Align::Left),
        ("CONFIDENCE", Align::Left),
    ]);
    for p in catalog
        .prices()
        .filter(|p| service.is_none_or(|s| s == p.service))
    {
        t.row(vec![
            p.service.to_string(),
            p.usage_key.clone(),
            if p.tier_start.is_zero() {
                String::new()
            } else {
                p.tier_start.to_string()
            },
            p.usd.to_string(),
            p.unit.to_string(),
            p.effective_date.to_string(),
            p.confidence.as_str().to_string(),
        ]);
    }
    format!(
        "Prices for {} ({} catalog)\n\n{}",
        catalog.region(),
        catalog.info().origin,
        t.to_text()
    )
}

fn show(catalog: &PriceCatalog, service: Service, key: &str) -> anyhow::Result<String> {
    let suffix = format!(":{key}");
    let matches: Vec<&Price> = catalog
        .prices()
        .filter(|p| p.service == service && (p.usage_key == key || p.usage_key.ends_with(&suffix)))
        .collect();
    if matches.is_empty() {
        anyhow::bail!(
            "no {service} price matches `{key}` in {}; run `costcast pricing list {service}` to see the usage keys",
            catalog.region()
        );
    }
    let mut out = String::new();
    for p in &matches {
        out.push_str(&format!(
            "{} {}\n  {}\n  price       {} USD per {}{}\n  effective   {}\n  confidence  {}\n  source      {}\n",
            p.service,
            p.usage_key,
            p.description,
            p.usd,
            p.unit,
            if p.tier_start.is_zero() { String::new() } else { format!(" (from {} per month)", p.tier_start) },
            p.effective_date,
            p.confidence.as_str(),
            p.source,
        ));
    }
    if service == Service::Ec2 {
        if let Ok(t) = catalog.ec2_type(key) {
            out.push_str(&format!(
                "  instance    {} vCPU, {} GiB, {}\n",
                t.vcpu,
                format_quantity(t.memory_gib, 3),
                t.architecture
            ));
        }
        if let Some(b) = catalog.burstable(key) {
            out.push_str(&format!(
                "  credits     earns {} per hour, accrues at most {}, baseline {}% per vCPU, {:?} by default{}\n",
                format_quantity(b.credits_earned_per_hour, 2),
                format_quantity(b.max_accrued_credits, 2),
                format_quantity(b.baseline_per_vcpu * 100.0, 2),
                b.default_mode,
                if b.launch_credits > 0.0 { format!(", {} launch credits", b.launch_credits) } else { String::new() },
            ));
        }
    }
    if service == Service::Lightsail
        && let Some(plan) = catalog
            .lightsail_plans()
            .iter()
            .find(|p| p.bundle_id == key)
    {
        out.push_str(&format!(
            "  plan        {} vCPU, {} GB RAM, {} GB SSD, {} GB transfer, baseline {}%\n",
            plan.vcpu,
            format_quantity(plan.memory_gb, 2),
            format_quantity(plan.ssd_gb, 0),
            format_quantity(plan.transfer_gb, 0),
            format_quantity(plan.baseline * 100.0, 2),
        ));
    }
    Ok(out)
}

fn update(source: &Pricing, args: &UpdateArgs) -> anyhow::Result<String> {
    let root = match &source.source {
        CatalogSource::Dir(dir) => dir.clone(),
        CatalogSource::Embedded => std::path::PathBuf::from("pricing-data"),
    };
    let options = UpdateOptions {
        endpoint: args.endpoint.clone(),
        region: args.region.clone(),
        offers: args.services.clone(),
        dry_run: args.dry_run,
        fetch: FetchOptions {
            timeout_s: args.timeout_s,
            retries: args.retries,
            backoff_s: args.backoff_s,
            max_bytes: args.max_mb.saturating_mul(1_000_000),
        },
        now: chrono::Utc::now(),
    };
    let report = costcast::catalog::update::update(&root, &options)?;
    if args.json {
        return Ok(costcast::report::to_json(&report));
    }
    let mut offers = Table::new(&[
        ("OFFER", Align::Left),
        ("VERSION", Align::Left),
        ("PUBLISHED", Align::Left),
        ("ROWS READ", Align::Right),
        ("PRICES USED", Align::Right),
    ]);
    for o in &report.offers {
        offers.row(vec![
            o.offer.clone(),
            o.version.clone(),
            o.publication_date.clone(),
            format_quantity(f64::from(u32::try_from(o.rows_read).unwrap_or(u32::MAX)), 0),
            o.prices_used.to_string(),
        ]);
    }
    let verb = if report.written {
        "updated"
    } else {
        "dry run: would update"
    };
    Ok(format!(
        "{verb} {} ({} keys no offer carried were kept)\n\n{}\n{}",
        report.target.display(),
        report.kept,
        offers.to_text(),
        changes_table(&report.changes)
    ))
}

fn changes_table(changes: &[PriceChange]) -> String {
    if changes.is_empty() {
        return "no price changes\n".to_string();
    }
    let mut t = Table::new(&[
        ("SERVICE", Align::Left),
        ("USAGE KEY", Align::Left),
        ("TIER FROM", Align::Right),
        ("OLD USD", Align::Right),
        ("NEW USD", Align::Right),
        ("CHANGE", Align::Right),
        ("UNIT", Align::Left),
    ]);
    let show = |d: Option<rust_decimal::Decimal>| d.map_or("-".to_string(), |d| d.to_string());
    for c in changes {
        t.row(vec![
            c.service.clone(),
            c.usage_key.clone(),
            if c.tier_start.is_zero() {
                String::new()
            } else {
                c.tier_start.to_string()
            },
            show(c.old_usd),
            show(c.new_usd),
            c.change_pct.map_or_else(
                || {
                    if c.old_usd.is_none() {
                        "new".to_string()
                    } else {
                        "removed".to_string()
                    }
                },
                |p| format!("{p}%"),
            ),
            c.unit.clone(),
        ]);
    }
    format!("{} price changes\n{}", changes.len(), t.to_text())
}
