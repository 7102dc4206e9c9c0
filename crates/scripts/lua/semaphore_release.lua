
-- semaphore_release: ports leasehold_core::Semaphores::release (crates/core/src/semaphore.rs).
-- KEYS[1]: the semaphore's hash (see the semaphore helpers).
-- ARGV: now, key, owner.
-- Reply: {'released', fence}, {'not_holder'} or {'expired'}.
local now, server = clock(ARGV[1])
local owner = ARGV[3]
check_str('key', ARGV[2], MAX_KEY_BYTES)
check_str('owner', owner, MAX_OWNER_BYTES)
check_now(now, ARGV[1])
local key = KEYS[1]
local holders, last = sem_load(key)
if not holders then
  return { 'expired' }
end
local live = sem_live(holders, now)
local mine = sem_find(live, owner)
if mine then
  redis.call('HDEL', key, 'h:' .. owner)
  mine[3] = now
  sem_prune(key, holders, last, now, server)
  return { 'released', mine[2] }
end
if #live > 0 then
  return { 'not_holder' }
end
sem_prune(key, holders, last, now, server)
return { 'expired' }
