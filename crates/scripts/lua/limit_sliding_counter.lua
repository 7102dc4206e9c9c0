
-- limit_sliding_counter: ports leasehold_core::Limits::check and ::peek (limit/rule.rs) with
-- the SlidingCounter rule (limit/sliding_counter.rs). Hash fields: 'start' (of the current
-- window), 'previous', 'current', and 'exp'.
local MAX_COUNTER_QUOTA = 250000

quota_per_window(MAX_COUNTER_QUOTA)

function rule.span(p)
  return p.window.n * 2
end

function rule.load(fields)
  return {
    start = field(fields, 'start'),
    previous = field(fields, 'previous'),
    current = field(fields, 'current'),
    exp = field(fields, 'exp'),
  }
end

function rule.store(state)
  return { 'start', int(state.start), 'previous', int(state.previous), 'current', int(state.current) }
end

-- The counter rolled forward into the window that contains `now`.
local function view(p, live, now)
  local window = p.window.n
  if not live then
    return { start = now, previous = 0, current = 0, exp = 0 }
  end
  local elapsed = sub0(now, live.start)
  if elapsed < window then
    return { start = live.start, previous = live.previous, current = live.current, exp = live.exp }
  elseif elapsed < window * 2 then
    return { start = later(live.start, window), previous = live.current, current = 0, exp = live.exp }
  end
  return { start = now, previous = 0, current = 0, exp = 0 }
end

local function carried(p, counter, now)
  return counter.previous * sub0(p.window.n, sub0(now, counter.start))
end

local function remaining(p, current, weight)
  return sub0(sub0(p.quota.n, current), ceil_div(weight, p.window.n))
end

local function idle_at(p, counter, now)
  if counter.current > 0 then
    return later(counter.start, p.window.n * 2)
  elseif counter.previous > 0 then
    return later(counter.start, p.window.n)
  end
  return now
end

local function fits_at(p, counter, cost)
  local window, quota = p.window.n, p.quota.n
  local room = sub0(quota, cost)
  if counter.current + cost <= quota then
    local keep = window
    if counter.previous > 0 then
      keep = floor_div(sub0(room, counter.current) * window, counter.previous)
    end
    return later(counter.start, sub0(window, keep))
  end
  local keep = window
  if counter.current > 0 then
    keep = floor_div(room * window, counter.current)
  end
  return later(counter.start, window + sub0(window, keep))
end

function rule.decide(p, live, cost, now)
  local counter = view(p, live, now)
  local weight = carried(p, counter, now)
  local current = counter.current + cost
  local room = sub0(p.quota.n, current) * p.window.n
  if current <= p.quota.n and weight <= room then
    local reset_after = sub0(later(counter.start, rule.span(p)), now)
    return allow(p.quota.n, remaining(p, current, weight), reset_after)
  end
  return deny(p.quota.n, remaining(p, counter.current, weight), sub0(idle_at(p, counter, now), now),
    sub0(fits_at(p, counter, cost), now))
end

function rule.admit(p, state, live, cost, now)
  local counter = view(p, live and state or nil, now)
  state.start, state.previous = counter.start, counter.previous
  state.current = counter.current + cost
  state.exp = later(counter.start, rule.span(p))
end

function rule.idle_after(p, live, now)
  if live then
    return sub0(idle_at(p, view(p, live, now), now), now)
  end
  return 0
end
