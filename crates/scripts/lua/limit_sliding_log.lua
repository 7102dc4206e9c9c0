
-- limit_sliding_log: ports leasehold_core::Limits::check and ::peek (limit/rule.rs) with the
-- SlidingLog rule (limit/sliding_log.rs). Hash fields: 'total' (cost of all marks held) and
-- 'exp'; KEYS[2] is the log, a list of marks '<at> <cost>', oldest first, strictly increasing
-- times (a check at the newest mark's time joins it).
local MAX_LOG_QUOTA = 10000

quota_per_window(MAX_LOG_QUOTA)

function rule.span(p)
  return p.window.n
end

function rule.load(fields)
  local marks = {}
  for i, mark in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
    local at, cost = string.match(mark, '^(%d+) (%d+)$')
    marks[i] = { at = tonumber(at), cost = tonumber(cost) }
  end
  return { total = field(fields, 'total'), exp = field(fields, 'exp'), marks = marks, popped = 0 }
end

local function mark_text(mark)
  return int(mark.at) .. ' ' .. int(mark.cost)
end

function rule.store(state)
  if state.cleared then
    redis.call('DEL', KEYS[2])
  end
  if state.popped > 0 then
    redis.call('LTRIM', KEYS[2], state.popped, -1)
  end
  local newest = state.marks[#state.marks]
  if state.merged then
    redis.call('LSET', KEYS[2], -1, mark_text(newest))
  else
    redis.call('RPUSH', KEYS[2], mark_text(newest))
  end
  return { 'total', int(state.total) }
end

local function counts(p, mark, now)
  return later(mark.at, p.window.n) > now
end

-- The cost of the marks that still count at `now`, and the index of the first of them.
local function used(p, log, now)
  local dropped, first = 0, 1
  while first <= #log.marks and not counts(p, log.marks[first], now) do
    dropped = dropped + log.marks[first].cost
    first = first + 1
  end
  return sub0(log.total, dropped), first
end

local function idle_at(p, log, now)
  local newest = log.marks[#log.marks]
  if newest and counts(p, newest, now) then
    return later(newest.at, p.window.n)
  end
  return now
end

local function fits_at(p, log, in_use, first, cost, now)
  local left = in_use
  for i = first, #log.marks do
    left = sub0(left, log.marks[i].cost)
    if left + cost <= p.quota.n then
      return later(log.marks[i].at, p.window.n)
    end
  end
  return now
end

function rule.decide(p, live, cost, now)
  local quota = p.quota.n
  local in_use, first = 0, 1
  if live then
    in_use, first = used(p, live, now)
  end
  if in_use + cost <= quota then
    local newest = now
    if live and #live.marks > 0 then
      newest = math.max(live.marks[#live.marks].at, now)
    end
    return allow(quota, quota - in_use - cost, sub0(later(newest, p.window.n), now))
  end
  if not live then
    return deny(quota, sub0(quota, in_use), 0, 0)
  end
  return deny(quota, sub0(quota, in_use), sub0(idle_at(p, live, now), now),
    sub0(fits_at(p, live, in_use, first, cost, now), now))
end

function rule.admit(p, log, live, cost, now)
  if not live then
    log.marks, log.total, log.cleared = {}, 0, true
  end
  local first = 1
  while first <= #log.marks and not counts(p, log.marks[first], now) do
    log.total = sub0(log.total, log.marks[first].cost)
    first = first + 1
  end
  if first > 1 then
    local kept = {}
    for i = first, #log.marks do
      kept[#kept + 1] = log.marks[i]
    end
    log.marks, log.popped = kept, first - 1
  end
  local newest, at = log.marks[#log.marks], now
  if newest and newest.at >= now then
    newest.cost = newest.cost + cost
    at, log.merged = newest.at, true
  else
    log.marks[#log.marks + 1] = { at = now, cost = cost }
  end
  log.total = log.total + cost
  log.exp = later(at, p.window.n)
end

function rule.idle_after(p, live, now)
  if live then
    return sub0(idle_at(p, live, now), now)
  end
  return 0
end
