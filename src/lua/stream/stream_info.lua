--[[
  stream_info: a topic's state in one consistent step.

  KEYS
    1 stream  stream <prefix>:{<tag>}:stream[:<topic>]
    2 meta    hash   <prefix>:{<tag>}:meta[:<topic>]
  ARGV
    (none)
  Returns
    {} when the topic does not exist, else
    { epoch, length, firstId ('' if empty), lastId ('0-0' if empty), trimmedId ('' if never),
      ttlMs (-1 = none), entriesAdded, groups (flat: name, lastSeenMs …) }
]]
-- @include stream_common
local streamKey, metaKey = KEYS[1], KEYS[2]

local epoch = currentEpoch(streamKey, metaKey)
if not epoch then return {} end
local first = redis.call('XRANGE', streamKey, '-', '+', 'COUNT', 1)
local last = redis.call('XREVRANGE', streamKey, '+', '-', 'COUNT', 1)
local meta = redis.call('HGETALL', metaKey)
local groups = {}
for i = 1, #meta, 2 do
  local name = string.match(meta[i], '^g:(.+)$')
  if name then
    groups[#groups + 1] = name
    groups[#groups + 1] = meta[i + 1]
  end
end
local info = toMap(redis.call('XINFO', 'STREAM', streamKey))
return {
  epoch,
  redis.call('XLEN', streamKey),
  first[1] and first[1][1] or '',
  last[1] and last[1][1] or '0-0',
  redis.call('HGET', metaKey, 'trimmed') or '',
  redis.call('PTTL', streamKey),
  info['entries-added'],
  groups,
}
