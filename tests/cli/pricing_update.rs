//! `costcast pricing update|diff` against a price list served on loopback from fixtures
//! written by hand in AWS's documented formats (tests/fixtures/pricelist).

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::errors::catalog_copy;
use crate::{costcast, fixture, json};

/// How the server answers a path.
#[derive(Clone)]
enum Answer {
    /// 200 with this body (delimited by closing the connection).
    Body(Vec<u8>),
    /// This status, no body.
    Status(u16),
    /// A Content-Length longer than the body, then the connection closes.
    Truncated(Vec<u8>),
    /// Waits, then answers.
    Slow(Duration, Vec<u8>),
    /// An EC2 price list with `rows` generated rows, streamed as generated.
    Generated(usize),
}

/// Serves `routes` on a loopback port until the test process ends; returns the base URL.
fn serve(routes: HashMap<String, Answer>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let routes = Arc::new(routes);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let routes = Arc::clone(&routes);
            std::thread::spawn(move || {
                let path = read_request(&stream);
                let ok = "HTTP/1.1 200 OK\r\nConnection: close\r\n";
                let _ = match routes.get(&path).cloned().unwrap_or(Answer::Status(404)) {
                    Answer::Body(body) => stream
                        .write_all(format!("{ok}\r\n").as_bytes())
                        .and_then(|()| stream.write_all(&body)),
                    Answer::Status(code) => stream.write_all(
                        format!(
                            "HTTP/1.1 {code} Oops\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        )
                        .as_bytes(),
                    ),
                    Answer::Truncated(body) => stream
                        .write_all(
                            format!("{ok}Content-Length: {}\r\n\r\n", body.len() + 10_000)
                                .as_bytes(),
                        )
                        .and_then(|()| stream.write_all(&body[..body.len() / 2])),
                    Answer::Slow(wait, body) => {
                        std::thread::sleep(wait);
                        stream
                            .write_all(format!("{ok}\r\n").as_bytes())
                            .and_then(|()| stream.write_all(&body))
                    }
                    Answer::Generated(rows) => stream
                        .write_all(format!("{ok}\r\n").as_bytes())
                        .and_then(|()| generate(&mut stream, rows)),
                };
            });
        }
    });
    base
}

/// Reads a request's line and headers; returns its path.
fn read_request(stream: &std::net::TcpStream) -> String {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    reader.read_line(&mut request).unwrap_or(0);
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) <= 2 {
            break;
        }
    }
    request.split_whitespace().nth(1).unwrap_or("/").to_string()
}

