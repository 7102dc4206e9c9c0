//! Where hold writes send their events besides the outcome: a stream per namespace, and a
//! channel for tradeit's `itemReserved` subscribers.

use crate::error::AdapterError;

/// Where the hold scripts that write (reserve, release, force release, extend, sweep) send
/// their events, inside the same script as the write.
///
/// - **The stream** `<prefix>:hold:{<namespace>}:events` (see [`crate::Layout::hold_events`])
///   gets one entry per event of the outcome, in the outcome's order, with the fields `kind`,
///   `item`, `fence` and `expires_at`, so consumer groups (`XREADGROUP`) can follow a
///   namespace. It is trimmed with `MAXLEN ~` to about [`HoldEvents::stream_maxlen`] entries
///   (default [`HoldEvents::DEFAULT_STREAM_MAXLEN`]; 0 turns it off), and shares the
///   namespace's hash tag, so it lives in the namespace's cluster slot.
/// - **The channel**, off by default: a reserve that reserved publishes an empty message on it,
///   the signal tradeit's `itemReserved` subscribers wait for.
///
/// ```
/// use leasehold_redis::HoldEvents;
/// let events = HoldEvents::default().stream_maxlen(1_000).publish_reserves_on("itemReserved")?;
/// assert_eq!(events.channel(), Some("itemReserved"));
/// # Ok::<(), leasehold_redis::AdapterError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldEvents {
    stream_maxlen: u64,
    channel: Option<String>,
}

impl Default for HoldEvents {
    fn default() -> HoldEvents {
        HoldEvents { stream_maxlen: HoldEvents::DEFAULT_STREAM_MAXLEN, channel: None }
    }
}

impl HoldEvents {
    /// The stream's default approximate length.
    pub const DEFAULT_STREAM_MAXLEN: u64 = 10_000;

    /// Keeps about `maxlen` entries in each namespace's stream; 0: no stream at all.
    pub fn stream_maxlen(self, maxlen: u64) -> HoldEvents {
        HoldEvents { stream_maxlen: maxlen.min(leasehold_core::bounds::MAX_COUNT), ..self }
    }

    /// Publishes an empty message on `channel` after every reserve that reserved.
    pub fn publish_reserves_on(self, channel: &str) -> Result<HoldEvents, AdapterError> {
        if channel.is_empty() {
            return Err(AdapterError::Config("the reserve channel's name must be non-empty".into()));
        }
        Ok(HoldEvents { channel: Some(channel.to_owned()), ..self })
    }

    /// The stream's approximate length (0: no stream).
    pub fn maxlen(&self) -> u64 {
        self.stream_maxlen
    }

    /// The channel reserves are published on, if any.
    pub fn channel(&self) -> Option<&str> {
        self.channel.as_deref()
    }

    /// The two `ARGV` of the hold writes: the stream's length and the channel (`''`: none).
    pub(crate) fn args(&self) -> [String; 2] {
        [self.stream_maxlen.to_string(), self.channel.clone().unwrap_or_default()]
    }
}
