-- The clock of a fast path (build.rs puts this text where a `_fast.lua` file has the line
-- `--: fast_clock.lua`): `server` when ARGV[1] is 'server', then `now` from Redis's TIME in
-- whole milliseconds; otherwise `now` is ARGV[1] as a number (nil when it is none), which the
-- fast path checks before use. In a batch variant TIME is the batch's one reading.
local server = ARGV[1] == 'server'
local now
if server then
  local t = redis.call('TIME')
  now = t[1] * 1000 + math.floor(t[2] / 1000)
else
  now = tonumber(ARGV[1])
end
