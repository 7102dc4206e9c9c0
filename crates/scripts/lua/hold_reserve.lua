
-- hold_reserve: ports leasehold_core::Holds::reserve (crates/core/src/hold/ops.rs).
-- KEYS: holds, expiry, fence, events (see the hold helpers).
-- ARGV: now, namespace, owner, ttl, max_holds ('' for none), events_maxlen, channel, items...
-- Reply: {'reserved', expires_at, {fence, refreshed 0|1, ...}, events}
--      | {'conflict', {item, retry_after, ...}, events}
--      | {'cap_reached', live, max_holds, retry_after, events}
-- where events is {kind, item, fence, expires_at, ...} in the order they happened.
local now, server = clock(ARGV[1])
local out = outlets(6)
local owner, ttl_arg, max_arg = ARGV[3], ARGV[4], ARGV[5]
check_str('namespace', ARGV[2], MAX_KEY_BYTES)
local items = check_items(8)
check_str('owner', owner, MAX_OWNER_BYTES)
check_duration('ttl', num(ttl_arg, 'ttl'), ttl_arg)
local max_holds = opt_num(max_arg, 'max_holds')
if max_holds then
  check_range('max_holds', max_holds, 1, MAX_COUNT, max_arg)
end
check_now(now, ARGV[1])
local expires_at = expiry(now, num(ttl_arg, 'ttl'))
if max_holds and #items > max_holds then
  fail('too_many', 'items', #items, max_arg)
end

-- Decide, before any write.
local conflicts, fresh = {}, 0
for _, item in ipairs(items) do
  local record = hold_get(item)
  if record and record.expires_at > now then
    if record.owner ~= owner then
      conflicts[#conflicts + 1] = item
      conflicts[#conflicts + 1] = record.expires_at - now
    end
  else
    fresh = fresh + 1
  end
end
local fence = last_fence()
if fresh > 0 and #conflicts == 0 then
  fence = fence_next(fence, now)
end
local cap = nil
if max_holds and #conflicts == 0 then
  local live = live_count(now)
  if live + fresh > max_holds then
    local until_at = nth_live_expiry(now, live + fresh - max_holds - 1) or now
    cap = { 'cap_reached', live, max_holds, until_at - now }
  end
end

-- Write: the lazy sweep, then the items in request order.
local events = {}
sweep_dead(now, LAZY_SWEEP, events)
if #conflicts > 0 then
  emit(out, events)
  return { 'conflict', conflicts, events }
end
if cap then
  emit(out, events)
  cap[5] = events
  return cap
end
local holds = {}
for _, item in ipairs(items) do
  local record = hold_get(item)
  if record and record.expires_at > now then
    hold_put(item, record.fence, expires_at, record.owner)
    push_event(events, 'extended', item, record.fence, expires_at)
    holds[#holds + 1] = record.fence
    holds[#holds + 1] = 1
  else
    if record then
      reclaim(record, events)
    end
    hold_put(item, fence, expires_at, owner)
    push_event(events, 'reserved', item, fence, expires_at)
    holds[#holds + 1] = fence
    holds[#holds + 1] = 0
  end
end
if fresh > 0 then
  redis.call('SET', KEYS[3], int(fence))
end
emit(out, events)
if out.channel ~= '' then
  redis.call('PUBLISH', out.channel, '')
end
return { 'reserved', expires_at, holds, events }
