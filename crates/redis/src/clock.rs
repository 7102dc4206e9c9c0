//! Whose clock decides.

use leasehold_core::Millis;

/// Where an operation's `now` comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    /// The script reads Redis `TIME` (milliseconds since the epoch): one clock for every
    /// client, and the one that keeps fences moving up after a restart that lost the data.
    /// Keys get a Redis TTL that reclaims their memory once the core would forget them.
    #[default]
    Server,
    /// An explicit `now`, for tests, simulation and replay. Its time has nothing to do with
    /// Redis's, so keys get no Redis TTL: memory is reclaimed only where the core forgets a
    /// key on a write. Do not mix both clocks on one key.
    Explicit(Millis),
}

impl Clock {
    /// `ARGV[1]` of every script.
    pub(crate) fn arg<'r>(self) -> crate::encode::Arg<'r> {
        match self {
            Clock::Server => crate::encode::Arg::Text("server"),
            Clock::Explicit(now) => crate::encode::Arg::Number(now.0),
        }
    }

    /// The `now` the adapter validates a request with before sending it: the explicit one, or
    /// 0 for the server clock, whose `now`-dependent checks the script makes.
    pub(crate) fn validation_now(self) -> Millis {
        match self {
            Clock::Server => Millis::ZERO,
            Clock::Explicit(now) => now,
        }
    }
}
