
-- limit_token_bucket: ports leasehold_core::Limits::check and ::peek (limit/rule.rs) with the
-- TokenBucket rule (limit/token_bucket.rs). Hash fields: 'tokens', 'last' (the refill clock's
-- last tick) and 'exp' = when the bucket is full again.
function rule.params(a, b, c)
  return { capacity = param(a, 'capacity'), refill = param(b, 'refill'), interval = param(c, 'interval') }
end

function rule.validate(p)
  check_range('capacity', p.capacity.n, 1, MAX_COUNT, p.capacity.raw)
  check_range('refill', p.refill.n, 1, p.capacity.n, p.refill.raw)
  check_span('interval', p.interval.n, math.max(ceil_div(p.capacity.n, p.refill.n), 1), p.interval.raw)
end

function rule.limit(p)
  return p.capacity.n
end

function rule.span(p)
  return ceil_div(p.capacity.n, p.refill.n) * p.interval.n
end

function rule.load(fields)
  return { tokens = field(fields, 'tokens'), last = field(fields, 'last'), exp = field(fields, 'exp') }
end

function rule.store(state)
  return { 'tokens', int(state.tokens), 'last', int(state.last) }
end

-- Tokens and last tick at `now`, refilled by the whole intervals passed since `last`.
local function view(p, live, now)
  if not live then
    return p.capacity.n, now
  end
  local intervals = floor_div(sub0(now, live.last), p.interval.n)
  if intervals >= ceil_div(sub0(p.capacity.n, live.tokens), p.refill.n) then
    return p.capacity.n, now
  end
  return live.tokens + intervals * p.refill.n, later(live.last, intervals * p.interval.n)
end

local function tick_with(p, tokens, goal, last)
  return later(last, ceil_div(sub0(goal, tokens), p.refill.n) * p.interval.n)
end

local function step(p, live, cost, now)
  local tokens, last = view(p, live, now)
  local capacity = p.capacity.n
  if tokens < cost then
    local full_at = tick_with(p, tokens, capacity, last)
    local retry_after = sub0(tick_with(p, tokens, cost, last), now)
    return deny(capacity, tokens, sub0(full_at, now), retry_after), { tokens = tokens, last = last, exp = full_at }
  end
  tokens = tokens - cost
  local full_at = tick_with(p, tokens, capacity, last)
  return allow(capacity, tokens, sub0(full_at, now)), { tokens = tokens, last = last, exp = full_at }
end

function rule.decide(p, live, cost, now)
  return (step(p, live, cost, now))
end

function rule.admit(p, state, live, cost, now)
  local _, bucket = step(p, live and state or nil, cost, now)
  state.tokens, state.last, state.exp = bucket.tokens, bucket.last, bucket.exp
end

function rule.idle_after(p, live, now)
  local tokens, last = view(p, live, now)
  return sub0(tick_with(p, tokens, p.capacity.n, last), now)
end
