//! Memory per live hold, measured with a counting allocator (bytes requested from the
//! allocator, so deterministic), and memory given back once holds are gone.

// A global allocator cannot be written without `unsafe`; this one only forwards to the system
// allocator and counts. The core itself forbids unsafe code.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use leasehold_core::{Engine, Millis};

struct Counting;

static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is forwarded unchanged to `System`, which upholds the contract.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE_BYTES.fetch_add(new_size as isize - layout.size() as isize, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const HOLDS: usize = 100_000;
/// `asset-` plus eight digits.
const ITEM_BYTES: usize = 14;
/// `user-` plus six digits: each hold is its own reservation with its own owner.
const OWNER_BYTES: usize = 11;

#[test]
fn a_live_hold_costs_a_bounded_number_of_bytes_beyond_its_item_and_owner() {
    let items: Vec<[String; 1]> = (0..HOLDS).map(|i| [format!("asset-{:08}", 10_000_000 + i)]).collect();
    let owners: Vec<String> = (0..HOLDS).map(|i| format!("user-{:06}", i)).collect();
    let mut engine = Engine::new();
    engine.holds().reserve("warm", &["w"], "o", Millis(10), None, Millis(0)).unwrap();
    let before = LIVE_BYTES.load(Ordering::Relaxed);
    for (item, owner) in items.iter().zip(&owners) {
        engine
            .holds()
            .reserve("reserved-assets_730", item, owner, Millis(1_200_000), None, Millis(1_000))
            .unwrap();
    }
    let after = LIVE_BYTES.load(Ordering::Relaxed);
    let per_hold = (after - before) as usize / HOLDS;
    let overhead = per_hold - ITEM_BYTES - OWNER_BYTES;
    println!(
        "memory per live hold: {per_hold} bytes requested, {overhead} beyond the item's and owner's bytes"
    );
    assert_eq!(engine.holds().live("reserved-assets_730", Millis(1_000)), HOLDS as u64);
    assert!(overhead <= 256, "a live hold costs {overhead} bytes beyond its item and owner");

    let mut rounds = 0;
    while !engine.is_empty() {
        engine.expire(Millis(2_000_000), 10_000);
        rounds += 1;
        assert!(rounds < 1_000, "active expiry does not converge");
    }
    let drained = LIVE_BYTES.load(Ordering::Relaxed);
    assert!(drained - before < 64 * 1024, "{} bytes still held after every hold expired", drained - before);
}
