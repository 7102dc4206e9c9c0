-- lock_acquire_many's fast path, made once per batch: `settle` decides one request of the batch
-- with plain comparisons and at most two Redis calls, as lock_acquire.lua does, and leaves to
-- the full transition (`run`) whatever it does not settle, having written nothing. Its request
-- has its key at BATCH_KEYS[keys_at + 1] and its ARGV[j + 1] at BATCH_ARGV[args_at + j].
--
-- It settles a request with valid arguments and a batch clock below fence::floor's limit when
-- - the lock has no lease (SET NX writes it): granted, fence::floor(now), the key's TTL the ttl;
-- - its lease is live and someone else's: denied until it ends;
-- - its lease is live and the owner's: granted again, the same fence, the TTL up to the new
--   expiry or the fence's forgettable instant, whichever is later (lock_put).
-- A lease that has ended falls through (fence::next decides its fence), and so does a key that
-- holds no lease (the full transition reports it); a Redis error is then raised there, inside
-- the request's own pcall.
local settle_call, settle_pcall, settle_format = redis.call, redis.pcall, string.format
local settle_match, settle_floor = string.match, math.floor
local settle_server = BATCH_ARGV[1] == 'server'
local settle_now
if BATCH_TIME then
  settle_now = BATCH_TIME[1] * 1000 + settle_floor(BATCH_TIME[2] / 1000)
else
  settle_now = tonumber(BATCH_ARGV[1])
end
if not (settle_now and settle_now >= 1 and settle_now < FLOOR_LIMIT_MS and settle_now == settle_floor(settle_now)) then
  settle_now = nil
end
local settle_fence = settle_now and settle_now * FENCES_PER_MS
local settle_prefix = settle_now and settle_format('%d ', settle_fence)
-- What most batches repeat, worked out once per batch: each distinct ttl argument checked and
-- converted (and as the key's TTL), and each (ttl, owner)'s new lease as stored (the batch's
-- one `now` fixes both).
local settle_ttls, settle_pxs, settle_values = {}, {}, {}
-- Whether the last request settled found a lease. A batch's keys tend to be alike (taken
-- together before, or new together), so after a lease was found the next request reads its
-- key first (two Redis calls for a live lease instead of three), and after a free key it
-- tries SET NX first (one call).
local settle_held = false
local function settle(keys_at, args_at, nkeys, nargs)
  local now = settle_now
  if not now or nkeys ~= 1 or nargs ~= 3 then
    return nil
  end
  local key, owner, ttl_arg = BATCH_ARGV[args_at + 1], BATCH_ARGV[args_at + 2], BATCH_ARGV[args_at + 3]
  local ttl = settle_ttls[ttl_arg]
  if ttl == nil then
    ttl = tonumber(ttl_arg)
    if not (ttl and ttl >= 1 and ttl <= MAX_DURATION and ttl == settle_floor(ttl)) then
      ttl = false
    end
    settle_ttls[ttl_arg], settle_values[ttl_arg] = ttl, {}
    settle_pxs[ttl_arg] = ttl and settle_format('%d', ttl)
  end
  if not ttl or #key < 1 or #key > MAX_KEY_BYTES or #owner < 1 or #owner > MAX_OWNER_BYTES then
    return nil
  end
  local name, expires_at = BATCH_KEYS[keys_at + 1], now + ttl
  local values = settle_values[ttl_arg]
  local value = values[owner]
  if not value then
    value = settle_prefix .. settle_format('%d ', expires_at) .. owner
    values[owner] = value
  end
  local record
  if settle_held then
    -- The request before found a lease: read first, and write the absent lease plainly (the
    -- script is atomic, so a GET that finds nothing is as good as NX).
    record = settle_pcall('GET', name)
    if record == false then
      settle_held = false
      if settle_server then
        settle_call('SET', name, value, 'PX', settle_pxs[ttl_arg])
      else
        settle_call('SET', name, value)
      end
      return 4, 'granted', settle_fence, expires_at, 0
    end
  else
    local written
    if settle_server then
      written = settle_call('SET', name, value, 'PX', settle_pxs[ttl_arg], 'NX')
    else
      written = settle_call('SET', name, value, 'NX')
    end
    if written then
      return 4, 'granted', settle_fence, expires_at, 0
    end
    record = settle_pcall('GET', name)
  end
  settle_held = true
  if type(record) ~= 'string' then
    return nil
  end
  local last, held_until, holder = settle_match(record, '^(%d+) (%d+) (.*)$')
  last, held_until = tonumber(last), tonumber(held_until)
  if not held_until or held_until <= now then
    return nil
  end
  if holder ~= owner then
    return 2, 'denied', held_until - now
  end
  value = settle_format('%d %d ', last, expires_at) .. owner
  if settle_server then
    local keep = settle_floor(last / FENCES_PER_MS) + 1
    if keep < expires_at then
      keep = expires_at
    end
    settle_call('SET', name, value, 'PX', keep - now)
  else
    settle_call('SET', name, value)
  end
  return 4, 'granted', last, expires_at, 1
end
