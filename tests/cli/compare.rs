//! `costcast compare`: month-by-month costs of every option, by hand arithmetic.

use crate::{assert_usd, costcast, costcast_in, fixture, json};

#[test]
fn flat_load_costs_what_the_rates_say() {
    let out = json(
        costcast(&[
            "compare",
            &fixture("scenarios/base.toml"),
            "--format",
            "json",
        ])
        .ok(),
    );
    assert_eq!(out["schema_version"], 1);
    assert_eq!(out["paths"], 1);
    assert_eq!(out["horizon_months"], 2);
    let fleet = &out["options"][0];
    assert_eq!(fleet["name"], "fleet");
    assert_eq!(fleet["service"], "ec2");
    // t3.micro $0.0104/h: January 744 h = $7.7376, February 672 h = $6.9888; plus the
    // defaults: an 8 GB gp3 root ($0.64 a month) and a public IPv4 address ($0.005/h).
    // And CPU credits: t3.micro is unlimited by default and earns 12 credits an hour
    // (10% baseline of 2 vCPUs); 0.5 vCPU busy spends 30, so 18 surplus credits an hour
    // pile up. Once they pass 24 hours of earnings (288, after 16 hours) the excess is
    // charged at the end of every hour: January 18 × 744 − 288 = 13,104 credits, February
    // 18 × 672 = 12,096, at $0.05 per vCPU-hour (60 credits) = $10.92 and $10.08.
    assert_eq!(fleet["months"][0]["month"], "2027-01");
    let (january, february) = (7.7376 + 0.64 + 3.72 + 10.92, 6.9888 + 0.64 + 3.36 + 10.08);
    assert_usd(&fleet["credits"]["surplus_charged_credits"], 25_200.0);
    assert_usd(&fleet["credits"]["outstanding_surplus_credits"], 288.0);
    assert_usd(&fleet["credits"]["outstanding_surplus_usd"], 0.24);
    assert_eq!(fleet["credits"]["mode"], "unlimited");
    assert_usd(&fleet["months"][0]["mean"], january);
    assert_usd(&fleet["months"][1]["p95"], february);
    assert_usd(&fleet["horizon_usd"]["mean"], january + february);
    assert_usd(&fleet["monthly_usd"]["p50"], (january + february) / 2.0);
    assert_usd(&fleet["components"]["EBS gp3 storage"], 1.28);
    // 10 req/s × 50 vCPU-ms = 0.5 vCPU of t3.micro's 2: 25% busy, all served
    assert_usd(&fleet["capacity"]["p95_utilization"], 0.25);
    assert_eq!(fleet["served_fraction"]["mean"], 1.0);
    assert_eq!(fleet["feasible"], true);
    // Lambda 1,024 MB, 100 ms, no free tier. January: 26,784,000 requests;
    // 2,678,400 GB-s × $0.0000166667 = $44.64009 + 26.784M × $0.0000002 = $5.3568.
    let function = &out["options"][1];
    assert_usd(&function["months"][0]["mean"], 44.640_09 + 5.3568);
    // February: 24,192,000 requests → $40.32008 + $4.8384
    assert_usd(&function["months"][1]["mean"], 40.320_08 + 4.8384);
    assert_usd(&function["components"]["Requests"], 5.3568 + 4.8384);
}

#[test]
fn undersized_fleet_is_infeasible_with_its_reason() {
    let text = crate::fixture_text("scenarios/base.toml")
        .replace("requests_per_second = 10.0", "requests_per_second = 50.0");
    let (_dir, path) = crate::temp_file("busy.toml", &text);
    let out = json(costcast(&["compare", &path, "--format", "json"]).ok());
    let fleet = &out["options"][0];
    // demand 2.5 vCPU against 2: 80% served
    assert_usd(&fleet["served_fraction"]["mean"], 0.8);
    assert_eq!(fleet["feasible"], false);
    let reason = fleet["reasons"][0].as_str().unwrap();
    assert!(
        reason.starts_with("served 80.00% of demand, below the SLO's 99.90%"),
        "{reason}"
    );
    let table = costcast(&["compare", &path]);
    assert!(table.ok().contains("fleet: served 80.00% of demand"));
}

