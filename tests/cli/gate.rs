//! `costcast gate`: exit codes, outputs and files, on scenarios with known costs.
//!
//! scenarios/base.toml (fixture): `fleet` costs $23.02 in January and $21.07 in February
//! (average $22.04); `fn` costs $50.00 and $45.16 (average $47.58); both serve everything.

use crate::{costcast, fixture, fixture_text, json, temp_file};

fn gate(args: &[&str]) -> crate::Run {
    let path = fixture_path();
    let mut all = vec!["gate", path.as_str()];
    all.extend_from_slice(args);
    costcast(&all)
}

fn fixture_path() -> String {
    fixture("scenarios/base.toml")
}

fn budget(name: &str) -> String {
    fixture(&format!("budgets/{name}.toml"))
}

#[test]
fn all_rules_pass_exit_0() {
    let run = gate(&["--budget", &budget("pass")]);
    let text = run.ok();
    assert!(
        text.starts_with("costcast budget gate for scenario `base`: passed (3 of 3 rules pass"),
        "{text}"
    );
    // the worst month of fleet at p95 is January: $23.02 against $25.00, margin $1.98
    assert!(
        text.lines().any(|l| l.contains("fleet-p95-under-25")
            && l.contains("p95 monthly cost, 2027-01")
            && l.contains("$23.02")
            && l.contains("$25.00")
            && l.contains("$1.98")
            && l.ends_with("pass")),
        "{text}"
    );
    // `recommended` is the cheapest option that meets the SLO: fleet
    assert!(
        text.lines()
            .any(|l| l.starts_with("recommended-serves-all") && l.contains(" fleet ")),
        "{text}"
    );
}

#[test]
fn a_p95_breach_and_a_probability_breach_exit_1() {
    let run = gate(&["--budget", &budget("breach")]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let text = &run.stdout;
    assert!(
        text.starts_with("costcast budget gate for scenario `base`: BREACHED (1 of 3 rules pass"),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with("fn-p95-under-45")
            && l.contains("$50.00")
            && l.contains("$45.00")
            && l.contains("-$5.00")
            && l.ends_with("BREACH")),
        "{text}"
    );
    // one path whose average month ($47.58) is over $40: P = 1 > 0.05
    assert!(
        text.lines().any(|l| l.starts_with("fn-rarely-over-40")
            && l.contains("P(average monthly cost > $40.00)")
            && l.ends_with("BREACH")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("fleet-under-25") && l.ends_with("pass")),
        "{text}"
    );
}

#[test]
fn an_increase_over_the_baseline_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let baseline = baseline.to_str().unwrap();
    costcast(&[
        "compare",
        &fixture_path(),
        "--format",
        "json",
        "--output",
        baseline,
    ])
    .ok();
    // the same scenario with 12 req/s instead of 10: fn's average month goes from $47.58
    // to $57.09, compared in cents: +19.99%; the fleet costs the same
    let busier = fixture_text("scenarios/base.toml")
        .replace("requests_per_second = 10.0", "requests_per_second = 12.0");
    let (_d, path) = temp_file("base.toml", &busier);
    let run = costcast(&[
        "gate",
        &path,
        "--budget",
        &budget("increase"),
        "--baseline",
        baseline,
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("fn-grows-under-10pct"))
        .unwrap();
    assert!(
        line.contains("($47.58 → $57.09)")
            && line.contains("19.99%")
            && line.contains("10.00%")
            && line.contains("-9.99%")
            && line.ends_with("BREACH"),
        "{line}"
    );
    let fleet = run
        .stdout
        .lines()
        .find(|l| l.starts_with("fleet-grows-under-5usd"))
        .unwrap();
    assert!(fleet.ends_with("pass"), "{fleet}");
}

#[test]
fn a_gate_result_is_the_next_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let result = dir.path().join("gate.json");
    let result = result.to_str().unwrap();
    let run = gate(&[
        "--budget",
        &budget("pass"),
        "--format",
        "json",
        "--output",
        result,
    ]);
    assert!(run.ok().is_empty());
    let written = json(&std::fs::read_to_string(result).unwrap());
    assert_eq!(written["schema_version"], 1);
    assert_eq!(written["kind"], "gate");
    assert_eq!(written["passed"], true);
    assert_eq!(written["rules"].as_array().unwrap().len(), 3);
    assert_eq!(written["rules"][0]["value"], "23.02");
    // unchanged costs: 0% increase passes
    gate(&["--budget", &budget("increase"), "--baseline", result]).ok();
}

#[test]
fn a_capacity_breach_exit_1() {
    let undersized = fixture_text("scenarios/base.toml")
        .replace("requests_per_second = 10.0", "requests_per_second = 50.0");
    let (_d, path) = temp_file("base.toml", &undersized);
    let run = costcast(&["gate", &path, "--budget", &budget("capacity")]);
    assert_eq!(run.code, 1);
    // 2.5 vCPU wanted of a t3.micro's 2: 80% served
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("fleet-serves-999"))
        .unwrap();
    assert!(
        line.contains("80.0000%") && line.contains("99.9000%") && line.ends_with("BREACH"),
        "{line}"
    );
}

