//! Script replies back into the core's outcome and error types.
//!
//! A reply is a flat array: a tag naming the outcome, then its fields in declaration order;
//! lists (per-item results, events, conflicts, listed holds) are nested flat arrays. An error
//! reply `LEASEHOLD <code> [<field>] [<number> ...]` is a [`leasehold_core::Error`].

use std::sync::Arc;

use leasehold_core::hold::{Checked, Conflict, Cursor, Held, Listed, Page, PerItem, Swept};
use leasehold_core::{
    Acquire, Decision, Error, Extend, HoldEvent, HoldEventKind, HoldOutcome, HoldRequest, LeaseState,
    LimitOutcome, LimitRequest, LockOutcome, LockRequest, Millis, Outcome, Release, Request, Reserve, Reset,
    SemaphoreOutcome, SemaphoreRequest, SemaphoreState,
};
use redis::Value;
use serde_json::{json, Map, Value as Json};

use crate::backend::leasehold_error;
use crate::error::{protocol, AdapterError};

/// Reads a reply array front to back, borrowing its values (nothing is copied but the text
/// an outcome keeps).
struct Reader<'a> {
    values: std::slice::Iter<'a, Value>,
}

impl<'a> Reader<'a> {
    fn new(value: &'a Value) -> Result<Reader<'a>, AdapterError> {
        match value {
            Value::Array(values) => Ok(Reader::of(values)),
            other => Err(protocol(format!("expected an array, got {other:?}"))),
        }
    }

    fn of(values: &'a [Value]) -> Reader<'a> {
        Reader { values: values.iter() }
    }

    fn next(&mut self) -> Result<&'a Value, AdapterError> {
        self.values.next().ok_or_else(|| protocol("reply ended early"))
    }

    fn text(&mut self) -> Result<&'a str, AdapterError> {
        match self.next()? {
            Value::BulkString(bytes) => std::str::from_utf8(bytes).map_err(|e| protocol(e.to_string())),
            Value::SimpleString(text) => Ok(text),
            other => Err(protocol(format!("expected a string, got {other:?}"))),
        }
    }

    fn int(&mut self) -> Result<u64, AdapterError> {
        match self.next()? {
            &Value::Int(n) if n >= 0 => Ok(n as u64),
            other => Err(protocol(format!("expected a whole number, got {other:?}"))),
        }
    }

    fn millis(&mut self) -> Result<Millis, AdapterError> {
        self.int().map(Millis)
    }

    fn flag(&mut self) -> Result<bool, AdapterError> {
        Ok(self.int()? != 0)
    }

    fn list(&mut self) -> Result<Reader<'a>, AdapterError> {
        Reader::new(self.next()?)
    }

    fn is_done(&self) -> bool {
        self.values.len() == 0
    }

    /// Reads records until the list is exhausted.
    fn all<T>(
        mut self,
        read: impl Fn(&mut Reader<'a>) -> Result<T, AdapterError>,
    ) -> Result<Vec<T>, AdapterError> {
        let mut out = Vec::new();
        while !self.is_done() {
            out.push(read(&mut self)?);
        }
        Ok(out)
    }
}

fn unexpected(tag: &str, request: &Request) -> AdapterError {
    protocol(format!("tag {tag:?} is no outcome of {}", request.name()))
}

/// Decodes the reply to `request`.
pub(crate) fn outcome(request: &Request, reply: &Value) -> Result<Outcome, AdapterError> {
    outcome_of(request, Reader::new(reply)?)
}

/// Decodes the reply to `request` whose elements are `values` (a part of a batch's flat reply).
pub(crate) fn outcome_in(request: &Request, values: &[Value]) -> Result<Outcome, AdapterError> {
    outcome_of(request, Reader::of(values))
}

