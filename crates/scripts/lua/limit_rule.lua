
-- Rate-limit helpers, concatenated after the prelude into every rate-limit script: the
-- arithmetic of leasehold_core::limit::rule and the block policy (limit/block.rs). Each
-- algorithm file then defines its `rule` table (the port of its `Rule` impl), and
-- limit_check.lua runs the transition every algorithm shares (rule::evaluate, rule::write).
--
-- A limit key is one hash: 'exp' is the instant its algorithm state becomes equivalent to no
-- state (Rule::expires_at), the algorithm's own fields beside it, and the block record in
-- 'sc' (violations counted), 'su' (counted until) and 'sb' (blocked until).

-- rule::later: at + by, capped at 2^53 - 1.
local function later(at, by)
  local sum = at + by
  if sum > MAX then
    return MAX
  end
  return sum
end

-- a.saturating_sub(b)
local function sub0(a, b)
  if a > b then
    return a - b
  end
  return 0
end

-- floor(a / b) for whole a, b >= 1, corrected for a rounded quotient.
local function floor_div(a, b)
  local q = math.floor(a / b)
  local r = a - q * b
  if r < 0 then
    q = q - 1
  elseif r >= b then
    q = q + 1
  end
  return q
end

-- rule::ceil_div: 0 when b is 0.
local function ceil_div(a, b)
  if b == 0 then
    return 0
  end
  local q = floor_div(a, b)
  if q * b < a then
    q = q + 1
  end
  return q
end

-- rule::check_span: `times` intervals fit in 366 days.
local function check_span(field, interval, times, raw)
  if interval >= 1 and interval * times <= MAX_DURATION then
    return
  end
  fail('out_of_range', field, raw, 1, floor_div(MAX_DURATION, math.max(times, 1)))
end

local function allow(limit, remaining, reset_after)
  return { allowed = true, limit = limit, remaining = remaining, reset_after = reset_after, retry_after = 0 }
end

local function deny(limit, remaining, reset_after, retry_after)
  return {
    allowed = false, limit = limit, remaining = remaining, reset_after = reset_after, retry_after = retry_after,
  }
end

-- A hash field as a number, 0 when absent.
local function field(fields, name)
  return tonumber(fields[name] or '0') or 0
end

-- A parameter: its number and the argument as given, for error messages.
local function param(arg, what)
  return { n = num(arg, what), raw = arg }
end

-- Strikes::blocked_for: the time left in a block, nil when not blocked.
local function blocked_for(strikes, now)
  if strikes.sb > now then
    return strikes.sb - now
  end
  return nil
end

-- Strikes::strike: one more violation under `policy` at `now`.
local function strike(strikes, policy, now)
  local count, counted_until
  if strikes.su > now then
    count, counted_until = strikes.sc + 1, strikes.su
  else
    count, counted_until = 1, later(now, policy.within)
  end
  if count >= policy.violations then
    return { sc = 0, su = 0, sb = later(now, policy.block_for) }
  end
  return { sc = count, su = counted_until, sb = strikes.sb }
end

local rule = {}

-- The parameters every quota-per-window rule takes (fixed window, sliding log, sliding
-- counter): `quota` in 1..=max_quota, then `window` a duration; the limit is the quota.
local function quota_per_window(max_quota)
  function rule.params(a, b)
    return { quota = param(a, 'quota'), window = param(b, 'window') }
  end

  function rule.validate(p)
    check_range('quota', p.quota.n, 1, max_quota, p.quota.raw)
    check_duration('window', p.window.n, p.window.raw)
  end

  function rule.limit(p)
    return p.quota.n
  end
end
