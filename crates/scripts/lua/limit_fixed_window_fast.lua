
-- limit_fixed_window's fast path: a check (not a peek) without a block policy, with valid
-- arguments, on a key no block is in force on. It runs before the helpers are made (each is a
-- closure made on every call), reads the four fields it needs with one HMGET and decides as
-- rule::evaluate and rule::write do for FixedWindow (limit_fixed_window.lua, limit_check.lua):
-- a window that is not live starts afresh at `now`; `count + cost` within the quota is allowed
-- and written with 'exp' in one HSET; past it, denied with nothing written. Anything else falls
-- through to the full transition below, which reads the clock again; nothing was written.
do
  local server = ARGV[1] == 'server'
  local now
  if server then
    local t = redis.call('TIME')
    now = t[1] * 1000 + math.floor(t[2] / 1000)
  else
    now = tonumber(ARGV[1])
  end
  local key, quota, window, cost = ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[10])
  if ARGV[2] == 'check' and ARGV[7] == '' and now and now >= 0 and now == math.floor(now)
    and #key >= 1 and #key <= MAX_KEY_BYTES
    and quota and quota >= 1 and quota <= MAX_COUNT and quota == math.floor(quota)
    and window and window >= 1 and window <= MAX_DURATION and window == math.floor(window)
    and cost and cost >= 1 and cost <= quota and cost == math.floor(cost)
    and now + window <= MAX then
    local fields = redis.call('HMGET', KEYS[1], 'count', 'exp', 'su', 'sb')
    local count, exp = tonumber(fields[1] or '0') or 0, tonumber(fields[2] or '0') or 0
    local su, sb = tonumber(fields[3] or '0') or 0, tonumber(fields[4] or '0') or 0
    if sb <= now then
      if exp <= now then
        count, exp = 0, now + window
      end
      local reset_after = exp - now
      if count + cost > quota then
        return { 'decision', 0, quota, math.max(quota - count, 0), reset_after, reset_after }
      end
      count = count + cost
      redis.call('HSET', KEYS[1], 'exp', string.format('%d', exp), 'count', string.format('%d', count))
      if server then
        redis.call('PEXPIRE', KEYS[1], string.format('%d', math.max(math.max(exp, su, sb) - now, 1)))
      end
      return { 'decision', 1, quota, quota - count, reset_after, 0 }
    end
  end
end
