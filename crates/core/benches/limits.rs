//! Rate-limit checks against governor's keyed limiter, in the same run.
//!
//! Target (issue 2): a check on one key and on 100k keys at or below governor's keyed limiter.
//! Both sides run GCRA with a quota generous enough that every check is admitted, so both do
//! the full read-modify-write. governor reads its own clock inside the check; leasehold is
//! given `now`, which the bench advances by one millisecond per check as a clock would.

use std::hint::black_box;
use std::num::NonZeroU32;

use criterion::{criterion_group, criterion_main, Criterion};
use governor::{Quota, RateLimiter};
use leasehold_core::{Limit, Limits, Millis};

const KEYS: usize = 100_000;
const START: u64 = 1_763_800_000_000;

fn keys() -> Vec<String> {
    (0..KEYS).map(|i| format!("api_ip:10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255)).collect()
}

fn one_key(c: &mut Criterion) {
    let mut group = c.benchmark_group("limit check, one key");
    let mut limits = Limits::new(0);
    let gcra = Limit::gcra(1_000_000, Millis(1));
    let mut now = START;
    group.bench_function("leasehold gcra", |b| {
        b.iter(|| {
            now += 1;
            black_box(limits.check(black_box("api_ip:10.0.0.1"), &gcra, 1, Millis(now)).unwrap())
        })
    });
    let mut token = Limits::new(0);
    let bucket = Limit::token_bucket(1_000_000, 1_000, Millis(1));
    group.bench_function("leasehold token bucket", |b| {
        b.iter(|| {
            now += 1;
            black_box(token.check(black_box("api_ip:10.0.0.1"), &bucket, 1, Millis(now)).unwrap())
        })
    });
    let governor = RateLimiter::keyed(Quota::per_second(NonZeroU32::new(1_000_000_000).unwrap()));
    let key = String::from("api_ip:10.0.0.1");
    group.bench_function("governor keyed", |b| {
        b.iter(|| black_box(governor.check_key(black_box(&key)).is_ok()))
    });
    group.finish();
}

fn many_keys(c: &mut Criterion) {
    let keys = keys();
    let mut group = c.benchmark_group("limit check, 100k keys");
    let mut limits = Limits::new(0);
    let gcra = Limit::gcra(1_000_000, Millis(1));
    for key in &keys {
        limits.check(key, &gcra, 1, Millis(START)).unwrap();
    }
    let (mut i, mut now) = (0usize, START);
    group.bench_function("leasehold gcra", |b| {
        b.iter(|| {
            i = (i + 7_919) % KEYS;
            now += 1;
            black_box(limits.check(&keys[i], &gcra, 1, Millis(now)).unwrap())
        })
    });
    let governor = RateLimiter::keyed(Quota::per_second(NonZeroU32::new(1_000_000_000).unwrap()));
    for key in &keys {
        let _ = governor.check_key(key);
    }
    group.bench_function("governor keyed", |b| {
        b.iter(|| {
            i = (i + 7_919) % KEYS;
            black_box(governor.check_key(&keys[i]).is_ok())
        })
    });
    group.finish();
}

criterion_group!(benches, one_key, many_keys);
criterion_main!(benches);
