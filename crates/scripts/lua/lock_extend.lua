
-- lock_extend: ports leasehold_core::Locks::extend (crates/core/src/lock.rs).
-- KEYS[1]: the lock's last lease (see lock.lua).
-- ARGV: now, key, owner, ttl.
-- Reply: {'extended', fence, expires_at}, {'not_holder'} or {'expired'}.
local now, server = clock(ARGV[1])
local owner, ttl_arg = ARGV[3], ARGV[4]
check_str('key', ARGV[2], MAX_KEY_BYTES)
check_str('owner', owner, MAX_OWNER_BYTES)
local ttl = num(ttl_arg, 'ttl')
check_duration('ttl', ttl, ttl_arg)
check_now(now, ARGV[1])
local expires_at = expiry(now, ttl)
local fence, held_until, holder = lock_parse(redis.call('GET', KEYS[1]))
if not fence or held_until <= now then
  return { 'expired' }
end
if holder ~= owner then
  return { 'not_holder' }
end
lock_put(fence, expires_at, owner, math.max(expires_at, fence_forgettable_at(fence)), now, server)
return { 'extended', fence, expires_at }
