-- Shared by the scripts that vary their requests: thread numbering and a list file.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

-- setup runs in wrk's main state once per thread, before the thread's init: give each
-- thread its number (0-based), so threads can take disjoint shares of the work.
local next_thread = 0
function setup(thread)
  thread:set("thread_no", next_thread)
  next_thread = next_thread + 1
end

-- The lines of a file, each split on whitespace.
function read_rows(path)
  local rows = {}
  for line in io.lines(path) do
    local fields = {}
    for field in line:gmatch("%S+") do
      fields[#fields + 1] = field
    end
    if #fields > 0 then
      rows[#rows + 1] = fields
    end
  end
  return rows
end
