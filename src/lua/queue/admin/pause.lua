--[[
  pause: sets or clears the queue's paused flag. A paused queue hands out no job; active jobs run
  on. Resuming wakes a blocked worker, which wakes the next while work remains.

  KEYS
    1 meta    hash   <prefix>:{<queue>}:meta
    2 marker  list   <prefix>:{<queue>}:marker
    3 events  stream <prefix>:{<queue>}:events
  ARGV
    1 '1' to pause, '0' to resume
  Returns
    1
]]
-- @include time
-- @include events
-- @include waiting
local metaKey, markerKey, eventsKey = KEYS[1], KEYS[2], KEYS[3]
local pause = ARGV[1] == '1'

if pause then
  redis.call('HSET', metaKey, 'paused', '1')
else
  redis.call('HDEL', metaKey, 'paused')
  wake(markerKey)
end
if listening(metaKey, nowMs()) then emit(eventsKey, pause and 'paused' or 'resumed', '') end
return 1
