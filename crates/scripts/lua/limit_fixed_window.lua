
-- limit_fixed_window: ports leasehold_core::Limits::check and ::peek (limit/rule.rs) with the
-- FixedWindow rule (limit/fixed_window.rs). Hash fields: 'count', and 'exp' = the window's end.
quota_per_window(MAX_COUNT)

function rule.span(p)
  return p.window.n
end

function rule.load(fields)
  return { count = field(fields, 'count'), exp = field(fields, 'exp') }
end

function rule.store(state)
  return { 'count', int(state.count) }
end

local function step(p, live, cost, now)
  local quota = p.quota.n
  local current = live or { count = 0, exp = later(now, p.window.n) }
  local reset_after = sub0(current.exp, now)
  local count = current.count + cost
  if count > quota then
    return deny(quota, sub0(quota, current.count), reset_after, reset_after), current
  end
  return allow(quota, quota - count, reset_after), { count = count, exp = current.exp }
end

function rule.decide(p, live, cost, now)
  return (step(p, live, cost, now))
end

function rule.admit(p, state, live, cost, now)
  local _, next_state = step(p, live and state or nil, cost, now)
  state.count, state.exp = next_state.count, next_state.exp
end

function rule.idle_after(p, live, now)
  if live then
    return sub0(live.exp, now)
  end
  return 0
end
