//! `costcast trace inspect` on real and broken traces.

use crate::{costcast, fixture, json, shared_data};

#[test]
fn nab_fixture_with_its_gap() {
    let out = json(
        costcast(&[
            "trace",
            "inspect",
            &fixture("traces/nab_elb_request_count_8c0756.first300.csv"),
            "--json",
        ])
        .ok(),
    );
    assert_eq!(out["rows"], 300);
    assert_eq!(out["step_seconds"], 300);
    assert_eq!(out["gaps"], 1);
    assert_eq!(out["missing_samples"], 1);
    assert_eq!(out["start"], "2014-04-10T00:04:00+00:00");
}

#[test]
fn every_real_nab_trace_loads() {
    // (file, rows, gaps) from the data's own description in shared/data/SOURCES.md
    let cases = [
        ("ec2_cpu_utilization_5f5533.csv", "cpu-percent", 4032, 0),
        ("ec2_cpu_utilization_825cc2.csv", "cpu-percent", 4032, 2),
        ("ec2_cpu_utilization_fe7f93.csv", "cpu-percent", 4032, 0),
        (
            "elb_request_count_8c0756.csv",
            "requests-per-interval",
            4032,
            8,
        ),
        (
            "cpu_utilization_asg_misconfiguration.first2000.csv",
            "cpu-percent",
            2000,
            -1,
        ),
    ];
    for (file, metric, rows, gaps) in cases {
        let Some(path) = shared_data(&format!("traces/nab_realAWSCloudwatch/{file}")) else {
            return;
        };
        let out = json(
            costcast(&[
                "trace",
                "inspect",
                path.to_str().unwrap(),
                "--metric",
                metric,
                "--json",
            ])
            .ok(),
        );
        assert_eq!(out["rows"], rows, "{file}");
        assert_eq!(out["step_seconds"], 300, "{file}");
        if gaps >= 0 {
            assert_eq!(out["gaps"], gaps, "{file}");
        }
    }
    // the ELB trace as counts: mean 61.84 per 5 minutes (SOURCES.md: values 1 to 656)
    let Some(path) = shared_data("traces/nab_realAWSCloudwatch/elb_request_count_8c0756.csv")
    else {
        return;
    };
    let out = json(costcast(&["trace", "inspect", path.to_str().unwrap(), "--json"]).ok());
    assert_eq!(out["values"]["min"], 1.0);
    assert_eq!(out["values"]["max"], 656.0);
}

#[test]
fn nasa_per_second_counts_load() {
    // SOURCES.md: 86,400 values summing to 64,715 requests, peak 9 req/s.
    let Some(path) = shared_data("traces/nasa_http_per_second/workload.1995-07-01.first86400s.txt")
    else {
        return;
    };
    let run = costcast(&[
        "trace",
        "inspect",
        path.to_str().unwrap(),
        "--layout",
        "counts-per-second",
        "--start",
        "1995-07-01T00:00:01-04:00",
        "--json",
    ]);
    let out = json(run.ok());
    assert_eq!(out["rows"], 86_400);
    assert_eq!(out["step_seconds"], 1);
    assert_eq!(out["values"]["max"], 9.0);
    let mean = out["values"]["mean"].as_f64().unwrap();
    assert!((mean * 86_400.0 - 64_715.0).abs() < 1e-6, "{mean}");
}

#[test]
fn counts_per_second_layout() {
    let run = costcast(&[
        "trace",
        "inspect",
        &fixture("traces/counts_per_second.txt"),
        "--layout",
        "counts-per-second",
        "--start",
        "2020-01-01T00:00:00Z",
        "--json",
    ]);
    let out = json(run.ok());
    assert_eq!(out["rows"], 10);
    assert_eq!(out["end"], "2020-01-01T00:00:09+00:00");
    assert_eq!(out["values"]["mean"], 1.3);
    // without a start time the counts have no clock
    costcast(&[
        "trace",
        "inspect",
        &fixture("traces/counts_per_second.txt"),
        "--layout",
        "counts-per-second",
    ])
    .error_contains("needs `start`");
}

#[test]
fn text_output_is_readable() {
    let run = costcast(&[
        "trace",
        "inspect",
        &fixture("traces/nab_elb_request_count_8c0756.first300.csv"),
    ]);
    let text = run.ok();
    assert!(text.contains("step      300 s"), "{text}");
    assert!(
        text.contains("gaps      1 (1 samples missing; filled by interpolate)"),
        "{text}"
    );
}

#[test]
fn broken_traces_name_the_row() {
    let cases = [
        (
            "bad_unsorted.csv",
            "bad_unsorted.csv: row 3: timestamp earlier than the row before; sort the trace by time",
        ),
        (
            "bad_duplicate.csv",
            "bad_duplicate.csv: row 3: duplicate timestamp",
        ),
        (
            "bad_nan.csv",
            "bad_nan.csv: row 2: value NaN is not a finite number",
        ),
        (
            "bad_negative.csv",
            "bad_negative.csv: row 2: value -3 is negative",
        ),
        (
            "bad_text.csv",
            "bad_text.csv: row 2: `lots` is not a number",
        ),
        (
            "bad_timestamp.csv",
            "bad_timestamp.csv: row 2: `yesterday` is not a timestamp",
        ),
        (
            "bad_columns.csv",
            "bad_columns.csv: no column `timestamp`; the file has: time, count; set `timestamp_column`",
        ),
        ("bad_empty.csv", "bad_empty.csv: the file is empty"),
        (
            "bad_header_only.csv",
            "bad_header_only.csv: the trace has no data rows",
        ),
    ];
    for (file, want) in cases {
        costcast(&["trace", "inspect", &fixture(&format!("traces/{file}"))]).error_contains(want);
    }
    costcast(&["trace", "inspect", "nowhere.csv"])
        .error_contains("cannot read trace `nowhere.csv`");
    costcast(&["trace", "inspect", &fixture("traces/counts_per_second.txt")])
        .error_contains("cannot tell the format from the extension");
}
