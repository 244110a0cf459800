--[[
  stream_delete: deletes a topic: its entries, groups, epoch and idempotency keys, and the
  dead-letter streams passed. Publishing again creates it anew, under a new epoch.

  KEYS
    1 stream  stream <prefix>:{<tag>}:stream[:<topic>]
    2 meta    hash   <prefix>:{<tag>}:meta[:<topic>]
    3 idem    hash   <prefix>:{<tag>}:idem[:<topic>]
    4 idemz   zset   <prefix>:{<tag>}:idemz[:<topic>]
    5 errors  hash   <prefix>:{<tag>}:errors[:<topic>]
    6… dlq    stream <prefix>:{<tag>}:dlq:<group>[:<topic>], one per known group
  ARGV
    (none)
  Returns
    1 if the topic existed, else 0
]]
local existed = redis.call('EXISTS', KEYS[1])
redis.call('DEL', unpack(KEYS))
return existed
