-- Base-36 digits of a non-negative integer (the enqueue sequence in records and entity-index
-- members, a schedule tick's created time). Included with `-- @include base36`.

local BASE36_DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz'
local function base36(n)
  local s = ''
  repeat
    local d = n % 36
    s = string.sub(BASE36_DIGITS, d + 1, d + 1) .. s
    n = (n - d) / 36
  until n == 0
  return s
end
