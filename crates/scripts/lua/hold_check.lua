
-- hold_check: ports leasehold_core::Holds::check (crates/core/src/hold/ops.rs). Never writes.
-- KEYS: holds, expiry, fence (see the hold helpers).
-- ARGV: now, namespace, items...
-- Reply: {'checked', {'held', fence, expires_at | 'free', ...}}.
local now = clock(ARGV[1])
check_str('namespace', ARGV[2], MAX_KEY_BYTES)
local items = check_items(3)
check_now(now, ARGV[1])
local results = {}
for _, item in ipairs(items) do
  local record = hold_get(item)
  if record and record.expires_at > now then
    results[#results + 1] = 'held'
    results[#results + 1] = record.fence
    results[#results + 1] = record.expires_at
  else
    results[#results + 1] = 'free'
  end
end
return { 'checked', results }
