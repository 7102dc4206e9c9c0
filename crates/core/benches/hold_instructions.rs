//! Hold reserve + release pairs with nothing else around them, for an instruction count:
//!
//! ```text
//! cargo bench -p leasehold-core --bench hold_instructions --no-run
//! valgrind --tool=callgrind target/release/deps/hold_instructions-* 1 100000
//! ```
//!
//! runs 100,000 pairs of 1 item (`10` for 10 items) after a warm-up (a third argument,
//! `rotate`, takes 1,000 different sets of items in turn instead of the same items every
//! time); the instructions per pair
//! are the total over the pairs (callgrind's total minus a run with `0` pairs), divided by
//! the count. Counts do not depend on what else the machine runs, unlike the criterion timings
//! of `leases_and_holds`, which this does not replace. Prints the outcome count only, so the
//! work is not optimised away.

use std::hint::black_box;

use leasehold_core::{Engine, Millis};

const NOW: Millis = Millis(1_763_800_000_000);
const TTL: Millis = Millis(900_000);

fn main() {
    let mut args = std::env::args().skip(1);
    let width: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let pairs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let sets = if args.next().as_deref() == Some("rotate") { 1_000 } else { 1 };
    let all: Vec<Vec<String>> = (0..sets)
        .map(|s| (0..width).map(|i| format!("asset-{}", 27_182_818 + s * width + i)).collect())
        .collect();
    let items = &all[0];
    let mut engine = Engine::new();
    let mut outcomes = 0usize;
    for _ in 0..100 {
        let holds = engine.holds();
        black_box(holds.reserve("reserved-assets_730", items, "user-1", TTL, None, NOW).unwrap());
        black_box(holds.release("reserved-assets_730", items, "user-1", NOW).unwrap());
    }
    for pair in 0..pairs {
        let items = &all[pair % sets];
        let holds = engine.holds();
        let reserved =
            holds.reserve("reserved-assets_730", black_box(items), "user-1", TTL, None, NOW).unwrap();
        let released = holds.release("reserved-assets_730", black_box(items), "user-1", NOW).unwrap();
        outcomes += black_box(&released).items.len();
        black_box(reserved);
    }
    println!("{outcomes} items released");
}
