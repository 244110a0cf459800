--[[
  stream_publish: appends entries to a topic in one atomic step. Per entry with an idempotency
  key that was seen within the window (the window runs from the first publish with that key),
  nothing is appended and the first entry's id is returned; after the window the key appends
  anew.
  Then: trims the topic (retention), refreshes its idle TTL, tells live readers (one Pub/Sub
  message for the whole call) and, for a topic in a fan-in feed, appends one pointer entry per
  new entry to the feed partition (same slot) and trims and notifies that too.

  KEYS
    1 stream      stream <prefix>:{<tag>}:stream[:<topic>]
    2 meta        hash   <prefix>:{<tag>}:meta[:<topic>]
    3 idem        hash   <prefix>:{<tag>}:idem[:<topic>]
    4 idemz       zset   <prefix>:{<tag>}:idemz[:<topic>]
    5 errors      hash   <prefix>:{<tag>}:errors[:<topic>]   (cleared when the topic is recreated)
    6 feedStream  stream <prefix>:{f:<feed>:<n>}:stream      (only with a feed)
    7 feedMeta    hash   <prefix>:{f:<feed>:<n>}:meta        (only with a feed)
    8 feedIdem    hash   <prefix>:{f:<feed>:<n>}:idem        (only with a feed; cleared on recreate)
    9 feedIdemz   zset   <prefix>:{f:<feed>:<n>}:idemz       (only with a feed; cleared on recreate)
   10 feedErrors  hash   <prefix>:{f:<feed>:<n>}:errors      (only with a feed; cleared on recreate)
  ARGV
    1 epochCandidate   string, the epoch if this call (re)creates the topic
    2 channel          string, Pub/Sub channel of the topic
    3 maxLen           integer entries, 0 = no limit
    4 maxAgeMs         integer ms, 0 = no limit
    5 ttlMs            integer ms, idle expiry refreshed by this call, 0 = none
    6 protect          '1' = keep entries a live group has not acked, '0' = trim regardless
    7 groupLiveMs      integer ms a group stays live after its consumers were last seen
    8 idemWindowMs     integer ms an idempotency key is remembered
    9 inlineMaxBytes   integer bytes of data a notification may carry inline
   10 count N
    then N pairs: idempotencyKey ('' = none), data (JSON string)
    then, only with a feed (KEYS 6–10 given), 8 more:
      feedEpochCandidate, feedChannel, feedMaxLen, feedMaxAgeMs, feedTtlMs, feedProtect,
      feedGroupLiveMs (as above, for the feed partition), topicName (goes into the pointers)
  Returns
    { epoch, id1, duplicate1 (1/0), id2, duplicate2, … }
  Notification (Pub/Sub message, when anything was appended), lines separated by '\n':
    epoch, prevId ('0-0' if none), count, inline (1/0), count ids, then count data if inline
]]
-- @include stream_common
local streamKey, metaKey, idemKey, idemzKey, errorsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local feedStreamKey, feedMetaKey, feedIdemKey, feedIdemzKey, feedErrorsKey =
  KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]
local epochCandidate, channel = ARGV[1], ARGV[2]
local maxLen, maxAgeMs, ttlMs = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local protect, groupLiveMs, idemWindowMs = ARGV[6] == '1', tonumber(ARGV[7]), tonumber(ARGV[8])
local inlineMaxBytes, count = tonumber(ARGV[9]), tonumber(ARGV[10])
local FIRST = 11 -- ARGV index of the first entry
local hasFeed = #KEYS > 5
local f = FIRST + 2 * count -- ARGV index of the feed section
local feedEpochCandidate, feedChannel = ARGV[f], ARGV[f + 1]
local feedMaxLen, feedMaxAgeMs, feedTtlMs = tonumber(ARGV[f + 2]), tonumber(ARGV[f + 3]), tonumber(ARGV[f + 4])
local feedProtect, feedGroupLiveMs, topicName = ARGV[f + 5] == '1', tonumber(ARGV[f + 6]), ARGV[f + 7]

