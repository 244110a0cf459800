-- Ordered groups. Included with `-- @include groups`. `k` is a table of the queue keys the
-- caller declared: meta, gwait, gof, gready, glimited, gstate, gage (see docs/groups.md).
--
-- Every grouped waiting job is one member of the `gwait` zset (all scores 0, so ordered by
-- member): `<group>\0<1000 - priority, 4 digits><seq, 16 digits><id>`. A group's next job is the
-- first member of the lex range [<group>\0, <group>\1): O(log n), never a scan. `gready` holds
-- the groups that may run a job now, scored by a turn counter (meta `grr`), so taking the lowest
-- and putting it back at the end serves groups round-robin. `gof` maps an unfinished grouped job
-- to its member, so a job that comes back (stall, release, retry) takes its old place. `gage`
-- holds the same members scored by their seq, so the oldest grouped waiting job is its first
-- (stats), without walking every group.

local GROUP_PRIO_BASE = 1000

local function groupMember(group, priority, seq, id)
  return group .. '\0' .. string.format('%04d%016d', GROUP_PRIO_BASE - priority, seq) .. id
end

-- The group of a `gof` value (a member, or `<group>\0` for a delayed job).
local function memberGroup(m)
  return string.sub(m, 1, string.find(m, '\0', 1, true) - 1)
end

local function memberId(m, group)
  return string.sub(m, #group + 22)
end

-- Adds `m` (a member of `group`) to `gwait` and to `gage` (scored by its seq).
local function addWaitMember(k, m, group)
  redis.call('ZADD', k.gwait, 0, m)
  redis.call('ZADD', k.gage, tonumber(string.sub(m, #group + 6, #group + 21)), m)
end

-- Per-group settings from meta: concurrency (default 1) and rate limit (max per durationMs).
local function groupConfig(metaKey)
  local c = redis.call('HMGET', metaKey, 'gconc', 'grlmax', 'grldur')
  return { conc = tonumber(c[1] or '1'), rlMax = tonumber(c[2] or '0'), rlDur = tonumber(c[3] or '0') }
end

local function groupHead(k, group)
  return redis.call('ZRANGEBYLEX', k.gwait, '[' .. group .. '\0', '(' .. group .. '\1', 'LIMIT', 0, 1)[1]
end

-- Puts `group` at the end of the round-robin if it has a waiting job, a free slot and no limit
-- in force. Returns true when it did (the caller wakes a worker).
local function markReady(k, group, cfg, now)
  if redis.call('ZSCORE', k.gready, group) then return false end
  local active = tonumber(redis.call('HGET', k.gstate, 'a:' .. group) or '0')
  if active >= cfg.conc then return false end
  local untilMs = redis.call('ZSCORE', k.glimited, group)
  if untilMs then
    if tonumber(untilMs) > now then return false end
    redis.call('ZREM', k.glimited, group)
  end
  if not groupHead(k, group) then return false end
  redis.call('ZADD', k.gready, redis.call('HINCRBY', k.meta, 'grr', 1), group)
  return true
end

-- Holds `group` back until `untilMs` (a later limit already in force wins).
local function limitGroup(k, group, untilMs)
  redis.call('ZREM', k.gready, group)
  local cur = redis.call('ZSCORE', k.glimited, group)
  if not cur or tonumber(cur) < untilMs then redis.call('ZADD', k.glimited, untilMs, group) end
end

-- Puts a grouped job in its group's line: `member` (its old place) or a new one at the back of
-- its priority. Returns true when the group became ready.
local function pushGrouped(k, id, group, priority, member, cfg, now)
  if not member then member = groupMember(group, priority, redis.call('HINCRBY', k.meta, 'seq', 1), id) end
  addWaitMember(k, member, group)
  redis.call('HSET', k.gof, id, member)
  return markReady(k, group, cfg, now)
end

-- One job of `group` stopped running: frees its slot. Returns true when the group became ready.
local function releaseSlot(k, group, cfg, now)
  local field = 'a:' .. group
  if redis.call('HINCRBY', k.gstate, field, -1) <= 0 then
    redis.call('HDEL', k.gstate, field)
    -- an idle group keeps no rate window past its end
    local w = redis.call('HGET', k.gstate, 'r:' .. group)
    if w and tonumber(string.match(w, '^(%d+):')) + cfg.rlDur <= now then redis.call('HDEL', k.gstate, 'r:' .. group) end
  end
  return markReady(k, group, cfg, now)
end

-- Counts one job taken from `group` against its rate window; returns the time the window ends
-- when its budget is now spent (nil otherwise, or with no group rate limit).
local function countGroupTake(k, group, cfg, now)
  if cfg.rlMax <= 0 then return nil end
  local field = 'r:' .. group
  local raw = redis.call('HGET', k.gstate, field)
  local start, n = now, 0
  if raw then
    local s, c = string.match(raw, '^(%d+):(%d+)$')
    s = tonumber(s)
    if now < s + cfg.rlDur then start, n = s, tonumber(c) end
  end
  n = n + 1
  redis.call('HSET', k.gstate, field, start .. ':' .. n)
  if n >= cfg.rlMax then return start + cfg.rlDur end
  return nil
end

-- Takes up to `want` grouped job ids, one per group per turn, appending `{id, group}` to
-- `picked`. Groups whose limit has lifted rejoin the round-robin first (at most 100 per call).
-- Each step costs O(log n); an emptied ready group (after clear or remove) is dropped on the way.
local function takeGrouped(k, now, want, cfg, picked)
  local lifted = redis.call('ZRANGEBYSCORE', k.glimited, '-inf', now, 'LIMIT', 0, 100)
  for _, g in ipairs(lifted) do markReady(k, g, cfg, now) end
  local tries = want + 100
  while want > 0 and tries > 0 do
    tries = tries - 1
    local g = redis.call('ZRANGE', k.gready, 0, 0)[1]
    if not g then break end
    local m = groupHead(k, g)
    if not m then
      redis.call('ZREM', k.gready, g)
    else
      redis.call('ZREM', k.gwait, m)
      redis.call('ZREM', k.gage, m)
      picked[#picked + 1] = { memberId(m, g), g }
      want = want - 1
      local active = redis.call('HINCRBY', k.gstate, 'a:' .. g, 1)
      local limitUntil = countGroupTake(k, g, cfg, now)
      if limitUntil then
        limitGroup(k, g, limitUntil)
      elseif active >= cfg.conc or not groupHead(k, g) then
        redis.call('ZREM', k.gready, g)
      else
        redis.call('ZADD', k.gready, redis.call('HINCRBY', k.meta, 'grr', 1), g)
      end
    end
  end
end

-- A grouped job left `active` for good (completed, failed, removed): forgets it and frees its
-- slot. `m` is its `gof` value. Returns true when the group became ready.
local function finishGrouped(k, id, m, cfg, now)
  redis.call('HDEL', k.gof, id)
  return releaseSlot(k, memberGroup(m), cfg, now)
end

-- A grouped job that was running goes back to its old place at the head of its group (stall,
-- release, retry, rate limit). Returns true when the group became ready.
local function requeueGrouped(k, m, cfg, now)
  local group = memberGroup(m)
  addWaitMember(k, m, group)
  return releaseSlot(k, group, cfg, now)
end
