--[[
  stream_group_reclaim: takes over entries pending on consumers that went quiet. Each entry idle
  for at least `minIdleMs` is either dead-lettered (it was already delivered `maxDeliveries`
  times: it moves to the dead-letter stream with its last recorded error, then is acked) or
  claimed by `consumer` (its delivery count goes up by one). Entries trimmed away meanwhile are
  dropped from the pending list. With `ownOnly`, only entries pending on `consumer` itself are
  taken (a consumer restarting under the same name takes its own back at once).

  KEYS
    1 stream  stream <prefix>:{<tag>}:stream[:<topic>]
    2 meta    hash   <prefix>:{<tag>}:meta[:<topic>]
    3 errors  hash   <prefix>:{<tag>}:errors[:<topic>]
    4 dlq     stream <prefix>:{<tag>}:dlq:<group>[:<topic>]
  ARGV
    1 group          string
    2 consumer       string, who takes the entries
    3 minIdleMs      integer ms
    4 count          integer, most entries looked at
    5 maxDeliveries  integer
    6 dlqMaxLen      integer, 0 = no limit
    7 ownOnly        '1' / '0'
  Returns
    { status (1 = ok, 0 = topic or group missing), epoch,
      { id1, deliveries1, data1, … } (claimed), { id1, error1, … } (dead-lettered) }
]]
-- @include stream_common
-- @include stream_group
local k = { stream = KEYS[1], meta = KEYS[2], errors = KEYS[3], dlq = KEYS[4] }
local group, consumer, minIdleMs, count = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local maxDeliveries, dlqMaxLen, ownOnly = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7] == '1'

local epoch = currentEpoch(k.stream, k.meta)
if not epoch then return { 0, '', {}, {} } end
local ok, pending
if ownOnly then
  ok, pending = pcall(redis.call, 'XPENDING', k.stream, group, 'IDLE', minIdleMs, '-', '+', count, consumer)
else
  ok, pending = pcall(redis.call, 'XPENDING', k.stream, group, 'IDLE', minIdleMs, '-', '+', count)
end
if not ok then return { 0, epoch, {}, {} } end

local claimed, dead = {}, {}
for _, p in ipairs(pending) do
  local id, owner, deliveries = p[1], p[2], tonumber(p[4])
  if deliveries >= maxDeliveries then
    local err = redis.call('HGET', k.errors, group .. ':' .. id)
      or ('not acknowledged within ' .. minIdleMs .. ' ms by consumer ' .. owner)
    deadLetter(k, group, id, err, deliveries, owner, dlqMaxLen)
    dead[#dead + 1] = id
    dead[#dead + 1] = err
  else
    local rows = redis.call('XCLAIM', k.stream, group, consumer, minIdleMs, id)
    if rows[1] then
      claimed[#claimed + 1] = id
      claimed[#claimed + 1] = deliveries + 1
      claimed[#claimed + 1] = toMap(rows[1][2])['d'] or 'null'
    else
      -- trimmed away (or taken by someone else meanwhile): make sure it is not left pending
      if not redis.call('XRANGE', k.stream, id, id)[1] then
        redis.call('XACK', k.stream, group, id)
        redis.call('HDEL', k.errors, group .. ':' .. id)
      end
    end
  end
end
return { 1, epoch, claimed, dead }
