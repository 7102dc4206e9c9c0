//! Agents: one state machine per behaviour. Each wake-up makes the agent's operations through
//! [`Cx`] and returns when it wants to wake next (`None`: never again).

mod limit_client;
mod lock_worker;
mod withdraw;

use alloc::format;
use alloc::string::String;

use crate::backend::Backend;
use crate::rng::Rng;
use crate::runner::{Cx, Stop};
use crate::scenario::{Arrival, Behaviour, Group};
use crate::trace::Sink;

/// One simulated client.
#[derive(Debug)]
pub struct Agent {
    /// `group#index`.
    pub name: String,
    /// Its group's index in the scenario.
    pub group: usize,
    /// Its own random stream.
    pub rng: Rng,
    /// Where it is in its behaviour.
    pub state: State,
}

/// An agent's behaviour state.
#[derive(Debug)]
pub enum State {
    /// See [`crate::scenario::Withdraw`].
    Withdraw(withdraw::State),
    /// See [`crate::scenario::LockWorker`].
    LockWorker(lock_worker::State),
    /// See [`crate::scenario::LimitClient`].
    LimitClient(limit_client::State),
}

impl Agent {
    /// Agent `index` of `group`.
    pub fn new(group_index: usize, group: &Group, index: u32, rng: Rng) -> Agent {
        let name = format!("{}#{index}", group.group);
        let state = match &group.behaviour {
            Behaviour::Withdraw(_) => State::Withdraw(withdraw::State::default()),
            Behaviour::LockWorker(_) => State::LockWorker(lock_worker::State::default()),
            Behaviour::LimitClient(client) => {
                let keys = if client.keys == 0 { u64::from(group.count) } else { client.keys };
                let key = format!("{}{}", client.key_prefix, u64::from(index) % keys);
                State::LimitClient(limit_client::State::new(key))
            }
        };
        Agent { name, group: group_index, rng, state }
    }
}

impl State {
    /// Runs one wake-up.
    #[inline]
    pub fn wake<B: Backend, S: Sink>(
        &mut self,
        cx: &mut Cx<'_, B, S>,
        group: &Group,
    ) -> Result<Option<u64>, Stop> {
        match (self, &group.behaviour) {
            (State::Withdraw(state), Behaviour::Withdraw(params)) => state.wake(cx, params, &group.arrival),
            (State::LockWorker(state), Behaviour::LockWorker(params)) => {
                state.wake(cx, params, &group.arrival)
            }
            (State::LimitClient(state), Behaviour::LimitClient(params)) => {
                state.wake(cx, params, &group.arrival)
            }
            _ => Ok(None),
        }
    }
}

/// When the next session starts.
fn next_session<B, S>(cx: &mut Cx<'_, B, S>, arrival: &Arrival, burst: &mut u32) -> Option<u64> {
    Some(cx.now + arrival.next(cx.rng, burst))
}

/// The owner token of an agent's `incarnation` (a new one after each crash).
fn owner(agent: &str, incarnation: u32) -> String {
    format!("{agent}/{incarnation}")
}
