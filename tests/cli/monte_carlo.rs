//! Monte Carlo runs end to end: thread counts, shards merged by separate processes,
//! statistics against a known distribution, and bad input.

use crate::{costcast, fixture, fixture_text, json, option, temp_file};

fn mc() -> String {
    fixture("scenarios/mc.toml")
}

#[test]
fn one_thread_and_four_threads_print_the_same_bits() {
    let args = |threads| {
        costcast(&[
            "compare",
            &mc(),
            "--paths",
            "16",
            "--seed",
            "7",
            "--threads",
            threads,
            "--format",
            "json",
        ])
    };
    let one = args("1");
    let four = args("4");
    assert_eq!(one.ok(), four.ok());
    let out = json(one.ok());
    assert_eq!(out["paths"], 16);
    assert_eq!(out["seed"], 7);
    // paths differ, so the statistics spread
    let lambda = option(&out, "lambda");
    assert!(lambda["monthly_usd"]["p95"].as_f64() > lambda["monthly_usd"]["p5"].as_f64());
    // another seed, other paths
    let other = costcast(&[
        "compare",
        &mc(),
        "--paths",
        "16",
        "--seed",
        "8",
        "--format",
        "json",
    ]);
    assert_ne!(other.ok(), one.ok());
}

#[test]
fn shards_run_as_separate_processes_merge_into_the_unsharded_result() {
    let dir = tempfile::tempdir().unwrap();
    let whole = costcast(&["compare", &mc(), "--paths", "10", "--format", "json"]);
    // three shards at once, as three processes
    let children: Vec<_> = (0..3)
        .map(|k| {
            std::process::Command::new(env!("CARGO_BIN_EXE_costcast"))
                .args([
                    "compare",
                    &mc(),
                    "--paths",
                    "10",
                    "--shard",
                    &format!("{k}/3"),
                    "--partial",
                    &dir.path()
                        .join(format!("part-{k}.parquet"))
                        .display()
                        .to_string(),
                ])
                .env_remove("COSTCAST_PRICING_DIR")
                .output()
                .unwrap()
        })
        .collect();
    for (k, child) in children.iter().enumerate() {
        assert!(
            child.status.success(),
            "{}",
            String::from_utf8_lossy(&child.stderr)
        );
        assert!(child.stdout.is_empty());
        let note = String::from_utf8_lossy(&child.stderr);
        let paths = if k == 0 { 4 } else { 3 };
        assert!(
            note.contains(&format!("wrote {paths} of 10 paths to")),
            "{note}"
        );
    }
    let part = |k: usize| {
        dir.path()
            .join(format!("part-{k}.parquet"))
            .display()
            .to_string()
    };
    let merged = costcast(&["merge", &part(2), &part(0), &part(1), "--format", "json"]);
    assert_eq!(merged.ok(), whole.ok());
    // a missing shard is named, not averaged over
    costcast(&["merge", &part(0), &part(1)]).error_contains("paths are missing (first: 2, 5, 8)");
    costcast(&["merge", &part(0), &part(0), &part(1), &part(2)])
        .error_contains("path 0 is in more than one part");
    // parts of another run do not mix
    let other = dir.path().join("other.parquet").display().to_string();
    costcast(&[
        "compare",
        &mc(),
        "--paths",
        "10",
        "--seed",
        "2",
        "--shard",
        "0/3",
        "--partial",
        &other,
    ])
    .ok();
    costcast(&["merge", &other, &part(1), &part(2)])
        .error_contains("the parts come from different runs");
    let (_d, not_parquet) = temp_file("x.parquet", "not parquet");
    costcast(&["merge", &not_parquet]).error_contains("is not a costcast partial result");
}

