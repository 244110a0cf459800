-- Removing a job that is not active. Included with `-- @include removal` (after `retention`).
-- @include retention
-- `k`: wait, prio, delayed, completed, failed, jobs, info, results, lease, dedup, meta, tomb,
-- entity, the group keys (gwait, gof, gready, glimited, gstate, gage) and `extras` (a list of the
-- progress, logs and cancel hashes).

-- Removes job `id` from whichever non-active state it is in and deletes its data. O(1) for a
-- waiting job of default priority (O(log n) for a grouped one, from its group's line): unless it
-- is at an end of the `wait` list, its id stays there as a tombstone (see includes/tombstones.lua)
-- that fetch and clear drop. Returns 1 removed; 0 no such job; -1 the job is active.
local function removeJob(k, id)
  if redis.call('HEXISTS', k.jobs, id) == 0 then return 0 end
  if redis.call('HEXISTS', k.lease, id) == 1 then return -1 end
  local member = redis.call('HGET', k.gof, id)
  if member then
    -- grouped: waiting in its group's line (O(log n)) or delayed; a group left with no waiting
    -- job is dropped from `gready` by the next fetch
    if redis.call('ZREM', k.gwait, member) == 0 then redis.call('ZREM', k.delayed, id) end
    redis.call('ZREM', k.gage, member)
    redis.call('HDEL', k.gof, id)
  elseif redis.call('ZREM', k.prio, id) == 0 and redis.call('ZREM', k.delayed, id) == 0
    and redis.call('ZREM', k.completed, id) == 0 and redis.call('ZREM', k.failed, id) == 0 then
    -- waiting at default priority: LREM would walk the list
    if redis.call('LINDEX', k.wait, -1) == id then
      redis.call('RPOP', k.wait)
    elseif redis.call('LINDEX', k.wait, 0) == id then
      redis.call('LPOP', k.wait)
    else
      redis.call('HINCRBY', k.tomb, id, 1)
      redis.call('HINCRBY', k.meta, 'tombs', 1)
    end
  end
  deleteJobData(k.jobs, k.info, k.results, { id }, k.dedup, k.entity, k.extras)
  return 1
end
