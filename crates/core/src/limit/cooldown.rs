//! Cooldown: at most one admitted check per `interval` ms.

use serde::{Deserialize, Serialize};

use crate::bounds::check_duration;
use crate::error::{Error, Field};
use crate::time::Millis;

use super::rule::{later, Rule};
use super::Decision;

/// At most one check per `interval` ms (a coupon claim refused within 3000 ms of the last one,
/// one search per IP per 5 s).
///
/// - **Admission.** Admitted when the key has no live cooldown; then the key cools down until
///   `now + interval`. At exactly `now == until` the cooldown is over.
/// - **Decision.** `limit = 1`, so `cost` must be 1; `remaining = 0` after an admission (and
///   while cooling down); `reset_after = until − now` (0 when not cooling down); when denied,
///   `retry_after = until − now`.
/// - **Changed parameters.** A running cooldown keeps the end it was given.
///
/// This is `SET key 1 PX interval NX` with an answer to "when may I retry".
///
/// Bounds: `interval` in `1..=366 days`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cooldown {
    /// Time between two admitted checks.
    pub interval: Millis,
}

/// When a key's cooldown ends.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cooling {
    until: Millis,
}

impl Rule for Cooldown {
    type State = Cooling;

    fn validate(&self) -> Result<(), Error> {
        check_duration(Field::Interval, self.interval)
    }

    fn limit(&self) -> u64 {
        1
    }

    fn span(&self) -> Millis {
        self.interval
    }

    fn expires_at(cooling: &Cooling) -> Millis {
        cooling.until
    }

    fn decide(&self, live: Option<&Cooling>, _cost: u64, now: Millis) -> Decision {
        match live {
            Some(cooling) => {
                let left = cooling.until.saturating_sub(now);
                Decision::deny(1, 0, left, left)
            }
            None => Decision::allow(1, 0, self.interval),
        }
    }

    fn admit(&self, state: &mut Cooling, _live: bool, _cost: u64, now: Millis) {
        state.until = later(now, self.interval);
    }

    fn idle_after(&self, live: Option<&Cooling>, now: Millis) -> Millis {
        live.map_or(Millis::ZERO, |cooling| cooling.until.saturating_sub(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COUPON: Cooldown = Cooldown { interval: Millis(3_000) };

    #[test]
    fn a_second_claim_is_refused_until_the_cooldown_ends() {
        let mut state = Cooling::default();
        assert_eq!(COUPON.decide(None, 1, Millis(10_000)), Decision::allow(1, 0, Millis(3_000)));
        COUPON.admit(&mut state, false, 1, Millis(10_000));
        assert_eq!(
            COUPON.decide(Some(&state), 1, Millis(12_999)),
            Decision::deny(1, 0, Millis(1), Millis(1))
        );
        assert_eq!(state.until, Millis(13_000));
    }
}
