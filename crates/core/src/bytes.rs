//! Comparisons of short byte strings without a library call.
//!
//! Keys, owners and item names are mostly a few dozen bytes (an IP, an asset id, a UUID). For
//! those, comparing eight bytes at a time inline beats calling `memcmp`, and these comparisons
//! sit on every lookup and every insertion into the expiry index.

use core::cmp::Ordering;

#[inline(always)]
fn word(bytes: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[at..at + 8]);
    u64::from_be_bytes(w)
}

/// `a == b`.
#[inline]
pub fn eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut at = 0;
    while at + 8 <= a.len() {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    // At most seven bytes remain: a loop stays inline where a slice comparison calls memcmp.
    (at..a.len()).all(|i| a[i] == b[i])
}

/// `a.cmp(b)`, lexicographic by bytes: the order Redis sorts equal-score members in.
#[inline]
pub fn cmp(a: &[u8], b: &[u8]) -> Ordering {
    let common = a.len().min(b.len());
    let mut at = 0;
    while at + 8 <= common {
        let (x, y) = (word(a, at), word(b, at));
        if x != y {
            return x.cmp(&y);
        }
        at += 8;
    }
    for i in at..common {
        if a[i] != b[i] {
            return a[i].cmp(&b[i]);
        }
    }
    a.len().cmp(&b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_agree_with_the_standard_ones() {
        let words = [
            "",
            "a",
            "b",
            "ab",
            "abc",
            "asset-27182818",
            "asset-27182819",
            "asset-2718281",
            "asset-27182818x",
            "zzzzzzzzzzzzzzzzzz",
            "zzzzzzzzzzzzzzzzzy",
            "é",
            "e\u{301}",
            "{tag}",
            "0123456789abcdef",
        ];
        for a in words {
            for b in words {
                assert_eq!(cmp(a.as_bytes(), b.as_bytes()), a.as_bytes().cmp(b.as_bytes()), "{a:?} vs {b:?}");
                assert_eq!(eq(a.as_bytes(), b.as_bytes()), a == b, "{a:?} == {b:?}");
            }
        }
    }
}
