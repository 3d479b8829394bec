//! Autoscaling, deployments and `costcast simulate`, with counts derived by hand.

use crate::{assert_usd, costcast, fixture, fixture_text, json, temp_file};

/// The `simulate` series of one option as rows of (running, in_service, unserved_rps).
fn series(scenario: &str, option: &str) -> Vec<(f64, f64, f64, f64)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("series.csv");
    let run = costcast(&[
        "simulate",
        scenario,
        "--series",
        path.to_str().unwrap(),
        "--option",
        option,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.starts_with("wrote "), "{}", run.stderr);
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (running, in_service, unserved, cost) = (
        col("running"),
        col("in_service"),
        col("unserved_rps"),
        col("cost_usd"),
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let f = |i: usize| r[i].parse::<f64>().unwrap();
            (f(running), f(in_service), f(unserved), f(cost))
        })
        .collect()
}

#[test]
fn a_load_step_scales_out_as_target_tracking_implies() {
    // Minutes 0–59: 0.5 vCPU on one m5.large (25%). From minute 60: 3 vCPU; one instance
    // serves 2 (100%). The high alarm needs 3 one-minute datapoints above 50%: after
    // minutes 60, 61, 62 the group goes to ceil(1 × 100 / 50) = 2. The new instance
    // serves 120 s later (minute 65); meanwhile the alarm stays high but the answer,
    // sized on the one serving instance, is still 2. At minute 65, 2 serve at 75%, so
    // after it the group goes to ceil(2 × 75 / 50) = 3, serving from minute 68 at 50%.
    let s = series(&fixture("scenarios/step_scaling.toml"), "asg");
    let running: Vec<f64> = s.iter().map(|r| r.0).collect();
    assert!(running[..63].iter().all(|n| *n == 1.0));
    assert_eq!(&running[63..66], &[2.0, 2.0, 2.0]);
    assert!(running[66..180].iter().all(|n| *n == 3.0));
    assert_eq!(s[64].1, 1.0);
    assert_eq!(s[65].1, 2.0);
    assert_eq!(s[68].1, 3.0);
    // 1 vCPU (10 req/s) unserved while one instance serves: minutes 60–64
    for (minute, row) in s.iter().enumerate().take(70) {
        let expected = if (60..65).contains(&minute) {
            10.0
        } else {
            0.0
        };
        assert!(
            (row.2 - expected).abs() < 1e-9,
            "minute {minute}: {}",
            row.2
        );
    }
    // The trace repeats at minute 180 (0.5 vCPU again: 8.3% on 3): 15 low datapoints
    // (below 45%), then ceil(3 × 8.33 / 50) = 1, at the end of minute 194.
    assert_eq!(running[194], 3.0);
    assert_eq!(running[195], 1.0);
}

#[test]
fn the_series_costs_add_up_to_the_bill() {
    let s = series(&fixture("scenarios/step_scaling.toml"), "asg");
    let total: f64 = s.iter().map(|r| r.3).sum();
    let out = json(
        costcast(&[
            "compare",
            &fixture("scenarios/step_scaling.toml"),
            "--format",
            "json",
        ])
        .ok(),
    );
    assert_usd(&out["options"][0]["horizon_usd"]["mean"], total);
    assert_eq!(s.len(), 31 * 1440);
}

/// Runs deploy.toml with `policy` (and optional replacements) and returns the option's JSON.
fn deploy(policy: &str, edits: &[(&str, &str)]) -> serde_json::Value {
    let mut text = fixture_text("scenarios/deploy.toml").replace(
        "policy = \"all_at_once\"",
        &format!("policy = \"{policy}\""),
    );
    for (from, to) in edits {
        text = text.replace(from, to);
    }
    let (_dir, path) = temp_file("deploy.toml", &text);
    json(costcast(&["compare", &path, "--format", "json"]).ok())["options"][0].clone()
}

