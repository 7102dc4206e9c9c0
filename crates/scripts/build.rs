//! Assembles each script from its parts (`lua/<part>.lua`, in order) and keeps, of the
//! top-level `local function`s of those parts, only the ones the script uses.
//!
//! Redis runs a script's whole text on every `EVALSHA`, and each `local function` statement
//! creates a closure there: a helper a script never calls still costs an allocation and its
//! garbage on every call. So the shared prelude and the primitives' helper files stay whole
//! for the reader, and each assembled script carries only what it reaches.
//!
//! A script may also have a fast path, `lua/<name>_fast.lua`, placed right after the prelude's
//! constants and before any helper is made: plain comparisons settle the usual case there and
//! return, and whatever it does not settle falls through to the body, which checks and decides
//! in full. Its lines `--: <file>.lua` are replaced by those files (`fast_clock.lua`,
//! `fast_owned_lease.lua`, `fast_put_lease.lua`): text the fast paths share, put in place since
//! they run before any helper is made.
//!
//! A helper is a top-level block that starts with a line `local function <name>(` and ends at
//! the next line that is exactly `end`; the comment lines right above it go with it. Every
//! other line is kept. A helper is kept when its name appears as a word (outside comments) in
//! a kept line or in a kept helper, so helpers that call helpers bring them along.
//!
//! Each script also gets a batch variant, `<name>_many` (see `many` below): its helpers made
//! once, then its fast path and body run once per request of the batch, with one read of the
//! clock for them all. A batch variant may have a fast path of its own,
//! `lua/<name>_many_fast.lua`, made once per batch: a `local function settle(keys_at, args_at,
//! nkeys, nargs)` that gives a request's reply length and up to four elements, or nil to leave
//! the request to the full script; the helpers and `run` are made only when one is left so.

use std::collections::BTreeSet;
use std::path::Path;
use std::{env, fs};

/// Every script: its file name and its parts after the prelude, the body last.
const SCRIPTS: &[(&str, &[&str])] = &[
    ("lock_acquire", &["lock.lua", "lock_acquire.lua"]),
    ("lock_release", &["lock.lua", "lock_release.lua"]),
    ("lock_extend", &["lock.lua", "lock_extend.lua"]),
    ("lock_inspect", &["lock.lua", "lock_inspect.lua"]),
    ("semaphore_acquire", &["semaphore.lua", "semaphore_acquire.lua"]),
    ("semaphore_release", &["semaphore.lua", "semaphore_release.lua"]),
    ("semaphore_extend", &["semaphore.lua", "semaphore_extend.lua"]),
    ("semaphore_inspect", &["semaphore.lua", "semaphore_inspect.lua"]),
    ("limit_fixed_window", &["limit_rule.lua", "limit_fixed_window.lua", "limit_check.lua"]),
    ("limit_sliding_log", &["limit_rule.lua", "limit_sliding_log.lua", "limit_check.lua"]),
    ("limit_sliding_counter", &["limit_rule.lua", "limit_sliding_counter.lua", "limit_check.lua"]),
    ("limit_token_bucket", &["limit_rule.lua", "limit_token_bucket.lua", "limit_check.lua"]),
    ("limit_gcra", &["limit_rule.lua", "limit_gcra.lua", "limit_check.lua"]),
    ("limit_cooldown", &["limit_rule.lua", "limit_cooldown.lua", "limit_check.lua"]),
    ("limit_reset", &["limit_reset.lua"]),
    ("hold_reserve", &["hold.lua", "hold_reserve.lua"]),
    ("hold_release", &["hold.lua", "hold_release.lua"]),
    ("hold_extend", &["hold.lua", "hold_extend.lua"]),
    ("hold_check", &["hold.lua", "hold_check.lua"]),
    ("hold_list", &["hold.lua", "hold_list.lua"]),
    ("hold_sweep", &["hold.lua", "hold_sweep.lua"]),
];

/// A run of lines of the concatenated parts: a helper named `name`, or other text.
struct Block {
    helper: Option<String>,
    text: String,
}

