-- Queue events, written only while someone listens. Included with `-- @include events`.

-- True while some client listens to queue events (it renews `evlisten` in `meta`).
local function listening(metaKey, now)
  local untilMs = redis.call('HGET', metaKey, 'evlisten')
  return untilMs and tonumber(untilMs) > now
end

-- Writes an event with more fields: `fields` is a flat list `name, value, ...`.
local function emitFields(eventsKey, event, id, fields)
  redis.call('XADD', eventsKey, 'MAXLEN', '~', 10000, '*', 'e', event, 'id', id, unpack(fields))
end

local function emit(eventsKey, event, id, extra)
  if extra then
    redis.call('XADD', eventsKey, 'MAXLEN', '~', 10000, '*', 'e', event, 'id', id, 'x', extra)
  else
    redis.call('XADD', eventsKey, 'MAXLEN', '~', 10000, '*', 'e', event, 'id', id)
  end
end
