//! Benchmarks of the deterministic engine and of trace loading.
//!
//! - `compare/default-year-minute`: the default scenario, a year at one-minute steps
//!   (525,600 steps) through its five options (EC2 fleet with CPU credits, Lightsail,
//!   autoscaled Fargate, Lambda behind API Gateway, autoscaled Beanstalk with
//!   deployments); throughput in option-steps.
//! - `trace/load-csv-per-second`: a generated one-million-row per-second CSV trace read
//!   and validated; throughput in rows.
//!
//! Run with `cargo bench --bench engine`; the figures measured are in the README.

use std::hint::black_box;
use std::io::Write;

use costcast::catalog::PriceCatalog;
use costcast::scenario::ScenarioSource;
use costcast::trace::{MetricKind, TraceSpec};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn compare_default(c: &mut Criterion) {
    let catalog = PriceCatalog::embedded("us-east-1").expect("the embedded catalog loads");
    let plan = ScenarioSource::embedded_default()
        .plan(&catalog)
        .expect("the default scenario is valid");
    let option_steps = plan.timeline.steps * plan.options.len();
    let mut group = c.benchmark_group("compare");
    group.sample_size(10);
    group.throughput(Throughput::Elements(
        u64::try_from(option_steps).expect("fits"),
    ));
    group.bench_function("default-year-minute", |b| {
        b.iter(|| black_box(costcast::sim::run(black_box(&plan))))
    });
    group.finish();
}

fn load_trace(c: &mut Criterion) {
    const ROWS: usize = 1_000_000;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("per-second.csv");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    writeln!(file, "timestamp,value").expect("write");
    for i in 0..ROWS {
        writeln!(file, "{},{}", 1_700_000_000 + i, i % 17).expect("write");
    }
    file.flush().expect("flush");
    drop(file);
    let spec = TraceSpec::new(path, MetricKind::RequestsPerInterval);
    let mut group = c.benchmark_group("trace");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("load-csv-per-second", |b| {
        b.iter(|| {
            black_box(costcast::trace::load::load(&spec, std::path::Path::new("")).expect("loads"))
        });
    });
    group.finish();
}

criterion_group!(benches, compare_default, load_trace);
criterion_main!(benches);
