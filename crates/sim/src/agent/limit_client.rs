//! A client of a rate limit: a coupon claimer, a login or registration attempt, an API call.

use alloc::string::String;

use leasehold_core::{LimitOutcome, LimitRequest, Outcome, Request};

use super::next_session;
use crate::backend::Backend;
use crate::runner::{Cx, Stop};
use crate::scenario::{Arrival, LimitClient};
use crate::trace::Sink;

/// Where a client is.
#[derive(Debug)]
pub struct State {
    key: String,
    burst: u32,
    tries: u32,
    session_start: u64,
}

impl State {
    pub(super) fn new(key: String) -> State {
        State { key, burst: 0, tries: 0, session_start: 0 }
    }

    pub(super) fn wake<B: Backend, S: Sink>(
        &mut self,
        cx: &mut Cx<'_, B, S>,
        client: &LimitClient,
        arrival: &Arrival,
    ) -> Result<Option<u64>, Stop> {
        if self.tries == 0 {
            self.session_start = cx.now;
            cx.stats().sessions += 1;
        }
        let request = Request::Limit(LimitRequest::Check {
            key: self.key.clone(),
            algorithm: client.algorithm,
            block: client.block,
            cost: client.cost,
        });
        let retry_after = match cx.apply(request)? {
            Ok(Outcome::Limit(LimitOutcome::Check(decision))) if decision.allowed => {
                cx.stats().completed += 1;
                cx.waited(cx.now - self.session_start);
                self.tries = 0;
                return Ok(next_session(cx, arrival, &mut self.burst));
            }
            Ok(Outcome::Limit(LimitOutcome::Check(decision))) => Some(decision.retry_after.0),
            _ => None,
        };
        match retry_after {
            Some(wait) if client.honours_retry && self.tries < client.retries => {
                self.tries += 1;
                Ok(Some(cx.now + wait.max(1)))
            }
            _ => {
                cx.stats().gave_up += 1;
                self.tries = 0;
                Ok(next_session(cx, arrival, &mut self.burst))
            }
        }
    }
}
