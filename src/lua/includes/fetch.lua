-- Promote due delayed jobs and hand out waiting jobs under lease. Included with
-- `-- @include fetch`. `k` is a table of the queue keys the caller declared.
-- @include waiting
-- @include records
-- @include tombstones
-- @include groups
-- @include events

local PROMOTE_BATCH = 1000

-- Enqueue order of two due jobs `{id, score, seq, created}`: due time, then the sequence `add`
-- wrote (0 for jobs that have none: delayed by a retry, or old data), then created time, then
-- id (auto ids numerically). A total order, so table.sort is safe.
local function dueBefore(a, b)
  if a[2] ~= b[2] then return a[2] < b[2] end
  if a[3] ~= b[3] then return a[3] < b[3] end
  if a[4] ~= b[4] then return a[4] < b[4] end
  local an, bn = string.match(a[1], '^%d+$') ~= nil, string.match(b[1], '^%d+$') ~= nil
  if an ~= bn then return an end
  if an and #a[1] ~= #b[1] then return #a[1] < #b[1] end
  return a[1] < b[1]
end

-- Moves delayed jobs whose due time has passed to waiting (about 1000 per call), in enqueue
-- order. The delayed zset keeps jobs with equal due times in id order (`10` before `2`), so
-- ties are sorted by the sequence in their records; a tie group is never split across calls.
-- `cfg` (groups in use): grouped jobs join the back of their group's line instead. A `waiting`
-- event per job while someone listens (`k.notify`).
local function promoteDue(k, now, cfg)
  local flat = redis.call('ZRANGEBYSCORE', k.delayed, '-inf', now, 'WITHSCORES', 'LIMIT', 0, PROMOTE_BATCH)
  if #flat == 0 then return 0 end
  local last = flat[#flat]
  if #flat == 2 * PROMOTE_BATCH then
    if flat[2] == last then
      -- One tie group fills the batch: take all of it, to put it in order.
      flat = redis.call('ZRANGEBYSCORE', k.delayed, last, last, 'WITHSCORES')
    else
      -- The batch may have cut the last tie group: leave all of it for the next call.
      while flat[#flat] == last do
        flat[#flat] = nil
        flat[#flat] = nil
      end
    end
  end
  local due, ties = {}, false
  for i = 1, #flat, 2 do
    due[#due + 1] = { flat[i], tonumber(flat[i + 1]) }
    if i > 1 and flat[i + 1] == flat[i - 1] then ties = true end
  end
  for from = 1, #due, PROMOTE_BATCH do
    local ids = {}
    for i = from, math.min(from + PROMOTE_BATCH - 1, #due) do ids[#ids + 1] = due[i][1] end
    redis.call('ZREM', k.delayed, unpack(ids))
    local records = redis.call('HMGET', k.jobs, unpack(ids))
    for i = 1, #ids do
      local d = due[from + i - 1]
      local record = records[i]
      d[5] = record
      if record and ties then
        d[3] = recordSeq(record)
        d[4] = recordCreated(record) or 0
      end
    end
  end
  if ties then
    -- Jobs whose record is gone (removed meanwhile) are skipped below; sort the rest.
    local kept = {}
    for _, d in ipairs(due) do if d[5] then kept[#kept + 1] = d end end
    due = kept
    table.sort(due, dueBefore)
  end
  local groupOf = {}
  if cfg then
    for from = 1, #due, PROMOTE_BATCH do
      local ids = {}
      for i = from, math.min(from + PROMOTE_BATCH - 1, #due) do ids[#ids + 1] = due[i][1] end
      local ms = redis.call('HMGET', k.gof, unpack(ids))
      for i = 1, #ids do if ms[i] then groupOf[ids[i]] = memberGroup(ms[i]) end end
    end
  end
  for _, d in ipairs(due) do
    if d[5] then
      local g = groupOf[d[1]]
      if g then pushGrouped(k, d[1], g, recordPriority(d[5]), nil, cfg, now)
      else pushWaiting(k.meta, k.wait, k.prio, d[1], recordPriority(d[5]), false) end
      if k.notify then emit(k.events, 'waiting', d[1]) end
    end
  end
  return #due
end

-- Takes up to `count` jobs: prioritised ones above default first, then the `wait` list (FIFO),
-- then prioritised ones below default. (leaseJobs gives each a lease until `now + leaseMs` and
-- the call's token `tokenBase@<now>`, and appends `id, token, info` per job to `k.heads` and its
-- record to `out`: see fetchJobs.) Returns the ids taken.
-- `tombs`: tombstones in `wait` (meta `tombs`), skipped on the way.
local function pickPlain(k, count, tombs)
  if count <= 0 then return {} end
  local ids
  if redis.call('ZCARD', k.prio) == 0 then
    return popLive(k, count, tombs)
  else
    ids = {}
    while #ids < count do
      local head = redis.call('ZRANGE', k.prio, 0, 0, 'WITHSCORES')
      local id
      if head[1] and tonumber(head[2]) < 0 then
        id = head[1]
        redis.call('ZREM', k.prio, id)
      else
        id = popLive(k, 1, tombs)[1]
        if not id and head[1] then
          id = head[1]
          redis.call('ZREM', k.prio, id)
        end
      end
      if not id then break end
      ids[#ids + 1] = id
    end
    return ids
  end
end

-- The lease hash keeps this field (no job id can hold a `#`) with a value longer than
-- `hash-max-listpack-value` (64 B by default), so Redis keeps the hash a hashtable. Without it a
-- hash of up to `hash-max-listpack-entries` fields (512 in Redis 7's built-in config) is a
-- listpack, and every HMGET, HSET and HDEL of a busy worker's few hundred leases walks the whole
-- list: measured, a c=100 drain spent ~18 % of Redis's CPU there (see bench/README.md).
local LEASE_PAD_FIELD = '#hashtable'
-- (128 dashes, written out: a function library's top level runs before `string` is there.)
local LEASE_PAD = '--------------------------------------------------------------------------------------------------------------------------------'

-- Leases `ids` (see takeJobs). The jobs of one call share their token, `<tokenBase>@<now>`: the
-- caller's token base is new for every call (worker id and sequence), so no other attempt of a
-- job ever has it, and the lease is the pair (id, token). It ends in the attempt's start time,
-- read back by the scripts that end or inspect the attempt (`tokenStart` in records.lua), at no
-- extra write. `groupOf`: id → group of the grouped ones (nil: none), whose slot
-- is freed again when the job's record is gone.
-- `starts` (jobs taken ahead of their due time, see leaseAhead): per id its start time, which
-- its token and lease deadline count from, and `records`, read already.
local function leaseJobs(k, now, ids, leaseMs, tokenBase, out, groupOf, cfg, starts, records)
  if #ids == 0 then return 0 end
  -- a string: Redis 7.0 prints a number argument with `%.17g` each time it is passed
  local deadline = string.format('%d', now + leaseMs)
  records = records or redis.call('HMGET', k.jobs, unpack(ids))
  -- Most queues have no failed attempts on record: skip the lookup then.
  local infos = {}
  if redis.call('HLEN', k.info) > 0 then infos = redis.call('HMGET', k.info, unpack(ids)) end
  local zargs, hargs = {}, { LEASE_PAD_FIELD, LEASE_PAD }
  local taken = 0
  -- per job: counters rather than `#t` (a search of the table each time), and no number
  -- printed (the token is made once; each would be a `%.14g`)
  local heads, nHeads, nOut = k.heads, #k.heads, #out
  local token = tokenBase .. '@' .. now
  for i, id in ipairs(ids) do
    local record = records[i]
    if record then
      taken = taken + 1
      local jobToken = token
      if starts then
        jobToken = tokenBase .. '@' .. string.format('%d', starts[id])
        deadline = string.format('%d', starts[id] + leaseMs)
      end
      zargs[2 * taken - 1] = deadline
      zargs[2 * taken] = id
      hargs[2 * taken + 1] = id
      hargs[2 * taken + 2] = jobToken
      heads[nHeads + 1] = id
      heads[nHeads + 2] = jobToken
      heads[nHeads + 3] = infos[i] or ''
      nHeads = nHeads + 3
      nOut = nOut + 1
      out[nOut] = record
      if k.notify then emit(k.events, 'active', id) end
    elseif groupOf and groupOf[id] then
      redis.call('HDEL', k.gof, id)
      releaseSlot(k, groupOf[id], cfg, now)
    end
  end
  if taken > 0 then
    redis.call('ZADD', k.active, unpack(zargs))
    redis.call('HSET', k.lease, unpack(hargs))
  end
  return taken
end

-- (`k.emptied`: the pick took fewer than `count`, so `wait` and `prio` are empty now; with no
-- tombstones to skip, which could have cut it short.)
local function takeJobs(k, now, count, leaseMs, tokenBase, out, tombs)
  local ids = pickPlain(k, count, tombs)
  k.emptied = count > 0 and #ids < count and tombs == 0
  return leaseJobs(k, now, ids, leaseMs, tokenBase, out)
end

-- Most jobs of one due time a fetch reads to take the first of them ahead (a larger tie group
-- waits for its due time and is promoted whole, in order, by promoteDue).
local AHEAD_TIES_MAX = PROMOTE_BATCH

-- The order jobs taken ahead start in: due time, then (a tie promoted together is taken by
-- priority) the higher priority, then enqueue order (dueBefore). `{id, score, seq, created,
-- record, priority}`.
local function aheadBefore(a, b)
  if a[2] == b[2] and a[6] ~= b[6] then return a[6] > b[6] end
  return dueBefore(a, b)
end

-- Takes up to `room` delayed jobs due by `horizon` (now + the lead) ahead of their due time (a
-- worker whose take left slots free on an empty queue: `k.emptied`), in the order promoteDue and
-- pickPlain would hand them out (aheadBefore). Each is leased from its due time (its token ends
-- in it, so the attempt starts then), and the worker starts its handler at that time by Redis's
-- clock, never before: the fetch that brings it comes before the due time rather than after
-- (docs/guarantees.md, _Taken ahead of their due time_). Returns the count taken, and whether a
-- tie group too large to sort here was left within the window (no early fetch then).
local function leaseAhead(k, now, room, horizon, leaseMs, tokenBase, out)
  if room <= 0 then return 0, false end
  local flat = redis.call('ZRANGEBYSCORE', k.delayed, '-inf', horizon, 'WITHSCORES', 'LIMIT', 0, room)
  if #flat == 0 then return 0, false end
  local blocked = false
  if #flat == 2 * room then
    -- The limit may have cut the last tie group: take the first of it in order, or none.
    local last = flat[#flat]
    while #flat > 0 and flat[#flat] == last do
      flat[#flat] = nil
      flat[#flat] = nil
    end
    if redis.call('ZCOUNT', k.delayed, last, last) <= AHEAD_TIES_MAX then
      for _, v in ipairs(redis.call('ZRANGEBYSCORE', k.delayed, last, last, 'WITHSCORES')) do
        flat[#flat + 1] = v
      end
    else
      blocked = true
    end
    if #flat == 0 then return 0, blocked end
  end
  local ids, ties = {}, false
  for i = 1, #flat, 2 do
    ids[#ids + 1] = flat[i]
    if i > 1 and flat[i + 1] == flat[i - 1] then ties = true end
  end
  local records = redis.call('HMGET', k.jobs, unpack(ids))
  local due, gone = {}, {}
  for i, id in ipairs(ids) do
    local record = records[i]
    if record then
      local d = { id, tonumber(flat[2 * i]), 0, 0, record, 0 }
      if ties then
        d[3] = recordSeq(record)
        d[4] = recordCreated(record) or 0
        d[6] = recordPriority(record)
      end
      due[#due + 1] = d
    else
      gone[#gone + 1] = id -- removed meanwhile: dropped, as promoteDue does
    end
  end
  if ties then table.sort(due, aheadBefore) end
  local take, takeRecords, starts = {}, {}, {}
  for i = 1, math.min(room, #due) do
    local d = due[i]
    take[i], takeRecords[i] = d[1], d[5]
    starts[d[1]] = math.max(d[2], now)
    if k.notify then emit(k.events, 'waiting', d[1]) end
  end
  for _, id in ipairs(gone) do take[#take + 1] = id end
  if #take > 0 then redis.call('ZREM', k.delayed, unpack(take)) end
  for i = #take, #takeRecords + 1, -1 do take[i] = nil end
  return leaseJobs(k, now, take, leaseMs, tokenBase, out, nil, nil, starts, takeRecords), blocked
end

-- Takes up to `count` jobs from groups and from the plain lines, half each (the side that goes
-- first alternates per call; either side fills what the other cannot).
local function takeMixed(k, now, count, leaseMs, tokenBase, out, tombs, cfg)
  if count <= 0 then return 0 end
  local picked = {}
  local first = math.ceil(count / 2)
  local groupsFirst = redis.call('HINCRBY', k.meta, 'gmix', 1) % 2 == 1
  if groupsFirst then takeGrouped(k, now, first, cfg, picked) end
  local plain = pickPlain(k, count - #picked, tombs)
  if #picked + #plain < count then takeGrouped(k, now, count - #picked - #plain, cfg, picked) end
  local ids, groupOf = {}, {}
  for _, p in ipairs(picked) do
    ids[#ids + 1] = p[1]
    groupOf[p[1]] = p[2]
  end
  for _, id in ipairs(plain) do ids[#ids + 1] = id end
  return leaseJobs(k, now, ids, leaseMs, tokenBase, out, groupOf, cfg)
end

-- The queue-wide budget for this call: `count` cut to the global concurrency (meta `conc`)
-- and the rate limit (`rlmax` per `rldur` ms, fixed window `rls`/`rln`; `rluntil`: held back by
-- a handler). Returns the count and, when a limit holds work back, the time it lifts (or -1).
local function queueBudget(k, now, count, meta)
  local lifts = -1
  if meta[4] then count = math.min(count, tonumber(meta[4]) - redis.call('ZCARD', k.active)) end
  local untilMs = tonumber(meta[9] or '0')
  if untilMs > now then return 0, untilMs end
  if meta[9] then redis.call('HDEL', k.meta, 'rluntil') end
  local max = tonumber(meta[5] or '0')
  if max > 0 then
    local dur, start, n = tonumber(meta[6]), tonumber(meta[7] or '0'), tonumber(meta[8] or '0')
    if now >= start + dur then start, n = now, 0 end
    meta[7], meta[8] = start, n
    if max - n <= 0 then lifts = start + dur end
    count = math.min(count, max - n)
  end
  return math.max(count, 0), lifts
end

-- The fields of `meta` fetchJobs reads, in order (a caller that needs more of them reads them
-- in the same HMGET: `readFetchMeta`, then `meta[11]` = `x`, `meta[12]` = `fl`).
local function readFetchMeta(k)
  return redis.call('HMGET', k.meta, 'paused', 'tombs', 'g', 'conc', 'rlmax', 'rldur', 'rls', 'rln', 'rluntil', 'evlisten', 'x', 'fl')
end

-- The full fetch step: promote, take (unless paused or limited), chain-wake another worker if
-- work (and budget) remains, and report the next due time: the earliest delayed job, or when a
-- rate limit lifts. Appends `now, nextDue, heads, [record]...` to `out` (nextDue = -1
-- when nothing is due later). A paused queue reports the next delayed job too: workers keep
-- promoting due jobs to waiting while paused, so counts stay true. `meta`: what readFetchMeta
-- returned in this call (nil: read here). `now` goes out as `<ms>.<3 digits of µs>` when `us` is
-- given, so the worker arms its delay timer for the exact time left, not up to a ms more.
-- `leadMs` (0 or nil: none): take delayed jobs due within it into slots left free (leaseAhead).
-- Returns the count of jobs taken.
local function fetchJobs(k, now, count, leaseMs, tokenBase, out, meta, us, leadMs)
  meta = meta or readFetchMeta(k)
  -- events (`waiting` on promotion, `active` on hand-out) only while someone listens
  k.notify = meta[10] and tonumber(meta[10]) > now
  local grouped = meta[3] == '1'
  local cfg = grouped and groupConfig(k.meta) or nil
  -- the earliest delayed job: promote only when it is due (one read when none is)
  local head = redis.call('ZRANGE', k.delayed, 0, 0, 'WITHSCORES')
  local promoted = head[2] and tonumber(head[2]) <= now
  if promoted then promoteDue(k, now, cfg) end
  local paused = meta[1] == '1'
  out[#out + 1] = us and string.format('%d.%03d', now, us) or now
  local dueSlot = #out + 1
  out[dueSlot] = -1
  -- Per job `id, token, info` in one string, joined by NUL (none of them can hold one: ids are
  -- checked, tokens made here, infos JSON), then one record per job: a reply of N + 3 values,
  -- not 4N + 2 (each value costs Redis a reply item and the client a Buffer and a string).
  local headsSlot = #out + 1
  out[headsSlot] = ''
  k.heads = {}
  if promoted then head = redis.call('ZRANGE', k.delayed, 0, 0, 'WITHSCORES') end
  if paused then
    if head[2] then out[dueSlot] = tonumber(head[2]) end
    return 0
  end
  local tombs = tonumber(meta[2] or '0')
  local want, lifts = count, -1
  if meta[4] or meta[5] or meta[9] then want, lifts = queueBudget(k, now, count, meta) end
  local taken
  if grouped then
    taken = takeMixed(k, now, want, leaseMs, tokenBase, out, tombs, cfg)
  else
    taken = takeJobs(k, now, want, leaseMs, tokenBase, out, tombs)
  end
  -- Slots left free on an empty queue take the delayed jobs due within `leadMs` (the worker
  -- starts them at their due time), and the next fetch is asked for half that before the next
  -- due time: it reaches Redis within the window, so that job comes ahead too.
  local ahead, early, horizon = 0, 0, 0
  if leadMs and leadMs > 0 and k.emptied then
    local blocked = false
    horizon = now + leadMs
    -- under a rate limit, only jobs that start within this window (they are counted in it)
    if meta[5] then horizon = math.min(horizon, tonumber(meta[7]) + tonumber(meta[6]) - 1) end
    -- (the head read above says whether any is due within the lead: most fetches, none is)
    if head[2] and tonumber(head[2]) <= horizon then
      ahead, blocked = leaseAhead(k, now, want - taken, horizon, leaseMs, tokenBase, out)
      head = redis.call('ZRANGE', k.delayed, 0, 0, 'WITHSCORES')
    end
    -- Not under a rate limit: a head past the window's end is not taken, and an early fetch
    -- would come again at once until the window turned.
    if not blocked and not meta[5] then early = math.floor(leadMs / 2) end
  end
  if meta[5] and taken + ahead > 0 then
    local n = meta[8] + taken + ahead
    redis.call('HSET', k.meta, 'rls', meta[7], 'rln', n)
    if n >= tonumber(meta[5]) then lifts = meta[7] + tonumber(meta[6]) end
  end
  -- short of `count` past tombstones (a bounded run of them per call) may leave work behind
  -- (a pending wake-up first: a busy queue keeps one, so this is one read per call)
  if want > 0 and lifts < 0 and (taken == want or tombs > 0)
    and redis.call('LLEN', k.marker) == 0 then
    if redis.call('LLEN', k.wait) > 0 or redis.call('ZCARD', k.prio) > 0
      or (grouped and redis.call('ZCARD', k.gready) > 0) then redis.call('LPUSH', k.marker, 'w') end
  end
  -- nothing waits any more: the wake-ups pending for waiting jobs are stale (see wake.lua)
  if k.emptied then dropWorkWakeups(k.marker) end
  -- Slots filled by jobs taken ahead while more are due within the lead: another idle worker
  -- takes those (before, they became waiting at their due time, and that woke it).
  if ahead > 0 and ahead == want - taken and head[2] and tonumber(head[2]) <= horizon then
    wake(k.marker)
  end
  -- taking jobs adds none to `delayed`: the head read above is still its earliest
  if head[2] then out[dueSlot] = tonumber(head[2]) - early end
  if grouped then
    local g = redis.call('ZRANGE', k.glimited, 0, 0, 'WITHSCORES')
    if g[2] and (out[dueSlot] < 0 or tonumber(g[2]) < out[dueSlot]) then out[dueSlot] = tonumber(g[2]) end
  end
  if lifts >= 0 and (out[dueSlot] < 0 or lifts < out[dueSlot]) then out[dueSlot] = lifts end
  out[headsSlot] = table.concat(k.heads, '\0')
  return taken + ahead
end
