
-- hold_list: ports leasehold_core::Holds::list (crates/core/src/hold/ops.rs). Never writes.
-- KEYS: holds, expiry, fence (see the hold helpers).
-- ARGV: now, namespace, limit, '1' | '0' (a cursor follows), cursor expires_at, cursor item.
-- Reply: {'page', {item, fence, expires_at, ...}, has_next 0|1[, next expires_at, next item]}.
local now = clock(ARGV[1])
check_str('namespace', ARGV[2], MAX_KEY_BYTES)
local has_cursor = ARGV[4] == '1'
local after_at, after_item = nil, ARGV[6]
if has_cursor then
  check_str('cursor', after_item, MAX_ITEM_BYTES)
  after_at = num(ARGV[5], 'cursor expires_at')
end
local limit = num(ARGV[3], 'limit')
check_range('limit', limit, 1, MAX_PAGE, ARGV[3])
check_now(now, ARGV[1])

-- Whether a sorts after b byte by byte (Lua's own comparison follows the locale).
local function bytes_after(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then
      return x > y
    end
  end
  return #a > #b
end

-- Up to `want` live holds in (expires_at, item) order, after the cursor when it is live.
local want = limit + 1
local found = {}
local function take(flat)
  for i = 1, #flat, 2 do
    if #found < want then
      found[#found + 1] = { flat[i], tonumber(flat[i + 1]) }
    end
  end
end
if has_cursor and after_at > now then
  local at = int(after_at)
  local score = redis.call('ZSCORE', KEYS[2], after_item)
  if score and tonumber(score) == after_at then
    local rank = redis.call('ZRANK', KEYS[2], after_item)
    take(redis.call('ZRANGE', KEYS[2], rank + 1, rank + want, 'WITHSCORES'))
  else
    local same = redis.call('ZRANGEBYSCORE', KEYS[2], at, at, 'WITHSCORES')
    local later_ones = {}
    for i = 1, #same, 2 do
      if bytes_after(same[i], after_item) then
        later_ones[#later_ones + 1] = same[i]
        later_ones[#later_ones + 1] = same[i + 1]
      end
    end
    take(later_ones)
    if #found < want then
      take(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. at, '+inf', 'WITHSCORES', 'LIMIT', 0, want - #found))
    end
  end
else
  take(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. int(now), '+inf', 'WITHSCORES', 'LIMIT', 0, want))
end

local holds = {}
local listed = 0
for _, entry in ipairs(found) do
  local record = hold_get(entry[1])
  if record and listed < limit then
    holds[#holds + 1] = record.item
    holds[#holds + 1] = record.fence
    holds[#holds + 1] = record.expires_at
    listed = listed + 1
  end
end
if #found > limit and listed > 0 then
  return { 'page', holds, 1, holds[#holds], holds[#holds - 2] }
end
return { 'page', holds, 0 }
