--[[
  stream_group_touch: the heartbeat of a consumer. Marks the group live (so trimming keeps what
  it has not acked), resets the idle time of the entries this consumer still holds, so they are
  not reclaimed while their handlers run, and gives the group's dead-letter stream the topic's
  remaining TTL (publishes refresh the topic's; dead letters expire with the topic, not
  before). Reports the entries it no longer owns.

  KEYS
    1 stream  stream <prefix>:{<tag>}:stream[:<topic>]
    2 meta    hash   <prefix>:{<tag>}:meta[:<topic>]
    3 dlq     stream <prefix>:{<tag>}:dlq:<group>[:<topic>]
  ARGV
    1 group     string
    2 consumer  string
    3… ids      stream ids the consumer holds
  Returns
    { status (1 = ok, 0 = the topic or group is gone), lost id, lost id, … }
]]
-- @include stream_common
-- @include stream_group
local streamKey, metaKey, dlqKey = KEYS[1], KEYS[2], KEYS[3]
local group, consumer = ARGV[1], ARGV[2]

if redis.call('EXISTS', streamKey) == 0 then return { 0 } end
local ok, err = pcall(redis.call, 'XPENDING', streamKey, group)
if not ok then return { 0 } end
local now = streamNow()
redis.call('HSET', metaKey, 'g:' .. group, now, 'glive', now)
expireLike(dlqKey, streamKey)
local out = { 1 }
for i = 3, #ARGV do
  local id = ARGV[i]
  local owner = pendingOf(streamKey, group, id)
  if owner == consumer then
    redis.call('XCLAIM', streamKey, group, consumer, 0, id, 'JUSTID')
  else
    out[#out + 1] = id
  end
end
return out
