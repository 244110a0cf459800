--[[
  flow_deliver: delivers completion messages of finished children (read from their queues'
  outboxes by a FlowRelay) to their parents in this queue. Idempotent per child: a child already
  reported to its parent (`info.flow.children[<ref>]`) is skipped, so a message delivered twice
  (a relay that died before acknowledging it) counts once. A parent whose last child reported
  becomes waiting; a parent with policy `fail` whose child failed becomes failed, and reports
  that to its own parent, if it has one.

  KEYS
    1 meta     hash   <prefix>:{<queue>}:meta
    2 wait     list   <prefix>:{<queue>}:wait
    3 prio     zset   <prefix>:{<queue>}:prio
    4 jobs     hash   <prefix>:{<queue>}:jobs
    5 info     hash   <prefix>:{<queue>}:info
    6 marker   list   <prefix>:{<queue>}:marker
    7 events   stream <prefix>:{<queue>}:events
    8 wchild   zset   <prefix>:{<queue>}:wchild
    9 failed   zset   <prefix>:{<queue>}:failed
   10 metrics  hash   <prefix>:{<queue>}:metrics
   11 parents  hash   <prefix>:{<queue>}:parents
   12 flowout  stream <prefix>:{<queue>}:flowout
  ARGV
    1 message count N
    then per message, 4 values:
      child     string, `<childQueue>|<childId>` (the key of its outcome in the parent's info)
      parentId  string, a job of this queue
      status    'completed' | 'failed'
      payload   string, the child's result JSON ('' = none) or its error message
  Returns
    flat array per message: 1 = counted now, 0 = ignored (already counted, or the parent is no
    longer waiting for children)
]]
-- @include time
-- @include waiting
-- @include events
-- @include records
-- @include retention
local metaKey, waitKey, prioKey, jobsKey, infoKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local markerKey, eventsKey, wchildKey, failedKey = KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local metricsKey, parentsKey, flowoutKey = KEYS[10], KEYS[11], KEYS[12]
local count = tonumber(ARGV[1])

local now = nowMs()
local notify = listening(metaKey, now)
local out, woke = {}, false
for i = 0, count - 1 do
  local base = 2 + i * 4
  local child, id, status, payload = ARGV[base], ARGV[base + 1], ARGV[base + 2], ARGV[base + 3]
  local raw = redis.call('ZSCORE', wchildKey, id) and redis.call('HGET', infoKey, id)
  local info = raw and cjson.decode(raw)
  local flow = info and info.flow
  if not flow or flow.children[child] then
    out[#out + 1] = 0
  else
    -- the result stays a JSON string: cjson would round large numbers
    if status == 'completed' then
      flow.children[child] = { s = 'completed', r = payload }
    else
      flow.children[child] = { s = 'failed', e = payload }
    end
    flow.pending = flow.pending - 1
    if status == 'failed' and flow.policy == 'fail' then
      local reason = 'child ' .. child .. ' failed: ' .. payload
      info.failedReason = reason
      redis.call('HSET', infoKey, id, cjson.encode(info))
      redis.call('ZREM', wchildKey, id)
      redis.call('ZADD', failedKey, now, id)
      redis.call('HINCRBY', metaKey, 'failed', 1)
      countMinute(metricsKey, 'f:', now, 1)
      if notify then emit(eventsKey, 'failed', id, reason) end
      local grand = redis.call('HGET', parentsKey, id)
      if grand then
        redis.call('XADD', flowoutKey, '*', 'c', id, 'p', grand, 's', 'failed', 'r', reason)
        redis.call('HDEL', parentsKey, id)
      end
    elseif flow.pending <= 0 then
      redis.call('HSET', infoKey, id, cjson.encode(info))
      redis.call('ZREM', wchildKey, id)
      local record = redis.call('HGET', jobsKey, id)
      pushWaiting(metaKey, waitKey, prioKey, id, record and recordPriority(record) or 0, false)
      woke = true
      if notify then emit(eventsKey, 'waiting', id) end
    else
      redis.call('HSET', infoKey, id, cjson.encode(info))
    end
    out[#out + 1] = 1
  end
end
if woke then wakeForWork(markerKey) end
return out
