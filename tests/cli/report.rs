//! What users read: the recommendation and its reasons, break-even sweeps, rightsizing,
//! and the report directory.

use crate::{costcast, fixture, json, option, temp_file};

fn recommend(name: &str) -> serde_json::Value {
    let path = fixture(&format!("scenarios/recommend/{name}.toml"));
    json(costcast(&["compare", &path, "--paths", "20", "--format", "json"]).ok())
}

fn reason<'a>(out: &'a serde_json::Value, name: &str) -> &'a str {
    out["recommendation"]["others"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == name)
        .unwrap()["reason"]
        .as_str()
        .unwrap()
}

#[test]
fn a_tiny_spiky_load_goes_to_lambda() {
    let out = recommend("tiny_spiky");
    let r = &out["recommendation"];
    assert_eq!(r["winner"], "lambda");
    assert_eq!(
        r["ranking"],
        serde_json::json!(["lambda", "fargate-quarter", "ec2-micro"])
    );
    // the free tier covers it; the others bill every hour
    let lambda = option(&out, "lambda");
    assert_eq!(lambda["monthly_usd"]["mean"], 0.0);
    let fargate = option(&out, "fargate-quarter")["monthly_usd"]["mean"]
        .as_f64()
        .unwrap();
    assert!((r["margin_usd"].as_f64().unwrap() - fargate).abs() < 1e-9);
    // a $0 winner has no percentage to be dearer by: the reason says the figures
    assert!(reason(&out, "ec2-micro").starts_with("dearer at p50 ($12.10 vs $0.00 a month)"));
    let text = costcast(&[
        "compare",
        &fixture("scenarios/recommend/tiny_spiky.toml"),
        "--paths",
        "20",
    ]);
    assert!(text.ok().contains(
        "Recommended: lambda, 256 MB x86_64, concurrency limit 1,000: $0.00 a month expected"
    ));
}

#[test]
fn a_steady_heavy_load_goes_to_ec2() {
    let out = recommend("steady_heavy");
    let r = &out["recommendation"];
    assert_eq!(r["winner"], "ec2-m5-2xlarge");
    let ec2 = option(&out, "ec2-m5-2xlarge")["monthly_usd"].clone();
    let lambda = option(&out, "lambda")["monthly_usd"].clone();
    // the reason's percentage is the p50s beside it
    let pct = (lambda["p50"].as_f64().unwrap() / ec2["p50"].as_f64().unwrap() - 1.0) * 100.0;
    let expected = format!("{pct:.0}% dearer at p50");
    assert!(
        reason(&out, "lambda").starts_with(&expected),
        "{} vs {expected}",
        reason(&out, "lambda")
    );
    // m5.2xlarge at $0.384 an hour for January's 744 hours, plus its volume and address
    assert!((ec2["mean"].as_f64().unwrap() - 290.06).abs() < 0.01);
    let margin = r["margin_usd"].as_f64().unwrap();
    assert!(
        (margin - (lambda["mean"].as_f64().unwrap() - ec2["mean"].as_f64().unwrap())).abs() < 1e-9
    );
}

#[test]
fn a_bursty_load_makes_t3_standard_infeasible_and_says_why() {
    let out = recommend("bursty_t3");
    assert_eq!(out["recommendation"]["winner"], "t3-unlimited");
    let standard = option(&out, "t3-standard");
    assert_eq!(standard["feasible"], false);
    let why = reason(&out, "t3-standard");
    assert!(
        why.starts_with("CPU credits exhausted (standard credits): held to the baseline in "),
        "{why}"
    );
    // the unserved share in the reason is the one in the report
    let unserved = (1.0 - standard["served_fraction"]["mean"].as_f64().unwrap()) * 100.0;
    assert!(
        why.contains(&format!("{unserved:.2}% of demand unserved")),
        "{why}"
    );
    assert!(
        why.ends_with("meets the SLO in 0.0% of paths (needs 95%)"),
        "{why}"
    );
    assert!(
        out["recommendation"]["summary"]
            .as_str()
            .unwrap()
            .ends_with("it is the only option that meets the SLO.")
    );
}

#[test]
fn no_feasible_option_is_said_plainly_and_the_gate_refuses_recommended() {
    let text = std::fs::read_to_string(fixture("scenarios/recommend/bursty_t3.toml"))
        .unwrap()
        .replace("credit_mode = \"unlimited\"", "credit_mode = \"standard\"");
    let (_dir, path) = temp_file("none.toml", &text);
    let out = json(costcast(&["compare", &path, "--paths", "8", "--format", "json"]).ok());
    let r = &out["recommendation"];
    assert_eq!(r["winner"], serde_json::Value::Null);
    assert!(
        r["summary"]
            .as_str()
            .unwrap()
            .starts_with("No option meets the SLO in 95% of paths, so none is recommended. The closest is t3-standard"),
        "{}",
        r["summary"]
    );
    let budget = "[[rule]]\nname = \"r\"\noption = \"recommended\"\nmax_monthly_usd = 100\n";
    let (_d, rules) = temp_file("budget.toml", budget);
    costcast(&["gate", &path, "--paths", "8", "--budget", &rules])
        .error_contains("no option meets the SLO, so there is no recommended option to gate");
}

