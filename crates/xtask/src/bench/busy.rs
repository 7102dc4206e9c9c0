//! Was the machine busy during a phase? CPU time the whole machine spent (from `/proc/stat`)
//! minus what this process, its waited-for children and the bench's redis-server spent (from
//! `/proc/<pid>/stat`), plus the time stolen by the hypervisor, around each phase.

use std::fs;

/// Clock ticks per second of `/proc` figures (USER_HZ, 100 on Linux).
const HZ: f64 = 100.0;

/// A reading of the counters.
#[derive(Debug, Clone, Copy)]
pub struct Reading {
    busy: u64,
    steal: u64,
    ours: u64,
}

fn machine() -> (u64, u64) {
    let text = fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(cpu) = text.lines().next() else { return (0, 0) };
    let fields: Vec<u64> = cpu.split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal ...
    let at = |i: usize| fields.get(i).copied().unwrap_or(0);
    (at(0) + at(1) + at(2) + at(5) + at(6), at(7))
}

/// utime + stime (+ cutime + cstime with `children`) of `pid`.
fn process(pid: &str, children: bool) -> u64 {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name in parentheses: state is field 3; utime is 14.
    let Some(rest) = text.rsplit_once(')').map(|(_, rest)| rest) else { return 0 };
    let fields: Vec<u64> = rest.split_whitespace().map(|f| f.parse().unwrap_or(0)).collect();
    let at = |n: usize| fields.get(n - 3).copied().unwrap_or(0);
    at(14) + at(15) + if children { at(16) + at(17) } else { 0 }
}

/// Reads the counters; `redis` is the bench's redis-server.
pub fn read(redis: u32) -> Reading {
    let (busy, steal) = machine();
    Reading { busy, steal, ours: process("self", true) + process(&redis.to_string(), false) }
}

/// What others took between `before` and `after`, over `seconds` of wall time: a warning when
/// it is more than a quarter of one CPU on average, or when steal passed 5%.
pub fn warning(before: Reading, after: Reading, seconds: f64) -> Option<String> {
    let others =
        after.busy.saturating_sub(before.busy).saturating_sub(after.ours.saturating_sub(before.ours));
    let others = others as f64 / HZ / seconds.max(0.001);
    let steal = after.steal.saturating_sub(before.steal) as f64 / HZ / seconds.max(0.001);
    let load = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split_whitespace().next().unwrap_or("?").to_owned();
    if others > 0.25 || steal > 0.05 {
        Some(format!(
            "busy: other processes used {others:.2} CPUs on average (steal {steal:.2}, load average {load})"
        ))
    } else {
        None
    }
}
