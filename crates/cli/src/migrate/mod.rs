//! `leasehold migrate legacy-holds`: tradeit's `reserved-assets_{app}` lists become holds in
//! namespace `reserved-assets_{app}`.
//!
//! It reads both lists whole (`LRANGE 0 -1`), takes `now` from the server's `TIME`, decides the
//! import with [`plan::plan`] (which documents how the two lists are reconciled), then reserves
//! the live assets through the adapter, one reserve per distinct expiry (at most 1000 items
//! each) with `ttl = expired − now` and the server clock. The script reads `TIME` again, a few
//! milliseconds later, so a hold ends at the blob's expiry plus that delay: never earlier than
//! the legacy blob said.
//!
//! An asset held live by another owner is a conflict: it is reported and the rest of its group
//! is reserved without it. Importing again with the same owner refreshes the same holds (same
//! fences), so a second run is harmless. The legacy lists are never modified or deleted: the
//! command only reads them; retire them once the application reads holds.

mod plan;

use leasehold_core::{Millis, Reserve};
use leasehold_redis::{Client, Clock, Connection, Layout};

use crate::summary::thousands;
use plan::Plan;

/// What a run changed.
#[derive(Debug, Default)]
struct Done {
    imported: usize,
    refreshed: usize,
    conflicts: Vec<(String, Millis)>,
}

struct Options {
    url: String,
    app: String,
    dry_run: bool,
    prefix: Option<String>,
    owner: String,
}

const USAGE: &str =
    "usage: leasehold migrate legacy-holds --redis URL --app ID [--dry-run] [--prefix P] [--owner O]";

fn options(args: &[String]) -> Result<Options, String> {
    let (mut url, mut app, mut prefix, mut dry_run, mut owner) = (None, None, None, false, None);
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut value = |name: &str| rest.next().cloned().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--redis" => url = Some(value("--redis")?),
            "--app" => app = Some(value("--app")?),
            "--prefix" => prefix = Some(value("--prefix")?),
            "--owner" => owner = Some(value("--owner")?),
            "--dry-run" => dry_run = true,
            other => return Err(format!("unexpected argument `{other}`\n{USAGE}")),
        }
    }
    let url = url.ok_or_else(|| format!("--redis is required\n{USAGE}"))?;
    let app = app.filter(|app| !app.is_empty()).ok_or_else(|| format!("--app is required\n{USAGE}"))?;
    Ok(Options { url, app, dry_run, prefix, owner: owner.unwrap_or_else(|| "legacy-import".to_owned()) })
}

/// `leasehold migrate <what> ...`.
pub fn command(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("legacy-holds") => legacy_holds(&options(&args[1..])?),
        _ => Err(USAGE.to_owned()),
    }
}

fn legacy_holds(options: &Options) -> Result<(), String> {
    let url = &options.url;
    let fail = |e: &dyn std::fmt::Display| format!("--redis {url}: {e}");
    let mut client = Client::open(url).map_err(|e| fail(&e))?;
    if let Some(prefix) = &options.prefix {
        client = client.with_layout(Layout::new(prefix).map_err(|e| format!("--prefix: {e}"))?);
    }
    let mut redis = client.connect().map_err(|e| fail(&e))?;
    let (ids_key, ttl_key) =
        (format!("reserved-assets_{}", options.app), format!("reserved-assets_ttl_{}", options.app));
    let raw = redis.connection();
    let ids: Vec<String> =
        redis::cmd("LRANGE").arg(&ids_key).arg(0).arg(-1).query(raw).map_err(|e| fail(&e))?;
    let blobs: Vec<String> =
        redis::cmd("LRANGE").arg(&ttl_key).arg(0).arg(-1).query(raw).map_err(|e| fail(&e))?;
    let (secs, micros): (u64, u64) = redis::cmd("TIME").query(raw).map_err(|e| fail(&e))?;
    let now = Millis(secs * 1000 + micros / 1000);
    let plan = plan::plan(&ids, &blobs, now);
    let namespace = ids_key.as_str();
    println!("legacy holds of app {} at {url}, now {} (server TIME)", options.app, now.0);
    println!(
        "  {ids_key}: {} ids; {ttl_key}: {} blobs -> namespace {namespace} under prefix {}, owner {}",
        thousands(plan.ids as u64),
        thousands(plan.blobs as u64),
        redis.layout().prefix(),
        options.owner
    );
    let done = if options.dry_run {
        for group in &plan.groups {
            let ttl = group.expired - now.0;
            println!("would reserve until {} (ttl {ttl} ms): {}", group.expired, group.items.join(" "));
        }
        None
    } else {
        Some(import(&mut redis, namespace, &options.owner, &plan, now).map_err(|e| fail(&e))?)
    };
    report(&plan, done.as_ref());
    Ok(())
}

/// Reserves every group; a conflicting item is left out and the rest of its group retried.
fn import(
    redis: &mut Connection,
    namespace: &str,
    owner: &str,
    plan: &Plan,
    now: Millis,
) -> Result<Done, String> {
    let mut done = Done::default();
    for group in &plan.groups {
        let ttl = Millis(group.expired - now.0);
        let mut items = group.items.clone();
        while !items.is_empty() {
            match redis
                .hold_reserve(namespace, &items, owner, ttl, None, Clock::Server)
                .map_err(|e| e.to_string())?
            {
                Reserve::Reserved { holds, .. } => {
                    done.imported += holds.len();
                    done.refreshed += holds.iter().filter(|held| held.refreshed).count();
                    break;
                }
                Reserve::Conflict { conflicts, .. } => {
                    items.retain(|item| conflicts.iter().all(|c| *c.item != **item));
                    done.conflicts.extend(conflicts.into_iter().map(|c| (c.item.to_string(), c.retry_after)));
                }
                other => return Err(format!("a reserve without a cap answered {other:?}")),
            }
        }
    }
    Ok(done)
}

fn report(plan: &Plan, done: Option<&Done>) {
    let n = |count: usize| thousands(count as u64);
    let (imported, conflicts) = match done {
        Some(done) => {
            (format!("{} ({} refreshed)", n(done.imported), n(done.refreshed)), n(done.conflicts.len()))
        }
        None => (format!("{} (dry run: would import)", n(plan.live())), "unknown in a dry run".to_owned()),
    };
    println!(
        "read {}, imported {imported}, already expired {}, bad {}, duplicates {}, conflicts {conflicts}",
        n(plan.blobs),
        n(plan.expired),
        n(plan.bad.len()),
        n(plan.duplicates)
    );
    if let Some(done) = done.filter(|done| !done.conflicts.is_empty()) {
        println!("conflicts (held by another owner; not imported):");
        for (item, retry_after) in &done.conflicts {
            println!("  {item}: held for {} ms more", retry_after.0);
        }
    }
    if !plan.bad.is_empty() {
        println!("bad entries of the ttl list (skipped):");
        for bad in &plan.bad {
            println!("  position {}: {}: {}", bad.position, bad.reason, bad.blob);
        }
    }
    if !plan.ids_without_blob.is_empty() {
        println!("ids without a blob (not imported: their expiry is unknown):");
        for (position, id) in &plan.ids_without_blob {
            println!("  position {position}: {id}");
        }
    }
    if !plan.blobs_without_id.is_empty() {
        println!("blobs whose id is not in the id list (imported when live: legacy reserves count them):");
        println!("  {}", plan.blobs_without_id.join(" "));
    }
    match done {
        Some(_) => println!("the legacy lists were left unchanged (this command never deletes them)"),
        None => println!("dry run: nothing was written"),
    }
}
