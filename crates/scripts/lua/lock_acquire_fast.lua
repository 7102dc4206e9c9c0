
-- lock_acquire's fast path: a lock with no lease yet, the usual case, with valid arguments and
-- a clock below fence::floor's limit. It runs before the prelude's helpers are made (each is a
-- closure made on every call) and checks with plain comparisons what the body checks with
-- them; the first fence is then fence::floor(now) and the key's TTL is the ttl itself.
-- Anything else falls through to the body, which reuses `now` (TIME is read once).
local server = ARGV[1] == 'server'
local now
if server then
  local t = redis.call('TIME')
  now = t[1] * 1000 + math.floor(t[2] / 1000)
else
  now = tonumber(ARGV[1])
end
do
  local key, owner, ttl = ARGV[2], ARGV[3], tonumber(ARGV[4])
  if now and now >= 1 and now < FLOOR_LIMIT_MS and now == math.floor(now)
    and ttl and ttl >= 1 and ttl <= MAX_DURATION and ttl == math.floor(ttl)
    and #key >= 1 and #key <= MAX_KEY_BYTES and #owner >= 1 and #owner <= MAX_OWNER_BYTES then
    local fence, expires_at = now * FENCES_PER_MS, now + ttl
    local value = string.format('%d %d ', fence, expires_at) .. owner
    local written
    if server then
      written = redis.call('SET', KEYS[1], value, 'PX', string.format('%d', ttl), 'NX')
    else
      written = redis.call('SET', KEYS[1], value, 'NX')
    end
    if written then
      return { 'granted', fence, expires_at, 0 }
    end
  end
end
