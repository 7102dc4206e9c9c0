//! Validation of the item list every hold operation takes.

use alloc::vec::Vec;

use crate::bounds::{check_str, MAX_ITEMS_PER_CALL, MAX_ITEM_BYTES};
use crate::error::{Error, Field};
use crate::hash::hash_str;

/// Below this many items duplicates are found by comparing pairs; above it, by sorting.
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
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_unstable_by(|&a, &b| items[a].as_ref().cmp(items[b].as_ref()).then(a.cmp(&b)));
    order
        .windows(2)
        .filter(|pair| items[pair[0]].as_ref() == items[pair[1]].as_ref())
        .map(|pair| pair[1])
        .min()
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
    fn long_lists_find_the_same_repeat_as_short_ones() {
        let mut items: Vec<String> = (0..40).map(|i| format!("item-{i}")).collect();
        items.push(String::from("item-30"));
        items.push(String::from("item-3"));
        assert_eq!(first_repeat(&items), Some(40));
    }
}