fn outcome_of(request: &Request, mut r: Reader<'_>) -> Result<Outcome, AdapterError> {
    let tag = r.text()?;
    let bad = || unexpected(tag, request);
    Ok(match request {
        Request::Lock(op) => Outcome::Lock(match op {
            LockRequest::Acquire { .. } => LockOutcome::Acquire(acquire(tag, &mut r).ok_or_else(bad)??),
            LockRequest::Release { .. } => LockOutcome::Release(release(tag, &mut r).ok_or_else(bad)??),
            LockRequest::Extend { .. } => LockOutcome::Extend(extend(tag, &mut r).ok_or_else(bad)??),
            LockRequest::Inspect { .. } => LockOutcome::Inspect(match tag {
                "held" => LeaseState::Held { fence: r.int()?, expires_at: r.millis()? },
                "free" => LeaseState::Free,
                _ => return Err(bad()),
            }),
        }),
        Request::Semaphore(op) => Outcome::Semaphore(match op {
            SemaphoreRequest::Acquire { .. } => {
                SemaphoreOutcome::Acquire(acquire(tag, &mut r).ok_or_else(bad)??)
            }
            SemaphoreRequest::Release { .. } => {
                SemaphoreOutcome::Release(release(tag, &mut r).ok_or_else(bad)??)
            }
            SemaphoreRequest::Extend { .. } => {
                SemaphoreOutcome::Extend(extend(tag, &mut r).ok_or_else(bad)??)
            }
            SemaphoreRequest::Inspect { .. } => SemaphoreOutcome::Inspect(match tag {
                "held" => SemaphoreState::Held { holders: r.int()?, next_expiry: r.millis()? },
                "free" => SemaphoreState::Free,
                _ => return Err(bad()),
            }),
        }),
        Request::Limit(op) => Outcome::Limit(match (op, tag) {
            (LimitRequest::Check { .. }, "decision") => LimitOutcome::Check(decision(&mut r)?),
            (LimitRequest::Peek { .. }, "decision") => LimitOutcome::Peek(decision(&mut r)?),
            (LimitRequest::Reset { .. }, "forgotten") => LimitOutcome::Reset(Reset::Forgotten),
            (LimitRequest::Reset { .. }, "absent") => LimitOutcome::Reset(Reset::Absent),
            _ => return Err(bad()),
        }),
        Request::Hold(op) => Outcome::Hold(hold(op, tag, &mut r).ok_or_else(bad)??),
    })
}

fn acquire(tag: &str, r: &mut Reader) -> Option<Result<Acquire, AdapterError>> {
    let read = |r: &mut Reader| -> Result<Acquire, AdapterError> {
        Ok(Acquire::Granted { fence: r.int()?, expires_at: r.millis()?, reacquired: r.flag()? })
    };
    match tag {
        "granted" => Some(read(r)),
        "denied" => Some(r.millis().map(|retry_after| Acquire::Denied { retry_after })),
        _ => None,
    }
}

fn release(tag: &str, r: &mut Reader) -> Option<Result<Release, AdapterError>> {
    match tag {
        "released" => Some(r.int().map(|fence| Release::Released { fence })),
        "not_holder" => Some(Ok(Release::NotHolder)),
        "expired" => Some(Ok(Release::Expired)),
        _ => None,
    }
}

fn extend(tag: &str, r: &mut Reader) -> Option<Result<Extend, AdapterError>> {
    let read = |r: &mut Reader| -> Result<Extend, AdapterError> {
        Ok(Extend::Extended { fence: r.int()?, expires_at: r.millis()? })
    };
    match tag {
        "extended" => Some(read(r)),
        "not_holder" => Some(Ok(Extend::NotHolder)),
        "expired" => Some(Ok(Extend::Expired)),
        _ => None,
    }
}

fn decision(r: &mut Reader) -> Result<Decision, AdapterError> {
    Ok(Decision {
        allowed: r.flag()?,
        limit: r.int()?,
        remaining: r.int()?,
        reset_after: r.millis()?,
        retry_after: r.millis()?,
    })
}

fn event(r: &mut Reader) -> Result<HoldEvent, AdapterError> {
    let kind = match r.text()? {
        "reserved" => HoldEventKind::Reserved,
        "extended" => HoldEventKind::Extended,
        "released" => HoldEventKind::Released,
        "expired" => HoldEventKind::Expired,
        other => return Err(protocol(format!("unknown hold event {other:?}"))),
    };
    Ok(HoldEvent { kind, item: Arc::from(r.text()?), fence: r.int()?, expires_at: r.millis()? })
}

fn events(r: &mut Reader) -> Result<Vec<HoldEvent>, AdapterError> {
    r.list()?.all(event)
}