#[test]
fn default_scenario_runs_with_no_argument_from_any_directory() {
    let dir = tempfile::tempdir().unwrap();
    let run = costcast_in(Some(dir.path()), &["compare"]);
    let text = run.ok();
    assert!(text.starts_with("Scenario `default`"), "{text}");
    for month in ["2027-01", "2027-12"] {
        assert!(text.contains(month), "{text}");
    }
    let out = json(costcast_in(Some(dir.path()), &["compare", "--format", "json"]).ok());
    assert_eq!(out["catalog"]["origin"], "embedded");
    assert!(out["options"].as_array().unwrap().len() >= 2);
    for option in out["options"].as_array().unwrap() {
        assert!(option["horizon_usd"]["mean"].as_f64().unwrap() > 0.0);
        assert_eq!(option["months"].as_array().unwrap().len(), 12);
        for key in ["mean", "p5", "p50", "p95", "p99"] {
            assert!(option["monthly_usd"][key].is_number());
        }
    }
}

#[test]
fn the_embedded_default_is_scenarios_default_toml() {
    let embedded = costcast(&["compare", "--format", "json"]);
    let file = costcast(&["compare", "scenarios/default.toml", "--format", "json"]);
    let (a, b) = (json(embedded.ok()), json(file.ok()));
    assert_eq!(a["options"], b["options"]);
}

#[test]
fn every_scenario_in_the_repository_runs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let needs_shared = std::fs::read_to_string(&path)
                .unwrap()
                .contains("../../shared/data/");
            if needs_shared && crate::shared_data("traces").is_none() {
                continue;
            }
            let run = costcast(&["compare", path.to_str().unwrap(), "--format", "json"]);
            let out = json(run.ok());
            assert!(
                !out["options"].as_array().unwrap().is_empty(),
                "{}",
                path.display()
            );
            count += 1;
        }
    }
    assert!(count >= 3);
}

