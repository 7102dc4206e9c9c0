
-- limit_reset: ports leasehold_core::Limits::reset (limit/mod.rs, rule::forget).
-- KEYS[1]: the limit's hash; KEYS[2]: the sliding log's list (sliding log only).
-- ARGV: now, key.
-- Reply: {'forgotten'} when the key had live state (counts, strikes or a block), else {'absent'}.
local now = clock(ARGV[1])
check_str('key', ARGV[2], MAX_KEY_BYTES)
check_now(now, ARGV[1])
local record = redis.call('HMGET', KEYS[1], 'exp', 'su', 'sb')
local live = false
for i = 1, 3 do
  if record[i] and tonumber(record[i]) > now then
    live = true
  end
end
redis.call('DEL', unpack(KEYS))
if live then
  return { 'forgotten' }
end
return { 'absent' }
