--[[
  list: one page of jobs in a state, in that state's order; reads only the page's rows.

  KEYS
    1 jobs     hash  <prefix>:{<queue>}:jobs
    2 info     hash  <prefix>:{<queue>}:info
    3 results  hash  <prefix>:{<queue>}:results
    4 set      zset  the state's set (delayed, active, completed, failed); for 'run': the `wait`
                     list <prefix>:{<queue>}:wait
    5 prio     zset  <prefix>:{<queue>}:prio (only for 'run')
    6 gwait    zset  <prefix>:{<queue>}:gwait (only for 'run')
  ARGV
    1 order  'run'  waiting jobs: first those without a group in the order fetch takes them
                    (prioritised above default, then the wait list from its tail, then
                    prioritised below default), then the grouped ones by group name and, within
                    a group, in the order the group runs them
             'asc'  by score, lowest first;  'desc'  by score, highest first
    2 start  integer offset into that order (0 = first)
    3 count  integer; 0 = only the total
  Returns
    total, then id, score ('' for waiting jobs), record, info, result per job ('' where absent)
]]
local jobsKey, infoKey, resultsKey, setKey, prioKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local gwaitKey = KEYS[6]
local order, start, count = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])

local ids, scores = {}, {}

-- Appends the zset's members at ranks [from, to] (from the top if `rev`), with their scores if
-- `keepScores` (a waiting job's prio score is internal: it is listed as '').
local function zslice(key, from, to, rev, keepScores)
  if to < from then return end
  local args = { 'ZRANGE', key, from, to }
  if rev then args[#args + 1] = 'REV' end
  args[#args + 1] = 'WITHSCORES'
  local page = redis.call(unpack(args))
  for i = 1, #page, 2 do
    ids[#ids + 1] = page[i]
    scores[#ids] = keepScores and page[i + 1] or ''
  end
end

local total
-- Only the page's rows are read (ZRANGE by rank, LRANGE by index): count 0 reads none.
local last = start + count - 1
if order == 'run' then
  local listLen, prioLen = redis.call('LLEN', setKey), redis.call('ZCARD', prioKey)
  local groupedLen = redis.call('ZCARD', gwaitKey)
  total = listLen + prioLen + groupedLen
  -- The prio zset splits at score 0 (see PRIO_SPAN): negative scores run before the list.
  local above = redis.call('ZCOUNT', prioKey, '-inf', '(0')
  zslice(prioKey, start, math.min(last, above - 1), false, false)
  -- Run position p of the list is index -(p + 1) (LPUSH in, RPOP out): read, then reverse.
  local from, to = math.max(start - above, 0), math.min(last - above, listLen - 1)
  if to >= from then
    local page = redis.call('LRANGE', setKey, -(to + 1), -(from + 1))
    for i = #page, 1, -1 do
      ids[#ids + 1] = page[i]
      scores[#ids] = ''
    end
  end
  local belowStart = above + listLen
  zslice(prioKey, math.max(start, belowStart) - listLen, last - listLen, false, false)
  -- grouped jobs after every plain one; gwait's scores are all 0, so rank order is member order
  -- (group, then priority and seq) and a rank range costs O(log n + page)
  local plain = listLen + prioLen
  local gfrom, gto = math.max(start, plain) - plain, math.min(last - plain, groupedLen - 1)
  if gto >= gfrom then
    for _, m in ipairs(redis.call('ZRANGE', gwaitKey, gfrom, gto)) do
      ids[#ids + 1] = string.sub(m, string.find(m, '\0', 1, true) + 21)
      scores[#ids] = ''
    end
  end
else
  total = redis.call('ZCARD', setKey)
  zslice(setKey, start, last, order == 'desc', true)
end

local out = { total }
if #ids == 0 then return out end
local records = redis.call('HMGET', jobsKey, unpack(ids))
local infos = redis.call('HMGET', infoKey, unpack(ids))
local results = redis.call('HMGET', resultsKey, unpack(ids))
for i, id in ipairs(ids) do
  out[#out + 1] = id
  out[#out + 1] = scores[i]
  out[#out + 1] = records[i] or ''
  out[#out + 1] = infos[i] or ''
  out[#out + 1] = results[i] or ''
end
return out