/// A large EC2 price list: the fixture's header, then `rows` Reserved rows (which the
/// catalog does not use, like most of the real file) and the fixture's own rows.
fn generate(out: &mut impl Write, rows: usize) -> std::io::Result<()> {
    let text = std::fs::read_to_string(fixture("pricelist/AmazonEC2.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut buffer = std::io::BufWriter::with_capacity(1 << 20, out);
    for line in &lines[..6] {
        writeln!(buffer, "{line}")?;
    }
    let reserved = lines[7];
    for i in 0..rows {
        writeln!(
            buffer,
            "{}",
            reserved.replacen("AAAA1111", &format!("R{i:09}"), 2)
        )?;
    }
    for line in &lines[6..] {
        writeln!(buffer, "{line}")?;
    }
    buffer.flush()
}

/// The normal routes: every fixture file where AWS publishes it.
fn routes() -> HashMap<String, Answer> {
    let read = |name: &str| std::fs::read(fixture(&format!("pricelist/{name}"))).unwrap();
    let mut routes = HashMap::new();
    routes.insert(
        "/offers/v1.0/aws/index.json".to_string(),
        Answer::Body(read("index.json")),
    );
    for offer in [
        "AmazonEC2",
        "AWSLambda",
        "AmazonECS",
        "AWSELB",
        "AmazonEKS",
        "AmazonECR",
        "AmazonApiGateway",
        "AmazonLightsail",
    ] {
        routes.insert(
            format!("/offers/v1.0/aws/{offer}/current/region_index.json"),
            Answer::Body(read(&format!("{offer}.region_index.json"))),
        );
    }
    for offer in ["AmazonEC2", "AWSLambda", "AmazonLightsail"] {
        routes.insert(
            format!("/offers/v1.0/aws/{offer}/20261120000000/us-east-1/index.csv"),
            Answer::Body(read(&format!("{offer}.csv"))),
        );
    }
    routes
}

const EC2_CSV: &str = "/offers/v1.0/aws/AmazonEC2/20261120000000/us-east-1/index.csv";

/// Every file of a catalog directory, byte for byte.
fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let dir = root.join("aws/us-east-1");
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// `costcast pricing update` of the EC2 and Lambda offers from `base`, no retries.
fn update(root: &Path, base: &str, extra: &[&str]) -> crate::Run {
    update_offers(root, base, "AmazonEC2,AWSLambda", extra)
}

/// `costcast pricing update --services OFFERS` from `base`, no retries.
fn update_offers(root: &Path, base: &str, offers: &str, extra: &[&str]) -> crate::Run {
    let root = root.display().to_string();
    let mut args = vec![
        "--pricing-dir",
        &root,
        "pricing",
        "update",
        "--endpoint",
        base,
        "--services",
        offers,
        "--retries",
        "0",
    ];
    args.extend_from_slice(extra);
    costcast(&args)
}

/// `costcast pricing show SERVICE KEY` on the catalog under `pricing`.
fn show(pricing: &str, service: &str, key: &str) -> String {
    costcast(&["--pricing-dir", pricing, "pricing", "show", service, key])
        .ok()
        .to_string()
}

/// `costcast quote --format json` of the usage file at `path`, on the catalog under
/// `pricing`.
fn quote_json(pricing: &str, path: &str) -> serde_json::Value {
    json(costcast(&["--pricing-dir", pricing, "quote", path, "--format", "json"]).ok())
}

/// [`quote_json`] of a usage file with this text.
fn quote_text_json(pricing: &str, usage: &str) -> serde_json::Value {
    let (_dir, path) = crate::temp_file("usage.toml", usage);
    quote_json(pricing, &path)
}

#[test]
fn lightsail_hourly_rates_and_gp3_throughput_are_read_in_the_catalog_units() {
    let dir = catalog_copy();
    let base = serve(routes());
    let pricing = dir.path().display().to_string();
    let run = update_offers(dir.path(), &base, "AmazonLightsail,AmazonEC2", &["--json"]);
    let report = json(run.ok());
    assert_eq!(report["offers"][0]["offer"], "AmazonEC2");
    assert_eq!(report["offers"][1]["offer"], "AmazonLightsail");
    // two Linux/Unix dual-stack plans and the overage; not the Windows, IPv6-only or
    // static IP rows
    assert_eq!(report["offers"][1]["prices_used"], 3);
    let nano = show(&pricing, "lightsail", "BundleUsage:0.5GB");
    assert!(nano.contains("price       0.0068 USD per hour"), "{nano}");
    assert!(nano.contains("confidence  price-list"), "{nano}");
    assert!(
        show(&pricing, "lightsail", "DataTransfer-Out-Bytes").contains("confidence  price-list")
    );
    let listed = costcast(&["--pricing-dir", &pricing, "pricing", "list", "lightsail"])
        .ok()
        .to_string();
    assert!(
        !listed.contains("_win") && !listed.contains("_IPv6"),
        "{listed}"
    );
    // gp3 throughput: $40.96 per GiB/s-month is $0.04 per MiB/s-month (÷ 1,024)
    let throughput = show(&pricing, "ec2", "EBS:VolumeP-Throughput.gp3");
    assert!(
        throughput.contains("price       0.04 USD per MBps-month"),
        "{throughput}"
    );
    // Lightsail FAQ (billing): "the fixed hourly price, up to the maximum monthly plan
    // cost". With the plans' hourly rates in the catalog, 100 hours of the $5 plan cost
    // 100 × $0.0068 and 700 hours of the $12 plan 700 × $0.0168 = $11.76; a 744-hour month
    // of it would cost $12.50 at that rate, so it costs the plan price.
    let usage = "hours_per_month = 744\n\n\
                 [[resource]]\nname = \"a\"\nservice = \"lightsail\"\nplan = \"nano_3_0\"\nhours = 100\n\n\
                 [[resource]]\nname = \"b\"\nservice = \"lightsail\"\nplan = \"small_3_0\"\nhours = 700\n\n\
                 [[resource]]\nname = \"c\"\nservice = \"lightsail\"\nplan = \"small_3_0\"\n";
    let out = quote_text_json(&pricing, usage);
    crate::assert_usd(&out["resources"][0]["monthly_usd"], 100.0 * 0.0068);
    crate::assert_usd(&out["resources"][1]["monthly_usd"], 700.0 * 0.0168);
    crate::assert_usd(&out["resources"][2]["monthly_usd"], 12.0);
}

#[test]
fn a_full_update_refreshes_the_offered_prices_and_keeps_the_rest() {
    let dir = catalog_copy();
    let base = serve(routes());
    let run = update(dir.path(), &base, &["--json"]);
    let report = json(run.ok());
    assert_eq!(report["written"], true);
    assert_eq!(report["offers"][0]["offer"], "AmazonEC2");
    assert_eq!(report["offers"][0]["version"], "20261120000000");
    assert_eq!(report["offers"][0]["rows_read"], 10);
    let pricing = dir.path().display().to_string();
    // t3.micro Linux: 0.0104 → 0.011, with the price list's provenance
    let text = show(&pricing, "ec2", "BoxUsage:t3.micro");
    assert!(text.contains("price       0.011 USD per hour"), "{text}");
    assert!(text.contains("confidence  price-list"), "{text}");
    assert!(text.contains(&format!("source      AWS Price List AmazonEC2 version 20261120000000 (published 2026-11-20T00:00:00Z), {base}{EC2_CSV}, retrieved ")), "{text}");
    // new keys: Windows t3.micro, and a new instance type with its spec (Graviton: arm64)
    assert!(show(&pricing, "ec2", "BoxUsage:t3.micro:Windows").contains("0.0196"));
    assert!(show(&pricing, "ec2", "z9.large").contains("instance    4 vCPU, 16 GiB, arm64"));
    // Reserved, Dedicated and unused-reservation rows were not taken
    assert!(
        !costcast(&["--pricing-dir", &pricing, "pricing", "list", "ec2"])
            .ok()
            .contains("DedicatedUsage")
    );
    // Lambda tier 1 changed; tiers 2 and 3 are the price list's, unchanged in value
    assert!(show(&pricing, "lambda", "Lambda-GB-Second").contains("0.000016 USD per GB-second"));
    // a price no offer carries (Fargate) is kept as it was
    assert!(show(&pricing, "fargate", "Fargate-GB-Hours").contains("0.004445"));
    // and the refreshed catalog prices scenarios, dated today
    let out = quote_json(&pricing, &fixture("usage/ec2_and_lambda.toml"));
    crate::assert_usd(&out["resources"][0]["monthly_usd"], 730.0 * 0.011);
    assert_eq!(
        out["catalog"]["retrieved_date"],
        chrono::Utc::now().date_naive().to_string()
    );
    // With Windows prices in the catalog, a Windows T3's surplus credits are billed at the
    // Windows rate ($0.096 per vCPU-hour, EC2UG-WIN unlimited-mode-examples): at 25% of a
    // t3.micro all month, 214.2 vCPU-hours are charged (see the quote tests).
    let usage = "[[resource]]\nname = \"win\"\nservice = \"ec2\"\ninstance_type = \"t3.micro\"\nos = \"windows\"\naverage_cpu_percent = 25\n";
    let out = quote_text_json(&pricing, usage);
    let items = out["resources"][0]["line_items"].as_array().unwrap();
    assert_eq!(
        items[0]["component"],
        "Instance hours (t3.micro, Windows, On-Demand)"
    );
    crate::assert_usd(&items[0]["monthly_usd"], 730.0 * 0.0196);
    assert_eq!(
        items[1]["component"],
        "CPU credits (unlimited surplus, Windows)"
    );
    crate::assert_usd(&items[1]["monthly_usd"], 214.2 * 0.096);
}

#[test]
fn a_dry_run_reports_the_changes_and_writes_nothing() {
    let dir = catalog_copy();
    let before = snapshot(dir.path());
    let base = serve(routes());
    let run = update(dir.path(), &base, &["--dry-run"]);
    let text = run.ok();
    assert!(text.starts_with("dry run: would update"), "{text}");
    // 0.0104 → 0.011 is +5.77%
    assert!(
        text.lines().any(|l| l.contains("BoxUsage:t3.micro ")
            && l.contains("0.0104")
            && l.contains("0.011")
            && l.contains("5.77%")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("BoxUsage:t3.micro:Windows") && l.contains("new")),
        "{text}"
    );
    assert_eq!(snapshot(dir.path()), before);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no staging directory is left behind"
    );
}

#[test]
fn every_failure_leaves_the_old_catalog_byte_for_byte() {
    let ec2 = std::fs::read(fixture("pricelist/AmazonEC2.csv")).unwrap();
    let malformed = String::from_utf8(ec2.clone())
        .unwrap()
        .replace("\"0.0110000000\"", "\"eleven\"")
        .into_bytes();
    let cases: Vec<(Answer, Vec<&str>, &str)> = vec![
        (
            Answer::Status(500),
            vec![],
            "answered 500 Internal Server Error",
        ),
        (Answer::Truncated(ec2.clone()), vec![], "cannot fetch"),
        (
            Answer::Slow(Duration::from_secs(4), ec2.clone()),
            vec!["--timeout-s", "1"],
            "timed out",
        ),
        (
            Answer::Body(malformed),
            vec![],
            "AmazonEC2 price list: line 7: column `PricePerUnit`: `eleven` is not valid",
        ),
        (
            Answer::Generated(20_000),
            vec!["--max-mb", "1"],
            "over the 1000000 byte limit",
        ),
    ];
    for (answer, extra, want) in cases {
        let dir = catalog_copy();
        let before = snapshot(dir.path());
        let mut routes = routes();
        routes.insert(EC2_CSV.to_string(), answer);
        let base = serve(routes);
        update(dir.path(), &base, &extra).error_contains(want);
        assert_eq!(snapshot(dir.path()), before, "{want}");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no staging directory is left behind: {want}"
        );
    }
}

