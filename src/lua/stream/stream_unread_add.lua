--[[
  stream_unread_add: adds to a user's unread count on a topic and refreshes its TTL.

  KEYS
    1 unread  string <prefix>:{u:<user>}:unread:<topic>
  ARGV
    1 by     integer (may be negative; the count never goes below 0)
    2 ttlMs  integer ms
  Returns
    the new count
]]
local unreadKey = KEYS[1]
local by, ttlMs = tonumber(ARGV[1]), tonumber(ARGV[2])

local n = redis.call('INCRBY', unreadKey, by)
if n < 0 then
  redis.call('SET', unreadKey, 0)
  n = 0
end
redis.call('PEXPIRE', unreadKey, ttlMs)
return n
