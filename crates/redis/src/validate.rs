//! The checks a request passes before it is sent: the core's own, in the core's order, so a
//! refused request gets the identical [`leasehold_core::Error`].
//!
//! Lock requests, the hot path, are checked with [`leasehold_core::LockRequest::check`] (what
//! `Locks` runs before it looks at any state, plus the fence an empty table would issue);
//! every other request goes through the core on an empty engine, which refuses exactly the
//! requests it would refuse anywhere: every check but fence exhaustion is stateless, and fence
//! exhaustion comes last (the script makes it).

use leasehold_core::{Engine, Error, Millis, Request};

/// Whether the core would refuse `request` at `now` on any state, and with which error.
pub(crate) fn check(request: &Request, now: Millis) -> Result<(), Error> {
    match request {
        Request::Lock(lock) => lock.check(now),
        other => Engine::new().apply(other, now).map(drop),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leasehold_core::LockRequest;

    fn locks(key: &str, owner: &str, ttl: Millis) -> [Request; 4] {
        let (key, owner) = (key.to_owned(), owner.to_owned());
        [
            LockRequest::Acquire { key: key.clone(), owner: owner.clone(), ttl },
            LockRequest::Release { key: key.clone(), owner: owner.clone() },
            LockRequest::Extend { key: key.clone(), owner, ttl },
            LockRequest::Inspect { key },
        ]
        .map(Request::Lock)
    }

    #[test]
    fn every_lock_request_is_refused_or_passed_exactly_as_the_core_on_an_empty_engine_does() {
        let long_key = "k".repeat(513);
        let long_owner = "o".repeat(257);
        let keys = ["", "a", long_key.as_str(), &long_key[..512]];
        let owners = ["", "me", long_owner.as_str()];
        let ttls = [Millis(0), Millis(1), Millis(366 * 24 * 3600 * 1000), Millis(366 * 24 * 3600 * 1000 + 1)];
        let nows = [
            Millis(0),
            Millis(1),
            Millis(1 << 40),
            Millis((1 << 50) - 1),
            Millis::MAX,
            Millis(Millis::MAX.0 + 1),
        ];
        let mut refused = 0;
        for key in keys {
            for owner in owners {
                for ttl in ttls {
                    for now in nows {
                        for request in locks(key, owner, ttl) {
                            let core = Engine::new().apply(&request, now).map(drop);
                            refused += usize::from(core.is_err());
                            assert_eq!(check(&request, now), core, "{request:?} at {now:?}");
                        }
                    }
                }
            }
        }
        assert!(refused > 0, "the grid holds refused requests");
    }
}