local clock = lazyClock()
local epoch, prev, groupsSeen = openTopic(streamKey, metaKey, epochCandidate, { idemKey, idemzKey, errorsKey })
local feedEpoch, feedPrev, feedGroupsSeen
if hasFeed then
  feedEpoch, feedPrev, feedGroupsSeen =
    openTopic(feedStreamKey, feedMetaKey, feedEpochCandidate, { feedIdemKey, feedIdemzKey, feedErrorsKey })
end

-- Forget idempotency keys whose window has passed (bounded per call; only calls that use keys
-- add them, so only those need to clean up).
local anyKey = false
for i = 0, count - 1 do
  if ARGV[FIRST + i * 2] ~= '' then anyKey = true end
end
if anyKey and idemWindowMs > 0 then
  local expired = redis.call('ZRANGEBYSCORE', idemzKey, '-inf', clock(), 'LIMIT', 0, 100 + 2 * count)
  if #expired > 0 then
    redis.call('HDEL', idemKey, unpack(expired))
    redis.call('ZREM', idemzKey, unpack(expired))
  end
end

local out = { epoch }
local ids, datas, feedIds, pointers = {}, {}, {}, {}
local bytes = 0
for i = 0, count - 1 do
  local key, data = ARGV[FIRST + i * 2], ARGV[FIRST + 1 + i * 2]
  local existing = nil
  if key ~= '' then
    existing = redis.call('HGET', idemKey, key)
    -- A key the bounded clean-up above has not reached yet may be past its window: not a repeat.
    if existing and (tonumber(redis.call('ZSCORE', idemzKey, key)) or 0) <= clock() then
      existing = nil
    end
  end
  if existing then
    out[#out + 1] = existing
    out[#out + 1] = 1
  else
    local id = redis.call('XADD', streamKey, '*', 'd', data)
    if key ~= '' and idemWindowMs > 0 then
      redis.call('HSET', idemKey, key, id)
      redis.call('ZADD', idemzKey, clock() + idemWindowMs, key)
    end
    ids[#ids + 1] = id
    datas[#datas + 1] = data
    bytes = bytes + #data
    out[#out + 1] = id
    out[#out + 1] = 0
    if hasFeed then
      local pointer = '{"topic":' .. cjson.encode(topicName) .. ',"position":"' .. epoch .. ':' .. id .. '"}'
      feedIds[#feedIds + 1] = redis.call('XADD', feedStreamKey, '*', 'd', pointer)
      pointers[#pointers + 1] = pointer
    end
  end
end

local function notify(ch, ep, prevId, newIds, newDatas, inline)
  local lines = { ep, prevId, #newIds, inline and 1 or 0 }
  for _, id in ipairs(newIds) do lines[#lines + 1] = id end
  if inline then
    for _, d in ipairs(newDatas) do lines[#lines + 1] = d end
  end
  redis.call('PUBLISH', ch, table.concat(lines, '\n'))
end

if #ids > 0 then
  trimTopic(streamKey, metaKey, clock, maxLen, maxAgeMs, protect, groupLiveMs, groupsSeen)
  notify(channel, epoch, prev, ids, datas, bytes <= inlineMaxBytes)
  if hasFeed then
    trimTopic(feedStreamKey, feedMetaKey, clock, feedMaxLen, feedMaxAgeMs, feedProtect, feedGroupLiveMs, feedGroupsSeen)
    notify(feedChannel, feedEpoch, feedPrev, feedIds, pointers, true)
  end
end
if ttlMs > 0 then
  redis.call('PEXPIRE', streamKey, ttlMs)
  redis.call('PEXPIRE', metaKey, ttlMs)
  redis.call('PEXPIRE', idemKey, ttlMs)
  redis.call('PEXPIRE', idemzKey, ttlMs)
  redis.call('PEXPIRE', errorsKey, ttlMs)
end
if hasFeed and feedTtlMs > 0 then
  redis.call('PEXPIRE', feedStreamKey, feedTtlMs)
  redis.call('PEXPIRE', feedMetaKey, feedTtlMs)
  redis.call('PEXPIRE', feedIdemKey, feedTtlMs)
  redis.call('PEXPIRE', feedIdemzKey, feedTtlMs)
  redis.call('PEXPIRE', feedErrorsKey, feedTtlMs)
end
return out
