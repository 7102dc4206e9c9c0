
-- Hold helpers, concatenated after the prelude into every hold script: the port of
-- leasehold_core::hold::namespace (crates/core/src/hold/namespace.rs) and hold/items.rs.
-- KEYS[1]: the namespace's holds, a hash item -> '<fence> <expires_at> <owner>';
-- KEYS[2]: the same holds by expiry, a sorted set of items scored by expires_at, whose order
--          (score, then item bytes) is exactly the core's (expires_at, item) order;
-- KEYS[3]: the namespace's last fence, a string;
-- KEYS[4] (writes only): the namespace's event stream, see `outlets`.
-- Dead holds stay until a sweep reclaims them (that is what reports their 'expired' event), so
-- these keys never get a Redis TTL; the fence key gets one once the namespace is empty.
local LAZY_SWEEP = 8

-- hold::check_items on ARGV[from..]: returns the items.
local function check_items(from)
  local items = {}
  for i = from, #ARGV do
    items[#items + 1] = ARGV[i]
  end
  if #items == 0 then
    fail('empty', 'items')
  end
  if #items > MAX_ITEMS then
    fail('too_many', 'items', #items, MAX_ITEMS)
  end
  for _, item in ipairs(items) do
    check_str('item', item, MAX_ITEM_BYTES)
  end
  local seen = {}
  for index, item in ipairs(items) do
    if seen[item] then
      fail('duplicate', 'items', index - 1)
    end
    seen[item] = true
  end
  return items
end

-- The hold on `item`: {item, fence, expires_at, owner}, or nil.
local function hold_get(item)
  local value = redis.call('HGET', KEYS[1], item)
  if not value then
    return nil
  end
  local fence, expires_at, owner = string.match(value, '^(%d+) (%d+) (.*)$')
  return { item = item, fence = tonumber(fence), expires_at = tonumber(expires_at), owner = owner }
end

local function hold_put(item, fence, expires_at, owner)
  redis.call('HSET', KEYS[1], item, int(fence) .. ' ' .. int(expires_at) .. ' ' .. owner)
  redis.call('ZADD', KEYS[2], int(expires_at), item)
end

local function hold_remove(record)
  redis.call('HDEL', KEYS[1], record.item)
  redis.call('ZREM', KEYS[2], record.item)
end

local function push_event(events, kind, item, fence, expires_at)
  events[#events + 1] = kind
  events[#events + 1] = item
  events[#events + 1] = fence
  events[#events + 1] = expires_at
end

-- Where a write's events go besides its reply, from ARGV[at] and ARGV[at + 1]: the stream
-- KEYS[4] gets one entry per event, fields kind, item, fence, expires_at, in the order of the
-- reply's events, trimmed with MAXLEN ~ ARGV[at] ('0': no stream); and a reserve that reserved
-- publishes an empty message on channel ARGV[at + 1] ('': none), the signal that subscribers
-- of tradeit's `itemReserved` wait for. Parsed before the first write.
local function outlets(at)
  return { maxlen = num(ARGV[at], 'events_maxlen'), channel = ARGV[at + 1] or '' }
end

-- Appends `events` to the stream, when there is one.
local function emit(out, events)
  if out.maxlen == 0 then
    return
  end
  for i = 1, #events, 4 do
    redis.call('XADD', KEYS[4], 'MAXLEN', '~', int(out.maxlen), '*', 'kind', events[i], 'item',
      events[i + 1], 'fence', int(events[i + 2]), 'expires_at', int(events[i + 3]))
  end
end

-- Removes a dead hold the operation touched, with its 'expired' event.
local function reclaim(record, events)
  hold_remove(record)
  push_event(events, 'expired', record.item, record.fence, record.expires_at)
end

-- Namespace::sweep_dead: reclaims up to `max` dead holds, earliest expiry first.
local function sweep_dead(now, max, events)
  local dead = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', int(now), 'LIMIT', 0, max)
  for _, item in ipairs(dead) do
    local record = hold_get(item)
    if record then
      reclaim(record, events)
    else
      redis.call('ZREM', KEYS[2], item)
    end
  end
  return #dead
end

-- Namespace::has_dead
local function has_dead(now)
  return #redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', int(now), 'LIMIT', 0, 1) > 0
end

-- Namespace::live_count
local function live_count(now)
  return redis.call('ZCARD', KEYS[2]) - redis.call('ZCOUNT', KEYS[2], '-inf', int(now))
end

-- Namespace::nth_live_expiry (0-based), or nil.
local function nth_live_expiry(now, nth)
  local found = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. int(now), '+inf', 'WITHSCORES', 'LIMIT', nth, 1)
  if #found == 0 then
    return nil
  end
  return tonumber(found[2])
end

local function last_fence()
  return tonumber(redis.call('GET', KEYS[3]) or '0')
end

-- Holds::forget_if_idle: an empty namespace keeps only its last fence, and only while the
-- fence is at or above the clock's floor.
local function forget_if_idle(now, server)
  if redis.call('EXISTS', KEYS[1]) == 1 then
    return
  end
  local last = last_fence()
  if not must_remember(last, now) then
    redis.call('DEL', KEYS[3])
  else
    keep_until(KEYS[3], fence_forgettable_at(last), now, server)
  end
end
