-- PATCH /api/v1/sessions/<id>: new notes, and the session's own times sent again, so each
-- request takes the rescheduling path (conflict check) and always succeeds. Threads walk
-- the list in step, so no two requests in flight touch one row.
-- args: <threads> <file of "id start end" lines, times ISO 8601 UTC>
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

local threads, rows, n

function init(args)
  threads = tonumber(args[1])
  rows = read_rows(args[2])
  n = 0
  -- wrk.headers already holds the -H headers (the session cookie); add to them.
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local row = rows[((n * threads + thread_no) % #rows) + 1]
  n = n + 1
  local body = string.format(
    '{"notes":"Benchmark update %d","scheduled_start":"%s","scheduled_end":"%s"}', n, row[2], row[3])
  return wrk.format("PATCH", "/api/v1/sessions/" .. row[1], nil, body)
end
