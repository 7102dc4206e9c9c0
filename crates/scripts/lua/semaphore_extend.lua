
-- semaphore_extend: ports leasehold_core::Semaphores::extend (crates/core/src/semaphore.rs).
-- KEYS[1]: the semaphore's hash (see the semaphore helpers).
-- ARGV: now, key, owner, ttl.
-- Reply: {'extended', fence, expires_at}, {'not_holder'} or {'expired'}.
local now, server = clock(ARGV[1])
local owner, ttl_arg = ARGV[3], ARGV[4]
check_str('key', ARGV[2], MAX_KEY_BYTES)
check_str('owner', owner, MAX_OWNER_BYTES)
check_duration('ttl', num(ttl_arg, 'ttl'), ttl_arg)
check_now(now, ARGV[1])
local expires_at = expiry(now, num(ttl_arg, 'ttl'))
local key = KEYS[1]
local holders, last = sem_load(key)
if not holders then
  return { 'expired' }
end
local live = sem_live(holders, now)
local mine = sem_find(live, owner)
if mine then
  mine[3] = expires_at
  redis.call('HSET', key, 'h:' .. owner, sem_holder(mine[2], expires_at))
  sem_prune(key, holders, last, now, server)
  return { 'extended', mine[2], expires_at }
end
if #live > 0 then
  return { 'not_holder' }
end
sem_prune(key, holders, last, now, server)
return { 'expired' }