#[test]
fn retries_recover_from_a_passing_failure() {
    // The index answers 503 once, then normally.
    let dir = catalog_copy();
    let listener_routes = routes();
    let base = serve_flaky(listener_routes);
    let root = dir.path().display().to_string();
    let run = costcast(&[
        "--pricing-dir",
        &root,
        "pricing",
        "update",
        "--endpoint",
        &base,
        "--services",
        "AWSLambda",
        "--retries",
        "2",
        "--backoff-s",
        "0.05",
    ]);
    assert!(run.ok().starts_with("updated"));
}

/// Like [`serve`], but the first request gets a 503.
fn serve_flaky(routes: HashMap<String, Answer>) -> String {
    let real = serve(routes);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut first = true;
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let path = read_request(&stream);
            if first {
                first = false;
                let _ = stream.write_all(
                    b"HTTP/1.1 503 Busy\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
                continue;
            }
            // forward to the real server
            let body = reqwest_free_get(&format!("{real}{path}"));
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
                .and_then(|()| stream.write_all(&body));
        }
    });
    base
}

/// A plain GET to the loopback test server.
fn reqwest_free_get(url: &str) -> Vec<u8> {
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_once('/').unwrap();
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    stream
        .write_all(
            format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .unwrap();
    let mut response = Vec::new();
    std::io::Read::read_to_end(&mut stream, &mut response).unwrap();
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    response[split..].to_vec()
}

#[test]
fn plain_http_to_another_host_is_refused() {
    let dir = catalog_copy();
    let root = dir.path().display().to_string();
    costcast(&[
        "--pricing-dir",
        &root,
        "pricing",
        "update",
        "--endpoint",
        "http://pricing.example.com",
        "--retries",
        "0",
    ])
    .error_contains("`http` is not allowed: prices are fetched over HTTPS only");
}

#[test]
fn memory_stays_bounded_on_a_large_offer_file() {
    // About 600,000 rows (some 350 MB) of a generated EC2 price list, streamed: the
    // process's peak resident memory must stay under 200 MB.
    let dir = catalog_copy();
    let mut routes = routes();
    routes.insert(EC2_CSV.to_string(), Answer::Generated(600_000));
    let base = serve(routes);
    let root = dir.path().display().to_string();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_costcast"))
        .args([
            "--pricing-dir",
            &root,
            "pricing",
            "update",
            "--endpoint",
            &base,
            "--services",
            "AmazonEC2",
            "--retries",
            "0",
            "--json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0u64;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_path) {
            for line in status.lines().filter(|l| l.starts_with("VmHWM:")) {
                peak_kb = peak_kb.max(
                    line.split_whitespace()
                        .nth(1)
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0),
                );
            }
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json(&String::from_utf8(output.stdout).unwrap());
    assert_eq!(report["offers"][0]["rows_read"], 600_010);
    eprintln!(
        "note: peak resident memory {} MB while reading 600,010 rows",
        peak_kb / 1024
    );
    assert!(peak_kb > 0 && peak_kb < 200 * 1024, "peak {peak_kb} kB");
}

#[test]
fn diff_compares_two_catalogs() {
    let old = catalog_copy();
    let new = catalog_copy();
    let lambda = new.path().join("aws/us-east-1/lambda.csv");
    let text = std::fs::read_to_string(&lambda).unwrap().replacen(
        ",request,0.0000002,",
        ",request,0.00000025,",
        1,
    );
    std::fs::write(&lambda, text).unwrap();
    let (a, b) = (
        old.path().display().to_string(),
        new.path().display().to_string(),
    );
    let run = costcast(&["pricing", "diff", &a, &b]);
    let text = run.ok();
    assert!(text.starts_with("1 price changes"), "{text}");
    assert!(
        text.lines().any(|l| l.contains("Request")
            && l.contains("0.0000002")
            && l.contains("0.00000025")
            && l.contains("25.00%")),
        "{text}"
    );
    let same = costcast(&["pricing", "diff", &a, &a]);
    assert_eq!(same.ok(), "no price changes\n");
}

#[test]
fn a_stale_catalog_is_warned_about() {
    let dir = catalog_copy();
    let meta = dir.path().join("aws/us-east-1/catalog_meta.csv");
    std::fs::write(
        &meta,
        "retrieved_date,method,source\n2020-01-01,compiled,test\n",
    )
    .unwrap();
    let root = dir.path().display().to_string();
    let run = costcast(&[
        "--pricing-dir",
        &root,
        "compare",
        &fixture("scenarios/base.toml"),
    ]);
    assert_eq!(run.code, 0);
    assert!(run.stderr.starts_with("warning: the "), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("pricing catalog was retrieved on 2020-01-01"),
        "{}",
        run.stderr
    );
    let quiet = costcast(&[
        "--pricing-dir",
        &root,
        "--max-catalog-age-days",
        "100000",
        "compare",
        &fixture("scenarios/base.toml"),
    ]);
    assert!(quiet.stderr.is_empty(), "{}", quiet.stderr);
}
