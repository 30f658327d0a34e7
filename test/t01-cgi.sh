#!/bin/sh
# t01-cgi.sh: the real binary as CGI, one request a case, the whole answer
# (headers and body) compared with a golden file in test/golden/, every
# XML body through xmllint.  GOLDEN_UPDATE=1 writes the golden files anew.
. "$(dirname "$0")/lib.sh"

G=$TOP/test/golden
D=$TOP/test/data

TB_BODY='<?xml version="1.0" encoding="utf-8"?>
    <Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
      <Request>
        <EMailAddress>jane.doe@mailbox.org</EMailAddress>
        <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
      </Request>
    </Autodiscover>'
printf '%s' "$TB_BODY" >"$T_TMP/tb.xml"
sed 's/jane.doe@mailbox.org/jane.doe@example.net/' "$T_TMP/tb.xml" >"$T_TMP/ex.xml"
sed 's/jane.doe@mailbox.org/jane@redirect.example/' "$T_TMP/tb.xml" >"$T_TMP/redir.xml"
sed -e "s/jane.doe@mailbox.org/o'brien\\&amp;co@esc.example/" "$T_TMP/tb.xml" >"$T_TMP/esc.xml"
cat >"$T_TMP/samsung.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/mobilesync/requestschema/2006">
<Request><EMailAddress>jane@mailbox.org</EMailAddress>
<AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006</AcceptableResponseSchema>
</Request></Autodiscover>
EOF
printf '<Autodiscover><Request><EMailAddress>a@mailbox.org' >"$T_TMP/trunc.xml"
printf '<Autodiscover><Request><EMailAddress>a@mailbox.org</EMailAddress><AcceptableResponseSchema>urn:example:other</AcceptableResponseSchema></Request></Autodiscover>' >"$T_TMP/other.xml"
printf 'emailaddress=jane%%40mailbox.org' >"$T_TMP/form"

# case NAME CONF STDIN VAR=value...
case_() {
	name=$1 conf=$2 in=$3
	shift 3
	MAC_CONF=$conf MAC_STDIN=$in mac_cgi "$T_TMP/$name" "$@"
	f=$T_TMP/$name
	if [ "$(cat "$f.rc")" != 0 ]; then
		fail "$name: exit $(cat "$f.rc"): $(head -c 300 "$f.err")"
		return
	fi
	if [ -s "$f.body" ] && grep -q '^Content-Type: text/xml' "$f.head"; then
		check "$name: well-formed XML" xml_ok "$f.body"
	fi
	normalise "$f" >"$f.norm"
	if [ -n "${GOLDEN_UPDATE:-}" ]; then
		cp "$f.norm" "$G/$name.txt"
		ok "$name: golden written"
	elif cmp -s "$f.norm" "$G/$name.txt"; then
		ok "$name: golden"
	else
		fail "$name: differs from golden"
		diff "$G/$name.txt" "$f.norm" | head -20
	fi
}

P=$TOP/providers.ini
N=/dev/null
AC=/mail/config-v1.1.xml
Q='emailaddress=jane.doe%40mailbox.org'
H=HTTP_HOST=autoconfig.mailbox.org
AD=HTTP_HOST=autodiscover.mailbox.org
X='CONTENT_TYPE=text/xml; charset=utf-8'

# Thunderbird 153, both URLs it tries
case_ ac-thunderbird "$P" $N GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
    REQUEST_URI="$AC?$Q" QUERY_STRING="$Q" $H
case_ ac-wellknown "$P" $N REQUEST_METHOD=GET HTTP_HOST=mailbox.org \
    REQUEST_URI="/.well-known/autoconfig$AC?$Q" QUERY_STRING="$Q"
# Nine; Thunderbird for Android and Geary (no query); Evolution
case_ ac-nine "$P" $N REQUEST_METHOD=GET REQUEST_URI="/v1.1$AC?$Q" \
    QUERY_STRING="$Q" $H
case_ ac-noquery "$P" $N REQUEST_METHOD=GET REQUEST_URI="$AC" $H
case_ ac-evolution "$P" $N REQUEST_METHOD=GET \
    QUERY_STRING='emailaddress=EVOLUTIONUSER%40mailbox.org&emailmd5=5f4dcc3b5aa765d61d8327deb882cf99' \
    REQUEST_URI="$AC?emailaddress=EVOLUTIONUSER%40mailbox.org" $H
# a shell: nothing but QUERY_STRING
case_ ac-shell "$P" $N QUERY_STRING="$Q"
case_ ac-head "$P" $N REQUEST_METHOD=HEAD REQUEST_URI="$AC?$Q" \
    QUERY_STRING="$Q" $H
