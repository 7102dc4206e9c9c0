
-- lock_acquire: ports leasehold_core::Locks::acquire (crates/core/src/lock.rs).
-- KEYS[1]: the lock's hash {owner, fence, expires_at}: its last lease.
-- ARGV: now, key, owner, ttl.
-- Reply: {'granted', fence, expires_at, reacquired 0|1} or {'denied', retry_after}.
local now, server = clock(ARGV[1])
local owner, ttl_arg = ARGV[3], ARGV[4]
check_str('key', ARGV[2], MAX_KEY_BYTES)
check_str('owner', owner, MAX_OWNER_BYTES)
check_duration('ttl', num(ttl_arg, 'ttl'), ttl_arg)
check_now(now, ARGV[1])
local expires_at = expiry(now, num(ttl_arg, 'ttl'))
local key = KEYS[1]
local record = redis.call('HMGET', key, 'owner', 'fence', 'expires_at')
local last, reacquired, fence = 0, false, nil
if record[1] then
  last = tonumber(record[2])
  if tonumber(record[3]) > now then
    if record[1] ~= owner then
      return { 'denied', tonumber(record[3]) - now }
    end
    reacquired, fence = true, last
  end
end
if not reacquired then
  fence = fence_next(last, now)
end
redis.call('HSET', key, 'owner', owner, 'fence', int(fence), 'expires_at', int(expires_at))
keep_until(key, math.max(expires_at, fence_forgettable_at(fence)), now, server)
return { 'granted', fence, expires_at, bool(reacquired) }
