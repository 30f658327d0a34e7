#!/bin/sh
# test/demo.sh: what `make demo` shows: the two answers most clients get,
# from the shipped providers.ini, exactly as the web server would pass them
# on (CGI headers, then the body), each checked with xmllint.
set -u
cd "$(dirname "$0")/.." || exit 1
BIN=./mailautoconf
CONF=providers.ini

echo "# Thunderbird asks:"
echo "#   GET https://autoconfig.mailbox.org/mail/config-v1.1.xml?emailaddress=jane.doe%40mailbox.org"
echo
env -i REQUEST_METHOD=GET HTTP_HOST=autoconfig.mailbox.org \
    REQUEST_URI='/mail/config-v1.1.xml?emailaddress=jane.doe%40mailbox.org' \
    QUERY_STRING='emailaddress=jane.doe%40mailbox.org' \
    $BIN -c $CONF >demo-ac.out || exit 1
tr -d '\r' <demo-ac.out
sed '1,/^\r$/d' demo-ac.out | xmllint --noout - || exit 1

body='<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request>
    <EMailAddress>jane.doe@mailbox.org</EMailAddress>
    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
  </Request>
</Autodiscover>'
echo
echo "# Outlook asks:"
echo "#   POST https://autodiscover.mailbox.org/Autodiscover/Autodiscover.xml"
echo
printf '%s' "$body" | env -i REQUEST_METHOD=POST HTTP_HOST=autodiscover.mailbox.org \
    REQUEST_URI=/Autodiscover/Autodiscover.xml CONTENT_TYPE=text/xml \
    CONTENT_LENGTH=${#body} $BIN -c $CONF >demo-ad.out || exit 1
tr -d '\r' <demo-ad.out
sed '1,/^\r$/d' demo-ad.out | xmllint --noout - || exit 1
rm -f demo-ac.out demo-ad.out
echo
echo "# Both answers are well-formed XML (xmllint).  Try your own:"
echo "#   QUERY_STRING='emailaddress=you%40mailbox.org' ./mailautoconf -c providers.ini"
