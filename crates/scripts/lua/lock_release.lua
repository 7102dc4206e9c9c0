
-- lock_release: ports leasehold_core::Locks::release (crates/core/src/lock.rs).
-- KEYS[1]: the lock's hash {owner, fence, expires_at}.
-- ARGV: now, key, owner.
-- Reply: {'released', fence}, {'not_holder'} or {'expired'}.
local now, server = clock(ARGV[1])
local owner = ARGV[3]
check_str('key', ARGV[2], MAX_KEY_BYTES)
check_str('owner', owner, MAX_OWNER_BYTES)
check_now(now, ARGV[1])
local key = KEYS[1]
local record = redis.call('HMGET', key, 'owner', 'fence', 'expires_at')
if not record[1] or tonumber(record[3]) <= now then
  return { 'expired' }
end
if record[1] ~= owner then
  return { 'not_holder' }
end
local fence = tonumber(record[2])
if must_remember(fence, now) then
  redis.call('HSET', key, 'expires_at', int(now))
  keep_until(key, fence_forgettable_at(fence), now, server)
else
  redis.call('DEL', key)
end
return { 'released', fence }
