//! The hold conflict: two withdrawals want overlapping assets from one inventory.

use leasehold_core::hold::{HoldEvent, Released};
use leasehold_core::{Engine, LeaseState, Millis, Release, Reserve};

use super::Tour;
use crate::util::seconds;

const NS: &str = "reserved-assets_730";
const TTL: Millis = Millis::from_secs(20 * 60);

/// user-1 reserves three assets; user-2 wants two of them plus another and gets every conflict
/// at once, nothing reserved; user-1 releases one; user-2 retries the free part; a search
/// overlay checks which assets are held; user-1's failed release leaves a hold that expires and
/// is swept with an event instead of lingering.
pub fn tour(t: &mut Tour) -> Result<(), String> {
    t.section(
        &format!("Holds: two withdrawals reserve from {NS}, ttl 20 min"),
        &[
            "A reserve is all-or-nothing: a conflict names every taken item with its retry time.",
            "Expiry is in the data; dead holds are swept in bounded steps, each with an event.",
        ],
    );
    let mut engine = Engine::new();
    let holds = engine.holds();
    let fail = |error: leasehold_core::Error| error.to_string();

    let now = t.at(0);
    let mine = ["asset-101", "asset-102", "asset-103"];
    let first = holds.reserve(NS, &mine, "user-1", TTL, None, now).map_err(fail)?;
    t.step(now, "user-1", "reserve 101 102 103", reserved(t, &first));
    if !matches!(first, Reserve::Reserved { .. }) {
        return Err(format!("free items were not reserved: {first:?}"));
    }

    let now = t.at(5_000);
    let wanted = ["asset-102", "asset-103", "asset-104"];
    let second = holds.reserve(NS, &wanted, "user-2", TTL, None, now).map_err(fail)?;
    t.step(now, "user-2", "reserve 102 103 104", reserved(t, &second));
    let Reserve::Conflict { conflicts, .. } = &second else {
        return Err(format!("held items were reserved by another owner: {second:?}"));
    };
    if conflicts.len() != 2 {
        return Err(format!("expected both taken items in the conflict: {conflicts:?}"));
    }
    t.note("nothing was reserved for user-2, not even the free asset-104");

    let now = t.at(60_000);
    let released = holds.release(NS, &["asset-103"], "user-1", now).map_err(fail)?;
    t.step(now, "user-1", "release 103", per_item(&released));

    let now = t.at(61_000);
    let retry = ["asset-103", "asset-104"];
    let third = holds.reserve(NS, &retry, "user-2", TTL, None, now).map_err(fail)?;
    t.step(now, "user-2", "reserve 103 104", reserved(t, &third));
    if !matches!(third, Reserve::Reserved { .. }) {
        return Err(format!("the freed items were not reserved: {third:?}"));
    }

    let now = t.at(62_000);
    let overlay = ["asset-101", "asset-102", "asset-103", "asset-104", "asset-105"];
    let checked = holds.check(NS, &overlay, now).map_err(fail)?;
    let held: Vec<&str> = overlay
        .iter()
        .zip(&checked.items)
        .filter(|(_, state)| matches!(state, LeaseState::Held { .. }))
        .map(|(item, _)| *item)
        .collect();
    t.step(now, "search", "check 101..105", format!("held      {} (exclude from results)", held.join(" ")));

    let later = Millis(TTL.0 + 1_000);
    let now = t.at(later.0);
    t.note("user-1 crashed before releasing 101 and 102: their holds run out on their own");
    let swept = holds.sweep(NS, 100, now).map_err(fail)?;
    t.step(
        now,
        "operator",
        "sweep max=100",
        format!("removed   {} {}", swept.removed, events(&swept.events)),
    );
    if swept.removed != 2 {
        return Err(format!("the two dead holds were not swept: {swept:?}"));
    }
    let live = holds.live(NS, now);
    t.step(
        now,
        "anyone",
        "live holds",
        format!("{live}        (user-2's two, until {})", t.when(third_expiry(&third))),
    );
    Ok(())
}

fn third_expiry(outcome: &Reserve) -> Millis {
    match outcome {
        Reserve::Reserved { expires_at, .. } => *expires_at,
        _ => Millis::ZERO,
    }
}

fn reserved(t: &Tour, outcome: &Reserve) -> String {
    match outcome {
        Reserve::Reserved { expires_at, holds, .. } => {
            let fence = holds.first().map_or(0, |held| held.fence);
            format!("reserved  {} items, fence {fence}, expires {}", holds.len(), t.when(*expires_at))
        }
        Reserve::Conflict { conflicts, .. } => {
            let taken: Vec<String> = conflicts
                .iter()
                .map(|c| format!("{} (retry after {})", c.item, seconds(c.retry_after.0)))
                .collect();
            format!("conflict  {}", taken.join(", "))
        }
        Reserve::CapReached { live, max_holds, .. } => format!("capped    {live} of {max_holds} live"),
    }
}

fn per_item(outcome: &Released) -> String {
    let results: Vec<String> = outcome
        .items
        .iter()
        .map(|result| match result {
            Release::Released { fence } => format!("released fence {fence}"),
            Release::NotHolder => "not the holder".to_owned(),
            Release::Expired => "no live hold".to_owned(),
        })
        .collect();
    format!("{}  {}", results.join(", "), events(&outcome.events))
}

fn events(events: &[HoldEvent]) -> String {
    let names: Vec<String> =
        events.iter().map(|event| format!("{:?} {}", event.kind, event.item).to_lowercase()).collect();
    format!("events: [{}]", names.join(", "))
}
