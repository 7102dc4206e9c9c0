
-- limit_gcra: ports leasehold_core::Limits::check and ::peek (limit/rule.rs) with the Gcra
-- rule (limit/gcra.rs). Hash field 'exp' = the theoretical arrival time (TAT).
function rule.params(a, b)
  return { burst = param(a, 'burst'), interval = param(b, 'interval') }
end

function rule.validate(p)
  check_range('burst', p.burst.n, 1, MAX_COUNT, p.burst.raw)
  check_span('interval', p.interval.n, p.burst.n, p.interval.raw)
end

function rule.limit(p)
  return p.burst.n
end

local function tolerance(p)
  return p.burst.n * p.interval.n
end

function rule.span(p)
  return tolerance(p)
end

function rule.load(fields)
  return { exp = field(fields, 'exp') }
end

function rule.store()
end

local function remaining(p, busy)
  return floor_div(sub0(tolerance(p), busy), p.interval.n)
end

local function step(p, live, cost, now)
  local base = now
  if live then
    base = math.max(live.exp, now)
  end
  local next_at = later(base, cost * p.interval.n)
  local busy = sub0(next_at, now)
  if busy > tolerance(p) then
    local retry_after = busy - tolerance(p)
    local waited = sub0(base, now)
    return deny(p.burst.n, remaining(p, waited), waited, retry_after), base
  end
  return allow(p.burst.n, remaining(p, busy), busy), next_at
end

function rule.decide(p, live, cost, now)
  return (step(p, live, cost, now))
end

function rule.admit(p, state, live, cost, now)
  local _, tat = step(p, live and state or nil, cost, now)
  state.exp = tat
end

function rule.idle_after(_, live, now)
  if live then
    return sub0(live.exp, now)
  end
  return 0
end
