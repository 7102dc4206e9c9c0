//! What can go wrong between a request and its outcome.

use core::fmt;

use leasehold_core::Error;

/// Why an operation on Redis gave no outcome. Never a denial: those are outcomes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AdapterError {
    /// The request was refused as malformed or impossible, exactly as the core refuses it.
    Invalid(Error),
    /// Redis could not be reached, or the connection broke (the outcome of a write in flight is
    /// then unknown). The next call reconnects.
    Connection {
        /// What the client library said.
        detail: String,
    },
    /// Redis answered with an error that is not one of ours (out of memory, read-only replica,
    /// cluster down, a script error...).
    Server {
        /// The error code (`OOM`, `READONLY`, ...), when there is one.
        code: Option<String>,
        /// What Redis said.
        detail: String,
    },
    /// A reply the adapter cannot decode: the scripts and the adapter disagree.
    Protocol {
        /// What was wrong with it.
        detail: String,
    },
    /// The keys of one request would span several Redis Cluster slots; nothing was sent.
    CrossSlot {
        /// The keys.
        keys: Vec<String>,
    },
    /// The adapter was configured wrongly (a key prefix with braces, a bad URL).
    Config(String),
}

impl fmt::Display for AdapterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdapterError::Invalid(error) => write!(f, "invalid request: {error}"),
            AdapterError::Connection { detail } => write!(f, "connection to Redis failed: {detail}"),
            AdapterError::Server { code: Some(code), detail } => write!(f, "Redis error {code}: {detail}"),
            AdapterError::Server { code: None, detail } => write!(f, "Redis error: {detail}"),
            AdapterError::Protocol { detail } => {
                write!(f, "unexpected reply from a leasehold script: {detail}")
            }
            AdapterError::CrossSlot { keys } => write!(f, "keys span several cluster slots: {keys:?}"),
            AdapterError::Config(detail) => write!(f, "configuration: {detail}"),
        }
    }
}

impl std::error::Error for AdapterError {}

impl From<Error> for AdapterError {
    fn from(error: Error) -> AdapterError {
        AdapterError::Invalid(error)
    }
}

pub(crate) fn protocol(detail: impl Into<String>) -> AdapterError {
    AdapterError::Protocol { detail: detail.into() }
}
