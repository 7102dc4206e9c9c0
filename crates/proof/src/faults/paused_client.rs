//! A client process paused past its TTL: it holds a lock renewed in the background and writes
//! to the fenced resource; it is stopped (SIGSTOP) for longer than the TTL, another client
//! takes the lock (a higher fence) and writes; the paused client is resumed (SIGCONT). Its
//! renewal helper's lost signal must fire, and the fenced resource must reject its late write.
//!
//! The holder is this crate's binary (`leasehold-proof holder URL KEY TTL_MS`), a real process
//! so that SIGSTOP freezes its timers and its renewal task as a stopped VM or a long GC pause
//! would. It talks on stdout: `granted F`, `write F` per unit of work, `lost REASON`, then one
//! last `write F` (the work that was in flight when the signal came).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use leasehold_core::{Acquire, Millis};
use leasehold_redis::testing::RedisServer;
use leasehold_redis::{Clock, RenewPolicy};

use crate::audit::Audit;
use crate::fenced::{FencedStore, Write};
use crate::table::{Row, Table};

const KEY: &str = "report:nightly";

/// The holder's side: acquire, renew, write every tenth of the TTL until the lock is lost.
pub fn holder(url: &str, key: &str, ttl_ms: u64) -> Result<(), String> {
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let client = leasehold_redis::Client::open(url).map_err(|e| e.to_string())?;
        let mut redis = client.connect_async().await.map_err(|e| e.to_string())?;
        let ttl = Millis(ttl_ms);
        let outcome = redis.lock_acquire_async(key, "paused-client", ttl, Clock::Server).await;
        let Ok(Acquire::Granted { fence, .. }) = outcome else {
            return Err(format!("the holder was not granted the lock: {outcome:?}"));
        };
        println!("granted {fence}");
        let mut renewal = redis.clone().renew_lock(key, "paused-client", ttl, RenewPolicy::default());
        loop {
            tokio::select! {
                lost = renewal.lost() => {
                    println!("lost {lost:?}");
                    println!("write {fence}");
                    return Ok(());
                }
                () = tokio::time::sleep(Duration::from_millis(ttl_ms / 10)) => println!("write {fence}"),
            }
        }
    })
}

fn parse(line: &str, word: &str) -> Option<u64> {
    line.strip_prefix(word)?.trim().parse().ok()
}

fn accepted(write: Write) -> u64 {
    u64::from(matches!(write, Write::Accepted { .. }))
}

/// Runs the scenario with the holder binary at `exe` and a lock TTL of `ttl_ms`.
pub fn paused_client(exe: &Path, ttl_ms: u64) -> Table {
    let server = RedisServer::start();
    let mut child = Command::new(exe)
        .args(["holder", &server.url(), KEY, &ttl_ms.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn the holder process");
    let pid = child.id().to_string();
    let stdout = child.stdout.take().expect("the holder's stdout");
    let (lines, from_child) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let store = FencedStore::new();
    let ttl = Duration::from_millis(ttl_ms);
    let within = Duration::from_secs(10);
    let next =
        |deadline: Instant| from_child.recv_timeout(deadline.saturating_duration_since(Instant::now())).ok();

    // Granted, then a few units of work, all accepted.
    let started = Instant::now();
    let fence = next(started + within).and_then(|line| parse(&line, "granted")).unwrap_or(0);
    let mut before = (0, 0);
    while before.0 < 3 {
        let Some(line) = next(started + within) else { break };
        if let Some(f) = parse(&line, "write") {
            before.0 += 1;
            before.1 += accepted(store.write(KEY, f));
        }
    }

    // Paused past its TTL; meanwhile someone else takes the lock and writes.
    let pause = ttl * 3;
    let _ = Command::new("kill").args(["-STOP", &pid]).status();
    let paused = Instant::now();
    std::thread::sleep(ttl + ttl / 2);
    while let Ok(line) = from_child.try_recv() {
        if let Some(f) = parse(&line, "write") {
            before.0 += 1;
            before.1 += accepted(store.write(KEY, f));
        }
    }
    let mut redis = server.connect("leasehold");
    let mut takeover = None;
    while takeover.is_none() && paused.elapsed() < pause {
        match redis.lock_acquire(KEY, "next-client", Millis(60_000), Clock::Server) {
            Ok(Acquire::Granted { fence, .. }) => takeover = Some(fence),
            _ => std::thread::sleep(ttl / 10),
        }
    }
    let takeover_write = takeover.map(|f| store.write(KEY, f));
    std::thread::sleep(pause.saturating_sub(paused.elapsed()));
    let _ = Command::new("kill").args(["-CONT", &pid]).status();

    // Resumed: the lost signal, and late writes.
    let resumed = Instant::now();
    let (mut lost, mut late) = (None, (0, 0));
    while let Some(line) = next(resumed + within) {
        if let Some(f) = parse(&line, "write") {
            late.0 += 1;
            late.1 += 1 - accepted(store.write(KEY, f));
        } else if let Some(reason) = line.strip_prefix("lost ") {
            lost = Some((reason.to_owned(), resumed.elapsed()));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = reader.join();

    let rows = vec![
        Row::new(
            "the renewed lock is held and written while the client runs",
            true,
            fence > 0 && before.0 >= 3 && before.0 == before.1,
            format!("fence {fence}, {} of {} writes accepted", before.1, before.0),
        ),
        Row::new(
            "after its TTL, another client gets the lock with a higher fence",
            true,
            takeover.is_some_and(|f| f > fence) && matches!(takeover_write, Some(Write::Accepted { .. })),
            format!("takeover fence {takeover:?}, its write {takeover_write:?}"),
        ),
        Row::new(
            "the lost signal fires once the paused client runs again",
            true,
            lost.is_some(),
            match &lost {
                Some((reason, after)) => format!("{reason} ({after:.0?} after SIGCONT)"),
                None => "no signal within 10 s".into(),
            },
        ),
        Row::new(
            "the fenced resource rejects every late write",
            true,
            late.0 > 0 && late.0 == late.1,
            format!("{} of {} late writes rejected", late.1, late.0),
        ),
    ];
    let title =
        format!("a client process paused (SIGSTOP) for {pause:?}, three times its lock TTL of {ttl_ms} ms");
    Table { title, rows, audit: Audit::default() }
}
