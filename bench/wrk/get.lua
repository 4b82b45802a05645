-- GET /api/v1/sessions/<id>, walking the measured trainer's sessions.
-- args: <threads> <file of ids, one a line>
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

local threads, ids, n

function init(args)
  threads = tonumber(args[1])
  ids = read_rows(args[2])
  n = 0
end

function request()
  local row = ids[((n * threads + thread_no) % #ids) + 1]
  n = n + 1
  return wrk.format("GET", "/api/v1/sessions/" .. row[1])
end
