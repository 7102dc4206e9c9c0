//! Criterion benches of the in-memory engine: locks and holds, and holds at scale.
//!
//! Targets (issue 2): lock acquire + release ≤ 150 ns; hold reserve + release of 1 item
//! ≤ 300 ns and of 10 items ≤ 2 µs; with 1M live holds in one namespace, reserve / check /
//! release within 2× of their cost at 1k holds.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use leasehold_core::{Engine, Millis};

const NOW: Millis = Millis(1_763_800_000_000);
const TTL: Millis = Millis(900_000);

fn locks(c: &mut Criterion) {
    let mut engine = Engine::new();
    c.bench_function("lock/acquire+release", |b| {
        b.iter(|| {
            let locks = engine.locks();
            black_box(locks.acquire(black_box("lockTrade:27182818"), "worker-1", TTL, NOW).unwrap());
            black_box(locks.release(black_box("lockTrade:27182818"), "worker-1", NOW).unwrap());
        })
    });
}

fn holds(c: &mut Criterion) {
    let mut engine = Engine::new();
    let one = ["asset-27182818"];
    c.bench_function("hold/reserve+release 1 item", |b| {
        b.iter(|| {
            let holds = engine.holds();
            black_box(
                holds.reserve("reserved-assets_730", black_box(&one), "user-1", TTL, None, NOW).unwrap(),
            );
            black_box(holds.release("reserved-assets_730", black_box(&one), "user-1", NOW).unwrap());
        })
    });
    let ten: Vec<String> = (0..10).map(|i| format!("asset-{}", 27_182_818 + i)).collect();
    c.bench_function("hold/reserve+release 10 items", |b| {
        b.iter(|| {
            let holds = engine.holds();
            black_box(
                holds.reserve("reserved-assets_730", black_box(&ten), "user-1", TTL, None, NOW).unwrap(),
            );
            black_box(holds.release("reserved-assets_730", black_box(&ten), "user-1", NOW).unwrap());
        })
    });
    // The same pairs on items that change every time (1,000 single items, 1,000 sets of ten,
    // taken in turn): what a busy namespace sees, where no released hold of the same item is
    // there to be taken back.
    let singles: Vec<[String; 1]> = (0..1_000).map(|i| [format!("asset-{}", 30_000_000 + i)]).collect();
    let mut turn = 0;
    c.bench_function("hold/reserve+release 1 item, a different item each time", |b| {
        b.iter(|| {
            let item = &singles[turn % singles.len()];
            turn += 1;
            let holds = engine.holds();
            black_box(
                holds.reserve("reserved-assets_730", black_box(item), "user-1", TTL, None, NOW).unwrap(),
            );
            black_box(holds.release("reserved-assets_730", black_box(item), "user-1", NOW).unwrap());
        })
    });
    let sets: Vec<Vec<String>> =
        (0..1_000).map(|s| (0..10).map(|i| format!("asset-{}", 40_000_000 + s * 10 + i)).collect()).collect();
    let mut turn = 0;
    c.bench_function("hold/reserve+release 10 items, different items each time", |b| {
        b.iter(|| {
            let items = &sets[turn % sets.len()];
            turn += 1;
            let holds = engine.holds();
            black_box(
                holds.reserve("reserved-assets_730", black_box(items), "user-1", TTL, None, NOW).unwrap(),
            );
            black_box(holds.release("reserved-assets_730", black_box(items), "user-1", NOW).unwrap());
        })
    });
}

/// An engine whose namespace holds `live` live holds, each its own reservation.
fn namespace_with(live: usize) -> Engine {
    let mut engine = Engine::new();
    for i in 0..live {
        let item = [format!("held-{i}")];
        let ttl = Millis(TTL.0 + (i as u64 % 100_000));
        engine.holds().reserve("reserved-assets_730", &item, "owner", ttl, None, NOW).unwrap();
    }
    engine
}

fn holds_at_scale(c: &mut Criterion) {
    for live in [1_000usize, 1_000_000] {
        let mut engine = namespace_with(live);
        let mut group = c.benchmark_group(format!("hold/{live} live"));
        let probe = ["held-500"];
        group.bench_function("check 1 item", |b| {
            b.iter(|| black_box(engine.holds().check("reserved-assets_730", black_box(&probe), NOW).unwrap()))
        });
        let fresh = ["fresh-item"];
        group.bench_function("reserve+release 1 item", |b| {
            b.iter(|| {
                let holds = engine.holds();
                black_box(holds.reserve("reserved-assets_730", &fresh, "user-1", TTL, None, NOW).unwrap());
                black_box(holds.release("reserved-assets_730", &fresh, "user-1", NOW).unwrap());
            })
        });
        group.bench_function("reserve 1 item", |b| {
            let mut n = 0u64;
            b.iter_batched(
                || {
                    n += 1;
                    [format!("new-{n}")]
                },
                |item| {
                    black_box(
                        engine.holds().reserve("reserved-assets_730", &item, "u", TTL, None, NOW).unwrap(),
                    )
                },
                BatchSize::SmallInput,
            )
        });
        group.finish();
    }
}

criterion_group!(benches, locks, holds, holds_at_scale);
criterion_main!(benches);
