
-- lock_acquire: ports leasehold_core::Locks::acquire (crates/core/src/lock.rs).
-- KEYS[1]: the lock's last lease (see lock.lua).
-- ARGV: now, key, owner, ttl.
-- Reply: {'granted', fence, expires_at, reacquired 0|1} or {'denied', retry_after}.
-- `now` and `server` come from lock_acquire_fast.lua, which ran first; an explicit clock is
-- checked here.
if not server then
  now = num(ARGV[1], 'now')
end
local owner, ttl_arg = ARGV[3], ARGV[4]
check_str('key', ARGV[2], MAX_KEY_BYTES)
check_str('owner', owner, MAX_OWNER_BYTES)
local ttl = num(ttl_arg, 'ttl')
check_duration('ttl', ttl, ttl_arg)
check_now(now, ARGV[1])
local expires_at = expiry(now, ttl)
local record = redis.call('GET', KEYS[1])
local last, held_until, holder = 0, 0, nil
if record then
  last, held_until, holder = lock_parse(record)
end
local reacquired, fence = false, nil
if held_until > now then
  if holder ~= owner then
    return { 'denied', held_until - now }
  end
  reacquired, fence = true, last
else
  fence = fence_next(last, now)
end
lock_put(fence, expires_at, owner, math.max(expires_at, fence_forgettable_at(fence)), now, server)
return { 'granted', fence, expires_at, bool(reacquired) }
