--[[
  stream_group_nack: records that a handler failed on a pending entry. When the entry has been
  delivered `maxDeliveries` times it moves to the dead-letter stream with this error and is
  acked; otherwise the error is kept and the entry is made reclaimable after the retry delay
  (its idle time is set to claimIdle - retryDelay; its delivery count is unchanged).
  A consumer shutting down gives entries back instead: mode `unrun` (it never ran the entry:
  the delivery is not counted) or `abandon` (its handler did not finish in time: the delivery
  counts); no error is kept and the entry is reclaimable after `idleMs` less than claimIdle.

  KEYS
    1 stream  stream <prefix>:{<tag>}:stream[:<topic>]
    2 meta    hash   <prefix>:{<tag>}:meta[:<topic>]
    3 errors  hash   <prefix>:{<tag>}:errors[:<topic>]
    4 dlq     stream <prefix>:{<tag>}:dlq:<group>[:<topic>]
  ARGV
    1 group          string
    2 consumer       string
    3 id             stream id
    4 error          string, the handler's error
    5 maxDeliveries  integer
    6 idleMs         integer ms, idle time to give the entry (claimIdleMs - retryDelayMs)
    7 dlqMaxLen      integer entries kept in the dead-letter stream, 0 = no limit
    8 mode           'fail' | 'unrun' | 'abandon'
  Returns
    0 = the consumer no longer owns the entry (nothing done), 1 = will be retried,
    2 = dead-lettered
]]
-- @include stream_common
-- @include stream_group
local k = { stream = KEYS[1], meta = KEYS[2], errors = KEYS[3], dlq = KEYS[4] }
local group, consumer, id, err = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local maxDeliveries, idleMs, dlqMaxLen = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local mode = ARGV[8]

local ok, owner, _, deliveries = pcall(pendingOf, k.stream, group, id)
if not ok or owner ~= consumer then return 0 end
if mode ~= 'fail' then
  local count = deliveries
  if mode == 'unrun' and count > 0 then count = count - 1 end
  redis.call('XCLAIM', k.stream, group, consumer, 0, id, 'IDLE', idleMs, 'RETRYCOUNT', count, 'JUSTID')
  return 1
end
if deliveries >= maxDeliveries then
  deadLetter(k, group, id, err, deliveries, consumer, dlqMaxLen)
  return 2
end
redis.call('HSET', k.errors, group .. ':' .. id, err)
expireLike(k.errors, k.stream)
redis.call('XCLAIM', k.stream, group, consumer, 0, id, 'IDLE', idleMs, 'RETRYCOUNT', deliveries, 'JUSTID')
return 1