#[test]
fn exit_zero_reports_without_failing() {
    let run = gate(&["--budget", &budget("breach"), "--exit-zero"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("BREACHED"));
}

#[test]
fn bad_inputs_exit_2() {
    gate(&["--budget", &budget("malformed")])
        .error_contains("malformed.toml:1:1: `rule[0]`: rule `two-limits` needs exactly one of");
    let (_d, unknown) = temp_file(
        "b.toml",
        "[[rule]]\nname = \"x\"\noption = \"fn\"\nmax_monthly_usd = 1\ncolour = 2\n",
    );
    gate(&["--budget", &unknown])
        .error_contains("b.toml:5:1: `rule[0].colour`: unknown field `colour`");
    gate(&[
        "--budget",
        &budget("pass"),
        "--baseline",
        "/no/such/baseline.json",
    ])
    .error_contains("cannot read baseline `/no/such/baseline.json`");
    // a baseline from another scenario
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("default.json");
    costcast(&[
        "compare",
        "--format",
        "json",
        "--output",
        other.to_str().unwrap(),
    ])
    .ok();
    gate(&[
        "--budget",
        &budget("increase"),
        "--baseline",
        other.to_str().unwrap(),
    ])
    .error_contains("the baseline is for scenario `default`, not `base`");
    let (_d2, not_json) = temp_file("x.json", "{\"hello\": 1}");
    gate(&["--budget", &budget("increase"), "--baseline", &not_json])
        .error_contains("is not a compare or gate result");
    let (_d3, no_option) = temp_file(
        "b.toml",
        "[[rule]]\nname = \"x\"\noption = \"nope\"\nmax_monthly_usd = 1\n",
    );
    gate(&["--budget", &no_option]).error_contains(
        "a gate rule names option `nope`; the scenario has: fleet, fn, recommended",
    );
    gate(&["--budget", &budget("increase")])
        .error_contains("compares with a baseline; pass --baseline FILE");
}

#[test]
fn rules_from_the_scenario_gate_table() {
    let text = fixture_text("scenarios/base.toml")
        + "\n[[gate.rule]]\nname = \"fn-budget\"\noption = \"fn\"\nmax_monthly_usd = 45.0\n";
    let (_d, path) = temp_file("base.toml", &text);
    let run = costcast(&["gate", &path]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("fn-budget"));
    let bad =
        fixture_text("scenarios/base.toml") + "\n[[gate.rule]]\nname = \"x\"\noption = \"fn\"\n";
    let (_d2, path) = temp_file("base.toml", &bad);
    costcast(&["gate", &path]).error_contains("`gate.rule[0]`: rule `x` needs exactly one of");
}

#[test]
fn junit_parses_with_one_case_per_rule_and_breaches_as_failures() {
    let run = gate(&["--budget", &budget("breach"), "--format", "junit"]);
    assert_eq!(run.code, 1);
    let doc = roxmltree::Document::parse(&run.stdout).expect("well-formed XML");
    let suites = doc.root_element();
    assert_eq!(suites.tag_name().name(), "testsuites");
    assert_eq!(suites.attribute("tests"), Some("3"));
    assert_eq!(suites.attribute("failures"), Some("2"));
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 3);
    let failed: Vec<_> = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .map(|c| c.attribute("name").unwrap())
        .collect();
    assert_eq!(failed, ["fn-p95-under-45", "fn-rarely-over-40"]);
    assert_eq!(cases[0].attribute("classname"), Some("costcast.gate.fn"));
}

#[test]
fn markdown_has_the_rule_table_and_goes_to_the_step_summary() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_costcast"))
        .args([
            "gate",
            &fixture_path(),
            "--budget",
            &budget("breach"),
            "--format",
            "markdown",
        ])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env_remove("COSTCAST_PRICING_DIR")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.starts_with("## costcast budget gate for scenario `base`: BREACHED"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| RULE | OPTION | MEASURE | VALUE | LIMIT | MARGIN | RESULT |"),
        "{stdout}"
    );
    let appended = std::fs::read_to_string(&summary).unwrap();
    assert!(
        appended.starts_with("earlier step\n## costcast budget gate"),
        "{appended}"
    );
}

#[test]
fn github_annotations() {
    let run = gate(&["--budget", &budget("breach"), "--format", "github"]);
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines[0].starts_with(
            "::error title=costcast gate fn-p95-under-45::fn: p95 monthly cost%2C 2027-01"
        ) || lines[0].starts_with(
            "::error title=costcast gate fn-p95-under-45::fn: p95 monthly cost, 2027-01"
        ),
        "{}",
        lines[0]
    );
    assert!(lines.iter().filter(|l| l.starts_with("::error ")).count() == 2);
    assert!(lines.last().unwrap().starts_with(
        "::notice title=costcast gate::costcast budget gate for scenario `base`: BREACHED"
    ));
}
