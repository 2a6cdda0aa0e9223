-- wrk script for the soak (bench/soak.sh): bench/message.lua, plus a pause before each request
-- (SOAK_DELAY_MS per connection) so that the load stays near a chosen rate.
dofile("bench/message.lua")
local pause = tonumber(os.getenv("SOAK_DELAY_MS") or "0")
function delay()
  return pause
end
