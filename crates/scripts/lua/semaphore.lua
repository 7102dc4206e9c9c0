
-- semaphore helpers, concatenated after the prelude into every semaphore script.
-- A semaphore key is one hash: field 'last' holds the last fence issued on the key, and field
-- 'h:<owner>' holds one holder as '<fence> <expires_at>'. Holders are live while
-- expires_at > now; dead ones count for nothing and are dropped at the key's next write.

-- The key's holders {owner, fence, expires_at} and last fence; nil when the key is unknown.
local function sem_load(key)
  local flat = redis.call('HGETALL', key)
  if #flat == 0 then
    return nil, 0
  end
  local holders, last = {}, 0
  for i = 1, #flat, 2 do
    local field, value = flat[i], flat[i + 1]
    if field == 'last' then
      last = tonumber(value)
    elseif string.sub(field, 1, 2) == 'h:' then
      local fence, expires_at = string.match(value, '^(%d+) (%d+)$')
      holders[#holders + 1] = { string.sub(field, 3), tonumber(fence), tonumber(expires_at) }
    end
  end
  return holders, last
end

local function sem_live(holders, now)
  local live = {}
  for _, holder in ipairs(holders or {}) do
    if holder[3] > now then
      live[#live + 1] = holder
    end
  end
  return live
end

local function sem_find(live, owner)
  for _, holder in ipairs(live) do
    if holder[1] == owner then
      return holder
    end
  end
  return nil
end

-- SemaphoreRecord::prune, after a write: drops dead holders, forgets the key when nothing
-- live remains and its last fence is below the clock's floor, and otherwise keeps it (with the
-- server clock) until its last holder expires and its last fence may be forgotten.
local function sem_prune(key, holders, last, now, server)
  local until_at = fence_forgettable_at(last)
  local live = 0
  for _, holder in ipairs(holders) do
    if holder[3] <= now then
      if not holder.replaced then
        redis.call('HDEL', key, 'h:' .. holder[1])
      end
    else
      live = live + 1
      until_at = math.max(until_at, holder[3])
    end
  end
  if live == 0 and not must_remember(last, now) then
    redis.call('DEL', key)
  else
    keep_until(key, until_at, now, server)
  end
end

local function sem_holder(fence, expires_at)
  return int(fence) .. ' ' .. int(expires_at)
end
