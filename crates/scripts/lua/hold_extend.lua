
-- hold_extend: ports leasehold_core::Holds::extend (crates/core/src/hold/ops.rs).
-- KEYS: holds, expiry, fence, events (see the hold helpers).
-- ARGV: now, namespace, owner, ttl, events_maxlen, channel (unused), items...
-- Reply: {'items', {'extended', fence, expires_at | 'not_holder' | 'expired', ...}, events}.
local now, server = clock(ARGV[1])
local out = outlets(5)
local owner, ttl_arg = ARGV[3], ARGV[4]
check_str('namespace', ARGV[2], MAX_KEY_BYTES)
local items = check_items(7)
check_str('owner', owner, MAX_OWNER_BYTES)
check_duration('ttl', num(ttl_arg, 'ttl'), ttl_arg)
check_now(now, ARGV[1])
local expires_at = expiry(now, num(ttl_arg, 'ttl'))

local events, results = {}, {}
sweep_dead(now, LAZY_SWEEP, events)
for _, item in ipairs(items) do
  local record = hold_get(item)
  if record and record.expires_at > now then
    if record.owner == owner then
      hold_put(item, record.fence, expires_at, owner)
      push_event(events, 'extended', item, record.fence, expires_at)
      results[#results + 1] = 'extended'
      results[#results + 1] = record.fence
      results[#results + 1] = expires_at
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
