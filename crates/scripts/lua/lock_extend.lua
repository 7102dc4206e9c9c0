
-- lock_extend: ports leasehold_core::Locks::extend (crates/core/src/lock.rs).
-- KEYS[1]: the lock's hash {owner, fence, expires_at}.
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
local record = redis.call('HMGET', key, 'owner', 'fence', 'expires_at')
if not record[1] or tonumber(record[3]) <= now then
  return { 'expired' }
end
if record[1] ~= owner then
  return { 'not_holder' }
end
local fence = tonumber(record[2])
redis.call('HSET', key, 'expires_at', int(expires_at))
keep_until(key, math.max(expires_at, fence_forgettable_at(fence)), now, server)
return { 'extended', fence, expires_at }
