
-- semaphore_inspect: ports leasehold_core::Semaphores::inspect (crates/core/src/semaphore.rs).
-- Never writes.
-- KEYS[1]: the semaphore's hash (see the semaphore helpers).
-- ARGV: now, key.
-- Reply: {'held', holders, next_expiry} or {'free'}.
local now = clock(ARGV[1])
check_str('key', ARGV[2], MAX_KEY_BYTES)
check_now(now, ARGV[1])
local holders = sem_load(KEYS[1])
local live = sem_live(holders, now)
if #live == 0 then
  return { 'free' }
end
local earliest = MAX
for _, holder in ipairs(live) do
  earliest = math.min(earliest, holder[3])
end
return { 'held', #live, earliest }
