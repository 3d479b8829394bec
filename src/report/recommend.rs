//! The recommendation: the cheapest option that meets the SLO, and why each other option
//! lost, in plain words with the figure behind it.
//!
//! Options are ranked by expected (mean) monthly cost among those that meet the SLO in at
//! least the SLO's share of paths. Two options within 0.5% (or one cent) of each other
//! are a tie, broken by the lower p95 (the cheaper bad month), then by scenario order.

use serde::Serialize;

use super::compare::{OptionReport, RunInfo};
use super::table::format_quantity;
use crate::money::format_usd;

/// Relative difference in mean monthly cost below which two options tie.
pub const TIE_FRACTION: f64 = 0.005;

/// What `compare` recommends.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    /// The option recommended, when one meets the SLO.
    pub winner: Option<String>,
    /// Options that meet the SLO, cheapest expected month first.
    pub ranking: Vec<String>,
    /// Options whose expected cost ties with the winner's.
    pub tied_with: Vec<String>,
    /// The runner-up's expected monthly cost minus the winner's, USD.
    pub margin_usd: Option<f64>,
    /// That margin as a share of the winner's cost.
    pub margin_fraction: Option<f64>,
    /// The recommendation in a sentence or two.
    pub summary: String,
    /// Why every other option was not recommended.
    pub others: Vec<OtherOption>,
}

/// An option that was not recommended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OtherOption {
    /// Its name.
    pub name: String,
    /// Whether it meets the SLO.
    pub feasible: bool,
    /// Why it lost, with the figure behind it.
    pub reason: String,
}

/// Ranks `options` (of one report) and says why each lost.
#[must_use]
pub fn recommend(info: &RunInfo, paths: u64, options: &[OptionReport]) -> Recommendation {
    let mut feasible: Vec<&OptionReport> = options.iter().filter(|o| o.feasible).collect();
    // stable: equal costs keep scenario order
    feasible.sort_by(|a, b| a.monthly_usd.mean.total_cmp(&b.monthly_usd.mean));
    let ties = |a: &OptionReport, b: &OptionReport| {
        let (x, y) = (a.monthly_usd.mean, b.monthly_usd.mean);
        (y - x).abs() <= (TIE_FRACTION * x.abs().max(y.abs())).max(0.01)
    };
    // Among the options tied with the cheapest, the lower p95 wins.
    if let Some(&cheapest) = feasible.first() {
        let tied: Vec<usize> = (0..feasible.len())
            .filter(|&i| ties(cheapest, feasible[i]))
            .collect();
        if let Some(&best) = tied.iter().min_by(|&&a, &&b| {
            feasible[a]
                .monthly_usd
                .p95
                .total_cmp(&feasible[b].monthly_usd.p95)
        }) {
            let winner = feasible.remove(best);
            feasible.insert(0, winner);
        }
    }
    let Some(&winner) = feasible.first() else {
        return no_feasible_option(info, paths, options);
    };
    let tied_with: Vec<String> = feasible[1..]
        .iter()
        .filter(|o| ties(winner, o))
        .map(|o| o.name.clone())
        .collect();
    let runner_up = feasible.get(1);
    let margin_usd = runner_up.map(|r| r.monthly_usd.mean - winner.monthly_usd.mean);
    let margin_fraction = margin_usd
        .filter(|_| winner.monthly_usd.mean > 0.0)
        .map(|m| m / winner.monthly_usd.mean);
    let mut summary = format!(
        "Recommended: {}, {}: {} a month expected (p50 {}, p95 {})",
        winner.name,
        winner.description,
        format_usd(winner.monthly_usd.mean),
        format_usd(winner.monthly_usd.p50),
        format_usd(winner.monthly_usd.p95),
    );
    match (runner_up, margin_usd, margin_fraction) {
        (Some(r), _, _) if !tied_with.is_empty() => summary.push_str(&format!(
            "; it ties with {} (expected {}, within {:.1}%) and wins on the lower p95 ({} vs {}).",
            tied_with.join(", "),
            format_usd(r.monthly_usd.mean),
            TIE_FRACTION * 100.0,
            format_usd(winner.monthly_usd.p95),
            format_usd(r.monthly_usd.p95),
        )),
        (Some(r), Some(m), Some(f)) => summary.push_str(&format!(
            ", {} ({:.1}%) a month cheaper than the runner-up, {}.",
            format_usd(m),
            f * 100.0,
            r.name
        )),
        (Some(r), Some(m), None) => summary.push_str(&format!(
            ", {} a month cheaper than the runner-up, {}.",
            format_usd(m),
            r.name
        )),
        _ => summary.push_str("; it is the only option that meets the SLO."),
    }
    let others = options
        .iter()
        .filter(|o| o.name != winner.name)
        .map(|o| OtherOption {
            name: o.name.clone(),
            feasible: o.feasible,
            reason: if o.feasible {
                dearer_reason(winner, o, tied_with.contains(&o.name))
            } else {
                infeasible_reason(info, paths, o)
            },
        })
        .collect();
    Recommendation {
        winner: Some(winner.name.clone()),
        ranking: feasible.iter().map(|o| o.name.clone()).collect(),
        tied_with,
        margin_usd,
        margin_fraction,
        summary,
        others,
    }
}

