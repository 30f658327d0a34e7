-- wrk script: the Outlook/Thunderbird Autodiscover POX POST
-- (shared spec, client-requests.md), for `make bench`.
-- BENCH_ADDR picks the address (default jane@mailbox.org).
local addr = os.getenv("BENCH_ADDR") or "jane@mailbox.org"
wrk.method = "POST"
wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
wrk.body = [[<?xml version="1.0" encoding="utf-8"?>
    <Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
      <Request>
        <EMailAddress>]] .. addr .. [[</EMailAddress>
        <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
      </Request>
    </Autodiscover>
]]
