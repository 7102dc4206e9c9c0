
-- The transition every rate-limit algorithm shares: leasehold_core::limit::rule::{checked,
-- peeked}, with the algorithm's `rule` defined above.
-- KEYS[1]: the limit's hash; KEYS[2]: the sliding log's list (sliding log only).
-- ARGV: now, 'check' | 'peek', key, the algorithm's parameters (3, '' when unused),
-- violations, within, block_for ('' without a block policy), cost.
-- Reply: {'decision', allowed 0|1, limit, remaining, reset_after, retry_after}.
local now, server = clock(ARGV[1])
local mode = ARGV[2]
check_str('key', ARGV[3], MAX_KEY_BYTES)
local p = rule.params(ARGV[4], ARGV[5], ARGV[6])
rule.validate(p)
local policy = nil
if ARGV[7] ~= '' then
  local violations, within, block_for = param(ARGV[7], 'violations'), param(ARGV[8], 'within'),
    param(ARGV[9], 'block_for')
  check_range('violations', violations.n, 1, MAX_COUNT, violations.raw)
  check_duration('within', within.n, within.raw)
  check_duration('block_for', block_for.n, block_for.raw)
  policy = { violations = violations.n, within = within.n, block_for = block_for.n }
end
local cost = num(ARGV[10], 'cost')
check_range('cost', cost, 1, rule.limit(p), ARGV[10])
check_now(now, ARGV[1])
expiry(now, rule.span(p))
if policy then
  expiry(now, policy.within)
  expiry(now, policy.block_for)
end

-- rule::evaluate: the decision, and the write to make ('admit', 'strike' or nil).
local fields = redis.call('HGETALL', KEYS[1])
local exists = #fields > 0
local map = {}
for i = 1, #fields, 2 do
  map[fields[i]] = fields[i + 1]
end
local state = rule.load(map)
local strikes = { sc = field(map, 'sc'), su = field(map, 'su'), sb = field(map, 'sb') }
local live = nil
if exists and state.exp > now then
  live = state
end

local function reply(d)
  return { 'decision', bool(d.allowed), d.limit, d.remaining, d.reset_after, d.retry_after }
end

local decision, effect, next_strikes
local left = blocked_for(strikes, now)
if left then
  local idle = rule.idle_after(p, live, now)
  local wait = rule.decide(p, live, cost, now).retry_after
  decision = deny(rule.limit(p), 0, math.max(idle, left), math.max(left, wait))
else
  decision = rule.decide(p, live, cost, now)
  if decision.allowed then
    effect = 'admit'
  elseif policy then
    effect, next_strikes = 'strike', strike(strikes, policy, now)
    local blocked = blocked_for(next_strikes, now)
    if blocked then
      decision = deny(decision.limit, 0, math.max(decision.reset_after, blocked),
        math.max(decision.retry_after, blocked))
    end
  end
end
if mode ~= 'check' or not effect then
  return reply(decision)
end

-- rule::write
if effect == 'admit' then
  rule.admit(p, state, live ~= nil, cost, now)
  -- rule.store writes what lives outside the hash and returns the hash fields to set beside
  -- 'exp' (nil: none), so the hash takes one HSET.
  redis.call('HSET', KEYS[1], 'exp', int(state.exp), unpack(rule.store(state) or {}))
else
  strikes = next_strikes
  redis.call('HSET', KEYS[1], 'sc', int(strikes.sc), 'su', int(strikes.su), 'sb', int(strikes.sb))
end
local keep = math.max(state.exp, strikes.su, strikes.sb)
for _, key in ipairs(KEYS) do
  keep_until(key, keep, now, server)
end
return reply(decision)
