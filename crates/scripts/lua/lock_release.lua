
-- lock_release: ports leasehold_core::Locks::release (crates/core/src/lock.rs).
-- KEYS[1]: the lock's last lease (see lock.lua).
-- ARGV: now, key, owner.
-- Reply: {'released', fence}, {'not_holder'} or {'expired'}.
local now, server = clock(ARGV[1])
local owner = ARGV[3]
check_str('key', ARGV[2], MAX_KEY_BYTES)
check_str('owner', owner, MAX_OWNER_BYTES)
check_now(now, ARGV[1])
local fence, expires_at, holder = lock_parse(redis.call('GET', KEYS[1]))
if not fence or expires_at <= now then
  return { 'expired' }
end
if holder ~= owner then
  return { 'not_holder' }
end
if must_remember(fence, now) then
  lock_put(fence, now, owner, fence_forgettable_at(fence), now, server)
else
  redis.call('DEL', KEYS[1])
end
return { 'released', fence }
