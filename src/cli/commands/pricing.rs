//! `costcast pricing list [SERVICE]` and `costcast pricing show SERVICE KEY`

use clap::{Args, Subcommand};
use costcast::catalog::{CatalogSource, Price, PriceCatalog, Service};
use costcast::report::table::{Align, Table, format_quantity};

use crate::cli::{ExitStatus, load_catalog, output};

#[derive(Debug, Subcommand)]
pub(crate) enum PricingCommand {
    /// List prices (all services, or one).
    List(ListArgs),
    /// Show one price with its provenance, e.g. `pricing show ec2 t3.micro`.
    Show(ShowArgs),
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

pub(crate) fn run(source: &CatalogSource, command: &PricingCommand) -> anyhow::Result<ExitStatus> {
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
