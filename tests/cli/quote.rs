//! `costcast quote`: invoice lines from usage files, checked by hand arithmetic.

use crate::{assert_usd, costcast, fixture, json};

#[test]
fn ec2_and_lambda_quote_matches_published_figures() {
    let out = json(
        costcast(&[
            "quote",
            &fixture("usage/ec2_and_lambda.toml"),
            "--format",
            "json",
        ])
        .ok(),
    );
    assert_eq!(out["schema_version"], 1);
    assert_eq!(out["region"], "us-east-1");
    assert_eq!(out["hours_per_month"], 730.0);
    let resources = out["resources"].as_array().unwrap();
    // t3.micro $0.0104/h × 730 h = $7.592 (rules §1.2; Infracost golden "$7.59")
    assert_eq!(resources[0]["name"], "web");
    assert_usd(&resources[0]["monthly_usd"], 7.592);
    let line = &resources[0]["line_items"][0];
    assert_eq!(line["unit"], "hours");
    assert_usd(&line["quantity"], 730.0);
    assert_usd(&line["unit_price_usd"], 0.0104);
    // m5.large $0.096/h (AWS: EC2UG ec2-fleet-examples.md) × 730 h × 2 = $140.16
    assert_usd(&resources[1]["monthly_usd"], 140.16);
    // Lambda AWS Example 1 with today's tier-1 rate: (1.5M − 0.4M free) GB-s ×
    // $0.0000166667 = $18.33337, plus (3M − 1M free) × $0.0000002 = $0.40.
    assert_usd(&resources[2]["monthly_usd"], 18.733_37);
    let components: Vec<_> = resources[2]["line_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["component"].as_str().unwrap())
        .collect();
    assert_eq!(
        components,
        [
            "Requests (free tier)",
            "Requests",
            "Duration (free tier)",
            "Duration (x86_64, tier 1)"
        ]
    );
    assert_usd(&out["total_monthly_usd"], 7.592 + 140.16 + 18.733_37);
}

#[test]
fn aws_lambda_example_1_with_the_rate_aws_used_then() {
    // AWS's published Example 1 used $0.00001667 per GB-s: 1,100,000 × that = $18.34,
    // plus $0.40 of requests = $18.74. Run the quote against a catalog with that rate.
    let dir = crate::errors::catalog_copy();
    crate::errors::edit_catalog(&dir, "lambda.csv", |text| {
        text.replacen("GB-second,0.0000166667,0,", "GB-second,0.00001667,0,", 1)
    });
    let pricing = dir.path().display().to_string();
    let out = costcast(&[
        "--pricing-dir",
        &pricing,
        "quote",
        &fixture("usage/ec2_and_lambda.toml"),
        "--format",
        "json",
    ]);
    let out = json(out.ok());
    let items = out["resources"][2]["line_items"].as_array().unwrap();
    assert_usd(&items[3]["monthly_usd"], 18.337);
    assert_usd(&items[1]["monthly_usd"], 0.40);
    assert_usd(&out["resources"][2]["monthly_usd"], 18.737);
}

#[test]
fn two_functions_share_the_free_tier_on_one_bill() {
    let out = json(
        costcast(&[
            "quote",
            &fixture("usage/lambda_shared_free_tier.toml"),
            "--format",
            "json",
        ])
        .ok(),
    );
    let resources = out["resources"].as_array().unwrap();
    for r in resources {
        let free = r["line_items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["component"] == "Requests (free tier)")
            .unwrap();
        // 1M free requests split over 1.2M requests: 500,000 each
        assert_usd(&free["quantity"], 500_000.0);
        // 100,000 billable requests × $0.0000002 = $0.02; duration all free
        assert_usd(&r["monthly_usd"], 0.02);
    }
}

#[test]
fn thirty_seconds_of_ec2_bill_sixty() {
    // 60-second minimum per start (EC2UG ec2-on-demand-instances.md): 60 s × $0.0104/3600
    let out = json(
        costcast(&[
            "quote",
            &fixture("usage/short_run.toml"),
            "--format",
            "json",
        ])
        .ok(),
    );
    assert_usd(
        &out["resources"][0]["line_items"][0]["quantity"],
        60.0 / 3600.0,
    );
    assert!((out["total_monthly_usd"].as_f64().unwrap() - 60.0 / 3600.0 * 0.0104).abs() < 1e-12);
}

#[test]
fn every_format_renders_the_same_quote() {
    let usage = fixture("usage/ec2_and_lambda.toml");
    let table = costcast(&["quote", &usage]);
    let text = table.ok();
    assert!(
        text.contains("Instance hours (t3.micro, Linux, On-Demand)"),
        "{text}"
    );
    assert!(text.contains("$0.0104"), "{text}");
    assert!(
        text.lines().last().unwrap().starts_with("TOTAL") && text.contains("$166.49"),
        "{text}"
    );
    let markdown = costcast(&["quote", &usage, "--format", "markdown"]);
    assert!(markdown.ok().contains("| RESOURCE | SERVICE | COMPONENT |"));
    let csv = costcast(&["quote", &usage, "--format", "csv"]);
    let csv = csv.ok();
    assert!(csv.starts_with(
        "resource,service,component,quantity,unit,unit_price_usd,monthly_usd,in_total\n"
    ));
    assert_eq!(csv.lines().count(), 1 + 1 + 1 + 4);
}

#[test]
fn output_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quote.json");
    let run = costcast(&[
        "quote",
        &fixture("usage/ec2_and_lambda.toml"),
        "--format",
        "json",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert!(run.ok().is_empty());
    let written = std::fs::read_to_string(&path).unwrap();
    assert_eq!(json(&written)["schema_version"], 1);
    // nothing but the output is left in the directory (the temporary file was renamed)
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn a_quote_for_every_key_set() {
    let out = json(
        costcast(&[
            "quote",
            &fixture("usage/all_services.toml"),
            "--format",
            "json",
        ])
        .ok(),
    );
    let usd = |name: &str| {
        out["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()["monthly_usd"]
            .clone()
    };
    // 2 × t3.micro 730 h; per instance gp3 40 GB $3.20 + 1,000 IOPS $5.00 + 5 MB/s $0.20
    // and gp2 10 GB $1.00 (Infracost ebs_volume_test); 2 addresses × 730 h × $0.005
    assert_usd(
        &usd("web"),
        2.0 * 730.0 * 0.0104 + 2.0 * 9.40 + 2.0 * 730.0 * 0.005,
    );
    assert_usd(&usd("backups"), 100.0 * 0.05);
    assert_usd(&usd("spare-ips"), 3.0 * 730.0 * 0.005);
    // $12 plan all month + (3,000 + 200 − 3,072) GB over, outbound, × $0.09
    assert_usd(&usd("blog"), 12.0 + 128.0 * 0.09);
    // HA is twice the $60 standard medium database
    assert_usd(&usd("db"), 120.0);
    assert_usd(&usd("lb"), 18.0);
    // Infracost ecs_service_test: 1 vCPU $29.55 + 2 GB $6.49
    assert_usd(&usd("worker"), 730.0 * (0.04048 + 2.0 * 0.004445));
    // AWS Example 1 at today's rate, plus 0.5 GB of extra /tmp × 3M s × $0.0000000309
    assert_usd(&usd("fn"), 18.733_37 + 1_500_000.0 * 0.000_000_030_9);
    // HTTP API: 300M × $1.00/M + 100M × $0.90/M
    assert_usd(&usd("api"), 390.0);
    // ALB: 50 new connections/s = 2 LCU beats 1.5 GB/h
    assert_usd(&usd("alb"), 730.0 * 0.0225 + 2.0 * 730.0 * 0.008);
    // NLB: 1,600 new TCP connections/s = 2 NLCU
    assert_usd(&usd("nlb"), 730.0 * 0.0225 + 2.0 * 730.0 * 0.006);
    assert_usd(&usd("clb"), 730.0 * 0.025 + 100.0 * 0.008);
    // EKS extended support: $0.60 per cluster-hour = $438.00 (Infracost eks_cluster_test)
    assert_usd(&usd("cluster"), 438.0);
    assert_usd(&usd("images"), 2.5);
}

#[test]
fn provisioned_concurrency_serves_what_it_can() {
    // Arm, 1 GB, concurrency 1 all month: 2,628,000 GB-s provisioned × $0.0000033334 and
    // 2,628,000 GB-s of duration on it × $0.0000077778; requests beyond the free 1M
    // × $0.0000002; nothing runs on demand.
    let out = json(
        costcast(&[
            "quote",
            &fixture("usage/provisioned.toml"),
            "--format",
            "json",
        ])
        .ok(),
    );
    let r = &out["resources"][0];
    let expected =
        2_628_000.0 * 0.000_003_333_4 + 2_628_000.0 * 0.000_007_777_8 + 1_628_000.0 * 0.000_000_2;
    assert_usd(&r["monthly_usd"], expected);
    let on_demand = r["line_items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["component"] == "Duration (arm64, tier 1)")
        .unwrap();
    assert_eq!(on_demand["quantity"], 0.0);
}

#[test]
fn beanstalk_has_no_charge_of_its_own() {
    let (_dir, path) = crate::temp_file(
        "u.toml",
        "[[resource]]\nname = \"env\"\nservice = \"beanstalk\"\n",
    );
    costcast(&["quote", &path]).error_contains(
        "u.toml:3:1: `resource[0].service`: Elastic Beanstalk has no charge of its own",
    );
}

#[test]
fn unlimited_surplus_is_charged_hourly_and_the_rest_is_a_liability() {
    // t3.micro (earns 12 credits/h, banks at most 288) at 25% of 2 vCPUs spends 30 an
    // hour: 18 surplus credits an hour. Running all 730 hours, the surplus above 288 is
    // charged at the end of each hour: 18 × 730 − 288 = 12,852 credits = 214.2 vCPU-hours
    // × $0.05 = $10.71; 288 credits (4.8 vCPU-hours, $0.24) stay open, charged only if
    // the instance stops. Stopped after 100 hours, all 1,800 surplus credits are charged
    // at the stop: 30 vCPU-hours = $1.50.
    let usage = "[[resource]]\nname = \"all-month\"\nservice = \"ec2\"\ninstance_type = \"t3.micro\"\naverage_cpu_percent = 25\n\n[[resource]]\nname = \"stopped\"\nservice = \"ec2\"\ninstance_type = \"t3.micro\"\naverage_cpu_percent = 25\nhours = 100\n\n[[resource]]\nname = \"standard\"\nservice = \"ec2\"\ninstance_type = \"t3.micro\"\ncredit_mode = \"standard\"\naverage_cpu_percent = 25\n";
    let (_dir, path) = crate::temp_file("credits.toml", usage);
    let out = json(costcast(&["quote", &path, "--format", "json"]).ok());
    let r = &out["resources"];
    let credits = |i: usize| {
        r[i]["line_items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["component"] == "CPU credits (unlimited surplus, Linux)")
            .cloned()
    };
    assert_usd(&credits(0).unwrap()["quantity"], 214.2);
    assert_usd(&credits(0).unwrap()["monthly_usd"], 10.71);
    assert_usd(&r[0]["liabilities"][0]["quantity"], 4.8);
    assert_usd(&r[0]["liabilities"][0]["monthly_usd"], 0.24);
    assert_usd(&r[0]["monthly_usd"], 730.0 * 0.0104 + 10.71);
    assert_usd(&credits(1).unwrap()["monthly_usd"], 1.50);
    assert!(r[1]["liabilities"].as_array().unwrap().is_empty());
    // standard mode never charges surplus: it is throttled instead
    assert!(credits(2).is_none());
    let table = costcast(&["quote", &path]);
    assert!(table.ok().contains("OUTSTANDING"));
}

#[test]
fn credit_mode_on_a_fixed_performance_type_is_an_error() {
    let (_dir, path) = crate::temp_file(
        "u.toml",
        "[[resource]]\nname = \"x\"\nservice = \"ec2\"\ninstance_type = \"m5.large\"\ncredit_mode = \"unlimited\"\n",
    );
    costcast(&["quote", &path]).error_contains("`resource[0].credit_mode`: `m5.large` is not a burstable (T2/T3/T3a/T4g) type; remove `credit_mode`");
}