#[test]
fn a_uniform_load_on_a_linear_cost_gives_the_analytic_quantiles() {
    // Lambda without free tier, far below every tier: cost = load × c exactly, so with
    // load ~ U(0.5, 1.5) the q-quantile of cost is c × (0.5 + q) and the mean is c.
    // c by hand (§4 Lambda, us-east-1 x86): January is 2,678,400 s at 10 req/s =
    // 26,784,000 requests × $0.20 per million = $5.3568, and 2,678,400 GB-s
    // (100 ms × 1 GB each) × $0.0000166667 = $44.640 (to the cent).
    let fixed = fixture_text("scenarios/mc_linear.toml").replace(
        "load = { dist = \"uniform\", min = 0.5, max = 1.5 }",
        "load = 1.0",
    );
    let (_dir, path) = temp_file("fixed.toml", &fixed);
    let c = option(
        &json(costcast(&["compare", &path, "--format", "json"]).ok()),
        "fn",
    )["monthly_usd"]["mean"]
        .as_f64()
        .unwrap();
    assert!((c - (5.3568 + 44.64)).abs() < 0.01, "{c}");
    let out = json(
        costcast(&[
            "compare",
            &fixture("scenarios/mc_linear.toml"),
            "--paths",
            "4000",
            "--budget-usd",
            "62.5",
            "--format",
            "json",
        ])
        .ok(),
    );
    let f = option(&out, "fn");
    let stat = |name: &str| f["monthly_usd"][name].as_f64().unwrap();
    // sampling error of a quantile of 4,000 uniform draws: √(q(1−q)/n) ≈ 0.0035 of the range
    for (name, q) in [("p5", 0.05), ("p50", 0.5), ("p95", 0.95), ("p99", 0.99)] {
        let expected = c * (0.5 + q);
        assert!(
            (stat(name) - expected).abs() < 0.015 * c,
            "{name}: {} vs {expected}",
            stat(name)
        );
    }
    assert!((stat("mean") - c).abs() < 0.015 * c);
    // standard error of the mean: sd of U(0.5, 1.5) is 1/√12, over √4000
    let sem = c / 12f64.sqrt() / 4000f64.sqrt();
    assert!((stat("sem") - sem).abs() < 0.05 * sem, "{}", stat("sem"));
    // CVaR95 is the mean of the top 5%: c × 1.475
    assert!((stat("cvar95") - 1.475 * c).abs() < 0.01 * c);
    let ci = f["monthly_usd"]["p95_ci"].as_array().unwrap();
    assert!(ci[0].as_f64().unwrap() <= stat("p95") && stat("p95") <= ci[1].as_f64().unwrap());
    // P(cost > 1.25 c) = 0.25
    let p = f["probability_over_budget"].as_f64().unwrap();
    assert!((p - 0.25).abs() < 0.025, "{p}");
    assert_eq!(out["budget_usd"], 62.5);
}

#[test]
fn fixed_uncertain_values_apply_on_the_single_path() {
    // `load = 2.0` varies nothing, so there is one path, and on it the load is doubled:
    // the linear function costs exactly twice as much.
    let linear = fixture_text("scenarios/mc_linear.toml");
    let with = |load: &str| {
        let text = linear.replace("load = { dist = \"uniform\", min = 0.5, max = 1.5 }", load);
        let (dir, path) = temp_file("s.toml", &text);
        let out = json(costcast(&["compare", &path, "--format", "json"]).ok());
        drop(dir);
        out
    };
    let doubled = with("load = 2.0");
    let plain = with("");
    assert_eq!(doubled["paths"], 1);
    let cost = |out: &serde_json::Value| option(out, "fn")["monthly_usd"]["mean"].as_f64().unwrap();
    assert!(
        (cost(&doubled) - 2.0 * cost(&plain)).abs() < 1e-9,
        "{} vs {}",
        cost(&doubled),
        cost(&plain)
    );
}

#[test]
fn a_scenario_without_uncertainty_runs_one_path() {
    let out = json(
        costcast(&[
            "compare",
            &fixture("scenarios/base.toml"),
            "--paths",
            "500",
            "--format",
            "json",
        ])
        .ok(),
    );
    assert_eq!(out["paths"], 1);
    let text = costcast(&["compare", &fixture("scenarios/base.toml")]);
    assert!(
        text.ok()
            .contains("1 path (no [uncertainty]: the scenario's demand as given)")
    );
}

