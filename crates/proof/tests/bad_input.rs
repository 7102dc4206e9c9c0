//! Bad input at scale: random and mutated text into the vector, scenario and trace parsers, and
//! random arguments into every operation of the engine. Nothing panics; a refused operation
//! leaves the engine exactly as it was.
//!
//! Cases per property come from `LEASEHOLD_FUZZ_CASES` (default 2 000 under `cargo xtask
//! test`; `cargo xtask soak` runs 2 000 000 per property, over 10M in all, in release).

use leasehold_core::hold::Cursor;
use leasehold_core::vector::VectorFile;
use leasehold_core::{
    Algorithm, AlgorithmKind, BlockPolicy, Cooldown, Engine, FixedWindow, Gcra, HoldRequest, LimitRequest,
    LockRequest, Millis, Request, SemaphoreRequest, SlidingCounter, SlidingLog, TokenBucket,
};
use leasehold_sim::trace::Op;
use leasehold_sim::{Header, Scenario};
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde::Deserialize;

fn cases() -> u32 {
    std::env::var("LEASEHOLD_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(2_000)
}

fn config() -> Config {
    Config { cases: cases(), failure_persistence: None, ..Config::default() }
}

/// One step line of a trace as `leasehold replay` reads it (the CLI's `load::Line`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Line {
    step: u64,
    now: Millis,
    agent: String,
    op: Op,
    outcome: serde_json::Value,
}