case_ ac-casing "$P" $N REQUEST_METHOD=GET REQUEST_URI="/MAIL/Config-V1.1.XML" $H
case_ ac-scriptname "$P" $N REQUEST_METHOD=GET SCRIPT_NAME=/mail \
    PATH_INFO=/config-v1.1.xml QUERY_STRING="$Q"
case_ ac-form "$P" "$T_TMP/form" REQUEST_METHOD=POST REQUEST_URI="$AC" \
    CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=31 $H
case_ ac-every-key "$D/full.ini" $N REQUEST_METHOD=GET REQUEST_URI="$AC" \
    QUERY_STRING='emailaddress=jane%40Example.NET' HTTP_HOST=x.invalid
case_ ac-escaped "$D/full.ini" $N QUERY_STRING='emailaddress=o%27brien%26co%40esc.example'
case_ ac-catchall "$D/catchall.ini" $N QUERY_STRING='emailaddress=a%40elsewhere.example'
case_ ac-unknown "$P" $N QUERY_STRING='emailaddress=a%40unknown.example'

# Outlook Autodiscover POX, in the casings real clients use
case_ pox-thunderbird "$P" "$T_TMP/tb.xml" REQUEST_METHOD=POST \
    REQUEST_URI=/autodiscover/autodiscover.xml "$X" CONTENT_LENGTH=395 $AD
case_ pox-outlook "$P" "$T_TMP/tb.xml" REQUEST_METHOD=POST \
    REQUEST_URI=/Autodiscover/Autodiscover.xml CONTENT_TYPE=text/xml \
    CONTENT_LENGTH=395 $AD
case_ pox-windows-mail "$P" "$T_TMP/tb.xml" REQUEST_METHOD=POST \
    REQUEST_URI=/AutoDiscover/AutoDiscover.xml CONTENT_LENGTH=395 $AD
case_ pox-get "$P" $N REQUEST_METHOD=GET REQUEST_URI=/autodiscover/autodiscover.xml $AD
case_ pox-samsung-chunked "$P" "$T_TMP/samsung.xml" REQUEST_METHOD=POST \
    REQUEST_URI=/autodiscover/autodiscover.xml CONTENT_TYPE=text/xml $AD
case_ pox-truncated "$P" "$T_TMP/trunc.xml" REQUEST_METHOD=POST \
    REQUEST_URI=/autodiscover/autodiscover.xml CONTENT_TYPE=text/xml $AD
case_ pox-other-schema "$P" "$T_TMP/other.xml" REQUEST_METHOD=POST \
    REQUEST_URI=/autodiscover/autodiscover.xml CONTENT_TYPE=text/xml $AD
case_ pox-every-key "$D/full.ini" "$T_TMP/ex.xml" REQUEST_METHOD=POST \
    REQUEST_URI=/autodiscover/autodiscover.xml CONTENT_TYPE=text/xml
case_ pox-redirect "$D/full.ini" "$T_TMP/redir.xml" REQUEST_METHOD=POST \
    REQUEST_URI=/autodiscover/autodiscover.xml CONTENT_TYPE=text/xml
case_ pox-escaped "$D/full.ini" "$T_TMP/esc.xml" REQUEST_METHOD=POST \
    REQUEST_URI=/autodiscover/autodiscover.xml CONTENT_TYPE=text/xml
case_ pox-unknown "$P" $N REQUEST_METHOD=GET \
    REQUEST_URI=/autodiscover/autodiscover.xml HTTP_HOST=autodiscover.nope.example
case_ put-405 "$P" $N REQUEST_METHOD=PUT REQUEST_URI="$AC" $H
# a POST without a body is a malformed request: error 600, not the Host's
case_ pox-empty-post "$P" $N REQUEST_METHOD=POST \
    REQUEST_URI=/autodiscover/autodiscover.xml CONTENT_TYPE=text/xml \
    CONTENT_LENGTH=0 $AD

# ews, owa, graph (test/data/ews.ini): autoconfig's URL servers and legacy
# exchange element; POX's EXCH and WEB blocks, left out for Outlook
E=$D/ews.ini
TB_UA='HTTP_USER_AGENT=Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Thunderbird/153.0'
OL_UA='HTTP_USER_AGENT=Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.18129; Pro)'
OL2_UA='HTTP_USER_AGENT=Mozilla/4.0 (compatible; MSOffice 12) Microsoft Outlook 16.0 <injected-ua/>'
for d in ews o365 port tmpl urlonly; do
	case_ ac-ews-$d "$E" $N REQUEST_METHOD=GET REQUEST_URI="$AC" \
	    QUERY_STRING="emailaddress=jane%40$d.example" HTTP_HOST=x.invalid
	sed "s/jane.doe@mailbox.org/jane@$d.example/" "$T_TMP/tb.xml" \
	    >"$T_TMP/$d.xml"
	case_ pox-ews-$d "$E" "$T_TMP/$d.xml" REQUEST_METHOD=POST \
	    REQUEST_URI=/autodiscover/autodiscover.xml "$X" "$TB_UA" \
	    HTTP_HOST=autodiscover.$d.example
