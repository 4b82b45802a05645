-- POST /api/v1/sessions: every request books its own free hour, far in the future, so none
-- conflicts. Request k of thread t (of T) takes hour base + k*T + t.
-- args: <threads> <base epoch seconds> <client id> [<client id> ...]
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

local threads, base, clients, n

function init(args)
  threads = tonumber(args[1])
  base = tonumber(args[2])
  clients = {}
  for i = 3, #args do
    clients[#clients + 1] = tonumber(args[i])
  end
  n = 0
  -- wrk.headers already holds the -H headers (the session cookie); add to them.
  wrk.headers["Content-Type"] = "application/json"
end

local function iso(epoch)
  return os.date("!%Y-%m-%dT%H:%M:%SZ", epoch)
end

function request()
  local slot = n * threads + thread_no
  n = n + 1
  local start = base + slot * 3600
  local body = string.format(
    '{"client_id":%d,"title":"Benchmark booking","session_type":"personal",' ..
    '"location":"Main Gym - Studio A","scheduled_start":"%s","scheduled_end":"%s"}',
    clients[(slot % #clients) + 1], iso(start), iso(start + 45 * 60))
  return wrk.format("POST", "/api/v1/sessions", nil, body)
end