fn no_feasible_option(info: &RunInfo, paths: u64, options: &[OptionReport]) -> Recommendation {
    // `max_by` keeps the last of equals: reversed, that is the first in scenario order
    let closest = options.iter().rev().max_by(|a, b| {
        a.feasible_share
            .total_cmp(&b.feasible_share)
            .then(a.served_fraction.mean.total_cmp(&b.served_fraction.mean))
    });
    let summary = match closest {
        Some(c) if paths > 1 => format!(
            "No option meets the SLO in {:.0}% of paths, so none is recommended. The closest is {}, which meets it in {:.1}% of paths and serves {:.2}% of demand on average.",
            info.slo.min_share_of_paths * 100.0,
            c.name,
            c.feasible_share * 100.0,
            c.served_fraction.mean * 100.0
        ),
        Some(c) => format!(
            "No option meets the SLO, so none is recommended. The closest is {}, which serves {:.2}% of demand (the SLO asks for {:.2}%).",
            c.name,
            c.served_fraction.mean * 100.0,
            info.slo.min_served_fraction * 100.0
        ),
        None => "The scenario has no options.".to_string(),
    };
    Recommendation {
        winner: None,
        ranking: Vec::new(),
        tied_with: Vec::new(),
        margin_usd: None,
        margin_fraction: None,
        summary,
        others: options
            .iter()
            .map(|o| OtherOption {
                name: o.name.clone(),
                feasible: false,
                reason: infeasible_reason(info, paths, o),
            })
            .collect(),
    }
}

fn dearer_reason(winner: &OptionReport, o: &OptionReport, tied: bool) -> String {
    if tied {
        return format!(
            "ties with {} on expected cost ({} vs {} a month) but has the higher p95 ({} vs {})",
            winner.name,
            format_usd(o.monthly_usd.mean),
            format_usd(winner.monthly_usd.mean),
            format_usd(o.monthly_usd.p95),
            format_usd(winner.monthly_usd.p95),
        );
    }
    let (a, b) = (o.monthly_usd.p50, winner.monthly_usd.p50);
    if b > 0.0 {
        format!(
            "{:.0}% dearer at p50 ({} vs {} a month)",
            (a / b - 1.0) * 100.0,
            format_usd(a),
            format_usd(b)
        )
    } else {
        format!(
            "dearer at p50 ({} vs {} a month)",
            format_usd(a),
            format_usd(b)
        )
    }
}

/// The main reason an option fails the SLO, with its figure: the cause is read on the
/// path that misses the SLO by most (with one path, that path), the share unserved is
/// the mean over paths.
fn infeasible_reason(info: &RunInfo, paths: u64, o: &OptionReport) -> String {
    let slo = &info.slo;
    let unserved = (1.0 - o.served_fraction.mean) * 100.0;
    let (worst_capacity, worst_credits, worst_path) = match &o.worst_path {
        Some(w) => (w.capacity, w.credits, Some(w.path)),
        None => (o.capacity, o.credits, None),
    };
    let on_worst = match worst_path {
        Some(p) if paths > 1 => format!(" on its worst path ({p})"),
        _ => String::new(),
    };
    let short = worst_capacity.served_fraction < slo.min_served_fraction;
    let limit = info
        .options
        .iter()
        .find(|i| i.name == o.name)
        .and_then(|i| i.concurrency_limit);
    let mut reason = if let Some(limit) = limit
        && short
    {
        format!(
            "{:.1}% of requests throttled at the {} concurrency limit ({:.1}%{on_worst})",
            unserved,
            format_quantity(limit, 0),
            (1.0 - worst_capacity.served_fraction) * 100.0
        )
    } else if let Some(c) = worst_credits
        && c.throttled_minutes > 0.0
        && short
    {
        let what = if o.service == "lightsail" {
            "burst capacity exhausted".to_string()
        } else {
            format!("CPU credits exhausted ({} credits)", c.mode)
        };
        format!(
            "{what}: held to the baseline in {:.1}% of minutes{on_worst}, serving {:.2}% of its demand; {:.2}% of demand unserved on average",
            c.throttled_minutes / info.horizon_minutes.max(1.0) * 100.0,
            worst_capacity.served_fraction * 100.0,
            unserved
        )
    } else if short {
        format!(
            "too little capacity: {:.2}% of demand unserved{on_worst} (the SLO allows {:.2}%)",
            (1.0 - worst_capacity.served_fraction) * 100.0,
            (1.0 - slo.min_served_fraction) * 100.0
        )
    } else if let Some(u) = worst_capacity.p95_utilization
        && u > slo.max_p95_utilization
    {
        format!(
            "runs too hot: p95 utilisation {:.1}%{on_worst}, above the SLO's {:.1}%",
            u * 100.0,
            slo.max_p95_utilization * 100.0
        )
    } else {
        // the worst path's first reason (after the share of paths, when there are many)
        let skip = usize::from(paths > 1);
        o.reasons
            .get(skip)
            .or_else(|| o.reasons.first())
            .cloned()
            .unwrap_or_else(|| "does not meet the SLO".to_string())
    };
    if paths > 1 {
        reason.push_str(&format!(
            "; meets the SLO in {:.1}% of paths (needs {:.0}%)",
            o.feasible_share * 100.0,
            slo.min_share_of_paths * 100.0
        ));
    }
    reason
}
