
-- hold_release: ports leasehold_core::Holds::release and Holds::force_release, which share
-- Holds::end (crates/core/src/hold/ops.rs).
-- KEYS: holds, expiry, fence, events (see the hold helpers).
-- ARGV: now, namespace, 'owner' | 'force', owner ('' when forced), events_maxlen, channel
--       (unused), items...
-- Reply: {'items', {'released', fence | 'not_holder' | 'expired', ...}, events}.
local now, server = clock(ARGV[1])
local out = outlets(5)
local forced, owner = ARGV[3] == 'force', ARGV[4]
check_str('namespace', ARGV[2], MAX_KEY_BYTES)
local items = check_items(7)
if not forced then
  check_str('owner', owner, MAX_OWNER_BYTES)
end
check_now(now, ARGV[1])

local events, results = {}, {}
sweep_dead(now, LAZY_SWEEP, events)
for _, item in ipairs(items) do
  local record = hold_get(item)
  if record and record.expires_at > now then
    if forced or record.owner == owner then
      hold_remove(record)
      push_event(events, 'released', item, record.fence, record.expires_at)
      results[#results + 1] = 'released'
      results[#results + 1] = record.fence
    else
      results[#results + 1] = 'not_holder'
    end
  else
    if record then
      reclaim(record, events)
    end
    results[#results + 1] = 'expired'
  end
end
forget_if_idle(now, server)
emit(out, events)
return { 'items', results, events }
