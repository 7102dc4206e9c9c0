
-- limit_cooldown: ports leasehold_core::Limits::check and ::peek (limit/rule.rs) with the
-- Cooldown rule (limit/cooldown.rs). Hash field 'exp' = the end of the cooldown.
function rule.params(a)
  return { interval = param(a, 'interval') }
end

function rule.validate(p)
  check_duration('interval', p.interval.n, p.interval.raw)
end

function rule.limit()
  return 1
end

function rule.span(p)
  return p.interval.n
end

function rule.load(fields)
  return { exp = field(fields, 'exp') }
end

function rule.store()
end

function rule.decide(p, live, _, now)
  if live then
    local left = sub0(live.exp, now)
    return deny(1, 0, left, left)
  end
  return allow(1, 0, p.interval.n)
end

function rule.admit(p, state, _, _, now)
  state.exp = later(now, p.interval.n)
end

function rule.idle_after(_, live, now)
  if live then
    return sub0(live.exp, now)
  end
  return 0
end
