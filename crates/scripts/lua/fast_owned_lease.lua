-- A fast path's reading of the caller's lease (build.rs puts this text where a `_fast.lua`
-- file has the line `--: fast_owned_lease.lua`), after fast_clock.lua and the argument checks,
-- with `owner` set: one GET of KEYS[1], then `fence` and `held_until` of the lease there. No
-- lease, or one that has ended: 'expired'; someone else's: 'not_holder'. A value that is no
-- lease, or a Redis error, leaves `fence` nil: the fast path then falls through to the body.
local record = redis.pcall('GET', KEYS[1])
local fence, held_until, holder
if type(record) == 'string' then
  fence, held_until, holder = string.match(record, '^(%d+) (%d+) (.*)$')
  fence, held_until = tonumber(fence), tonumber(held_until)
end
if not record or (fence and held_until <= now) then
  return { 'expired' }
end
if fence and holder ~= owner then
  return { 'not_holder' }
end
