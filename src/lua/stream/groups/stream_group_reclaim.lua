--[[
  stream_group_reclaim: takes over entries pending on consumers that went quiet. Each entry idle
  for at least `minIdleMs` is either dead-lettered (it was already delivered `maxDeliveries`
  times: it moves to the dead-letter stream with its last recorded error, then is acked) or
  claimed by `consumer` (its delivery count goes up by one). Entries trimmed away meanwhile are
  dropped from the pending list. With `ownOnly`, only entries pending on `consumer` itself are
  taken (a consumer restarting under the same name takes its own back at once).

  Bounded work: a call looks at no more than 10 × `count` pending entries, from a cursor kept in
  meta `rc:<group>` (the id after which the next call goes on), and wraps to the start of the
  pending list once it reaches the end. Not XAUTOCLAIM: it would make `consumer` the owner before
  the script could read who held an entry, and a dead letter names that consumer.

  KEYS
    1 stream  stream <prefix>:{<tag>}:stream[:<topic>]
    2 meta    hash   <prefix>:{<tag>}:meta[:<topic>]
    3 errors  hash   <prefix>:{<tag>}:errors[:<topic>]
    4 dlq     stream <prefix>:{<tag>}:dlq:<group>[:<topic>]
  ARGV
    1 group          string
    2 consumer       string, who takes the entries
    3 minIdleMs      integer ms
    4 count          integer, most entries taken (claimed or dead-lettered)
    5 maxDeliveries  integer
    6 dlqMaxLen      integer, 0 = no limit
    7 ownOnly        '1' / '0'
  Returns
    { status (1 = ok, 0 = topic or group missing), epoch,
      { id1, deliveries1, data1, … } (claimed), { id1, error1, … } (dead-lettered),
      cursor ('0' once the pending list was looked at to its end; else more remains) }
]]
-- @include stream_common
-- @include stream_group
local k = { stream = KEYS[1], meta = KEYS[2], errors = KEYS[3], dlq = KEYS[4] }
local group, consumer, minIdleMs, count = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local maxDeliveries, dlqMaxLen, ownOnly = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7] == '1'

local epoch = currentEpoch(k.stream, k.meta)
if not epoch then return { 0, '', {}, {}, '0' } end
local cursorField = 'rc:' .. group
local ok, pending, cursor
if ownOnly then
  -- a consumer's own pending list, every entry of it idle enough (minIdleMs is 0 at start)
  ok, pending = pcall(redis.call, 'XPENDING', k.stream, group, 'IDLE', minIdleMs, '-', '+', count, consumer)
  cursor = '0'
else
  -- XPENDING … IDLE would scan the whole list for idle entries; a plain range stops at `scan`
  local scan = count * 10
  local from = redis.call('HGET', k.meta, cursorField)
  ok, pending = pcall(redis.call, 'XPENDING', k.stream, group, from and ('(' .. from) or '-', '+', scan)
  if ok then
    if #pending < scan then cursor = '0' else cursor = pending[#pending][1] end
  end
end
if not ok then return { 0, epoch, {}, {}, '0' } end

local claimed, dead = {}, {}
local taken = 0
for _, p in ipairs(pending) do
  local id, owner, idle, deliveries = p[1], p[2], tonumber(p[3]), tonumber(p[4])
  if idle >= minIdleMs then
    if deliveries >= maxDeliveries then
      local err = redis.call('HGET', k.errors, group .. ':' .. id)
        or ('not acknowledged within ' .. minIdleMs .. ' ms by consumer ' .. owner)
      deadLetter(k, group, id, err, deliveries, owner, dlqMaxLen)
      dead[#dead + 1] = id
      dead[#dead + 1] = err
      taken = taken + 1
    else
      local rows = redis.call('XCLAIM', k.stream, group, consumer, minIdleMs, id)
      if rows[1] then
        claimed[#claimed + 1] = id
        claimed[#claimed + 1] = deliveries + 1
        claimed[#claimed + 1] = toMap(rows[1][2])['d'] or 'null'
        taken = taken + 1
      else
        -- trimmed away (or taken by someone else meanwhile): make sure it is not left pending
        if not redis.call('XRANGE', k.stream, id, id)[1] then
          redis.call('XACK', k.stream, group, id)
          redis.call('HDEL', k.errors, group .. ':' .. id)
        end
      end
    end
    if taken >= count then
      -- the next call goes on after this entry
      if not ownOnly then cursor = id end
      break
    end
  end
end
if not ownOnly then
  if cursor == '0' then
    redis.call('HDEL', k.meta, cursorField)
  else
    redis.call('HSET', k.meta, cursorField, cursor)
  end
end
return { 1, epoch, claimed, dead, cursor }