#[test]
fn ties_are_broken_on_the_lower_p95_and_said() {
    // two identical functions: same cost on every path
    let text = std::fs::read_to_string(fixture("scenarios/mc_linear.toml")).unwrap()
        + "\n[[option]]\nname = \"fn2\"\nservice = \"lambda\"\nmemory_mb = 1024\nfree_tier = false\n";
    let (_dir, path) = temp_file("tie.toml", &text);
    let out = json(costcast(&["compare", &path, "--paths", "8", "--format", "json"]).ok());
    let r = &out["recommendation"];
    assert_eq!(r["winner"], "fn");
    assert_eq!(r["tied_with"], serde_json::json!(["fn2"]));
    assert!(
        r["summary"].as_str().unwrap().contains("it ties with fn2"),
        "{}",
        r["summary"]
    );
    assert!(reason(&out, "fn2").starts_with("ties with fn on expected cost"));
}

#[test]
fn sweep_finds_the_crossover_of_two_straight_lines() {
    let scenario = fixture("scenarios/sweep_linear.toml");
    let out = json(
        costcast(&[
            "sweep", &scenario, "--load", "0.1..10", "--points", "9", "--format", "json",
        ])
        .ok(),
    );
    // By hand (§4 Lambda, §1 EC2; January = 744 h = 2,678,400 s):
    // Lambda per 1 req/s: 2,678,400 × ($0.20/M + 0.1 s × 1 GB × $0.0000166667) = $4.99969;
    // the m5.large: 744 h × $0.096 + 8 GB gp3 × $0.08 + 744 h × $0.005 (IPv4) = $75.784.
    let per_rps = 2_678_400.0 * (0.2e-6 + 0.1 * 0.000_016_666_7);
    let flat = 744.0 * 0.096 + 8.0 * 0.08 + 744.0 * 0.005;
    let crossover = flat / per_rps;
    let segments = out["segments"].as_array().unwrap();
    assert_eq!(segments.len(), 2);
    assert_eq!(segments[0]["option"], "fn");
    assert_eq!(segments[1]["option"], "vm");
    let found = segments[0]["to_requests_per_second"].as_f64().unwrap();
    assert!((found - crossover).abs() < 1e-3, "{found} vs {crossover}");
    assert_eq!(
        out["summary"],
        format!("fn is cheapest below {crossover:.1} req/s average; vm above {crossover:.1}.")
    );
    // the points are log-spaced multipliers of the 10 req/s load
    let points = out["points"].as_array().unwrap();
    assert_eq!(points.len(), 9);
    assert!((points[0]["mean_requests_per_second"].as_f64().unwrap() - 1.0).abs() < 1e-9);
    assert!((points[8]["mean_requests_per_second"].as_f64().unwrap() - 100.0).abs() < 1e-9);
    let text = costcast(&["sweep", &scenario, "--points", "3"]);
    assert!(text.ok().contains("fn is cheapest below"));
    costcast(&["sweep", &scenario, "--load", "5..1"])
        .error_contains("the end must be above the start");
}

#[test]
fn sweep_marks_where_an_option_stops_meeting_the_slo() {
    let out = json(
        costcast(&[
            "sweep",
            &fixture("scenarios/recommend/bursty_t3.toml"),
            "--load",
            "0.05..2",
            "--points",
            "4",
            "--paths",
            "4",
            "--format",
            "json",
        ])
        .ok(),
    );
    let points = out["points"].as_array().unwrap();
    // standard mode keeps up at a twentieth of the load and not at twice it
    assert_eq!(points[0]["options"][0]["feasible"], true);
    assert_eq!(points[3]["options"][0]["feasible"], false);
    assert_eq!(points[3]["cheapest"], "t3-unlimited");
}

