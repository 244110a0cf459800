-- Writing one queue event, alone (for the lean add scripts; `events` includes it). Included with
-- `-- @include emit`.

local function emit(eventsKey, event, id, extra)
  if extra then
    redis.call('XADD', eventsKey, 'MAXLEN', '~', 10000, '*', 'e', event, 'id', id, 'x', extra)
  else
    redis.call('XADD', eventsKey, 'MAXLEN', '~', 10000, '*', 'e', event, 'id', id)
  end
end
