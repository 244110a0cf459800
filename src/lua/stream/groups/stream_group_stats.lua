--[[
  stream_group_stats: one consistent snapshot of a consumer group.

  KEYS
    1 stream  stream <prefix>:{<tag>}:stream[:<topic>]
    2 meta    hash   <prefix>:{<tag>}:meta[:<topic>]
    3 dlq     stream <prefix>:{<tag>}:dlq:<group>[:<topic>]
  ARGV
    1 group   string
    2 lagCap  integer, most entries counted when Redis cannot tell the lag itself
  Returns
    {} when the topic or the group does not exist, else
    { now (ms, Redis clock), lastDeliveredId, lag, pending, oldestPendingId ('' if none),
      deadLetters, length, lastSeenMs (-1 if never), { name1, pending1, idleMs1, … } }
]]
-- @include stream_common
local streamKey, metaKey, dlqKey = KEYS[1], KEYS[2], KEYS[3]
local group, lagCap = ARGV[1], tonumber(ARGV[2])

if redis.call('EXISTS', streamKey) == 0 then return {} end
local info = nil
for _, raw in ipairs(redis.call('XINFO', 'GROUPS', streamKey)) do
  local g = toMap(raw)
  if g['name'] == group then info = g end
end
if not info then return {} end

local lastDelivered = info['last-delivered-id']
local lag = info['lag']
if type(lag) ~= 'number' then
  lag = #redis.call('XRANGE', streamKey, '(' .. lastDelivered, '+', 'COUNT', lagCap)
end
local summary = redis.call('XPENDING', streamKey, group)
local consumers = {}
for _, raw in ipairs(redis.call('XINFO', 'CONSUMERS', streamKey, group)) do
  local c = toMap(raw)
  consumers[#consumers + 1] = c['name']
  consumers[#consumers + 1] = c['pending']
  consumers[#consumers + 1] = c['idle']
end
return {
  streamNow(),
  lastDelivered,
  lag,
  summary[1],
  summary[2] or '',
  redis.call('XLEN', dlqKey),
  redis.call('XLEN', streamKey),
  tonumber(redis.call('HGET', metaKey, 'g:' .. group) or '-1'),
  consumers,
}
