
-- lock_release's fast path: valid arguments, checked with plain comparisons before the
-- prelude's helpers are made (each is a closure made on every call), then one GET and the
-- body's decisions: no lease or an ended one: expired; someone else's: not_holder; the owner's:
-- released, its fence kept (with the key's TTL up to the instant it can be forgotten) while
-- fence::must_remember says so, the key deleted otherwise. A value that is no lease, or a
-- Redis error, falls through to the body, nothing written; the body reads the clock again.
do
  --: fast_clock.lua
  local key, owner = ARGV[2], ARGV[3]
  if now and now >= 0 and now <= MAX and now % 1 == 0
    and #key >= 1 and #key <= MAX_KEY_BYTES and #owner >= 1 and #owner <= MAX_OWNER_BYTES then
    --: fast_owned_lease.lua
    if fence then
      -- fence::must_remember(fence, now): fence >= fence::floor(now).
      local floor = now
      if floor >= FLOOR_LIMIT_MS then
        floor = FLOOR_LIMIT_MS
      end
      if fence >= floor * FENCES_PER_MS then
        local value = string.format('%d %d ', fence, now) .. owner
        if server then
          -- lock_put up to fence_forgettable_at(fence), at least 1 ms.
          local left = math.floor(fence / FENCES_PER_MS) + 1 - now
          if left < 1 then
            left = 1
          end
          redis.call('SET', KEYS[1], value, 'PX', left)
        else
          redis.call('SET', KEYS[1], value)
        end
      else
        redis.call('DEL', KEYS[1])
      end
      return { 'released', fence }
    end
  end
end
