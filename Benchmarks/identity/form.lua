-- wrk script: POSTs the form in $FORM (one line, already percent-encoded) to $PATH_ (default
-- /oauth2/token), with $TOKEN as bearer credential when set.
local form = io.open(os.getenv("FORM")):read("*l")
local path = os.getenv("PATH_") or "/oauth2/token"
local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
local token = os.getenv("TOKEN")
if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end

request = function()
  return wrk.format("POST", path, headers, form)
end
