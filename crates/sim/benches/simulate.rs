//! Simulated operations per second on the in-memory engine (target: ≥ 2M on one core), and the
//! wall time of the 400-agent, one-hour withdraw rush (target: seconds).
//!
//! Each benchmark runs a whole preset with the trace discarded; criterion's throughput is the
//! preset's engine operations per run, so its `thrpt` line reads directly as simulated ops/s.
//! `leasehold bench` prints the same figures without criterion.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use leasehold_sim::{presets, simulate, Discard, Scenario};

fn scenario(name: &str) -> Scenario {
    let preset = presets::find(name).expect("a shipped preset");
    serde_json::from_str(preset.json).expect("presets parse")
}

fn presets_bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("simulate");
    group.sample_size(10);
    for name in ["withdraw-rush", "abuse", "orphaned-locks"] {
        let scenario = scenario(name);
        let ops = simulate(&scenario, Discard).expect("no violation").metrics.ops;
        group.throughput(Throughput::Elements(ops));
        group.bench_function(name, |b| b.iter(|| black_box(simulate(black_box(&scenario), Discard).is_ok())));
    }
    group.finish();
}

criterion_group!(benches, presets_bench);
criterion_main!(benches);