fn repo_file(path: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Small valid documents to mutate: one vector case per seed, every preset scenario, trace
/// lines of every kind.
fn seeds() -> Vec<String> {
    let mut seeds = Vec::new();
    for file in [
        "lock",
        "hold",
        "semaphore",
        "limit_block",
        "limit_sliding_log",
        "limit_token_bucket",
        "limit_errors",
    ] {
        let text = repo_file(&format!("tests/vectors/{file}.json"));
        let parsed: VectorFile<serde_json::Value> =
            serde_json::from_str(&text).expect("a shipped vector file");
        for case in parsed.cases.into_iter().take(6) {
            let one = serde_json::json!({"about": file, "cases": [case]});
            seeds.push(one.to_string());
        }
    }
    for preset in ["abuse", "api-keys", "legacy-vs-holds", "orphaned-locks", "stale-writer", "withdraw-rush"]
    {
        seeds.push(repo_file(&format!("crates/sim/scenarios/{preset}.json")));
    }
    seeds.push(r#"{"leasehold_trace":1,"scenario":"withdraw-rush","seed":42,"start":1767225600000,"horizon":3600000}"#.into());
    seeds.push(r#"{"step":1,"now":1767225600912,"agent":"users#3","op":{"hold":{"reserve":{"namespace":"ns","items":["a","b"],"owner":"u3","ttl":60000}}},"outcome":{"ok":{"reserved":{}}}}"#.into());
    seeds.push(r#"{"step":9,"now":1767225660000,"agent":"lanes#1","op":{"resource":{"write":{"resource":"lane:0","fence":1767225600000000}}},"outcome":{"ok":{"rejected":{"highest":1}}}}"#.into());
    seeds.push(r#"{"step":2,"now":5,"agent":"a","op":{"limit":{"check":{"key":"k","algorithm":{"gcra":{"burst":5,"interval":100}},"block":{"violations":3,"within":60000,"block_for":3600000},"cost":1}}},"outcome":{"err":{"code":"x"}}}"#.into());
    seeds
}

/// A mutation: replace, insert or delete one char, or copy a span elsewhere.
#[derive(Debug, Clone)]
enum Mutation {
    Replace(usize, char),
    Insert(usize, char),
    Delete(usize),
    Copy(usize, usize, usize),
}

fn awkward_char() -> impl Strategy<Value = char> {
    prop_oneof![
        prop::sample::select(vec![
            '{', '}', '[', ']', '"', ':', ',', '-', '0', '9', 'e', '.', '\\', ' ', '\0', 'n', 't'
        ]),
        any::<char>(),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), awkward_char()).prop_map(|(at, c)| Mutation::Replace(at, c)),
        (any::<usize>(), awkward_char()).prop_map(|(at, c)| Mutation::Insert(at, c)),
        any::<usize>().prop_map(Mutation::Delete),
        (any::<usize>(), 1usize..40, any::<usize>())
            .prop_map(|(from, len, to)| Mutation::Copy(from, len, to)),
    ]
}

fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for mutation in mutations {
        let n = chars.len().max(1);
        match *mutation {
            Mutation::Replace(at, c) if !chars.is_empty() => chars[at % n] = c,
            Mutation::Insert(at, c) => chars.insert(at % (chars.len() + 1), c),
            Mutation::Delete(at) if !chars.is_empty() => {
                chars.remove(at % n);
            }
            Mutation::Copy(from, len, to) if !chars.is_empty() => {
                let from = from % n;
                let span: Vec<char> = chars[from..(from + len).min(chars.len())].to_vec();
                let to = to % (chars.len() + 1);
                chars.splice(to..to, span);
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

/// Feeds `text` to every parser; whatever parses as a request or a trace op is also applied.
fn parse_everything(text: &str) {
    let _ = serde_json::from_str::<VectorFile<serde_json::Value>>(text);
    if let Ok(scenario) = serde_json::from_str::<Scenario>(text) {
        let _ = scenario.validate();
    }
    let _ = serde_json::from_str::<Header>(text);
    if let Ok(line) = serde_json::from_str::<Line>(text) {
        if let Ok(request) = line.op.into_request() {
            refused_changes_nothing(&mut populated(), &request, line.now);
        }
    }
    if let Ok(request) = serde_json::from_str::<Request>(text) {
        refused_changes_nothing(&mut populated(), &request, Millis(1_000_000));
    }
}

fn populated() -> Engine {
    let mut engine = Engine::new();
    let now = Millis(1_000_000);
    let _ = engine.locks().acquire("k", "a", Millis(5_000), now);
    let _ = engine.semaphores().acquire("s", "a", 2, Millis(5_000), now);
    let _ = engine.holds().reserve("ns", &["x", "y"], "a", Millis(5_000), None, now);
    let _ = engine.limits().check("k", &leasehold_core::Limit::sliding_log(3, Millis(1_000)), 1, now);
    engine
}

/// Applies `request`; when refused, the engine's whole state is what it was.
fn refused_changes_nothing(engine: &mut Engine, request: &Request, now: Millis) {
    let before = format!("{engine:?}");
    if engine.apply(request, now).is_err() {
        assert_eq!(format!("{engine:?}"), before, "{request:?} at {now:?} was refused but changed the state");
    }
}

fn text() -> BoxedStrategy<String> {
    prop_oneof![
        prop::sample::select(vec!["k", "s", "ns", "x", "y", "a", "b", ""]).prop_map(str::to_owned),
        ".{0,12}",
        "[{}: \u{00e9}\u{1F512}]{0,6}",
        (0usize..4).prop_map(|i| "w".repeat([256, 257, 512, 513][i])),
    ]
    .boxed()
}

fn number() -> BoxedStrategy<u64> {
    prop_oneof![0u64..5, 1u64..100_000, Just((1 << 53) - 1), Just(1 << 53), Just(u64::MAX), any::<u64>()]
        .boxed()
}

fn millis() -> BoxedStrategy<Millis> {
    number().prop_map(Millis).boxed()
}

fn algorithm() -> BoxedStrategy<Algorithm> {
    prop_oneof![
        (number(), millis())
            .prop_map(|(quota, window)| Algorithm::FixedWindow(FixedWindow { quota, window })),
        (number(), millis()).prop_map(|(quota, window)| Algorithm::SlidingLog(SlidingLog { quota, window })),
        (number(), millis())
            .prop_map(|(quota, window)| Algorithm::SlidingCounter(SlidingCounter { quota, window })),
        (number(), number(), millis()).prop_map(|(capacity, refill, interval)| Algorithm::TokenBucket(
            TokenBucket { capacity, refill, interval }
        )),
        (number(), millis()).prop_map(|(burst, interval)| Algorithm::Gcra(Gcra { burst, interval })),
        millis().prop_map(|interval| Algorithm::Cooldown(Cooldown { interval })),
    ]
    .boxed()
}

fn block() -> BoxedStrategy<Option<BlockPolicy>> {
    prop::option::of((number(), millis(), millis()).prop_map(|(violations, within, block_for)| BlockPolicy {
        violations,
        within,
        block_for,
    }))
    .boxed()
}

fn kind() -> BoxedStrategy<AlgorithmKind> {
    prop::sample::select(vec![
        AlgorithmKind::FixedWindow,
        AlgorithmKind::SlidingLog,
        AlgorithmKind::SlidingCounter,
        AlgorithmKind::TokenBucket,
        AlgorithmKind::Gcra,
        AlgorithmKind::Cooldown,
    ])
    .boxed()
}

fn items() -> BoxedStrategy<Vec<String>> {
    prop_oneof![
        prop::collection::vec(text(), 0..5),
        (0usize..3).prop_map(|i| vec!["i".to_owned(); [1000, 1001, 2][i]])
    ]
    .boxed()
}

fn request() -> BoxedStrategy<Request> {
    let lock = prop_oneof![
        (text(), text(), millis()).prop_map(|(key, owner, ttl)| LockRequest::Acquire { key, owner, ttl }),
        (text(), text()).prop_map(|(key, owner)| LockRequest::Release { key, owner }),
        (text(), text(), millis()).prop_map(|(key, owner, ttl)| LockRequest::Extend { key, owner, ttl }),
        text().prop_map(|key| LockRequest::Inspect { key }),
    ]
    .prop_map(Request::Lock)
    .boxed();
    let semaphore = prop_oneof![
        (text(), text(), number(), millis())
            .prop_map(|(key, owner, capacity, ttl)| SemaphoreRequest::Acquire { key, owner, capacity, ttl }),
        (text(), text()).prop_map(|(key, owner)| SemaphoreRequest::Release { key, owner }),
        (text(), text(), millis()).prop_map(|(key, owner, ttl)| SemaphoreRequest::Extend { key, owner, ttl }),
        text().prop_map(|key| SemaphoreRequest::Inspect { key }),
    ]
    .prop_map(Request::Semaphore)
    .boxed();
    let cursor = prop::option::of(
        (millis(), text()).prop_map(|(expires_at, item)| Cursor { expires_at, item: item.into() }),
    );
    let hold = prop_oneof![
        (text(), items(), text(), millis(), prop::option::of(number())).prop_map(
            |(namespace, items, owner, ttl, max_holds)| HoldRequest::Reserve {
                namespace,
                items,
                owner,
                ttl,
                max_holds
            }
        ),
        (text(), items(), text()).prop_map(|(namespace, items, owner)| HoldRequest::Release {
            namespace,
            items,
            owner
        }),
        (text(), items(), text(), millis()).prop_map(|(namespace, items, owner, ttl)| {
            HoldRequest::Extend { namespace, items, owner, ttl }
        }),
        (text(), items()).prop_map(|(namespace, items)| HoldRequest::ForceRelease { namespace, items }),
        (text(), items()).prop_map(|(namespace, items)| HoldRequest::Check { namespace, items }),
        (text(), cursor, number()).prop_map(|(namespace, cursor, limit)| HoldRequest::List {
            namespace,
            cursor,
            limit
        }),
        (text(), number()).prop_map(|(namespace, max)| HoldRequest::Sweep { namespace, max }),
    ]
    .prop_map(Request::Hold)
    .boxed();
    let limit = prop_oneof![
        (text(), algorithm(), block(), number())
            .prop_map(|(key, algorithm, block, cost)| LimitRequest::Check { key, algorithm, block, cost }),
        (text(), algorithm(), block(), number())
            .prop_map(|(key, algorithm, block, cost)| LimitRequest::Peek { key, algorithm, block, cost }),
        (text(), kind()).prop_map(|(key, algorithm)| LimitRequest::Reset { key, algorithm }),
    ]
    .prop_map(Request::Limit)
    .boxed();
    prop_oneof![lock, semaphore, hold, limit].boxed()
}

fn now() -> BoxedStrategy<Millis> {
    prop_oneof![(999_000u64..1_010_000).prop_map(Millis), millis()].boxed()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_text_panics_no_parser(text in "\\PC{0,64}") {
        parse_everything(&text);
    }

    #[test]
    fn mutated_vectors_scenarios_and_trace_lines_panic_no_parser(
        seed in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..8),
    ) {
        let seeds = seeds_once();
        parse_everything(&mutate(&seeds[seed.index(seeds.len())], &mutations));
    }

    #[test]
    fn random_arguments_to_every_operation_panic_nothing_and_a_refusal_changes_nothing(
        requests in prop::collection::vec((request(), now()), 1..4),
    ) {
        let mut engine = populated();
        for (request, now) in &requests {
            refused_changes_nothing(&mut engine, request, *now);
        }
    }
}

fn seeds_once() -> &'static [String] {
    static SEEDS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    SEEDS.get_or_init(seeds)
}
