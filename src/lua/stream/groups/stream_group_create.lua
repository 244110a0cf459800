--[[
  stream_group_create: creates consumer group ARGV[1] on a topic if it does not exist (creating
  the topic, and its epoch, if needed), and marks the group live for trimming.

  KEYS
    1 stream  stream <prefix>:{<tag>}:stream[:<topic>]
    2 meta    hash   <prefix>:{<tag>}:meta[:<topic>]
    3 idem    hash   <prefix>:{<tag>}:idem[:<topic>]    (cleared if the topic is created)
    4 idemz   zset   <prefix>:{<tag>}:idemz[:<topic>]   (cleared if the topic is created)
    5 errors  hash   <prefix>:{<tag>}:errors[:<topic>]  (cleared if the topic is created)
  ARGV
    1 group           string
    2 start           '0' = from the oldest kept entry, '$' = only entries published from now
    3 epochCandidate  string, the epoch if this call creates the topic
    4 ttlMs           integer ms, idle expiry given to a topic this call creates (0 = none)
  Returns
    { epoch, created (1 = the group was created now, 0 = it existed) }
]]
-- @include stream_common
local streamKey, metaKey = KEYS[1], KEYS[2]
local group, start, epochCandidate, ttlMs = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])

local existed = redis.call('EXISTS', streamKey) == 1
local epoch = ensureEpoch(streamKey, metaKey, epochCandidate, { KEYS[3], KEYS[4], KEYS[5] })
local ok = pcall(redis.call, 'XGROUP', 'CREATE', streamKey, group, start, 'MKSTREAM')
local now = streamNow()
redis.call('HSET', metaKey, 'g:' .. group, now, 'glive', now)
if not existed and ttlMs > 0 then
  redis.call('PEXPIRE', streamKey, ttlMs)
  redis.call('PEXPIRE', metaKey, ttlMs)
end
return { epoch, ok and 1 or 0 }