#[test]
fn deployments_change_capacity_and_billed_time_as_aws_documents() {
    // 4 × 744 h of m5.large = 2,976 instance-hours; 31 deployments of 10 minutes.
    let base_usd = 2976.0 * 0.096;
    let minutes = 44_640.0;
    // All at once: every instance out of service for each deployment (EBUG
    // using-features.rolling-version-deploy.md): 310 of 44,640 minutes unserved.
    let o = deploy("all_at_once", &[]);
    assert_usd(&o["horizon_usd"]["mean"], base_usd);
    assert_usd(&o["served_fraction"]["mean"], 1.0 - 310.0 / minutes);
    assert_eq!(o["capacity"]["peak_instances"], 4.0);
    // Rolling: a batch (30% of 4, rounded up: 2) out of service; 2 × 2 vCPU = 4 < 5 wanted
    let o = deploy("rolling", &[]);
    assert_usd(&o["horizon_usd"]["mean"], base_usd);
    assert_usd(
        &o["served_fraction"]["mean"],
        1.0 - 310.0 * 1.0 / (minutes * 5.0),
    );
    // Rolling with an additional batch: 2 extra instances launched first and billed;
    // peak N + batch = 6, capacity whole
    let o = deploy("rolling_with_additional_batch", &[]);
    assert_usd(
        &o["horizon_usd"]["mean"],
        (2976.0 + 2.0 * 310.0 / 60.0) * 0.096,
    );
    assert_eq!(o["capacity"]["peak_instances"], 6.0);
    assert_eq!(o["served_fraction"]["mean"], 1.0);
    // Immutable and traffic splitting: a second group as large as the first; peak 2N
    for policy in ["immutable", "traffic_splitting"] {
        let o = deploy(policy, &[]);
        assert_usd(
            &o["horizon_usd"]["mean"],
            (2976.0 + 4.0 * 310.0 / 60.0) * 0.096,
        );
        assert_eq!(o["capacity"]["peak_instances"], 8.0);
        assert_eq!(o["served_fraction"]["mean"], 1.0);
    }
}

#[test]
fn short_deployments_pay_the_minute_minimum_per_launch() {
    // 30-second immutable deployments at 30 s steps: each of the 4 extra instances is
    // billed 60 s, not 30 (EC2 60-second minimum per start): 31 × 4 × 60 s.
    let o = deploy(
        "immutable",
        &[
            ("step = \"1m\"", "step = \"30s\""),
            ("minutes = 10", "minutes = 0.5"),
        ],
    );
    assert_usd(
        &o["horizon_usd"]["mean"],
        (2976.0 + 31.0 * 4.0 * 60.0 / 3600.0) * 0.096,
    );
}

#[test]
fn scaling_keys_are_checked() {
    let step = fixture_text("scenarios/step_scaling.toml")
        .replace("../traces/step_load.csv", &fixture("traces/step_load.csv"));
    let cases = [
        (
            step.replace("public_ipv4 = false", "public_ipv4 = false\ncount = 2"),
            "`option[0].count`: an autoscaled group sizes itself",
        ),
        (
            step.replace("step = \"1m\"", "step = \"5m\""),
            "`option[0].autoscaling`: the policy's 60 s metric period needs a scenario step that divides it; the step is 300 s",
        ),
        (
            step.replace("target = 50.0\n", ""),
            "`option[0].autoscaling`: target tracking needs `target`",
        ),
        (
            step.replace("min = 1", "min = 12"),
            "`option[0].autoscaling.max`: max 10 must be at least min 12",
        ),
        (
            fixture_text("scenarios/deploy.toml").replace("minutes = 10", "minutes = 10.5"),
            "`option[0].deployments.minutes`: deployments must fall on whole 60 s steps",
        ),
        (
            fixture_text("scenarios/deploy.toml") + "[option.trigger]\nmeasure = \"cpu\"\n",
            "`option[0].trigger`: a cpu or requests_per_target trigger needs `upper_threshold` and `lower_threshold`",
        ),
    ];
    for (text, want) in cases {
        let (_dir, path) = temp_file("s.toml", &text);
        costcast(&["compare", &path]).error_contains(want);
    }
    costcast(&[
        "simulate",
        &fixture("scenarios/deploy.toml"),
        "--series",
        "/tmp/x.csv",
        "--option",
        "nope",
    ])
    .error_contains("no option `nope`");
}
