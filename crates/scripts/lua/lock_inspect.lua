
-- lock_inspect: ports leasehold_core::Locks::inspect (crates/core/src/lock.rs). Never writes.
-- KEYS[1]: the lock's hash {owner, fence, expires_at}.
-- ARGV: now, key.
-- Reply: {'held', fence, expires_at} or {'free'}.
local now = clock(ARGV[1])
check_str('key', ARGV[2], MAX_KEY_BYTES)
check_now(now, ARGV[1])
local record = redis.call('HMGET', KEYS[1], 'fence', 'expires_at')
if record[1] and tonumber(record[2]) > now then
  return { 'held', tonumber(record[1]), tonumber(record[2]) }
end
return { 'free' }
