-- A fast path's write of the owner's lease (build.rs puts this text where a `_fast.lua` file
-- has the line `--: fast_put_lease.lua`), with `fence`, `expires_at` and `owner` set: one SET
-- of '<fence> <expires_at> <owner>', and with the server clock the key's TTL up to the new
-- expiry or the fence's forgettable instant, whichever is later (as lock_put keeps it).
if server then
  local keep = math.floor(fence / FENCES_PER_MS) + 1
  if keep < expires_at then
    keep = expires_at
  end
  redis.call('SET', KEYS[1], string.format('%d %d ', fence, expires_at) .. owner, 'PX', keep - now)
else
  redis.call('SET', KEYS[1], string.format('%d %d ', fence, expires_at) .. owner)
end
