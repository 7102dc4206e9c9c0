//! The encoding of every valid vector step (script, `KEYS`, `ARGV`), digested per vector file
//! and pinned in `tests/encodings.json`. The npm package's Redis driver, which encodes in
//! TypeScript, checks its own digests against the same file (`bindings/test/redis-*.test.mjs`),
//! so the two clients cannot drift apart in a key name or an argument even where outcomes would
//! not show it. `LEASEHOLD_UPDATE_ENCODINGS=1 cargo test -p leasehold-redis encodings` rewrites
//! the file after a deliberate change.
//!
//! A vector file added later is left out until the digests are updated.
//!
//! A step is one line, `["<script>",[<keys>],[<args>]]` as compact JSON, with the default layout
//! and hold events and the step's explicit `now`; a file's digest is the SHA-1 of its lines
//! joined by `\n`.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use leasehold_core::vector::VectorFile;
use serde_json::Value;

use crate::clock::Clock;
use crate::encode::encode;
use crate::events::HoldEvents;
use crate::layout::Layout;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The digest of every vector file's valid steps, by file name.
fn digests() -> BTreeMap<String, String> {
    let dir = root().join("../../tests/vectors");
    let mut out = BTreeMap::new();
    for entry in fs::read_dir(&dir).expect("tests/vectors is readable") {
        let name = entry.expect("directory entry").file_name().to_string_lossy().into_owned();
        if !name.ends_with(".json") {
            continue;
        }
        let text = fs::read_to_string(dir.join(&name)).expect("readable vector file");
        let file: VectorFile<Value> = serde_json::from_str(&text).expect("well-formed vector file");
        let mut lines = Vec::new();
        for step in file.cases.iter().flat_map(|case| &case.steps) {
            if step.expect.get("ok").is_none() {
                continue;
            }
            let call =
                encode(&Layout::default(), &HoldEvents::default(), &step.op, Clock::Explicit(step.now));
            let args: Vec<String> = call.args.iter().map(ToString::to_string).collect();
            let line =
                serde_json::to_string(&(call.script.name, &call.keys, &args)).expect("strings serialize");
            lines.push(line);
        }
        out.insert(name, sha1_smol::Sha1::from(lines.join("\n")).digest().to_string());
    }
    out
}

#[test]
fn encodings_of_the_vectors_match_the_pinned_digests() {
    let path = root().join("tests/encodings.json");
    let got = digests();
    if std::env::var_os("LEASEHOLD_UPDATE_ENCODINGS").is_some() {
        let text = serde_json::to_string_pretty(&got).expect("a map of strings serializes") + "\n";
        fs::write(&path, text).expect("tests/encodings.json is writable");
    }
    let pinned: BTreeMap<String, String> =
        serde_json::from_str(&fs::read_to_string(&path).expect("tests/encodings.json is readable"))
            .expect("tests/encodings.json is a map of digests");
    // A vector file added since the digests were pinned is left out until they are updated (its
    // outcomes are still replayed); a pinned file must exist and encode exactly as pinned.
    let got: BTreeMap<String, String> =
        got.into_iter().filter(|(name, _)| pinned.contains_key(name)).collect();
    assert_eq!(got, pinned, "the encoding changed: rerun with LEASEHOLD_UPDATE_ENCODINGS=1 if deliberate");
}