#[test]
fn the_table_shows_the_spread_over_paths() {
    let out = costcast(&["compare", &mc(), "--paths", "12", "--budget-usd", "40"]);
    let text = out.ok();
    assert!(
        text.contains("12 Monte Carlo paths, seed 1; the SLO must hold in 95% of paths"),
        "{text}"
    );
    assert!(text.contains("Monthly cost over paths (USD)"));
    assert!(text.contains("P95 95% CI"));
    assert!(text.contains("P(> $40.00)"));
}

#[test]
fn simulate_records_the_path_compare_ran() {
    let dir = tempfile::tempdir().unwrap();
    let series = dir.path().join("p0.csv").display().to_string();
    costcast(&[
        "simulate",
        &mc(),
        "--path",
        "0",
        "--seed",
        "7",
        "--option",
        "lambda",
        "--series",
        &series,
    ])
    .ok();
    let text = std::fs::read_to_string(&series).unwrap();
    // the steps' shares of the bill add up to path 0's bill in `compare`
    let cost: f64 = text
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().parse::<f64>().unwrap())
        .sum();
    let one_path = json(
        costcast(&[
            "compare",
            &mc(),
            "--paths",
            "1",
            "--seed",
            "7",
            "--format",
            "json",
        ])
        .ok(),
    );
    let bill = option(&one_path, "lambda")["monthly_usd"]["mean"]
        .as_f64()
        .unwrap();
    assert!((cost - bill).abs() < 1e-6, "{cost} vs {bill}");
    // and it is not the demand as given (path 1 differs too)
    let plain = dir.path().join("plain.csv").display().to_string();
    costcast(&["simulate", &mc(), "--option", "lambda", "--series", &plain]).ok();
    assert_ne!(std::fs::read_to_string(&plain).unwrap(), text);
}

#[test]
fn bad_uncertainty_is_named_with_its_line() {
    let base = fixture_text("scenarios/base.toml");
    let with = |extra: &str| {
        let (dir, path) = temp_file("s.toml", &format!("{base}\n{extra}\n"));
        (dir, path)
    };
    let (_d, p) = with("[uncertainty]\nload = { dist = \"gamma\", shape = 2 }");
    costcast(&["compare", &p])
        .error_contains("`uncertainty.load.dist`: unknown distribution `gamma`");
    let (_d, p) = with(
        "[uncertainty]\ndaily_amplitude = { dist = \"lognormal\", median = 0.5, sigma = 0.2 }",
    );
    costcast(&["compare", &p]).error_contains("must be within 0..=1");
    let (_d, p) = with("[uncertainty]\nlod = 1.0");
    costcast(&["compare", &p]).error_contains("lod");
    let (_d, p) = with("[uncertainty.bootstrap]\nblock = \"day\"");
    costcast(&["compare", &p]).error_contains("resamples a [workload.trace]");
    let (_d, p) = with("[uncertainty]\nspot_discount = 0.6");
    costcast(&["compare", &p]).error_contains("no option uses Fargate Spot");
    let (_d, p) = with("[uncertainty.noise]\ncv = 0.1\nautocorrelation = 1.5");
    costcast(&["compare", &p])
        .error_contains("`uncertainty.noise.autocorrelation`: 1.5 is out of range");
    let err = costcast(&["compare", &p]);
    assert!(err.stderr.contains("s.toml:"), "{}", err.stderr);
}

#[test]
fn bad_run_options_are_refused() {
    costcast(&["compare", &mc(), "--shard", "3/3", "--partial", "x.parquet"])
        .error_contains("--shard `3/3` is not K/N with 0 ≤ K < N");
    let out = costcast(&["compare", &mc(), "--shard", "0/2"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--partial"), "{}", out.stderr);
    let out = costcast(&["compare", &mc(), "--paths", "0"]);
    assert_eq!(out.code, 2);
    costcast(&["compare", &mc(), "--budget-usd=-3"])
        .error_contains("--budget-usd -3 is not an amount");
}
