--[[
  flow_add: adds the jobs of one flow level that live in one queue (one slot), atomically and
  idempotently per id. A job with children waits in `wchild` (state waiting-children) with its
  pending count in `info`; a job without runs now. A job with a parent records the parent in
  `parents` (and sets meta `fl`, so complete/fail look there only in queues that have children).

  KEYS
    1 meta     hash   <prefix>:{<queue>}:meta
    2 wait     list   <prefix>:{<queue>}:wait
    3 prio     zset   <prefix>:{<queue>}:prio
    4 jobs     hash   <prefix>:{<queue>}:jobs
    5 info     hash   <prefix>:{<queue>}:info
    6 marker   list   <prefix>:{<queue>}:marker
    7 events   stream <prefix>:{<queue>}:events
    8 wchild   zset   <prefix>:{<queue>}:wchild
    9 parents  hash   <prefix>:{<queue>}:parents
  ARGV
    1 schema version (integer)
    2 createdTag  `#` + now (ms, Redis clock as the producer reads it) in base 36
    3 job count N
    then per job, 6 values:
      id        string (the producer assigns ids)
      priority  integer, 0 = default
      body      string, the record after its header: `<name>|<options JSON>|<data JSON>`
      parent    string, JSON `[parentQueue, parentId]`, '' for none
      pending   integer, children it waits for (0 = runnable now)
      policy    'fail' | 'ignore', what a failed child does to it (when pending > 0)
  Returns
    flat array: created per job (1 = added now; 0 = a job with that id already existed)
]]
-- @include time
-- @include waiting
-- @include events
local metaKey, waitKey, prioKey, jobsKey, infoKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local markerKey, eventsKey, wchildKey, parentsKey = KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local schemaVersion, createdTag, count = ARGV[1], ARGV[2], tonumber(ARGV[3])
local FIRST, STRIDE = 4, 6

local now = nowMs()
if redis.call('HEXISTS', metaKey, 'v') == 0 then redis.call('HSET', metaKey, 'v', schemaVersion) end
local notify = listening(metaKey, now)
local out, woke = {}, false
for i = 0, count - 1 do
  local base = FIRST + i * STRIDE
  local id, priority, body = ARGV[base], tonumber(ARGV[base + 1]), ARGV[base + 2]
  local parent, pending, policy = ARGV[base + 3], tonumber(ARGV[base + 4]), ARGV[base + 5]
  if redis.call('HEXISTS', jobsKey, id) == 1 then
    out[#out + 1] = 0
  else
    redis.call('HSET', jobsKey, id, createdTag .. '|' .. priority .. '|' .. body)
    if parent ~= '' then
      redis.call('HSET', parentsKey, id, parent)
      redis.call('HSET', metaKey, 'fl', '1')
    end
    if pending > 0 then
      redis.call('HSET', infoKey, id, cjson.encode({ flow = { pending = pending, policy = policy, children = {} } }))
      redis.call('ZADD', wchildKey, now, id)
    else
      pushWaiting(metaKey, waitKey, prioKey, id, priority, false)
      woke = true
      if notify then emit(eventsKey, 'waiting', id) end
    end
    out[#out + 1] = 1
  end
end
if woke then wakeForWork(markerKey) end
return out
