-- leasehold prelude: concatenated in front of every script, which keeps of its helpers only
-- those it calls (crates/scripts/build.rs).
--
-- Bounds, argument checks, the fence rule and the clock, exactly as leasehold-core has them
-- (crates/core/src/bounds.rs, fence.rs, error.rs). Every number here is an integer below 2^53,
-- which a Lua double holds exactly; no decision uses a fraction.
--
-- Calling convention of every script: ARGV[1] is the clock, either "server" (read Redis TIME)
-- or the explicit `now` in milliseconds; the other ARGV are the operation's arguments as
-- strings, the empty string standing for an absent optional one. Key names come only from KEYS.
--
-- Errors: a refused request raises the error reply
--   LEASEHOLD <code> [<field>] [<number> ...]
-- with the numbers of leasehold_core::Error in declaration order, e.g.
--   LEASEHOLD out_of_range ttl 0 1 31622400000
-- and every check runs before the first write, so a refused request changes nothing.

local MAX = 9007199254740991
local MAX_DURATION = 31622400000
local MAX_COUNT = 4294967295
local MAX_KEY_BYTES = 512
local MAX_OWNER_BYTES = 256
local MAX_ITEM_BYTES = 256
local MAX_ITEMS = 1000
local MAX_CAPACITY = 10000
local MAX_PAGE = 10000
local FENCES_PER_MS = 1000
local FLOOR_LIMIT_MS = math.floor(MAX / FENCES_PER_MS)

-- An integer as a decimal string, never in exponent form.
local function int(n)
  return string.format('%d', n)
end

-- Raises the error reply for leasehold_core::Error `code`.
local function fail(code, field, ...)
  local parts = { 'LEASEHOLD', code }
  if field then
    parts[#parts + 1] = field
  end
  for _, n in ipairs({ ... }) do
    if type(n) == 'string' then
      parts[#parts + 1] = n
    else
      parts[#parts + 1] = int(n)
    end
  end
  error({ err = table.concat(parts, ' ') })
end

-- A decimal argument as a number; anything else is a protocol error of the caller.
local function num(s, what)
  local n = tonumber(s)
  if n == nil or n < 0 or n ~= math.floor(n) then
    error({ err = 'LEASEHOLD protocol ' .. what .. ' is not a whole number: ' .. tostring(s) })
  end
  return n
end

-- An optional decimal argument: nil for the empty string.
local function opt_num(s, what)
  if s == nil or s == '' then
    return nil
  end
  return num(s, what)
end

-- The clock: the explicit `now` of ARGV[1], or Redis TIME in milliseconds for "server".
local function clock(arg)
  if arg == 'server' then
    local t = redis.call('TIME')
    return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), true
  end
  return num(arg, 'now'), false
end

-- bounds::check_str
local function check_str(field, value, max)
  if #value == 0 then
    fail('empty', field)
  end
  if #value > max then
    fail('too_long', field, #value, max)
  end
end

-- bounds::check_range. `raw`, the argument as given, is what an error reports: a value past
-- 2^53 is not exact as a number, but it is out of every range.
local function check_range(field, value, min, max, raw)
  if value < min or value > max then
    fail('out_of_range', field, raw or value, min, max)
  end
end

-- bounds::check_duration
local function check_duration(field, value, raw)
  check_range(field, value, 1, MAX_DURATION, raw)
end

-- bounds::check_now
local function check_now(now, raw)
  if now > MAX then
    fail('out_of_range', 'now', raw, 0, MAX)
  end
end

-- bounds::expiry: now + ttl, refused past 2^53 - 1.
local function expiry(now, ttl)
  if now + ttl > MAX then
    fail('overflow', 'expires_at')
  end
  return now + ttl
end

-- fence::floor
local function fence_floor(now)
  local ms = now
  if ms >= FLOOR_LIMIT_MS then
    ms = FLOOR_LIMIT_MS
  end
  return ms * FENCES_PER_MS
end

-- fence::next, with `last` 0 when none was issued. Raises fence_exhausted; callers ask for a
-- fence before their first write.
local function fence_next(last, now)
  local fence = last + 1
  local floor = fence_floor(now)
  if floor > fence then
    fence = floor
  end
  if fence > MAX then
    fail('fence_exhausted')
  end
  return fence
end

-- fence::must_remember
local function must_remember(last, now)
  return last >= fence_floor(now)
end

-- The instant from which a fence `last` need no longer be remembered (fence::must_remember is
-- false from then on).
local function fence_forgettable_at(last)
  return math.floor(last / FENCES_PER_MS) + 1
end

-- Memory reclamation only: with the server clock, `key` is dropped by Redis once it can be
-- forgotten (`at`, in server milliseconds); with an explicit clock, whose time has nothing to
-- do with Redis's, no TTL is set and the key stays until a script deletes it. The expiry stored
-- in each value decides every outcome; a key TTL never does.
local function keep_until(key, at, now, server)
  if server then
    local left = at - now
    if left < 1 then
      left = 1
    end
    redis.call('PEXPIRE', key, int(left))
  end
end

local function bool(b)
  if b then
    return 1
  end
  return 0
end
