
-- Lock helpers, concatenated after the prelude into every lock script.
-- KEYS[1]: the lock's last lease, one string '<fence> <expires_at> <owner>', so a script reads
-- it with one GET and writes it, with its Redis TTL, with one SET.

-- The lease `value` as fence, expires_at, owner; nil when there is none.
local function lock_parse(value)
  if not value then
    return nil
  end
  local fence, expires_at, owner = string.match(value, '^(%d+) (%d+) (.*)$')
  return tonumber(fence), tonumber(expires_at), owner
end

-- The lease as stored.
local function lock_value(fence, expires_at, owner)
  return string.format('%d %d ', fence, expires_at) .. owner
end

-- Writes the lease and, with the server clock, its reclamation TTL up to `keep` (see
-- keep_until) in one SET. With an explicit clock the key gets no TTL.
local function lock_put(fence, expires_at, owner, keep, now, server)
  local value = lock_value(fence, expires_at, owner)
  if server then
    local left = keep - now
    if left < 1 then
      left = 1
    end
    redis.call('SET', KEYS[1], value, 'PX', int(left))
  else
    redis.call('SET', KEYS[1], value)
  end
end
