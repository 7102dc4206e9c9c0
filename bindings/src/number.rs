//! JS numbers to the core's integers.
//!
//! The package's JS layer checks every number before it crosses into wasm; these checks repeat
//! that work so the raw module is safe on its own: whatever `f64` arrives, the result is an
//! integer the core can judge, or a [`Failure`] naming the argument. Never a trap.

use crate::failure::Failure;

/// 2^53: the largest double up to which every integer is exact. Larger numbers are refused
/// here; up to it the core decides, with its own bounds (all of them below 2^53).
pub const EXACT_LIMIT: f64 = 9_007_199_254_740_992.0;

/// 2^63, exactly: from here on every double is an integer, too large for `i64`.
const TWO_TO_THE_63: f64 = (1u64 << 63) as f64;

/// `value` as a `u64` when it is an integer in `0..=2^53`.
///
/// NaN, infinities and fractions are `not_an_integer`; negative numbers and numbers past 2^53
/// are `out_of_range` with `min` 0 and `max` 2^53 − 1.
pub fn integer(field: &'static str, value: f64) -> Result<u64, Failure> {
    // Every double of magnitude 2^63 or more is an integer; below, the round trip through
    // `i64` drops exactly the fraction.
    let fractional = value.abs() < TWO_TO_THE_63 && value as i64 as f64 != value;
    if !value.is_finite() || fractional {
        return Err(Failure::NotAnInteger { field });
    }
    if !(0.0..=EXACT_LIMIT).contains(&value) {
        return Err(Failure::OutOfRange { field });
    }
    // An integer in 0..=2^53: the conversion is exact.
    Ok(value as u64)
}

/// `value` as a `u64` when it is an integer in `0..=2^53`, else `None`: [`integer`]'s
/// acceptance without its error, inlined into the hot path. Comparisons with NaN are false, and
/// in that range the conversion to `u64` drops exactly the fraction.
#[inline(always)]
pub fn exact(value: f64) -> Option<u64> {
    if (0.0..=EXACT_LIMIT).contains(&value) {
        let whole = value as u64;
        if whole as f64 == value {
            return Some(whole);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_up_to_two_to_the_53_convert_exactly() {
        assert_eq!(integer("ttl", 0.0), Ok(0));
        assert_eq!(integer("ttl", 1500.0), Ok(1500));
        assert_eq!(integer("now", EXACT_LIMIT), Ok(1 << 53));
        assert_eq!(integer("now", -0.0), Ok(0));
    }

    #[test]
    fn nan_infinities_and_fractions_are_not_integers() {
        for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1.5, -0.5, 1e-300] {
            assert_eq!(integer("ttl", value), Err(Failure::NotAnInteger { field: "ttl" }), "{value}");
        }
    }

    #[test]
    fn exact_accepts_what_integer_accepts_and_nothing_else() {
        let values = [0.0, -0.0, 1.0, 1500.0, EXACT_LIMIT, EXACT_LIMIT + 2.0, 1.5, -1.0, 1e-300, 1e300];
        for value in values.into_iter().chain([f64::NAN, f64::INFINITY, f64::NEG_INFINITY]) {
            assert_eq!(exact(value), integer("now", value).ok(), "{value}");
        }
    }

    #[test]
    fn negative_and_inexact_integers_are_out_of_range() {
        for value in [-1.0, -1e300, EXACT_LIMIT + 2.0, 1e300] {
            assert_eq!(integer("cost", value), Err(Failure::OutOfRange { field: "cost" }), "{value}");
        }
    }
}
