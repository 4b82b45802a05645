-- POST /api/v1/series: every request books its own 52-week weekly series of 10-minute
-- sessions, far in the future, so none conflicts with another or with create's hours.
-- A week holds 1008 ten-minute slots: request k of thread t (of T) takes slot s = k*T + t,
-- at base + (s mod 1008) * 10 minutes + (s div 1008) * 52 weeks.
-- args: <threads> <base epoch seconds> <client id> [<client id> ...]
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

local threads, base, clients, n
local WEEK_SLOTS, SLOT, BLOCK = 1008, 600, 52 * 7 * 24 * 3600

function init(args)
  threads = tonumber(args[1])
  base = tonumber(args[2])
  clients = {}
  for i = 3, #args do
    clients[#clients + 1] = tonumber(args[i])
  end
  n = 0
  wrk.headers["Content-Type"] = "application/json"
end

local function iso(epoch)
  return os.date("!%Y-%m-%dT%H:%M:%SZ", epoch)
end

function request()
  local slot = n * threads + thread_no
  n = n + 1
  local start = base + (slot % WEEK_SLOTS) * SLOT + math.floor(slot / WEEK_SLOTS) * BLOCK
  local body = string.format(
    '{"client_id":%d,"title":"Benchmark series","session_type":"personal",' ..
    '"scheduled_start":"%s","scheduled_end":"%s","rrule":"FREQ=WEEKLY;COUNT=52"}',
    clients[(slot % #clients) + 1], iso(start), iso(start + 10 * 60))
  return wrk.format("POST", "/api/v1/series", nil, body)
end
