//! The documented bounds of every argument, and the checks that enforce them.
//!
//! Each check returns the [`Error`] that names the argument; callers run them in parameter order
//! before touching any state.

use crate::error::{Error, Field};
use crate::time::Millis;

/// Longest key or namespace accepted, in UTF-8 bytes.
pub const MAX_KEY_BYTES: usize = 512;
/// Longest owner token accepted, in UTF-8 bytes.
pub const MAX_OWNER_BYTES: usize = 256;
/// Longest item name accepted, in UTF-8 bytes.
pub const MAX_ITEM_BYTES: usize = 256;
/// Most items one hold request may name.
pub const MAX_ITEMS_PER_CALL: usize = 1000;
/// Longest TTL, window or period accepted: 366 days.
pub const MAX_DURATION: Millis = Millis(366 * 24 * 3600 * 1000);
/// Largest count (quota, capacity, cost, burst, cap) accepted: 2^32 − 1.
pub const MAX_COUNT: u64 = u32::MAX as u64;
/// Most holders one semaphore admits.
pub const MAX_CAPACITY: u64 = 10_000;
/// Largest page or sweep budget accepted in one call.
pub const MAX_PAGE: u64 = 10_000;

/// `now` must be at most 2^53 − 1.
pub fn check_now(now: Millis) -> Result<Millis, Error> {
    if now > Millis::MAX {
        return Err(Error::OutOfRange { field: Field::Now, value: now.0, min: 0, max: Millis::MAX.0 });
    }
    Ok(now)
}

/// A non-empty string of at most `max` bytes.
pub fn check_str(field: Field, value: &str, max: usize) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::Empty { field });
    }
    if value.len() > max {
        return Err(Error::TooLong { field, len: value.len() as u64, max: max as u64 });
    }
    Ok(())
}

/// A key (lock, semaphore, limit).
pub fn check_key(key: &str) -> Result<(), Error> {
    check_str(Field::Key, key, MAX_KEY_BYTES)
}

/// A hold namespace.
pub fn check_namespace(ns: &str) -> Result<(), Error> {
    check_str(Field::Namespace, ns, MAX_KEY_BYTES)
}

/// An owner token.
pub fn check_owner(owner: &str) -> Result<(), Error> {
    check_str(Field::Owner, owner, MAX_OWNER_BYTES)
}

/// A duration in `1..=MAX_DURATION`.
pub fn check_duration(field: Field, value: Millis) -> Result<(), Error> {
    check_range(field, value.0, 1, MAX_DURATION.0)
}

/// A count in `min..=max`.
pub fn check_range(field: Field, value: u64, min: u64, max: u64) -> Result<(), Error> {
    if value < min || value > max {
        return Err(Error::OutOfRange { field, value, min, max });
    }
    Ok(())
}

/// `now + ttl`, refused past 2^53 − 1.
pub fn expiry(now: Millis, ttl: Millis) -> Result<Millis, Error> {
    now.checked_add(ttl).ok_or(Error::Overflow { field: Field::ExpiresAt })
}
