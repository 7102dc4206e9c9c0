//! Validation of the item list every hold operation takes.

use alloc::vec::Vec;

use crate::bounds::{check_str, MAX_ITEMS_PER_CALL, MAX_ITEM_BYTES};
use crate::error::{Error, Field};
use crate::hash::hash_str;

/// Below this many items duplicates are found by comparing pairs; above it, with a table.
const PAIRWISE_LIMIT: usize = 16;

/// Checks, in this order: the list is not empty; it has at most [`MAX_ITEMS_PER_CALL`]
/// entries; each item in turn is non-empty and at most [`MAX_ITEM_BYTES`] bytes; no item
/// repeats an earlier one (the error gives the position of the first repeat).
pub fn check_items<S: AsRef<str>>(items: &[S]) -> Result<(), Error> {
    if items.is_empty() {
        return Err(Error::Empty { field: Field::Items });
    }
    if items.len() > MAX_ITEMS_PER_CALL {
        return Err(Error::TooMany {
            field: Field::Items,
            count: items.len() as u64,
            max: MAX_ITEMS_PER_CALL as u64,
        });
    }
    for item in items {
        check_str(Field::Item, item.as_ref(), MAX_ITEM_BYTES)?;
    }
    match first_repeat(items) {
        Some(index) => Err(Error::Duplicate { field: Field::Items, index: index as u64 }),
        None => Ok(()),
    }
}

/// The smallest position whose item already appeared earlier in the list.
fn first_repeat<S: AsRef<str>>(items: &[S]) -> Option<usize> {
    if items.len() < 2 {
        return None;
    }
    if items.len() <= PAIRWISE_LIMIT {
        // Compare hashes first: ids of equal length (the common case) would each cost a memcmp.
        let mut hashes = [0u64; PAIRWISE_LIMIT];
        for (hash, item) in hashes.iter_mut().zip(items) {
            *hash = hash_str(0, item.as_ref());
        }
        for j in 1..items.len() {
            let (hash, item) = (hashes[j], items[j].as_ref().as_bytes());
            for i in 0..j {
                if hashes[i] == hash && crate::bytes::eq(items[i].as_ref().as_bytes(), item) {
                    return Some(j);
                }
            }
        }
        return None;
    }
    // An open-addressing table of positions, at least twice the list's length: in list order,
    // each item looks along its probe sequence for an earlier equal one, else takes the first
    // free slot. The first item to find one is the smallest repeat. (No sort: its code would
    // weigh several kilobytes in the wasm build.)
    const FREE: u32 = u32::MAX;
    let mask = (items.len() * 2).next_power_of_two() - 1;
    let mut slots: Vec<u32> = alloc::vec![FREE; mask + 1];
    for (j, item) in items.iter().enumerate() {
        let item = item.as_ref();
        let mut at = hash_str(0, item) as usize & mask;
        loop {
            match slots[at] {
                FREE => {
                    slots[at] = j as u32;
                    break;
                }
                i if crate::bytes::eq(items[i as usize].as_ref().as_bytes(), item.as_bytes()) => {
                    return Some(j)
                }
                _ => at = (at + 1) & mask,
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::String;

    #[test]
    fn the_first_repeat_is_reported_by_position() {
        assert_eq!(first_repeat(&["a", "b", "a", "b"]), Some(2));
        assert_eq!(first_repeat(&["a", "b", "c"]), None);
    }

    #[test]
    fn the_table_finds_the_repeat_comparing_every_pair_would() {
        // Lists of every length past the pairwise limit, drawn from few names so that some
        // repeat early, some late and some never.
        let mut state = 7u64;
        for len in PAIRWISE_LIMIT + 1..200 {
            let names = 20 + len as u64 * 3;
            let items: Vec<String> = (0..len)
                .map(|_| {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    format!("asset-{}", (state >> 33) % names)
                })
                .collect();
            let naive = (1..len).find(|&j| items[..j].contains(&items[j]));
            assert_eq!(first_repeat(&items), naive, "{items:?}");
        }
    }

    #[test]
    fn long_lists_find_the_same_repeat_as_short_ones() {
        let mut items: Vec<String> = (0..40).map(|i| format!("item-{i}")).collect();
        items.push(String::from("item-30"));
        items.push(String::from("item-3"));
        assert_eq!(first_repeat(&items), Some(40));
    }
}