done
sed 's/jane.doe@mailbox.org/jane@tmpl.example.net/' "$T_TMP/tb.xml" >"$T_TMP/tmpl2.xml"
case_ pox-ews-tmpl-net "$E" "$T_TMP/tmpl2.xml" REQUEST_METHOD=POST \
    REQUEST_URI=/autodiscover/autodiscover.xml "$X"
case_ pox-ews-outlook "$E" "$T_TMP/ews.xml" REQUEST_METHOD=POST \
    REQUEST_URI=/autodiscover/autodiscover.xml "$X" "$OL_UA"
case_ pox-ews-outlook2 "$E" "$T_TMP/ews.xml" REQUEST_METHOD=POST \
    REQUEST_URI=/autodiscover/autodiscover.xml "$X" "$OL2_UA"
case_ pox-ews-get "$E" $N REQUEST_METHOD=GET \
    REQUEST_URI=/autodiscover/autodiscover.xml HTTP_HOST=autodiscover.port.example

# HEAD gives the headers of GET, Content-Length included, and no body
f=$T_TMP/ac-head
check_eq "HEAD has no body" 0 "$(wc -c <"$f.body")"
check_eq "HEAD Content-Length is GET's" \
    "$(header "$T_TMP/ac-thunderbird" Content-Length)" "$(header "$f" Content-Length)"
for c in ac-thunderbird pox-thunderbird ac-unknown; do
	check_eq "$c: Content-Length is the body's" \
	    "$(wc -c <"$T_TMP/$c.body" | tr -d ' ')" "$(header "$T_TMP/$c" Content-Length)"
done
check_eq "405 names the methods" "GET, HEAD, POST" "$(header "$T_TMP/put-405" Allow)"
check_eq "autoconfig is cacheable" "max-age=3600" \
    "$(header "$T_TMP/ac-thunderbird" Cache-Control)"
check_eq "cache_max_age is honoured" "max-age=600" \
    "$(header "$T_TMP/ac-every-key" Cache-Control)"
check_eq "rejections log one line" 1 "$(wc -l <"$T_TMP/ac-unknown.err")"
check "the log line names the rule, endpoint, domain and client" \
    grep -q '^mailautoconf: 404: unknown domain (autoconfig unknown.example other)$' \
    "$T_TMP/ac-unknown.err"
check_eq "a good answer logs nothing" 0 "$(wc -c <"$T_TMP/ac-thunderbird.err")"

# The seed: the same servers, in the same order, as its hand-written XML
servers() {
	xmllint --xpath '//*[local-name()="incomingServer" or local-name()="outgoingServer"]' "$1" |
	    tr -d ' \n' | sed 's/<\/\(in\|out\)[a-zA-Z]*Server>/&\n/g'
}
servers "$D/seed-mailbox.org.xml" >"$T_TMP/seed.servers"
servers "$T_TMP/ac-thunderbird.body" >"$T_TMP/ours.servers"
check_eq "seed: six servers" 6 "$(wc -l <"$T_TMP/seed.servers" | tr -d ' ')"
if cmp -s "$T_TMP/seed.servers" "$T_TMP/ours.servers"; then
	ok "seed: servers, ports, sockets, auth, usernames, order"
else
	fail "seed: servers differ"
	diff "$T_TMP/seed.servers" "$T_TMP/ours.servers"
