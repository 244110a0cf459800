-- Tombstones of removed waiting jobs. Included with `-- @include tombstones`.
--
-- Removing a job from the middle of the `wait` list would walk the list (LREM), so `remove`
-- leaves its id there and counts a tombstone instead: `tomb` hash id → tombstones of that id
-- still in the list, meta `tombs` → their total. A tombstone is always older than any entry
-- of the same id re-added later, so of the entries of one id the oldest ones are its
-- tombstones, and whoever takes ids off the list drops them.

-- Drops the tombstones among `ids` (taken off the list oldest first) and returns the rest.
local function dropTombstones(tombKey, metaKey, ids)
  local counts = redis.call('HMGET', tombKey, unpack(ids))
  local left, kept, dropped = {}, {}, 0
  for i, id in ipairs(ids) do
    if left[id] == nil and counts[i] then left[id] = tonumber(counts[i]) end
    local n = left[id]
    if n and n > 0 then
      left[id] = n - 1
      dropped = dropped + 1
    else
      kept[#kept + 1] = id
    end
  end
  if dropped > 0 then
    for id, n in pairs(left) do
      if n > 0 then redis.call('HSET', tombKey, id, n) else redis.call('HDEL', tombKey, id) end
    end
    if redis.call('HINCRBY', metaKey, 'tombs', -dropped) <= 0 then redis.call('HDEL', metaKey, 'tombs') end
  end
  return kept
end

-- Takes up to `count` live ids off the `wait` list, oldest first, dropping tombstones on the
-- way (`tombs`: meta `tombs`, so a queue with none pays nothing). Takes at most `count` + 1000
-- entries off the list per call, so a run of tombstones costs bounded work; returns the ids
-- (fewer than `count` when the list ran out or that bound was reached).
local function popLive(k, count, tombs)
  local ids = redis.call('RPOP', k.wait, count)
  if not ids then
    -- an empty list holds no tombstones (a count left by a job that was not in it goes too)
    if tombs > 0 then
      redis.call('DEL', k.tomb)
      redis.call('HDEL', k.meta, 'tombs')
    end
    return {}
  end
  if tombs <= 0 then return ids end
  local live = dropTombstones(k.tomb, k.meta, ids)
  local more, budget = #ids == count, 1000
  while more and #live < count and budget > 0 do
    local want = math.min(count - #live, budget)
    ids = redis.call('RPOP', k.wait, want)
    if not ids then break end
    budget = budget - #ids
    more = #ids == want
    for _, id in ipairs(dropTombstones(k.tomb, k.meta, ids)) do live[#live + 1] = id end
  end
  return live
end
