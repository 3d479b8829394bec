//! Every bad input gets exit code 2 and a message naming where it is and what is wrong.

use std::path::Path;

use crate::{costcast, fixture, fixture_text, temp_file};

/// A copy of `pricing-data/` in a temporary directory, to corrupt.
pub(crate) fn catalog_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing-data/aws/us-east-1");
    let to = dir.path().join("aws/us-east-1");
    std::fs::create_dir_all(&to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
    dir
}

/// Rewrites one catalog file of a copy.
pub(crate) fn edit_catalog(dir: &tempfile::TempDir, file: &str, edit: impl Fn(&str) -> String) {
    let path = dir.path().join("aws/us-east-1").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = edit(&text);
    assert_ne!(edited, text, "the edit must change {file}");
    std::fs::write(path, edited).unwrap();
}

/// `csv` without the column `name`.
fn drop_column(csv_text: &str, name: &str) -> String {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let skip = headers.iter().position(|h| h == name).unwrap();
    let keep = |record: &csv::StringRecord| -> Vec<String> {
        record
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, v)| v.to_string())
            .collect()
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(keep(&headers)).unwrap();
    for record in reader.records() {
        writer.write_record(keep(&record.unwrap())).unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

fn quote_with_catalog(dir: &tempfile::TempDir) -> crate::Run {
    let pricing = dir.path().display().to_string();
    costcast(&[
        "--pricing-dir",
        &pricing,
        "quote",
        &fixture("usage/ec2_and_lambda.toml"),
    ])
}

#[test]
fn catalog_errors_name_file_line_and_column() {
    // lambda.csv line 2 is the `Request` price.
    type Edit<'a> = &'a dyn Fn(&str) -> String;
    let cases: [(&str, Edit<'_>, &str); 5] = [
        (
            "lambda.csv",
            &|t| t.replacen(",request,0.0000002,", ",furlong,0.0000002,", 1),
            "lambda.csv:2: column `unit`: unknown unit `furlong`",
        ),
        (
            "lambda.csv",
            &|t| t.replacen(",request,0.0000002,", ",request,-0.0000002,", 1),
            "lambda.csv:2: column `price_usd`: `-0.0000002` is negative",
        ),
        (
            "lambda.csv",
            &|t| t.replacen(",request,0.0000002,", ",request,twenty cents,", 1),
            "lambda.csv:2: column `price_usd`: `twenty cents` is not a decimal number",
        ),
        (
            "lambda.csv",
            &|t| format!("{t}lambda,Request,again,request,0.0000003,,2026-08-21,x,aws\n"),
            "lambda.csv:14: column `usage_key`: duplicate key lambda `Request`",
        ),
        (
            "eks.csv",
            &|t| drop_column(t, "price_usd"),
            "eks.csv:1: column `price_usd`: missing column",
        ),
    ];
    for (file, edit, want) in cases {
        let dir = catalog_copy();
        edit_catalog(&dir, file, edit);
        quote_with_catalog(&dir).error_contains(want);
    }
}

#[test]
fn unknown_region_lists_the_available_ones() {
    let (_d, usage) = temp_file(
        "u.toml",
        "region = \"eu-west-9\"\n[[resource]]\nname = \"x\"\nservice = \"ec2\"\ninstance_type = \"t3.micro\"\n",
    );
    costcast(&["quote", &usage])
        .error_contains("no pricing for region eu-west-9; available: us-east-1");
    let dir = catalog_copy();
    let pricing = dir.path().display().to_string();
    costcast(&["--pricing-dir", &pricing, "quote", &usage])
        .error_contains("no pricing for region eu-west-9; available: us-east-1");
}

#[test]
fn missing_pricing_directory_says_what_it_expected() {
    costcast(&["--pricing-dir", "/nonexistent/pricing", "compare"])
        .error_contains("cannot read pricing directory `/nonexistent/pricing/aws` (expected `/nonexistent/pricing/aws/<region>/*.csv`)");
}

/// Runs `compare` on the base fixture scenario with `from` replaced by `to`.
fn compare_edited(from: &str, to: &str) -> crate::Run {
    let text = fixture_text("scenarios/base.toml");
    assert!(text.contains(from), "{from}");
    let (dir, path) = temp_file("bad.toml", &text.replacen(from, to, 1));
    let run = costcast(&["compare", &path]);
    drop(dir);
    run
}

#[test]
fn scenario_errors_name_line_and_field() {
    let cases = [
        (
            "step = \"1h\"",
            "step = \"7s\"",
            "bad.toml:6:1: `step`: a step of 7 s does not divide a day",
        ),
        (
            "step = \"1h\"",
            "step = \"hourly\"",
            "bad.toml:6:1: `step`: `hourly` is not a step",
        ),
        (
            "start = 2027-01-01",
            "start = \"January\"",
            "bad.toml:4:1: `start`: `January` is not a date (YYYY-MM-DD)",
        ),
        (
            "horizon_months = 2",
            "horizon_months = \"two\"",
            "bad.toml:5:18: `horizon_months`: invalid type: string \"two\", expected u32",
        ),
        (
            "duration_ms = 100.0",
            "duration_ms = 100.0\ncolour = \"blue\"",
            "bad.toml:11:1: `workload.colour`: unknown field `colour`",
        ),
        (
            "service = \"lambda\"",
            "service = \"lamda\"",
            "bad.toml:23:1: `option[1].service`: unknown service `lamda`; scenarios accept: ec2, beanstalk, lambda, fargate, lightsail",
        ),
        (
            "instance_type = \"t3.micro\"",
            "instance_type = \"t3.mikro\"",
            "bad.toml:18:1: `option[0].instance_type`: unknown EC2 instance type `t3.mikro` in us-east-1; did you mean `t3.micro`?",
        ),
        (
            "memory_mb = 1024",
            "memory_mb = 64",
            "bad.toml:24:1: `option[1].memory_mb`: 64 MB is outside Lambda's 128–10240 MB",
        ),
        (
            "memory_mb = 1024",
            "memory_mb = 1024\nflavour = 1",
            "bad.toml:25:1: `option[1].flavour`: unknown field `flavour`",
        ),
        (
            "count = 1",
            "count = 0",
            "bad.toml:19:1: `option[0].count`: must be at least 1",
        ),
        (
            "name = \"fn\"",
            "name = \"fleet\"",
            "bad.toml:22:1: `option[1].name`: `fleet` is used by another option",
        ),
        (
            "requests_per_second = 10.0",
            "requests_per_second = -1.0",
            "`workload.synthetic.requests_per_second`: -1 must be a finite number >= 0",
        ),
        (
            "schema_version = 1",
            "schema_version = 9",
            "bad.toml:1:1: `schema_version`: schema version 9 is not supported",
        ),
        (
            "[workload.synthetic]",
            "[workload.trace]\npath = \"x.csv\"\nmetric = \"requests_per_second\"\n[workload.synthetic]",
            "`workload`: give exactly one of [workload.synthetic] or [workload.trace]",
        ),
    ];
    for (from, to, want) in cases {
        compare_edited(from, to).error_contains(want);
    }
    // Windows is not in the catalog: a clear error, not a silent Linux price.
    compare_edited("count = 1", "count = 1\nos = \"windows\"")
        .error_contains("`option[0].os`: no Windows On-Demand price for t3.micro in us-east-1 (embedded catalog): it holds Linux prices only");
}

#[test]
fn syntax_error_has_its_line() {
    compare_edited("count = 1", "count = = 1").error_contains("bad.toml:19:9: `.`: extra `=`");
}

#[test]
fn missing_scenario_or_trace_file_is_an_io_error() {
    costcast(&["compare", "no/such/scenario.toml"])
        .error_contains("cannot read scenario `no/such/scenario.toml`");
    let text = fixture_text("scenarios/base.toml").replacen(
        "[workload.synthetic]\nrequests_per_second = 10.0",
        "[workload.trace]\npath = \"missing.csv\"\nmetric = \"requests_per_second\"",
        1,
    );
    let (_dir, path) = temp_file("s.toml", &text);
    costcast(&["compare", &path]).error_contains("cannot read trace");
}

#[test]
fn trace_errors_in_a_scenario_name_the_row() {
    let text = fixture_text("scenarios/base.toml").replacen(
        "[workload.synthetic]\nrequests_per_second = 10.0",
        &format!(
            "[workload.trace]\npath = \"{}\"\nmetric = \"requests_per_interval\"",
            fixture("traces/bad_negative.csv")
        ),
        1,
    );
    let (_dir, path) = temp_file("s.toml", &text);
    costcast(&["compare", &path]).error_contains("bad_negative.csv: row 2: value -3 is negative");
}

#[test]
fn usage_file_errors_name_line_and_field() {
    let cases = [
        (
            "[[resource]]\nname = \"x\"\nservice = \"ec2\"\n",
            "u.toml:1:1: `resource[0]`: missing field `instance_type`",
        ),
        (
            "[[resource]]\nname = \"x\"\nservice = \"ec3\"\ninstance_type = \"t3.micro\"\n",
            "u.toml:3:1: `resource[0].service`: unknown service `ec3`; usage files accept: ec2, ebs_snapshot, public_ipv4, lightsail, lightsail_database, lightsail_load_balancer, fargate, lambda, apigateway, alb, nlb, clb, eks, ecr",
        ),
        (
            "[[resource]]\nname = \"x\"\nservice = \"ec2\"\ninstance_type = \"t3.micro\"\nhours = 800\n",
            "u.toml:5:1: `resource[0].hours`: 800 is outside 0..=730 (hours_per_month)",
        ),
        (
            "[[resource]]\nname = \"x\"\nservice = \"lambda\"\nmemory_mb = 20000\nrequests = 1\nduration_ms = 1\n",
            "u.toml:4:1: `resource[0].memory_mb`: 20000 MB is outside Lambda's 128–10240 MB",
        ),
        (
            "[[resource]]\nname = \"x\"\nservice = \"lambda\"\nmemory_mb = 128\nrequests = 1\nduration_ms = 1\n[[resource]]\nname = \"y\"\nservice = \"lambda\"\nmemory_mb = 128\nrequests = 1\nduration_ms = 1\nfree_tier = false\n",
            "u.toml:13:1: `resource[1].free_tier`: the Lambda free tier is account-wide",
        ),
        (
            "hours_per_month = 0\n[[resource]]\nname = \"x\"\nservice = \"ec2\"\ninstance_type = \"t3.micro\"\n",
            "u.toml:1:1: `hours_per_month`: 0 is outside (0, 744]",
        ),
        ("", "u.toml:1:1: `.`: add at least one [[resource]]"),
    ];
    for (text, want) in cases {
        let (_dir, path) = temp_file("u.toml", text);
        costcast(&["quote", &path]).error_contains(want);
    }
}

#[test]
fn bad_command_line_is_exit_2() {
    let run = costcast(&["compare", "--format", "yaml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("invalid value 'yaml'"),
        "{}",
        run.stderr
    );
    let run = costcast(&["frobnicate"]);
    assert_eq!(run.code, 2);
}