fi
for x in domain displayName displayShortName; do
	check_eq "seed: $x" \
	    "$(xmllint --xpath "string(//$x)" "$D/seed-mailbox.org.xml")" \
	    "$(xmllint --xpath "string(//$x)" "$T_TMP/ac-thunderbird.body")"
done
check_eq "seed: documentation" \
    "$(xmllint --xpath '//documentation' "$D/seed-mailbox.org.xml" | tr -d ' \n')" \
    "$(xmllint --xpath '//documentation' "$T_TMP/ac-thunderbird.body" | tr -d ' \n')"

# Thunderbird 153's reader: no empty elements, exact socketType words
check "no empty text elements" sh -c "! grep -q '<[a-zA-Z]*></' '$T_TMP/ac-every-key.body'"
check "socketType words" sh -c "! grep '<socketType>' '$T_TMP/ac-every-key.body' | grep -qv '<socketType>\(SSL\|STARTTLS\|plain\)</socketType>'"
# POX: one Protocol per type, exactly on/off
check_eq "POX: three protocols" "IMAPPOP3SMTP" \
    "$(xmllint --xpath '//*[local-name()="Type"]/text()' "$T_TMP/pox-thunderbird.body" | tr -d '\n')"
check "POX: values are on/off" sh -c "! grep -E '<(SSL|SPA|AuthRequired|DomainRequired)>' '$T_TMP/pox-every-key.body' | grep -qvE '>(on|off)<'"
check "POX: STARTTLS is Encryption TLS" grep -q '<Encryption>TLS</Encryption>' "$T_TMP/pox-every-key.body"
check "POX: password-encrypted is SPA on" grep -q "<SPA>on</SPA>" "$T_TMP/pox-every-key.body"
check "POX: templates filled" grep -q '<Server>mail.example.net</Server>' "$T_TMP/pox-every-key.body"
check "POX: LoginName filled" grep -q "<LoginName>jane.doe</LoginName>" "$T_TMP/pox-every-key.body"
check "escaped name" grep -q '&lt;b&gt;Bad &amp; &quot;quoted&quot; &apos;name&apos;&lt;/b&gt;' "$T_TMP/pox-escaped.body"
check "escaped name in autoconfig" grep -q '&lt;b&gt;Bad &amp;' "$T_TMP/ac-escaped.body"
check "escaped URL attribute" grep -q 'url="https://esc.example/?a=1&amp;b=%3C2%3E&amp;c=&apos;x&apos;"' "$T_TMP/ac-escaped.body"
check "escaped address in LoginName" grep -q "<LoginName>o&apos;brien&amp;co@esc.example</LoginName>" "$T_TMP/pox-escaped.body"

# ---- ews, owa, graph -------------------------------------------------------
# ptypes FILE: the Protocol types of a POX answer, in order
ptypes() {
	xmllint --xpath '/*/*/*[local-name()="Account"]/*[local-name()="Protocol"]/*[local-name()="Type"]/text()' "$1" 2>/dev/null | tr '\n' ' '
}
check_eq "POX ews: EXCH and WEB before IMAP and SMTP" "EXCH WEB IMAP SMTP " \
    "$(ptypes "$T_TMP/pox-ews-ews.body")"
check_eq "POX ews only: EXCH alone" "EXCH " "$(ptypes "$T_TMP/pox-ews-urlonly.body")"
check_eq "POX o365: graph is not in POX" "EXCH WEB IMAP POP3 SMTP " \
    "$(ptypes "$T_TMP/pox-ews-o365.body")"
for c in pox-ews-outlook pox-ews-outlook2; do
	check_eq "$c: Outlook gets no EXCH or WEB" "IMAP SMTP " "$(ptypes "$T_TMP/$c.body")"
	check "$c: the User-Agent is not in the answer" sh -c \
	    "! grep -qi -e 'Microsoft Office' -e 'injected' -e 'Outlook 16' '$T_TMP/$c.body' '$T_TMP/$c.head'"
done
xp() {
	xmllint --xpath "$2" "$T_TMP/$1.body" 2>/dev/null
}
AX='//*[local-name()="Protocol"][*[local-name()="Type"]="EXCH"]'
WX='//*[local-name()="Protocol"][*[local-name()="Type"]="WEB"]'
check_eq "POX EXCH: EwsUrl" "https://mail.ews.example/EWS/Exchange.asmx" \
    "$(xp pox-ews-ews "string($AX/*[local-name()=\"EwsUrl\"])")"
check_eq "POX EXCH: ASUrl is the EWS URL" "https://mail.ews.example/EWS/Exchange.asmx" \
    "$(xp pox-ews-ews "string($AX/*[local-name()=\"ASUrl\"])")"
check_eq "POX WEB: OWAUrl" "https://mail.ews.example/owa/" \
    "$(xp pox-ews-ews "string($WX/*[local-name()=\"External\"]/*[local-name()=\"OWAUrl\"])")"
check_eq "POX WEB: OWAUrl's AuthenticationMethod" "Basic" \
    "$(xp pox-ews-ews "string($WX//*[local-name()=\"OWAUrl\"]/@AuthenticationMethod)")"
check_eq "POX WEB: methods in order, comma-separated" "Digest,Ntlm,WindowsIntegrated,Fba" \
    "$(xp pox-ews-port "string($WX//*[local-name()=\"OWAUrl\"]/@AuthenticationMethod)")"
check_eq "POX WEB: OAuth2 is Fba" "Fba" \
    "$(xp pox-ews-o365 "string($WX//*[local-name()=\"OWAUrl\"]/@AuthenticationMethod)")"
check_eq "POX EXCH: templates filled with the domain asked" \
    "https://mail.tmpl.example.net/EWS/Exchange.asmx" \
    "$(xp pox-ews-tmpl-net "string($AX/*[local-name()=\"EwsUrl\"])")"
check_eq "POX EXCH: the address-free GET keeps its EWS block" "EXCH WEB IMAP SMTP " \
    "$(ptypes "$T_TMP/pox-ews-get.body")"
for c in pox-thunderbird pox-every-key pox-ews-ews pox-ews-outlook pox-empty-post pox-other-schema; do
	check_eq "$c: Vary: User-Agent" "User-Agent" "$(header "$T_TMP/$c" Vary)"
done
check_eq "autoconfig answers vary by User-Agent (Evolution's order)" User-Agent \
    "$(header "$T_TMP/ac-ews-ews" Vary)"
# LoginName before DomainRequired in every Protocol (MS-OXDSCLI)
for c in pox-thunderbird pox-every-key pox-ews-ews pox-ews-port; do
	check "$c: LoginName before DomainRequired" sh -c \
	    "awk '/<LoginName>/ { l = 1 } /<DomainRequired>/ { if (!l) bad = 1 } /<\/Protocol>/ { l = 0 } END { exit bad }' '$T_TMP/$c.body'"
done
# error documents: the Response in the 2006 response namespace, nothing echoed
NSR=http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006
for c in pox-empty-post pox-other-schema pox-samsung-chunked pox-truncated; do
	check_eq "$c: Response in the 2006 namespace" "$NSR" \
	    "$(xp $c 'namespace-uri(/*/*[local-name()="Response"])')"
done
check_eq "empty POST: error 600" 600 "$(xp pox-empty-post 'string(//*[local-name()="ErrorCode"])')"
check "the schema asked for is not echoed" sh -c "! grep -q 'urn:example:other' '$T_TMP/pox-other-schema.body'"
# autoconfig: URL servers at their line, legacy exchange after the last
# incoming server (Mozilla's ISPDB form)
atypes() {
	xmllint --xpath '//*[local-name()="incomingServer" or local-name()="outgoingServer"]/@type' "$1" 2>/dev/null | tr -d ' "\n' | sed 's/type=/ /g'
}
check_eq "autoconfig ews: order of servers" " imap ews owa exchange smtp" \
    "$(atypes "$T_TMP/ac-ews-ews.body")"
check_eq "autoconfig o365: order of servers" " imap pop3 ews owa graph exchange smtp" \
    "$(atypes "$T_TMP/ac-ews-o365.body")"
check_eq "autoconfig ews: url" "https://mail.ews.example/EWS/Exchange.asmx" \
    "$(xp ac-ews-ews 'string(//incomingServer[@type="ews"]/url)')"
check_eq "autoconfig ews: no hostname for a URL without a port" 0 \
    "$(xp ac-ews-ews 'count(//incomingServer[@type="ews"]/hostname)')"
check_eq "autoconfig ews: draft's Basic first, then Thunderbird's word" "Basic password-cleartext" \
    "$(xp ac-ews-ews '//incomingServer[@type="ews"]/authentication/text()' | tr '\n' ' ' | sed 's/ $//')"
check_eq "autoconfig ews: system=http on the draft's word" "http" \
    "$(xp ac-ews-ews 'string(//incomingServer[@type="ews"]/authentication[1]/@system)')"
check_eq "autoconfig legacy: both URLs" "https://mail.ews.example/owa/ https://mail.ews.example/EWS/Exchange.asmx" \
    "$(xp ac-ews-ews 'string(//incomingServer[@type="exchange"]/owaURL)') $(xp ac-ews-ews 'string(//incomingServer[@type="exchange"]/ewsURL)')"
check_eq "autoconfig port: the URL's port stated" "ews.port.example 8443 SSL" \
    "$(xp ac-ews-port 'string(//incomingServer[@type="ews"]/hostname)') $(xp ac-ews-port 'string(//incomingServer[@type="ews"]/port)') $(xp ac-ews-port 'string(//incomingServer[@type="ews"]/socketType)')"
check_eq "autoconfig port: a plain-http OWA URL on port 80 states nothing" 0 \
    "$(xp ac-ews-port 'count(//incomingServer[@type="owa"]/hostname)')"
check_eq "autoconfig port: legacy element from the ews line" "ews.port.example 8443 SSL NTLM" \
    "$(xp ac-ews-port 'string(//incomingServer[@type="exchange"]/hostname)') $(xp ac-ews-port 'string(//incomingServer[@type="exchange"]/port)') $(xp ac-ews-port 'string(//incomingServer[@type="exchange"]/socketType)') $(xp ac-ews-port 'string(//incomingServer[@type="exchange"]/authentication)')"
check_eq "autoconfig port: Digest for password-encrypted" "Digest password-encrypted NTLM GSSAPI OAuth2" \
    "$(xp ac-ews-port '//incomingServer[@type="owa"]/authentication/text()' | tr '\n' ' ' | sed 's/ $//')"
check_eq "autoconfig urlonly: the legacy element for the one ews line" 1 \
    "$(xp ac-ews-urlonly 'count(//incomingServer[@type="exchange"])')"
check_eq "autoconfig o365: global inbox on the legacy element only" "true" \
    "$(xp ac-ews-o365 'string(//incomingServer[@type="exchange"]/useGlobalPreferredServer)')"
check_eq "autoconfig o365: graph has no legacy URL" 0 \
    "$(xp ac-ews-o365 'count(//graphURL)')"

# ---- clients beyond IMAP (test/data/clients.ini) -------------------------
C=$D/clients.ini
S=$TOP/test/schema
MS_REQ='http://schemas.microsoft.com/exchange/autodiscover/mobilesync/requestschema/2006'
MS_RESP='http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006'
# AOSP Exchange's body (EasAutoDiscover.java): no prefix, one line
printf '<?xml version="1.0" encoding="utf-8"?>\n<Autodiscover xmlns="%s"><Request><EMailAddress>jane@eas.example</EMailAddress><AcceptableResponseSchema>%s</AcceptableResponseSchema></Request></Autodiscover>' \
    "$MS_REQ" "$MS_RESP" >"$T_TMP/android.xml"
sed 's/jane@mailbox.org/jane@eas.example/' "$T_TMP/samsung.xml" >"$T_TMP/samsung-eas.xml"
sed 's/@eas.example/@customer.example/' "$T_TMP/android.xml" >"$T_TMP/android-cust.xml"
sed 's/@eas.example/@moved.example/' "$T_TMP/android.xml" >"$T_TMP/android-moved.xml"
sed 's/@eas.example/@plain.example/' "$T_TMP/android.xml" >"$T_TMP/android-plain.xml"
# the schema in other case, with white space around it
sed -e "s|>$MS_RESP<|> HTTP://Schemas.Microsoft.com/exchange/autodiscover/MOBILESYNC/responseschema/2006\n <|" \
    "$T_TMP/android.xml" >"$T_TMP/android-case.xml"
for f in android samsung-eas android-case; do
	check "$f: the request is a MobileSync request (MS-ASCMD 6.3)" sh -c \
	    "xmllint --noout --schema '$S/mobilesync-request.xsd' '$T_TMP/$f.xml' 2>/dev/null"
done
# Android sends the password with this request: never read, never a 401
PW='HTTP_AUTHORIZATION=Basic amFuZTpzM2NyZXQtcGFzc3dvcmQ='
case_ ms-android "$C" "$T_TMP/android.xml" REQUEST_METHOD=POST \
    REQUEST_URI=/autodiscover/autodiscover.xml CONTENT_TYPE=text/xml \
    CONTENT_LENGTH="$(wc -c <"$T_TMP/android.xml" | tr -d ' ')" \
    HTTP_HOST=eas.example "$PW" 'HTTP_USER_AGENT=Android-Mail/2024.1'
# Samsung: chunked, so no CONTENT_LENGTH
case_ ms-samsung-chunked "$C" "$T_TMP/samsung-eas.xml" REQUEST_METHOD=POST \
    REQUEST_URI=/autodiscover/autodiscover.xml CONTENT_TYPE=text/xml \
    HTTP_HOST=autodiscover.eas.example "$PW"
case_ ms-case "$C" "$T_TMP/android-case.xml" REQUEST_METHOD=POST \
    REQUEST_URI=/autodiscover/autodiscover.xml CONTENT_TYPE=text/xml \
    HTTP_HOST=autodiscover.eas.example
case_ ms-hoster "$C" "$T_TMP/android-cust.xml" REQUEST_METHOD=POST \
    REQUEST_URI=/autodiscover/autodiscover.xml CONTENT_TYPE=text/xml \
    HTTP_HOST=autodiscover.customer.example
case_ ms-redirect "$C" "$T_TMP/android-moved.xml" REQUEST_METHOD=POST \
    REQUEST_URI=/autodiscover/autodiscover.xml CONTENT_TYPE=text/xml \
    HTTP_HOST=autodiscover.moved.example
case_ ms-601 "$C" "$T_TMP/android-plain.xml" REQUEST_METHOD=POST \
    REQUEST_URI=/autodiscover/autodiscover.xml CONTENT_TYPE=text/xml \
    HTTP_HOST=autodiscover.plain.example "$PW"
for c in ms-android ms-samsung-chunked ms-case ms-hoster ms-redirect ms-601; do
	check "$c: valid against MS-ASCMD 6.2/6.4" sh -c "xmllint --noout \
	    --schema '$S/autodiscover-response.xsd' '$T_TMP/$c.body' 2>/dev/null"
	check_eq "$c: 200, never a 401" 200 "$(status "$T_TMP/$c")"
	check "$c: the password is nowhere in the answer or the log" sh -c \
	    "! grep -q -e 'amFuZTpzM2NyZXQ' -e 's3cret' -e 'Basic' '$T_TMP/$c' '$T_TMP/$c.err'"
done
sed 's|<Type>MobileSync</Type>|<Type>IMAP</Type>|' "$T_TMP/ms-android.body" >"$T_TMP/ms-bad.xml"
check "the MobileSync schema refuses a wrong Type" sh -c \
    "! xmllint --noout --schema '$S/autodiscover-response.xsd' '$T_TMP/ms-bad.xml' 2>/dev/null"
check_eq "ms-android: Response in the mobilesync namespace" "$MS_RESP" \
    "$(xp ms-android 'namespace-uri(/*/*)')"
# what AOSP reads: raw names, no prefixes, the first Server of Type MobileSync
check_eq "ms-android: Url of the MobileSync server" \
    "https://sync.eas.example/Microsoft-Server-ActiveSync" \
    "$(xp ms-android 'string(/*[local-name()="Autodiscover"]/*[local-name()="Response"]/*[local-name()="Action"]/*[local-name()="Settings"]/*[local-name()="Server"][*[local-name()="Type"]="MobileSync"]/*[local-name()="Url"])')"
check "ms-android: no prefixed names (AOSP compares raw names)" sh -c \
    "! grep -q '<[A-Za-z]*:' '$T_TMP/ms-android.body'"
check_eq "ms-android: Name is the Url" \
    "$(xp ms-android 'string(//*[local-name()="Url"])')" \
    "$(xp ms-android 'string(//*[local-name()="Name"])')"
check_eq "ms-android: DisplayName and the address asked" "EAS Example Mail jane@eas.example" \
    "$(xp ms-android 'string(//*[local-name()="DisplayName"])') $(xp ms-android 'string(//*[local-name()="User"]/*[local-name()="EMailAddress"])')"
check_eq "ms-hoster: the URL filled for the customer's domain" \
    "https://sync.customer.example/SOGo/Microsoft-Server-ActiveSync" \
    "$(xp ms-hoster 'string(//*[local-name()="Url"])')"
check_eq "ms-redirect: the Redirect action" "jane@eas.example" \
    "$(xp ms-redirect 'string(//*[local-name()="Action"]/*[local-name()="Redirect"])')"
check_eq "ms-redirect: no Settings beside it" 0 \
    "$(xp ms-redirect 'count(//*[local-name()="Settings"])')"
check_eq "ms-601: without activesync, error 601 as before" 601 \
    "$(xp ms-601 'string(//*[local-name()="ErrorCode"])')"
check_eq "ms-case: the schema matched trimmed and in any case" MobileSync \
    "$(xp ms-case 'string(//*[local-name()="Type"])')"
# Outlook's schema on an ActiveSync provider: the POX answer, no MobileSync
sed 's/jane.doe@mailbox.org/jane@eas.example/' "$T_TMP/tb.xml" >"$T_TMP/tb-eas.xml"
case_ pox-eas-outlook "$C" "$T_TMP/tb-eas.xml" REQUEST_METHOD=POST \
    REQUEST_URI=/autodiscover/autodiscover.xml CONTENT_TYPE=text/xml \
    HTTP_HOST=autodiscover.eas.example
check_eq "pox-eas-outlook: IMAP and SMTP as before" "IMAP SMTP " \
    "$(ptypes "$T_TMP/pox-eas-outlook.body")"

# autoconfig: activeSync and jmap at their lines, clientID, the draft's DAV
for d in eas customer; do
	case_ ac-clients-$d "$C" $N REQUEST_METHOD=GET REQUEST_URI="$AC" \
	    QUERY_STRING="emailaddress=jane%40$d.example" HTTP_HOST=x.invalid
done
check_eq "ac-clients-eas: servers in line order" " imap jmap activeSync smtp" \
    "$(atypes "$T_TMP/ac-clients-eas.body")"
check_eq "ac-clients-eas: jmap's url" "https://jmap.eas.example/jmap/session" \
    "$(xp ac-clients-eas 'string(//incomingServer[@type="jmap"]/url)')"
check_eq "ac-clients-eas: clientID in oAuth2" "mailautoconf-public" \
    "$(xp ac-clients-eas 'string(/clientConfig/oAuth2/clientID)')"
check_eq "ac-clients-eas: never a clientSecret" 0 \
    "$(xp ac-clients-eas 'count(//clientSecret)')"
check_eq "ac-clients-eas: addressBook (1.1) and addressbook (draft) with one URL" \
    "https://dav.eas.example/dav/ https://dav.eas.example/dav/" \
    "$(xp ac-clients-eas 'string(/clientConfig/addressBook/serverURL)') $(xp ac-clients-eas 'string(/clientConfig/addressbook/url)')"
check_eq "ac-clients-eas: version stays 1.1" 1.1 \
    "$(xp ac-clients-eas 'string(/clientConfig/@version)')"
# no attribute but type on server elements (Evolution), none on domain,
# hostname, port, socketType, username (Thunderbird); no purpose, no secret
for c in ac-clients-eas ac-clients-customer ac-every-key ac-ews-o365; do
	check_eq "$c: server elements carry type only" 0 \
	    "$(xp $c 'count(//*[self::incomingServer or self::outgoingServer or self::calendar or self::addressbook or self::addressBook]/@*[name()!="type"])')"
	check_eq "$c: no attribute on domain, hostname, port, socketType, username" 0 \
	    "$(xp $c 'count(//*[self::domain or self::hostname or self::port or self::socketType or self::username]/@*)')"
	check_eq "$c: system= only on an authentication followed by a plain one" 0 \
	    "$(xp $c 'count(//authentication[@system][not(following-sibling::authentication[1][not(@*)])])')"
done
# Evolution: %EMAILDOMAIN% filled for every client (its parser is never told
# the domain), the address's placeholders kept; each type's first line last
# for its request (it keeps the last), told by emailmd5 or its User-Agent
for c in ac-clients-customer ac-ews-tmpl ac-thunderbird; do
	check "$c: no %EMAILDOMAIN% left" sh -c "! grep -q '%EMAILDOMAIN%' '$T_TMP/$c.body'"
done
check_eq "ac-clients-customer: the host filled for the domain asked" \
    "mail.customer.example mail.customer.example" \
    "$(xp ac-clients-customer 'string(//incomingServer[@type="imap"]/hostname)') $(xp ac-clients-customer 'string(//outgoingServer/hostname)')"
check_eq "ac-clients-customer: %EMAILADDRESS% stays for the client" "%EMAILADDRESS%" \
    "$(xp ac-clients-customer 'string(//incomingServer[@type="imap"]/username)')"
ports() {
	xmllint --xpath "//$2/port/text()" "$T_TMP/$1.body" 2>/dev/null | tr '\n' ' '
}
check_eq "ac-thunderbird: IMAP in line order" "993 143 " "$(ports ac-thunderbird 'incomingServer[@type="imap"]')"
check_eq "ac-evolution (emailmd5): IMAP 993 last, the one Evolution keeps" "143 993 " \
    "$(ports ac-evolution 'incomingServer[@type="imap"]')"
check_eq "ac-evolution: POP3 995 last" "110 995 " "$(ports ac-evolution 'incomingServer[@type="pop3"]')"
check_eq "ac-evolution: SMTP 465 last" "587 465 " "$(ports ac-evolution 'outgoingServer')"
case_ ac-evolution-ua "$P" $N REQUEST_METHOD=GET REQUEST_URI="$AC?$Q" \
    QUERY_STRING="$Q" $H 'HTTP_USER_AGENT=Evolution/3.56.2'
check_eq "ac-evolution-ua (User-Agent): IMAP 993 last" "143 993 " \
    "$(ports ac-evolution-ua 'incomingServer[@type="imap"]')"
check_eq "ac-evolution-ua: Vary: User-Agent" User-Agent "$(header "$T_TMP/ac-evolution-ua" Vary)"

# every autoconfig answer of this suite against the draft's RELAX NG
for f in "$T_TMP"/ac-*.body; do
	c=$(basename "$f" .body)
	[ -s "$f" ] && [ "$(status "$T_TMP/$c")" = 200 ] || continue
	check "$c: valid against the autoconfig draft's RELAX NG" sh -c \
	    "xmllint --noout --relaxng '$S/autoconfig.rng' '$f' 2>/dev/null"
done
sed 's|<port>993</port>|<port>imaps</port>|' "$T_TMP/ac-clients-eas.body" >"$T_TMP/ac-bad.xml"
check "the RELAX NG refuses a port that is no number" sh -c \
    "! xmllint --noout --relaxng '$S/autoconfig.rng' '$T_TMP/ac-bad.xml' 2>/dev/null"
finish