fn hold(op: &HoldRequest, tag: &str, r: &mut Reader) -> Option<Result<HoldOutcome, AdapterError>> {
    let read = |r: &mut Reader| -> Result<HoldOutcome, AdapterError> {
        Ok(match (op, tag) {
            (HoldRequest::Reserve { .. }, "reserved") => HoldOutcome::Reserve(Reserve::Reserved {
                expires_at: r.millis()?,
                holds: r.list()?.all(|r| Ok(Held { fence: r.int()?, refreshed: r.flag()? }))?,
                events: events(r)?,
            }),
            (HoldRequest::Reserve { .. }, "conflict") => HoldOutcome::Reserve(Reserve::Conflict {
                conflicts: r
                    .list()?
                    .all(|r| Ok(Conflict { item: Arc::from(r.text()?), retry_after: r.millis()? }))?,
                events: events(r)?,
            }),
            (HoldRequest::Reserve { .. }, "cap_reached") => HoldOutcome::Reserve(Reserve::CapReached {
                live: r.int()?,
                max_holds: r.int()?,
                retry_after: r.millis()?,
                events: events(r)?,
            }),
            (HoldRequest::Release { .. } | HoldRequest::ForceRelease { .. }, "items") => {
                let items = r.list()?.all(|r| {
                    let tag = r.text()?;
                    release(tag, r).unwrap_or_else(|| Err(protocol(format!("bad release {tag:?}"))))
                })?;
                HoldOutcome::Release(PerItem { items, events: events(r)? })
            }
            (HoldRequest::Extend { .. }, "items") => {
                let items = r.list()?.all(|r| {
                    let tag = r.text()?;
                    extend(tag, r).unwrap_or_else(|| Err(protocol(format!("bad extend {tag:?}"))))
                })?;
                HoldOutcome::Extend(PerItem { items, events: events(r)? })
            }
            (HoldRequest::Check { .. }, "checked") => HoldOutcome::Check(Checked {
                items: r.list()?.all(|r| {
                    Ok(match r.text()? {
                        "held" => LeaseState::Held { fence: r.int()?, expires_at: r.millis()? },
                        _ => LeaseState::Free,
                    })
                })?,
            }),
            (HoldRequest::List { .. }, "page") => {
                let holds = r.list()?.all(|r| {
                    Ok(Listed { item: Arc::from(r.text()?), fence: r.int()?, expires_at: r.millis()? })
                })?;
                let next = if r.flag()? {
                    Some(Cursor { expires_at: r.millis()?, item: Arc::from(r.text()?) })
                } else {
                    None
                };
                HoldOutcome::List(Page { holds, next })
            }
            (HoldRequest::Sweep { .. }, "swept") => {
                HoldOutcome::Sweep(Swept { removed: r.int()?, more: r.flag()?, events: events(r)? })
            }
            _ => return Err(protocol(format!("tag {tag:?} is no outcome of {}", op.name()))),
        })
    };
    Some(read(r))
}

/// The core error an error reply `LEASEHOLD <code> [<field>] [<number> ...]` stands for; `None`
/// when the reply is not one of ours.
pub(crate) fn error(detail: &str) -> Option<Result<Error, AdapterError>> {
    let mut words = detail.split(' ');
    let code = words.next()?;
    let numbers = match code {
        "empty" | "overflow" => &[][..],
        "too_long" => &["len", "max"][..],
        "out_of_range" => &["value", "min", "max"][..],
        "too_many" => &["count", "max"][..],
        "duplicate" => &["index"][..],
        "fence_exhausted" => {
            return Some(Ok(Error::FenceExhausted));
        }
        _ => return Some(Err(protocol(format!("script error: {detail}")))),
    };
    let mut fields = Map::new();
    fields.insert("code".into(), json!(code));
    fields.insert("field".into(), json!(words.next()?));
    for name in numbers {
        let value: u64 = words.next()?.parse().ok()?;
        fields.insert((*name).into(), json!(value));
    }
    Some(serde_json::from_value(Json::Object(fields)).map_err(|e| protocol(format!("{detail}: {e}"))))
}

/// The error of a request its batch call refused: the text of its error reply.
fn refusal(text: &str) -> AdapterError {
    match text.split_once(' ') {
        Some(("LEASEHOLD", detail)) => leasehold_error(detail),
        _ => {
            AdapterError::Server { code: text.split(' ').next().map(str::to_owned), detail: text.to_owned() }
        }
    }
}

/// The `count` replies of a batch variant's flat reply: per request, its reply's length and
/// elements (borrowed from `flat`), or -1 and the text of its error reply; `None` when it holds
/// anything else.
pub(crate) fn batch(flat: &[Value], count: usize) -> Option<Vec<Result<&[Value], AdapterError>>> {
    let mut replies = Vec::with_capacity(count);
    let mut rest = flat;
    while let Some((length, after)) = rest.split_first() {
        let &Value::Int(length) = length else { return None };
        if length < 0 {
            let (text, after) = after.split_first()?;
            let text = match text {
                Value::BulkString(bytes) => String::from_utf8_lossy(bytes),
                Value::SimpleString(text) => text.as_str().into(),
                _ => return None,
            };
            replies.push(Err(refusal(&text)));
            rest = after;
            continue;
        }
        let length = usize::try_from(length).ok()?;
        if after.len() < length {
            return None;
        }
        let (elements, after) = after.split_at(length);
        replies.push(Ok(elements));
        rest = after;
    }
    (replies.len() == count).then_some(replies)
}
