
-- limit_fixed_window's fast path: a check (not a peek) without a block policy, with valid
-- arguments, on a key no block is in force on. It runs before the helpers are made (each is a
-- closure made on every call), reads the four fields it needs with one HMGET and decides as
-- rule::evaluate and rule::write do for FixedWindow (limit_fixed_window.lua, limit_check.lua):
-- a window that is not live starts afresh at `now`; `count + cost` within the quota is allowed
-- and written with 'exp' in one HSET; past it, denied with nothing written. Anything else falls
-- through to the full transition below, which reads the clock again; nothing was written.
--
-- The key's Redis TTL (server clock) is set, as the full transition sets it, to end at
-- max(exp, su, sb) when a window starts. Within a live window that instant has not moved since
-- the write that started it or struck (every write at the server clock sets it from the fields
-- it leaves), so the PEXPIRE is left out there: a TTL only reclaims memory, it decides nothing.
-- Whole numbers are checked with `x % 1 == 0` (an operator, not a call), and numbers go to
-- redis.call as they are: Redis writes a whole number below 2^53 as its plain decimal text.
do
  --: fast_clock.lua
  local key, quota, window, cost = ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[10])
  if ARGV[2] == 'check' and ARGV[7] == '' and now and now >= 0 and now % 1 == 0
    and #key >= 1 and #key <= MAX_KEY_BYTES
    and quota and quota >= 1 and quota <= MAX_COUNT and quota % 1 == 0
    and window and window >= 1 and window <= MAX_DURATION and window % 1 == 0
    and cost and cost >= 1 and cost <= quota and cost % 1 == 0
    and now + window <= MAX then
    local fields = redis.call('HMGET', KEYS[1], 'count', 'exp', 'su', 'sb')
    local count, exp = tonumber(fields[1] or '0') or 0, tonumber(fields[2] or '0') or 0
    local su, sb = tonumber(fields[3] or '0') or 0, tonumber(fields[4] or '0') or 0
    if sb <= now then
      local starts = exp <= now
      if starts then
        count, exp = 0, now + window
      end
      local reset_after = exp - now
      if count + cost > quota then
        return { 'decision', 0, quota, math.max(quota - count, 0), reset_after, reset_after }
      end
      count = count + cost
      redis.call('HSET', KEYS[1], 'exp', exp, 'count', count)
      if server and starts then
        redis.call('PEXPIRE', KEYS[1], math.max(math.max(exp, su, sb) - now, 1))
      end
      return { 'decision', 1, quota, quota - count, reset_after, 0 }
    end
  end
end
