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
    if at == a.len() {
        return true;
    }
    // At most seven bytes remain. With eight or more in all, the last word covers them (its
    // first bytes are already known equal); shorter strings loop, inline where a slice
    // comparison calls memcmp.
    if a.len() >= 8 {
        return word(a, a.len() - 8) == word(b, b.len() - 8);
    }
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
    if at < common && common >= 8 {
        // The last word of the common part covers the remaining bytes; the ones before them
        // are equal, so the words order as those bytes do.
        let (x, y) = (word(a, common - 8), word(b, common - 8));
        if x != y {
            return x.cmp(&y);
        }
        return a.len().cmp(&b.len());
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

    #[test]
    fn a_difference_in_any_byte_of_any_length_is_ordered_as_the_standard_comparison_does() {
        let base: alloc::vec::Vec<u8> = (0..20u8).map(|i| b'a' + i).collect();
        for len in 0..=base.len() {
            for other in len.saturating_sub(2)..=(len + 2).min(base.len()) {
                for at in 0..len {
                    for delta in [1u8, 0x80] {
                        let a = &base[..len];
                        let mut b = base[..other].to_vec();
                        if at < other {
                            b[at] = b[at].wrapping_add(delta);
                        }
                        assert_eq!(cmp(a, &b), a.cmp(&b[..]), "{a:?} vs {b:?}");
                        assert_eq!(cmp(&b, a), b[..].cmp(a), "{b:?} vs {a:?}");
                        assert_eq!(eq(a, &b), a == &b[..], "{a:?} == {b:?}");
                    }
                }
            }
        }
    }
}
