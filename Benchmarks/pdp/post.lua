-- wrk script: POSTs the AuthZEN evaluation bodies of $BODIES (one JSON object per line) round-robin
-- to /access/v1/evaluation with $TOKEN as bearer credential (when set).
local bodies = {}
for line in io.lines(os.getenv("BODIES")) do
  bodies[#bodies + 1] = line
end
local headers = { ["Content-Type"] = "application/json" }
local token = os.getenv("TOKEN")
if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
local i = 0

request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/access/v1/evaluation", headers, bodies[i])
end
