
-- lock_extend's fast path: valid arguments, checked with plain comparisons before the
-- prelude's helpers are made (each is a closure made on every call), then one GET and the
-- body's decisions: no lease or an ended one: expired; someone else's: not_holder; the owner's:
-- extended to now + ttl with the same fence, the key's TTL up to the new expiry or the fence's
-- forgettable instant, whichever is later (lock_put). A value that is no lease, or a Redis
-- error, falls through to the body, nothing written; the body reads the clock again.
do
  --: fast_clock.lua
  local key, owner, ttl = ARGV[2], ARGV[3], tonumber(ARGV[4])
  if now and now >= 0 and now % 1 == 0
    and ttl and ttl >= 1 and ttl <= MAX_DURATION and ttl % 1 == 0 and now + ttl <= MAX
    and #key >= 1 and #key <= MAX_KEY_BYTES and #owner >= 1 and #owner <= MAX_OWNER_BYTES then
    --: fast_owned_lease.lua
    if fence then
      local expires_at = now + ttl
      --: fast_put_lease.lua
      return { 'extended', fence, expires_at }
    end
  end
end