#[test]
fn trace_scenario_replays_the_nab_elb_counts() {
    // elb_request_count_8c0756: 4,032 five-minute counts plus 8 interpolated gaps = 4,040
    // steps, repeated back to back from 2027-01-01 and scaled 50x. January's 8,928 steps
    // hold 27,823,825 requests (computed independently from the CSV); at $0.0000002 each
    // = $5.5648, and 27,823,825 × 0.04 s × 0.25 GB × $0.0000133334 (Arm tier 1) = $3.7099.
    let out = json(costcast(&["compare", "scenarios/nab-elb-api.toml", "--format", "json"]).ok());
    let lambda = out["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["service"] == "lambda")
        .unwrap();
    assert_usd(&lambda["months"][0]["mean"], 5.564_765 + 3.709_862);
    let csv = costcast(&["compare", "scenarios/nab-elb-api.toml", "--format", "csv"]);
    assert!(
        csv.ok()
            .starts_with("option,service,month,usd,served_fraction,feasible\n")
    );
}

#[test]
fn markdown_has_the_summary_and_monthly_tables() {
    let text = costcast(&[
        "compare",
        &fixture("scenarios/base.toml"),
        "--format",
        "markdown",
    ]);
    let text = text.ok();
    assert!(text.starts_with("## Scenario `base`"));
    assert!(text.contains(
        "| OPTION | SERVICE | MONTHLY AVG | 2-MONTH TOTAL | SERVED | P95 UTIL | PEAK | SLO |"
    ));
    assert!(text.contains("| 2027-01 | $23.02 | $50.00 |"), "{text}");
}

#[test]
fn every_service_bills_its_components() {
    // services.toml: February 2027 (672 h), 10 req/s flat = 24,192,000 requests of 200 kB
    // out: 7.2 GB processed per hour through a load balancer, 4,838.4 GB out in the month.
    let out = json(
        costcast(&[
            "compare",
            &fixture("scenarios/services.toml"),
            "--format",
            "json",
        ])
        .ok(),
    );
    let option = |name: &str| crate::option(&out, name);
    let ec2 = option("ec2-alb");
    let c = &ec2["components"];
    assert_usd(
        &c["Instance hours (t3.micro, Linux, On-Demand)"],
        672.0 * 0.0104,
    );
    assert_usd(&c["Application Load Balancer hours"], 672.0 * 0.0225);
    // processed bytes are the largest LCU dimension: 7.2 LCU × 672 h × $0.008
    assert_usd(
        &c["Load balancer capacity units (LCU-hours)"],
        7.2 * 672.0 * 0.008,
    );
    // the ALB's two public addresses (one per AZ); the instance has none
    assert_usd(&c["Public IPv4 addresses"], 2.0 * 672.0 * 0.005);
    assert!(c.get("EBS gp3 storage").is_none());
    // Fargate 1 vCPU / 2 GB x86: 672 × ($0.04048 + 2 × $0.004445)
    assert_usd(
        &option("fargate")["horizon_usd"]["mean"],
        672.0 * (0.04048 + 2.0 * 0.004445),
    );
    // Lightsail $24 plan (chosen by price): the plan price for a full month, plus
    // 4,838.4 GB out − 4,096 GB allowance = 742.4 GB × $0.09
    let lightsail = option("lightsail");
    assert_usd(
        &lightsail["components"]["Lightsail plan medium_3_0 (capped at the monthly price)"],
        24.0,
    );
    assert_usd(
        &lightsail["components"]["Lightsail data transfer out above the allowance"],
        742.4 * 0.09,
    );
    // Lambda 128 MB × 10 ms, no free tier: 30,240 GB-s × $0.0000166667 + requests
    // $4.8384; HTTP API 24.192M × $1.00/M
    let lambda = option("lambda-http");
    assert_usd(
        &lambda["components"]["Duration (x86_64, tier 1)"],
        30_240.0 * 0.000_016_666_7,
    );
    assert_usd(&lambda["components"]["Requests"], 4.8384);
    assert_usd(&lambda["components"]["HTTP API requests (tier 1)"], 24.192);
    // Beanstalk = what it creates: t3.micro + 8 GB gp3 + ALB + 3 public IPv4 (instance + ALB's 2)
    let beanstalk = option("beanstalk");
    let expected =
        672.0 * 0.0104 + 0.64 + 672.0 * 0.0225 + 7.2 * 672.0 * 0.008 + 3.0 * 672.0 * 0.005;
    assert_usd(&beanstalk["horizon_usd"]["mean"], expected);
    assert_eq!(beanstalk["service"], "beanstalk");
}

#[test]
fn fargate_sizes_are_checked_with_the_valid_values() {
    let text = crate::fixture_text("scenarios/services.toml").replacen(
        "memory_gb = 2",
        "memory_gb = 1",
        1,
    );
    let (_dir, path) = crate::temp_file("s.toml", &text);
    costcast(&["compare", &path]).error_contains("`option[1].memory_gb`: 1 GB is not valid with 1 vCPU; valid memory (GB): 2, 3, 4, 5, 6, 7, 8");
    let text = crate::fixture_text("scenarios/services.toml").replacen(
        "plan = \"24\"",
        "plan = \"25\"",
        1,
    );
    let (_dir, path) = crate::temp_file("s.toml", &text);
    costcast(&["compare", &path]).error_contains(
        "`option[2].plan`: no Lightsail plan `25`; plans: nano_3_0 ($5), micro_3_0 ($7)",
    );
}

#[test]
fn lambda_above_its_concurrency_limit_is_throttled_and_not_billed() {
    // 10 req/s of 1 s = 10 concurrent executions against a limit of 4: 40% served. Only
    // served invocations are billed: January 26,784,000 × 0.4 = 10,713,600 requests.
    let text = crate::fixture_text("scenarios/base.toml")
        .replacen("duration_ms = 100.0", "duration_ms = 1000.0", 1)
        .replacen(
            "free_tier = false",
            "free_tier = false\nconcurrency_limit = 4",
            1,
        );
    let (_dir, path) = crate::temp_file("throttled.toml", &text);
    let out = json(costcast(&["compare", &path, "--format", "json"]).ok());
    let function = &out["options"][1];
    assert_usd(&function["served_fraction"]["mean"], 0.4);
    assert_usd(&function["capacity"]["peak_concurrency"], 10.0);
    // unserved: 60% of (26,784,000 + 24,192,000)
    assert_usd(
        &function["capacity"]["unserved_requests"],
        0.6 * 50_976_000.0,
    );
    // 10,713,600 × $0.0000002 + 10,713,600 GB-s × $0.0000166667
    assert_usd(
        &function["months"][0]["mean"],
        10_713_600.0 * 0.000_000_2 + 10_713_600.0 * 0.000_016_666_7,
    );
    assert_eq!(function["feasible"], false);
    let reason = function["reasons"][0].as_str().unwrap();
    assert!(reason.starts_with("served 40.00% of demand, below the SLO's 99.90% (30,585,600 requests unserved over 84,960 minutes"), "{reason}");
}

#[test]
fn nasa_trace_shows_throttling_under_a_low_limit() {
    if crate::shared_data("traces/nasa_http_per_second").is_none() {
        return;
    }
    let out = json(costcast(&["compare", "scenarios/nasa-http.toml", "--format", "json"]).ok());
    let option = |name: &str| crate::option(&out, name);
    // The day's per-second counts (89,582 requests, peak 12 req/s) × 2.5 s: bursts reach
    // 30 concurrent executions, far above a reserved 8, never near the default 1,000.
    let open = option("lambda");
    assert_eq!(open["served_fraction"]["mean"], 1.0);
    assert_usd(&open["capacity"]["peak_concurrency"], 30.0);
    let capped = option("lambda-reserved-8");
    let served = capped["served_fraction"]["mean"].as_f64().unwrap();
    assert!(served > 0.5 && served < 0.999, "{served}");
    assert_eq!(capped["feasible"], false);
    assert!(
        capped["months"][0]["mean"].as_f64().unwrap() < open["months"][0]["mean"].as_f64().unwrap()
    );
}

#[test]
fn credits_on_the_real_nab_cpu_trace_in_both_modes() {
    // fe7f93 read as a 2-vCPU instance's CPU: mean 5.8% = 0.116 vCPU. A t3.nano earns
    // 6 credits an hour (0.1 vCPU): less than the mean, so in standard mode it runs dry
    // and is held to the baseline; unlimited serves everything and pays for the surplus.
    // A t3.micro earns 12 (0.2 vCPU): its bank never empties, so both modes cost the same.
    let out = json(
        costcast(&[
            "compare",
            "scenarios/nab-cpu-credits.toml",
            "--format",
            "json",
        ])
        .ok(),
    );
    let option = |name: &str| crate::option(&out, name);
    let nano_std = option("t3.nano-standard");
    let nano_unl = option("t3.nano-unlimited");
    assert!(nano_std["served_fraction"]["mean"].as_f64().unwrap() < 0.9);
    assert!(nano_std["credits"]["throttled_minutes"].as_f64().unwrap() > 0.0);
    assert!(
        nano_std["reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("CPU credits exhausted: held to the baseline for")
    );
    assert_eq!(nano_unl["served_fraction"]["mean"], 1.0);
    // the only difference between the modes' bills is the surplus charged, at $0.05 per
    // vCPU-hour of 60 credits
    let charged = nano_unl["credits"]["surplus_charged_credits"]
        .as_f64()
        .unwrap();
    assert!(charged > 0.0);
    let difference = nano_unl["horizon_usd"]["mean"].as_f64().unwrap()
        - nano_std["horizon_usd"]["mean"].as_f64().unwrap();
    assert!(
        (difference - charged / 60.0 * 0.05).abs() < 1e-9,
        "{difference} vs {charged}"
    );
    let micro_std = option("t3.micro-standard");
    let micro_unl = option("t3.micro-unlimited");
    assert_eq!(micro_std["served_fraction"]["mean"], 1.0);
    assert_eq!(micro_std["horizon_usd"], micro_unl["horizon_usd"]);
    assert_eq!(micro_unl["credits"]["surplus_charged_credits"], 0.0);
    assert!(micro_std["credits"]["min_balance"].as_f64().unwrap() > 0.0);
    // A $5 Lightsail plan has the t3.nano's burst (5% of 2 vCPUs, 24 hours banked)
    let lightsail = option("lightsail-nano");
    assert_eq!(lightsail["served_fraction"], nano_std["served_fraction"]);
    assert_usd(&lightsail["monthly_usd"]["mean"], 5.0);
}

#[test]
fn standard_mode_starts_empty_and_is_held_to_the_baseline() {
    // base.toml's 0.5 vCPU of demand on a t3.micro in standard mode: a T3 launches with
    // no credits and earns 12 an hour, so it can deliver 0.2 vCPU: 40% of the demand.
    let text = crate::fixture_text("scenarios/base.toml").replacen(
        "count = 1",
        "count = 1\ncredit_mode = \"standard\"",
        1,
    );
    let (_dir, path) = crate::temp_file("standard.toml", &text);
    let out = json(costcast(&["compare", &path, "--format", "json"]).ok());
    let fleet = &out["options"][0];
    assert_usd(&fleet["served_fraction"]["mean"], 0.4);
    assert_usd(
        &fleet["credits"]["throttled_minutes"],
        (744.0 + 672.0) * 60.0,
    );
    assert!(
        fleet["components"]
            .get("CPU credits (unlimited surplus, Linux)")
            .is_none()
    );
}
