-- Drives one scenario: cycles through the requests in $BENCH_REQUESTS (one per line:
-- METHOD<TAB>PATH<TAB>BODY), each wrk thread striding through its own share of the lines,
-- authenticated with $BENCH_TOKEN. With $BENCH_ONCE set (writes: each line carries the version
-- it expects), a thread stops once it has sent its share instead of sending a line again.
local token = os.getenv("BENCH_TOKEN")
local requests = {}
for line in io.lines(os.getenv("BENCH_REQUESTS")) do
  local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
  table.insert(requests, {method = method, path = path, body = body})
end

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  stride = tonumber(os.getenv("BENCH_THREADS") or "2")
  once = os.getenv("BENCH_ONCE") ~= nil and os.getenv("BENCH_ONCE") ~= ""
end

function response(status, headers, body)
  if once and counter * stride + tid >= #requests then
    wrk.thread:stop()
  end
end

function request()
  if once and counter * stride + tid >= #requests then
    -- Exhausted: connections still open ask for one more request before the thread stops.
    return wrk.format("GET", "/healthz")
  end
  local index = (counter * stride + tid) % #requests + 1
  counter = counter + 1
  local r = requests[index]
  local headers = {["Authorization"] = "Bearer " .. token, ["Accept"] = "application/json"}
  if r.body ~= nil and r.body ~= "" then
    headers["Content-Type"] = "application/json"
    return wrk.format(r.method, r.path, headers, r.body)
  end
  return wrk.format(r.method, r.path, headers)
end
