//! Benchmarks of the Monte Carlo engine and of trace loading.
//!
//! - `monte_carlo/year-minute`: the default scenario, a year at one-minute steps
//!   (525,600 steps) through its five options (EC2 T3 fleet with CPU credits, Lightsail,
//!   autoscaled Fargate, Lambda behind API Gateway, autoscaled Beanstalk with
//!   deployments), with its `[uncertainty]` (AR(1) noise drawn per path-step, spikes,
//!   uncertain load, growth, CPU and duration), on every core; throughput in
//!   option-path-steps. `year-minute-one-thread` is the same on one worker.
//! - `monte_carlo/week-minute-1000-paths`: the first week of the same scenario, 1,000
//!   paths.
//! - `trace/load-csv-per-second`: a generated per-second CSV trace of 31,536,000 rows (a
//!   year) read and validated; throughput in rows.
//!
//! Run with `cargo bench --bench engine`; the figures measured are in the README.

use std::hint::black_box;
use std::io::Write;

use costcast::catalog::PriceCatalog;
use costcast::mc::{self, RunConfig};
use costcast::scenario::{Plan, ScenarioSource};
use costcast::trace::{MetricKind, TraceSpec};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn default_plan() -> Plan {
    let catalog = PriceCatalog::embedded("us-east-1").expect("the embedded catalog loads");
    ScenarioSource::embedded_default()
        .plan(&catalog)
        .expect("the default scenario is valid")
}

fn elements(plan: &Plan, paths: u64) -> Throughput {
    let option_steps = u64::try_from(plan.timeline.steps * plan.options.len()).expect("fits");
    Throughput::Elements(option_steps * paths)
}

fn run_paths(plan: &Plan, paths: u64, threads: usize) -> mc::McRun {
    let config = RunConfig {
        paths,
        seed: 1,
        shard: None,
    };
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool")
        .install(|| mc::run(plan, &config, &|| {}))
}

fn monte_carlo(c: &mut Criterion) {
    let plan = default_plan();
    let mut group = c.benchmark_group("monte_carlo");
    group.sample_size(10);
    // A year of minutes costs about 30 ms a path and core here: 64 paths (two groups of
    // 32 lanes, one per core) keep a sample near a second.
    let paths = 64;
    group.throughput(elements(&plan, paths));
    group.bench_function("year-minute", |b| {
        b.iter(|| black_box(run_paths(black_box(&plan), paths, 0)));
    });
    group.bench_function("year-minute-one-thread", |b| {
        b.iter(|| black_box(run_paths(black_box(&plan), paths, 1)));
    });
    let mut week = plan.clone();
    week.timeline = plan.timeline.first_days(7);
    group.throughput(elements(&week, 1000));
    group.bench_function("week-minute-1000-paths", |b| {
        b.iter(|| black_box(run_paths(black_box(&week), 1000, 0)));
    });
    group.finish();
}

fn load_trace(c: &mut Criterion) {
    const ROWS: usize = 31_536_000;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("per-second.csv");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    writeln!(file, "timestamp,value").expect("write");
    for i in 0..ROWS {
        writeln!(file, "{},{}", 1_798_761_600 + i, i % 17).expect("write");
    }
    file.flush().expect("flush");
    drop(file);
    let spec = TraceSpec::new(path, MetricKind::RequestsPerInterval);
    let mut group = c.benchmark_group("trace");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("load-csv-per-second-year", |b| {
        b.iter(|| {
            black_box(costcast::trace::load::load(&spec, std::path::Path::new("")).expect("loads"))
        });
    });
    group.finish();
}

criterion_group!(benches, monte_carlo, load_trace);
criterion_main!(benches);
