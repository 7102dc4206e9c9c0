
-- semaphore_acquire: ports leasehold_core::Semaphores::acquire (crates/core/src/semaphore.rs).
-- KEYS[1]: the semaphore's hash (see the semaphore helpers).
-- ARGV: now, key, owner, capacity, ttl.
-- Reply: {'granted', fence, expires_at, reacquired 0|1} or {'denied', retry_after}.
local now, server = clock(ARGV[1])
local owner, capacity_arg, ttl_arg = ARGV[3], ARGV[4], ARGV[5]
check_str('key', ARGV[2], MAX_KEY_BYTES)
check_str('owner', owner, MAX_OWNER_BYTES)
local capacity = num(capacity_arg, 'capacity')
check_range('capacity', capacity, 1, MAX_CAPACITY, capacity_arg)
check_duration('ttl', num(ttl_arg, 'ttl'), ttl_arg)
check_now(now, ARGV[1])
local expires_at = expiry(now, num(ttl_arg, 'ttl'))
local key = KEYS[1]
local holders, last = sem_load(key)
local live = sem_live(holders, now)
local mine = sem_find(live, owner)
if mine then
  mine[3] = expires_at
  redis.call('HSET', key, 'h:' .. owner, sem_holder(mine[2], expires_at))
  sem_prune(key, holders, last, now, server)
  return { 'granted', mine[2], expires_at, 1 }
end
if #live >= capacity then
  -- The (live - capacity)-th (0-based) smallest live expiry frees the slot.
  local expiries = {}
  for i, holder in ipairs(live) do
    expiries[i] = holder[3]
  end
  table.sort(expiries)
  return { 'denied', expiries[#live - capacity + 1] - now }
end
local fence = fence_next(last, now)
holders = holders or {}
for _, holder in ipairs(holders) do
  if holder[1] == owner then
    -- The owner's dead slot, overwritten below: pruning must not delete the new one.
    holder.replaced = true
  end
end
holders[#holders + 1] = { owner, fence, expires_at }
redis.call('HSET', key, 'h:' .. owner, sem_holder(fence, expires_at), 'last', int(fence))
sem_prune(key, holders, fence, now, server)
return { 'granted', fence, expires_at, 0 }
