-- Helpers for consumer-group scripts. Included with `-- @include stream_group` (after
-- `-- @include stream_common`).

-- Moves pending entry `id` of `group` to the group's dead-letter stream with its last error,
-- then acks it and forgets the error. An entry already trimmed away is just acked.
local function deadLetter(k, group, id, err, deliveries, consumer, dlqMaxLen)
  local row = redis.call('XRANGE', k.stream, id, id)
  if row[1] then
    local data = toMap(row[1][2])['d'] or 'null'
    local epoch = redis.call('HGET', k.meta, 'epoch') or '0'
    local args = { 'XADD', k.dlq }
    if dlqMaxLen > 0 then
      args[#args + 1] = 'MAXLEN'
      args[#args + 1] = dlqMaxLen
    end
    for _, v in ipairs({ '*', 'p', epoch .. ':' .. id, 'd', data, 'e', err, 'n', deliveries, 'c', consumer }) do
      args[#args + 1] = v
    end
    redis.call(unpack(args))
    expireLike(k.dlq, k.stream)
  end
  redis.call('XACK', k.stream, group, id)
  redis.call('HDEL', k.errors, group .. ':' .. id)
end

-- The pending record of `id` in `group`: owner, idle ms, deliveries; nil if not pending.
local function pendingOf(streamKey, group, id)
  local p = redis.call('XPENDING', streamKey, group, id, id, 1)
  if not p[1] then return nil end
  return p[1][2], tonumber(p[1][3]), tonumber(p[1][4])
end
