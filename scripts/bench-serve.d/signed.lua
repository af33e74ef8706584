-- wrk script for scripts/bench-serve: cycles through pre-signed bodies, each
-- thread taking every Nth line so no two requests carry the same body (a repeat
-- would only measure the duplicate path). Lines: "<hex signature> <json body>".
local file = os.getenv("BENCH_BODIES")
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
local created = 0

function setup(thread)
  thread:set("tid", created)
  created = created + 1
end

function init(args)
  bodies, signatures = {}, {}
  for line in io.lines(file) do
    local signature, body = line:match("^(%x+) (.*)$")
    signatures[#signatures + 1] = signature
    bodies[#bodies + 1] = body
  end
  index = tid + 1
end

function request()
  local i = index
  index = index + nthreads
  if index > #bodies then index = tid + 1 end
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["X-Signature"] = "sha256=" .. signatures[i],
  }, bodies[i])
end