#[test]
fn rightsizing_finds_a_cheaper_size_that_still_meets_the_slo() {
    let out = json(
        costcast(&[
            "compare",
            &fixture("scenarios/recommend/steady_heavy.toml"),
            "--paths",
            "4",
            "--rightsize",
            "--format",
            "json",
        ])
        .ok(),
    );
    let sizes = out["rightsizing"].as_array().unwrap();
    let ec2 = sizes
        .iter()
        .find(|s| s["option"] == "ec2-m5-2xlarge")
        .unwrap();
    // 200 req/s × 20 ms = 4 vCPUs busy: an m5.xlarge (4 vCPUs) would run at 100%, so the
    // cheapest m5 that serves it all is the m5.2xlarge asked for
    assert_eq!(ec2["asked"]["size"], "m5.2xlarge");
    assert_eq!(ec2["best"]["size"], "m5.2xlarge");
    let tried: Vec<&str> = ec2["sizes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["size"].as_str().unwrap())
        .collect();
    assert!(
        tried.starts_with(&["m5.large", "m5.xlarge", "m5.2xlarge"]),
        "{tried:?}"
    );
    let xlarge = &ec2["sizes"][1];
    assert_eq!(xlarge["feasible"], false);
    // Lambda: less memory is cheaper per GB-second but slower on CPU; some size is best
    let lambda = sizes.iter().find(|s| s["option"] == "lambda").unwrap();
    let best = lambda["best"]["monthly_usd_mean"].as_f64().unwrap();
    assert!(
        lambda["sizes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["monthly_usd_mean"].as_f64().unwrap() >= best)
    );
    assert!(
        (lambda["difference_usd"].as_f64().unwrap()
            - (best - lambda["asked"]["monthly_usd_mean"].as_f64().unwrap()))
        .abs()
            < 1e-9
    );
    let text = costcast(&[
        "compare",
        &fixture("scenarios/recommend/steady_heavy.toml"),
        "--paths",
        "2",
        "--rightsize",
    ]);
    assert!(
        text.ok()
            .contains("Rightsizing: the cheapest size of each option's family that meets the SLO")
    );
}

#[test]
fn report_writes_a_complete_directory_and_replaces_only_reports() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let out_s = out.display().to_string();
    let mc = fixture("scenarios/mc.toml");
    let run = costcast(&[
        "report",
        &mc,
        "--out",
        &out_s,
        "--paths",
        "6",
        "--sweep-points",
        "3",
    ]);
    run.ok();
    assert!(run.stderr.contains("wrote the report to"), "{}", run.stderr);
    for file in [
        "index.html",
        "report.md",
        "report.json",
        "costs.csv",
        "costs.parquet",
        "paths.csv",
        "paths.parquet",
        "charts/monthly-distribution.svg",
        "charts/monthly-distribution.png",
        "charts/monthly-fan.svg",
        "charts/components.png",
        "charts/break-even.svg",
        "charts/path-series.png",
    ] {
        assert!(out.join(file).is_file(), "{file} is missing");
    }
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"));
    assert!(
        !html
            .replace("http://www.w3.org/2000/svg", "")
            .contains("http"),
        "no links out"
    );
    assert!(
        !html.contains("<link") && !html.contains("src=\""),
        "nothing is fetched"
    );
    assert!(html.contains("Summary and recommendation") && html.contains("Recommended: lightsail"));
    let report = json(&std::fs::read_to_string(out.join("report.json")).unwrap());
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["kind"], "costcast-report");
    assert_eq!(report["compare"]["paths"], 6);
    // costs.csv: option × month × component, means that add up to the option's month
    let costs = std::fs::read_to_string(out.join("costs.csv")).unwrap();
    assert!(costs.starts_with("option,service,month,component,usd_mean\n"));
    let lambda_sum: f64 = costs
        .lines()
        .filter(|l| l.starts_with("lambda,"))
        .map(|l| l.rsplit(',').next().unwrap().parse::<f64>().unwrap())
        .sum();
    let lambda_mean = report["compare"]["options"][3]["monthly_usd"]["mean"]
        .as_f64()
        .unwrap();
    assert!(
        (lambda_sum - lambda_mean).abs() < 1e-9,
        "{lambda_sum} vs {lambda_mean}"
    );
    // paths.csv: one row per path and option
    let paths = std::fs::read_to_string(out.join("paths.csv")).unwrap();
    assert_eq!(paths.lines().count(), 1 + 6 * 5);
    // a second run replaces the report
    costcast(&["report", &mc, "--out", &out_s, "--paths", "2", "--no-sweep"]).ok();
    let again = json(&std::fs::read_to_string(out.join("report.json")).unwrap());
    assert_eq!(again["compare"]["paths"], 2);
    assert!(!out.join("charts/break-even.svg").exists());
    // a directory that is not a report is left alone
    let (other, _f) = temp_file("notes.txt", "mine");
    costcast(&[
        "report",
        &mc,
        "--out",
        &other.path().display().to_string(),
        "--paths",
        "2",
        "--no-sweep",
    ])
    .error_contains("exists and is not a costcast report");
    assert_eq!(
        std::fs::read_to_string(other.path().join("notes.txt")).unwrap(),
        "mine"
    );
    // a failed run leaves no report and no staging directory behind
    let (bad_dir, bad) = temp_file("bad.toml", "schema_version = 1\nname = 3\n");
    let target = bad_dir.path().join("r").display().to_string();
    assert_eq!(costcast(&["report", &bad, "--out", &target]).code, 2);
    let left: Vec<_> = std::fs::read_dir(bad_dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("bad.toml")]);
}

#[test]
fn no_progress_bar_off_a_terminal() {
    let run = costcast(&["compare", &fixture("scenarios/mc.toml"), "--paths", "4"]);
    run.ok();
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}
