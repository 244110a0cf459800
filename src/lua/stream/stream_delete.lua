--[[
  stream_delete: deletes a topic: its entries, groups, epoch and idempotency keys, and the
  dead-letter streams of its groups. Publishing again creates it anew, under a new epoch. The
  caller names the groups it knows of (from meta `g:<group>`) with their dead-letter keys; if
  meta names a group it did not pass (one created meanwhile), nothing is deleted and it reads
  the groups again, so no dead-letter stream is left behind.

  KEYS
    1 stream  stream <prefix>:{<tag>}:stream[:<topic>]
    2 meta    hash   <prefix>:{<tag>}:meta[:<topic>]
    3 idem    hash   <prefix>:{<tag>}:idem[:<topic>]
    4 idemz   zset   <prefix>:{<tag>}:idemz[:<topic>]
    5 errors  hash   <prefix>:{<tag>}:errors[:<topic>]
    6… dlq    stream <prefix>:{<tag>}:dlq:<group>[:<topic>], one per group in ARGV (same order)
  ARGV
    1… group  string, the groups whose dead-letter keys are KEYS 6…
  Returns
    1 if the topic existed, 0 if not, -1 if meta names a group not passed (nothing deleted)
]]
local streamKey, metaKey = KEYS[1], KEYS[2]

local passed = {}
for i = 1, #ARGV do passed[ARGV[i]] = true end
for _, field in ipairs(redis.call('HKEYS', metaKey)) do
  local group = string.match(field, '^g:(.+)$')
  if group and not passed[group] then return -1 end
end
local existed = redis.call('EXISTS', streamKey)
redis.call('DEL', unpack(KEYS))
return existed
