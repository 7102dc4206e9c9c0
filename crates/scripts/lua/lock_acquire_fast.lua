-- lock_acquire's fast path: valid arguments and a clock below fence::floor's limit. It runs
-- before the prelude's helpers are made (each is a closure made on every call) and checks with
-- plain comparisons what the body checks with them, then settles
-- - a lock with no lease (SET NX writes it): granted, fence::floor(now), the key's TTL the ttl;
-- - a live lease of someone else: denied until it ends;
-- - a live lease of the owner: granted again with the same fence, the TTL up to the new expiry
--   or the fence's forgettable instant, whichever is later (as lock_put keeps it).
-- These are the decisions lock_acquire_many_fast.lua's `settle` makes for a batch. Anything else
-- (a lease that has ended: fence::next decides; a key holding no lease) falls through, nothing
-- written, to the body, which reuses `now` (TIME is read once).
--: fast_clock.lua
do
  local key, owner, ttl = ARGV[2], ARGV[3], tonumber(ARGV[4])
  -- `x % 1 == 0`: x is whole (an arithmetic operator, not a call of math.floor).
  if now and now >= 1 and now < FLOOR_LIMIT_MS and now % 1 == 0
    and ttl and ttl >= 1 and ttl <= MAX_DURATION and ttl % 1 == 0
    and #key >= 1 and #key <= MAX_KEY_BYTES and #owner >= 1 and #owner <= MAX_OWNER_BYTES then
    local format = string.format
    local fence, expires_at = now * FENCES_PER_MS, now + ttl
    local written
    -- A whole number below 2^53 given to redis.call reaches Redis as its plain decimal text.
    if server then
      written = redis.call('SET', KEYS[1], format('%d %d ', fence, expires_at) .. owner, 'PX', ttl, 'NX')
    else
      written = redis.call('SET', KEYS[1], format('%d %d ', fence, expires_at) .. owner, 'NX')
    end
    if written then
      return { 'granted', fence, expires_at, 0 }
    end
    local record = redis.pcall('GET', KEYS[1])
    if type(record) == 'string' then
      local last, held_until, holder = string.match(record, '^(%d+) (%d+) (.*)$')
      held_until = tonumber(held_until)
      if held_until and held_until > now then
        if holder ~= owner then
          return { 'denied', held_until - now }
        end
        local fence = tonumber(last)
        --: fast_put_lease.lua
        return { 'granted', fence, expires_at, 1 }
      end
    end
  end
end
