
-- lock_inspect: ports leasehold_core::Locks::inspect (crates/core/src/lock.rs). Never writes.
-- KEYS[1]: the lock's last lease (see lock.lua).
-- ARGV: now, key.
-- Reply: {'held', fence, expires_at} or {'free'}.
local now = clock(ARGV[1])
check_str('key', ARGV[2], MAX_KEY_BYTES)
check_now(now, ARGV[1])
local fence, expires_at = lock_parse(redis.call('GET', KEYS[1]))
if fence and expires_at > now then
  return { 'held', fence, expires_at }
end
return { 'free' }
