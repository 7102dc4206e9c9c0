//! How a batch is cut into commands and pipelines: runs of one script (one call of its batch
//! variant each), per slot where a connection cannot take keys of several slots at once.

use leasehold_scripts::Script;

use crate::encode::Call;
use crate::error::AdapterError;
use crate::layout::slot;

/// The most requests one call of a batch variant runs: a longer run of one script is cut into
/// several calls, so one call never holds Redis for long.
const MOST_PER_CALL: usize = 64;

/// One command of a batch: the requests (positions in the batch) it runs, in order, the script
/// it calls (the batch variant when it runs more than one) and the slot of their keys (None on
/// a connection to one server, where it plays no part).
pub(super) struct Group {
    pub positions: Vec<usize>,
    pub script: &'static Script,
    pub slot: Option<u16>,
}

/// The slot of a call's keys, which share one (checked when it was prepared).
fn call_slot(call: &Call<'_>) -> Option<u16> {
    call.keys.first().map(|key| slot(key.as_bytes()))
}

/// The calls at `positions`, in order, cut into runs of consecutive calls of one script on one
/// slot (unless `across_slots`), of at most [`MOST_PER_CALL`].
fn runs(calls: &[Result<Call<'_>, AdapterError>], positions: &[usize], across_slots: bool) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for &i in positions {
        let Ok(call) = &calls[i] else { continue };
        // On one server the slot plays no part: no checksum per call.
        let slot = if across_slots { None } else { call_slot(call) };
        if let Some(group) = groups.last_mut() {
            let single = calls[group.positions[0]].as_ref().map(|c| c.script.name);
            if single == Ok(call.script.name)
                && (across_slots || group.slot == slot)
                && group.positions.len() < MOST_PER_CALL
            {
                // A group of several already calls the batch variant: it is looked up once.
                let many = match group.positions.len() {
                    1 => leasehold_scripts::many(call.script),
                    _ => Some(group.script),
                };
                if let Some(many) = many {
                    group.positions.push(i);
                    group.script = many;
                    continue;
                }
            }
        }
        groups.push(Group { positions: vec![i], script: call.script, slot });
    }
    groups
}

/// The commands of the calls at `pending`: with `across_slots`, the runs of the batch in order;
/// otherwise the runs of each slot's calls, slot after slot (calls on different slots touch
/// different keys, so their order between each other changes no outcome).
pub(super) fn groups(
    calls: &[Result<Call<'_>, AdapterError>],
    pending: &[usize],
    across_slots: bool,
) -> Vec<Group> {
    if across_slots {
        return runs(calls, pending, true);
    }
    let mut slots: Vec<(Option<u16>, Vec<usize>)> = Vec::new();
    for &i in pending {
        let Ok(call) = &calls[i] else { continue };
        let slot = call_slot(call);
        match slots.iter_mut().find(|(s, _)| *s == slot) {
            Some((_, positions)) => positions.push(i),
            None => slots.push((slot, vec![i])),
        }
    }
    slots.iter().flat_map(|(_, positions)| runs(calls, positions, false)).collect()
}

/// `groups` cut into the pipelines to send, in order: one pipeline when the connection is to one
/// server, otherwise one per slot (a cluster connection refuses a pipeline spanning slots).
pub(super) fn pipelines<'g>(groups: &[&'g Group], across_slots: bool) -> Vec<Vec<&'g Group>> {
    if across_slots {
        return vec![groups.to_vec()];
    }
    let mut pipelines: Vec<Vec<&Group>> = Vec::new();
    for &group in groups {
        match pipelines.iter_mut().find(|p| p[0].slot == group.slot) {
            Some(pipeline) => pipeline.push(group),
            None => pipelines.push(vec![group]),
        }
    }
    pipelines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::Arg;

    fn call(script: &'static Script, key: &str) -> Result<Call<'static>, AdapterError> {
        let args = vec!["server".into(), Arg::Owned(key.to_owned())];
        Ok(Call { script, keys: vec![format!("p:lock:{{{key}}}")], args })
    }

    fn shapes(groups: &[Group]) -> Vec<(&str, Vec<usize>)> {
        groups.iter().map(|g| (g.script.name, g.positions.clone())).collect()
    }

    #[test]
    fn a_long_run_of_one_script_is_cut_into_calls_of_at_most_64() {
        let calls: Vec<_> = (0..70).map(|n| call(&leasehold_scripts::LOCK_ACQUIRE, &n.to_string())).collect();
        let pending: Vec<usize> = (0..70).collect();
        let groups = groups(&calls, &pending, true);
        assert_eq!(groups.iter().map(|g| g.positions.len()).collect::<Vec<_>>(), [64, 6]);
        assert!(groups.iter().all(|g| g.script.name == "lock_acquire_many"));
    }

    #[test]
    fn a_request_of_another_script_or_refused_before_sending_ends_or_skips_a_run() {
        let (acquire, release) = (&leasehold_scripts::LOCK_ACQUIRE, &leasehold_scripts::LOCK_RELEASE);
        let mut calls = vec![call(acquire, "a"), call(acquire, "b"), call(release, "a"), call(acquire, "c")];
        calls.push(Err(AdapterError::Protocol { detail: "refused".into() }));
        calls.push(call(acquire, "d"));
        let groups = groups(&calls, &[0, 1, 2, 3, 5], true);
        assert_eq!(
            shapes(&groups),
            [("lock_acquire_many", vec![0, 1]), ("lock_release", vec![2]), ("lock_acquire_many", vec![3, 5])]
        );
    }

    #[test]
    fn on_a_cluster_no_call_or_pipeline_spans_two_slots_and_each_slot_keeps_its_order() {
        let acquire = &leasehold_scripts::LOCK_ACQUIRE;
        let calls: Vec<_> = ["a", "b", "a", "b", "a"].iter().map(|key| call(acquire, key)).collect();
        let groups = groups(&calls, &[0, 1, 2, 3, 4], false);
        assert_eq!(
            shapes(&groups),
            [("lock_acquire_many", vec![0, 2, 4]), ("lock_acquire_many", vec![1, 3])]
        );
        let refs: Vec<&Group> = groups.iter().collect();
        let pipelines = pipelines(&refs, false);
        assert_eq!(pipelines.len(), 2);
        assert!(pipelines.iter().all(|p| p.iter().all(|g| g.slot == p[0].slot)));
        assert_eq!(super::pipelines(&refs, true).len(), 1);
    }
}
