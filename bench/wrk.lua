-- Drives one scenario: cycles through the requests in $BENCH_REQUESTS (one per line:
-- METHOD<TAB>PATH<TAB>BODY), each wrk thread striding through its own share of the lines,
-- authenticated with $BENCH_TOKEN. With $BENCH_ONCE set (writes: each line carries the version
-- it expects), a thread stops once it has sent its share instead of sending a line again.
--
-- Moves heal: wrk now and then drops a request it generated (around the reconnects that
-- gunicorn's closed connections cause), and a dropped move would leave every later move of
-- that deal with a version one behind. So each thread remembers, from the deals its moves
-- got back, each deal's version and stage, and sends the version the deal has and, if the
-- deal already stands where a line sends it, the other stage of its back-and-forth.
local token = os.getenv("BENCH_TOKEN")
local requests = {}
for line in io.lines(os.getenv("BENCH_REQUESTS")) do
  local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
  table.insert(requests, {method = method, path = path, body = body})
end

local known_version, known_stage, targets = {}, {}, {}

local function heal(r)
  local deal = r.path:match("^/api/v1/deals/(%d+)/move$")
  if not deal or not r.body then
    return r.body
  end
  local target = tonumber(r.body:match('"stage_id": *(%d+)'))
  targets[deal] = targets[deal] or {}
  targets[deal][target] = true
  if known_stage[deal] == target then
    for other in pairs(targets[deal]) do
      if other ~= target then
        target = other
      end
    end
  end
  local version = known_version[deal] or tonumber(r.body:match('"version": *(%d+)'))
  return string.format('{"stage_id": %d, "version": %d}', target, version)
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
  if status == 200 and body then
    local deal, version = body:match('^{"id":(%d+),"version":(%d+)')
    local stage = body:match('"stage":{"id":(%d+)')
    if deal and stage then
      known_version[deal] = tonumber(version)
      known_stage[deal] = tonumber(stage)
    end
  end
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
    return wrk.format(r.method, r.path, headers, once and heal(r) or r.body)
  end
  return wrk.format(r.method, r.path, headers)
end
