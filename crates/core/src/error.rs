//! Errors: only for malformed or impossible requests. A denial is never an error.

use core::fmt;

use serde::{Deserialize, Serialize};

/// The argument an [`Error`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Field {
    /// The current time given to an operation.
    Now,
    /// A lock, semaphore or rate-limit key.
    Key,
    /// A hold namespace.
    Namespace,
    /// An owner token.
    Owner,
    /// One item of a hold request.
    Item,
    /// The item list of a hold request.
    Items,
    /// A time to live.
    Ttl,
    /// An expiry computed as `now + ttl`.
    ExpiresAt,
    /// The number of holders a semaphore admits.
    Capacity,
    /// The cap on live holds in a namespace.
    MaxHolds,
    /// The page size of a listing, or the work budget of a sweep.
    Limit,
    /// A rate limit's number of requests per window.
    Quota,
    /// A rate limit's window.
    Window,
    /// The time a token bucket waits between refills, a GCRA limit's time per request, or a
    /// cooldown's length.
    Interval,
    /// The weight of one rate-limited request.
    Cost,
    /// A rate limit's burst.
    Burst,
    /// A token bucket's refill amount.
    Refill,
    /// The number of denials that triggers a block.
    Violations,
    /// The time within which denials are counted towards a block.
    Within,
    /// How long a block lasts.
    BlockFor,
    /// A listing cursor.
    Cursor,
}

impl Field {
    /// The field's name as it appears in vectors and in JS error messages.
    pub const fn name(self) -> &'static str {
        match self {
            Field::Now => "now",
            Field::Key => "key",
            Field::Namespace => "namespace",
            Field::Owner => "owner",
            Field::Item => "item",
            Field::Items => "items",
            Field::Ttl => "ttl",
            Field::ExpiresAt => "expires_at",
            Field::Capacity => "capacity",
            Field::MaxHolds => "max_holds",
            Field::Limit => "limit",
            Field::Quota => "quota",
            Field::Window => "window",
            Field::Interval => "interval",
            Field::Cost => "cost",
            Field::Burst => "burst",
            Field::Refill => "refill",
            Field::Violations => "violations",
            Field::Within => "within",
            Field::BlockFor => "block_for",
            Field::Cursor => "cursor",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a request was refused before it changed anything.
///
/// Every variant is checked before the first write, so a request that returns an error has left
/// the engine exactly as it was. Fields are validated in the order of the operation's parameters
/// (then `now` last); the first failure is reported. The serialized form (`{"code": ...}`) is the
/// one conformance vectors, the Redis scripts and the JS bindings use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Error {
    /// A string or list that must not be empty was empty.
    Empty {
        /// Which argument.
        field: Field,
    },
    /// A string was longer than its bound, in UTF-8 bytes.
    TooLong {
        /// Which argument.
        field: Field,
        /// Its length in bytes.
        len: u64,
        /// The largest length accepted.
        max: u64,
    },
    /// A number was outside its accepted range `min..=max`.
    OutOfRange {
        /// Which argument.
        field: Field,
        /// The value given.
        value: u64,
        /// The smallest value accepted.
        min: u64,
        /// The largest value accepted.
        max: u64,
    },
    /// A list had more entries than one call may carry.
    TooMany {
        /// Which argument.
        field: Field,
        /// How many were given.
        count: u64,
        /// The most accepted.
        max: u64,
    },
    /// The same item appeared twice in one request.
    Duplicate {
        /// Which argument.
        field: Field,
        /// The zero-based position of the second occurrence.
        index: u64,
    },
    /// A computed time would pass 2^53 − 1 (for instance `now + ttl`).
    Overflow {
        /// Which computed value.
        field: Field,
    },
    /// Every fence below 2^53 has been issued for this key: no new holder can be fenced.
    FenceExhausted,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Empty { field } => write!(f, "{field} must not be empty"),
            Error::TooLong { field, len, max } => {
                write!(f, "{field} is {len} bytes long; at most {max} are accepted")
            }
            Error::OutOfRange { field, value, min, max } => {
                write!(f, "{field} is {value}; it must be between {min} and {max}")
            }
            Error::TooMany { field, count, max } => {
                write!(f, "{field} has {count} entries; at most {max} are accepted in one call")
            }
            Error::Duplicate { field, index } => {
                write!(f, "{field} repeats an earlier entry at position {index}")
            }
            Error::Overflow { field } => write!(f, "{field} would pass 2^53 - 1 milliseconds"),
            Error::FenceExhausted => f.write_str("every fence below 2^53 has been issued for this key"),
        }
    }
}

impl core::error::Error for Error {}
