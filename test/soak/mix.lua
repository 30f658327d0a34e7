-- test/soak/mix.lua: wrk requests for `make soak`, in turn: Thunderbird's
-- autoconfig GET, its Autodiscover POST, the K-9 GET without a query,
-- Outlook's JSON GET, an Apple profile.  Every one must answer 200.
local pox = [[<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request><EMailAddress>jane.doe@mailbox.org</EMailAddress>
  <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
  </Request></Autodiscover>
]]
local reqs = {}
local n = 0

function init(args)
	local h = { ["Host"] = "autoconfig.mailbox.org" }
	local hd = { ["Host"] = "autodiscover.mailbox.org",
	    ["Content-Type"] = "text/xml; charset=utf-8" }
	reqs[1] = wrk.format("GET",
	    "/mail/config-v1.1.xml?emailaddress=jane.doe%40mailbox.org", h)
	reqs[2] = wrk.format("POST", "/autodiscover/autodiscover.xml", hd, pox)
	reqs[3] = wrk.format("GET", "/.well-known/autoconfig/mail/config-v1.1.xml", h)
	reqs[4] = wrk.format("GET",
	    "/autodiscover/autodiscover.json?Email=jane%40mailbox.org&Protocol=AutodiscoverV1",
	    { ["Host"] = "autodiscover.mailbox.org" })
	reqs[5] = wrk.format("GET",
	    "/email.mobileconfig?emailaddress=jane%40mailbox.org", h)
end

function request()
	n = n % #reqs + 1
	return reqs[n]
end