fn main() {
    let lua = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("lua");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).to_path_buf();
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=lua");
    for (name, parts) in SCRIPTS {
        let mut source = String::new();
        for part in std::iter::once(&"prelude.lua").chain(parts.iter()) {
            let path = lua.join(part);
            println!("cargo:rerun-if-changed={}", path.display());
            source.push_str(&fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
        }
        let mut blocks = blocks(&source);
        // A fast path that is added later changes the directory, which is watched above.
        let fast = read_fast(&lua, &lua.join(format!("{name}_fast.lua")));
        if let Some(text) = &fast {
            blocks.insert(1, Block { helper: None, text: text.clone() });
        }
        let assembled = shake(&blocks);
        fs::write(out.join(format!("{name}.lua")), assembled).expect("write an assembled script");
        let fast = fast.unwrap_or_default();
        let many_fast = lua.join(format!("{name}_many_fast.lua"));
        println!("cargo:rerun-if-changed={}", many_fast.display());
        let many_fast = fs::read_to_string(&many_fast).ok();
        let many = many(name, &lua, parts, &fast, many_fast.as_deref());
        fs::write(out.join(format!("{name}_many.lua")), many).expect("write a batch script");
    }
}

/// The fast path at `path`, if the script has one, each of its lines `--: <file>.lua` replaced
/// by that file of `lua` (fast_clock.lua, fast_owned_lease.lua, ...): text the fast paths share,
/// put in place rather than made a helper, since a fast path runs before any helper is made.
fn read_fast(lua: &Path, path: &Path) -> Option<String> {
    let text = fs::read_to_string(path).ok()?;
    println!("cargo:rerun-if-changed={}", path.display());
    let mut out = String::with_capacity(text.len() * 2);
    for line in text.lines() {
        match line.trim().strip_prefix("--: ") {
            Some(part) => {
                let part = lua.join(part);
                println!("cargo:rerun-if-changed={}", part.display());
                out.push_str(
                    &fs::read_to_string(&part).unwrap_or_else(|e| panic!("{}: {e}", part.display())),
                );
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    Some(out)
}

fn helper_name(line: &str) -> Option<String> {
    let rest = line.strip_prefix("local function ")?;
    let end = rest.find('(')?;
    Some(rest[..end].trim().to_owned())
}

/// The source cut into helpers (with the comment lines just above them) and other text.
fn blocks(source: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut other: Vec<&str> = Vec::new();
    let mut lines = source.lines();
    while let Some(line) = lines.next() {
        let Some(name) = helper_name(line) else {
            other.push(line);
            continue;
        };
        let comments = other.iter().rev().take_while(|l| l.starts_with("--")).count();
        let mut text: String = other.drain(other.len() - comments..).map(|l| format!("{l}\n")).collect();
        blocks.push(Block { helper: None, text: other.drain(..).map(|l| format!("{l}\n")).collect() });
        text.push_str(line);
        text.push('\n');
        let mut closed = false;
        for line in lines.by_ref() {
            text.push_str(line);
            text.push('\n');
            if line == "end" {
                closed = true;
                break;
            }
        }
        // A helper that never meets its `end` line would swallow, and might drop, the rest.
        assert!(closed, "helper `{name}` has no line `end` closing it");
        blocks.push(Block { helper: Some(name), text });
    }
    blocks.push(Block { helper: None, text: other.iter().map(|l| format!("{l}\n")).collect() });
    blocks
}

/// The words of `text` outside `--` comments.
fn words(text: &str) -> BTreeSet<&str> {
    text.lines()
        .map(|line| line.find("--").map_or(line, |at| &line[..at]))
        .flat_map(|code| code.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
        .filter(|word| !word.is_empty())
        .collect()
}

/// The blocks' text without the helpers nothing kept refers to.
fn shake(blocks: &[Block]) -> String {
    let mut kept: Vec<bool> = blocks.iter().map(|b| b.helper.is_none()).collect();
    loop {
        let used: BTreeSet<&str> =
            blocks.iter().zip(&kept).filter(|(_, k)| **k).flat_map(|(b, _)| words(&b.text)).collect();
        let mut grew = false;
        for (block, keep) in blocks.iter().zip(kept.iter_mut()) {
            if let Some(name) = &block.helper {
                if !*keep && used.contains(name.as_str()) {
                    *keep = true;
                    grew = true;
                }
            }
        }
        if !grew {
            break;
        }
    }
    blocks.iter().zip(&kept).filter(|(_, k)| **k).map(|(b, _)| b.text.as_str()).collect()
}

/// What the batch variant says before anything else: the batch's `KEYS` and `ARGV` kept aside,
/// the clock read once, and `KEYS` / `ARGV` as locals that every helper made after them sees
/// and that each request of the batch sets to its own.
const MANY_HEAD: &str = "\
-- A batch: the script below run once per request, in order, with one clock for them all.
-- KEYS: every request's keys, one request after the other.
-- ARGV: the clock, the number of requests, then per request its key count, its argument count
-- and its arguments without the clock; or, when every request has the same counts, 'same',
-- the key count, the argument count, then every request's arguments without the clock.
-- Reply: one flat array, per request its reply's length and elements or, for a refused one,
-- -1 and the text of its error reply. Each request is checked in full before its first write,
-- so a refused one wrote nothing, and the others still run.
local BATCH_KEYS, BATCH_ARGV = KEYS, ARGV
local BATCH_TIME = nil
if BATCH_ARGV[1] == 'server' then
  local t = redis.call('TIME')
  BATCH_TIME = { tonumber(t[1]), tonumber(t[2]) }
end
local KEYS, ARGV = {}, { BATCH_ARGV[1] }
";

/// Opens the function that makes the batch variant's helpers and `run`, and returns `run`.
const MAKE_RUN: &str = "\
local run = nil
local function make_run()
";

/// The loop over the batch's requests, after `run` (one request) is made. The counts are read
/// and checked first, so a malformed batch runs nothing; `KEYS` and `ARGV` are refilled, not
/// made anew, for each request; the replies go into one flat array (Redis converts a nested
/// table at a cost of its own, checking it for every special field).
const MANY_LOOP: &str = "\
local batch_count = tonumber(BATCH_ARGV[2]) or -1
-- `stride`: the counts before each request's arguments: 2, or none when one pair ('same')
-- gives them all; `counts`, each request's pair, is only made for the first form.
local same = BATCH_ARGV[3] == 'same'
local first_args, stride = 3, 2
local counts, same_keys, same_args = nil, nil, nil
local batch_keys, batch_args = 0, first_args
if same then
  first_args, stride = 4, 0
  same_keys, same_args = tonumber(BATCH_ARGV[4]) or -1, tonumber(BATCH_ARGV[5]) or -1
  batch_keys, batch_args = same_keys * batch_count, first_args + same_args * batch_count
  if same_keys < 0 or same_keys % 1 ~= 0 or same_args < 0 or same_args % 1 ~= 0 or batch_count < 0
    or batch_count % 1 ~= 0 then
    batch_keys = -1
  end
else
  counts = {}
  -- Most counts are one digit: a lookup, cheaper than tonumber's conversion.
  local DIGITS = { ['0'] = 0, ['1'] = 1, ['2'] = 2, ['3'] = 3, ['4'] = 4, ['5'] = 5, ['6'] = 6, ['7'] = 7, ['8'] = 8, ['9'] = 9 }
  for i = 1, batch_count do
    local nkeys, nargs = BATCH_ARGV[batch_args], BATCH_ARGV[batch_args + 1]
    nkeys, nargs = DIGITS[nkeys] or tonumber(nkeys), DIGITS[nargs] or tonumber(nargs)
    if not nkeys or not nargs then
      break
    end
    counts[2 * i - 1], counts[2 * i] = nkeys, nargs
    batch_keys, batch_args = batch_keys + nkeys, batch_args + 2 + nargs
  end
  if #counts ~= 2 * batch_count then
    batch_keys = -1
  end
end
if batch_keys ~= #BATCH_KEYS or batch_args ~= #BATCH_ARGV + stride - 1 then
  error({ err = 'LEASEHOLD protocol the batch does not match its counts' })
end
local replies, n = {}, 0
local last_keys, last_args = 0, 1
batch_keys, batch_args = 0, first_args
for i = 1, batch_count do
  local nkeys, nargs = same_keys, same_args
  if not same then
    nkeys, nargs = counts[2 * i - 1], counts[2 * i]
  end
  -- The batch fast path, where the script has one: the request's reply (its length and up to
  -- four elements) when it settles the request, nil when the request is left to `run`.
  local len, a, b, c, d = SETTLE
  if len then
    replies[n + 1], replies[n + 2], replies[n + 3], replies[n + 4], replies[n + 5] = len, a, b, c, d
    n = n + 1 + len
  else
    for j = 1, nkeys do
      KEYS[j] = BATCH_KEYS[batch_keys + j]
    end
    for j = nkeys + 1, last_keys do
      KEYS[j] = nil
    end
    for j = 1, nargs do
      ARGV[j + 1] = BATCH_ARGV[batch_args + 1 + j]
    end
    for j = nargs + 2, last_args do
      ARGV[j] = nil
    end
    last_keys, last_args = nkeys, nargs + 1
    run = run or make_run()
    local ok, reply = pcall(run)
    if ok and type(reply) ~= 'table' then
      ok, reply = false, 'LEASEHOLD protocol a reply is not an array'
    end
    if not ok then
      if type(reply) == 'table' and reply.err then
        reply = reply.err
      end
      replies[n + 1], replies[n + 2] = -1, tostring(reply)
      n = n + 2
    else
      local len = #reply
      replies[n + 1] = len
      for j = 1, len do
        replies[n + 1 + j] = reply[j]
      end
      n = n + 1 + len
    end
  end
  batch_keys, batch_args = batch_keys + nkeys, batch_args + stride + nargs
end
return replies
";

/// The batch variant of script `name`: the prelude and the parts but the last, with the last
/// part's helpers that come before its first statement, made once (each with only the helpers
/// it uses, as for the script itself); then `run`, the fast path and the rest of the last part
/// (its statements, and any helper among them, which may use their locals), all of it inside
/// `make_run`, called when a request first needs `run`; then the batch fast path `many_fast`,
/// if any; then the loop. `redis.call('TIME')` becomes the one reading of the clock,
/// `BATCH_TIME`.
fn many(name: &str, lua: &Path, parts: &[&str], fast: &str, many_fast: Option<&str>) -> String {
    let read = |part: &str| fs::read_to_string(lua.join(part)).unwrap_or_else(|e| panic!("{part}: {e}"));
    let (body_part, lib_parts) = parts.split_last().expect("a script has a body");
    let lib: String = std::iter::once("prelude.lua").chain(lib_parts.iter().copied()).map(read).collect();
    let mut blocks = self::blocks(&lib);
    let mut run = String::from("local function run()\n");
    run.push_str(fast);
    let mut started = false;
    let mut inline = Vec::new();
    for block in self::blocks(&read(body_part)) {
        let statement = block.text.lines().any(|l| !l.trim().is_empty() && !l.starts_with("--"));
        match &block.helper {
            Some(helper) if started => {
                inline.push(helper.clone());
                run.push_str(&block.text);
            }
            Some(_) => blocks.push(block),
            None => {
                started |= statement;
                if started {
                    run.push_str(&block.text);
                }
            }
        }
    }
    run.push_str("end\nreturn run\nend\n");
    blocks.push(Block { helper: None, text: run });
    // The helpers and `run` are made when the first request needs `run`: none are made for a
    // batch that the fast path settles whole. The prelude's constants stay outside, for it.
    blocks.insert(1, Block { helper: None, text: MAKE_RUN.to_owned() });
    let settle = match many_fast {
        Some(text) => {
            assert!(text.contains("local function settle("), "{name}_many_fast.lua makes no `settle`");
            blocks.push(Block { helper: None, text: text.to_owned() });
            "settle(batch_keys, batch_args + 1, nkeys, nargs)"
        }
        None => "nil",
    };
    blocks.push(Block { helper: None, text: MANY_LOOP.replace("SETTLE", settle) });
    for block in &blocks {
        if let Some(helper) = &block.helper {
            let words = words(&block.text);
            assert!(
                inline.iter().all(|name| !words.contains(name.as_str())),
                "{name}: helper `{helper}` is made once per batch but calls a helper made per request"
            );
        }
    }
    format!("{MANY_HEAD}{}", shake(&blocks).replace("redis.call('TIME')", "BATCH_TIME"))
}
