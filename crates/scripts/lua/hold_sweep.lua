
-- hold_sweep: ports leasehold_core::Holds::sweep (crates/core/src/hold/ops.rs).
-- KEYS: holds, expiry, fence, events (see the hold helpers).
-- ARGV: now, namespace, max, events_maxlen, channel (unused).
-- Reply: {'swept', removed, more 0|1, events}.
local now, server = clock(ARGV[1])
local out = outlets(4)
check_str('namespace', ARGV[2], MAX_KEY_BYTES)
local max = num(ARGV[3], 'limit')
check_range('limit', max, 1, MAX_PAGE, ARGV[3])
check_now(now, ARGV[1])
local events = {}
local removed = sweep_dead(now, max, events)
local more = has_dead(now)
forget_if_idle(now, server)
emit(out, events)
return { 'swept', removed, bool(more), events }
