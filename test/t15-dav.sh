#!/bin/sh
# t15-dav.sh: calendars, contacts and PACC through the real binary.
#   - SHA-256 against openssl dgst -sha256, at every length of the block
#     boundaries and on random bytes;
#   - PACC: the document of every domain (golden, jq and python3's json
#     parser), the same bytes for every request, its SHA-256 by openssl
#     equal to the digest --dns publishes; methods, query, Host;
#   - /.well-known/caldav and /.well-known/carddav: a 307 to the configured
#     URL for every method, PROPFIND and OPTIONS included; 404 where there
#     is nothing to redirect to;
#   - the Apple profile's CalDAV and CardDAV payloads (plistutil, plistlib,
#     UUIDs recomputed with python3's uuid5);
#   - the profile page on any Host;
#   - --dns through named-checkzone, and --check's PACC warnings.
# Golden answers are test/golden/dav-*.txt (GOLDEN_UPDATE=1 rewrites them).
. "$(dirname "$0")/lib.sh"

G=$TOP/test/golden
MAC_CONF=$TOP/test/data/dav.ini
B="$MAC_WRAP $MAC_BIN"
U=${MAC_B:-.}/unit
PACC=/.well-known/user-agent-configuration.json
NS=6662a165-dd01-5031-ac48-57b01e49d73b

# golden NAME: the answer in $T_TMP/NAME against test/golden/dav-NAME.txt
golden() {
	normalise "$T_TMP/$1" >"$T_TMP/$1.norm"
	if [ -n "${GOLDEN_UPDATE:-}" ]; then
		cp "$T_TMP/$1.norm" "$G/dav-$1.txt"
		ok "$1: golden written"
	elif cmp -s "$T_TMP/$1.norm" "$G/dav-$1.txt"; then
		ok "$1: golden"
	else
		fail "$1: differs from golden"
		diff "$G/dav-$1.txt" "$T_TMP/$1.norm" | head -20
	fi
}

# req NAME VAR=value...: one CGI request, exit 0 checked
req() {
	n=$1
	shift
	mac_cgi "$T_TMP/$n" "$@"
	check_eq "$n: exit status" 0 "$(cat "$T_TMP/$n.rc")"
}

json_ok() {
	jq -e . "$1" >/dev/null 2>&1 && python3 -m json.tool "$1" >/dev/null 2>&1
}

# ---- SHA-256 against openssl --------------------------------------------
if [ -x "$U" ]; then
	bad=0
	for n in 0 1 2 3 31 32 54 55 56 57 63 64 65 100 118 119 120 127 128 129 \
	    1000 65543; do
		head -c "$n" /dev/urandom >"$T_TMP/rnd"
		a=$($U --sha256 <"$T_TMP/rnd")
		b=$(openssl dgst -sha256 -r "$T_TMP/rnd" | cut -d' ' -f1)
		[ "$a" = "$b" ] || { bad=1; fail "sha256 of $n random bytes: $a, openssl $b"; }
	done
	[ $bad = 0 ] && ok "sha256 equals openssl dgst -sha256 at 22 lengths"
else
	fail "$U is missing (make unit)"
fi

# ---- PACC ---------------------------------------------------------------
# digest FILE: what PACC's TXT record carries for these bytes (openssl)
digest() {
	printf 'v=UAAC1; a=sha256; d=%s' \
	    "$(openssl dgst -sha256 -binary "$1" | openssl base64 -A)"
}
# txt DOMAIN: the _ua-auto-config TXT value that --dns prints
txt() {
	$B --dns "$1" -c "$MAC_CONF" | awk -F'\t' -v n="_ua-auto-config.$1." \
	    '$1 == n && $4 == "TXT" { gsub(/"/, "", $5); print $5 }'
}

for d in example.com customer.example second.example; do
	req "pacc-$d" REQUEST_METHOD=GET REQUEST_URI=$PACC \
	    HTTP_HOST="ua-auto-config.$d"
	f=$T_TMP/pacc-$d
	check_eq "pacc $d: 200" 200 "$(status "$f")"
	check_eq "pacc $d: application/json" application/json \
	    "$(header "$f" Content-Type)"
	check "pacc $d: jq and python3 parse it" json_ok "$f.body"
	check_eq "pacc $d: Content-Length" "$(wc -c <"$f.body" | tr -d ' ')" \
	    "$(header "$f" Content-Length)"
	check_eq "pacc $d: digest by openssl is the one --dns prints" \
	    "$(txt "$d")" "$(digest "$f.body")"
	check "pacc $d: no placeholder left" sh -c "! grep -q '%EMAIL' '$f.body'"
	check "pacc $d: no trailing newline" \
	    sh -c "[ \"\$(tail -c 1 '$f.body' | od -An -c | tr -d ' ')\" != '\\n' ]"
done
golden pacc-example.com
golden pacc-customer.example
f=$T_TMP/pacc-example.com
check_eq "pacc: cached no longer than the TXT record's TTL" "max-age=3600" \
    "$(header "$f" Cache-Control)"
check_eq "pacc: any origin may read it" "*" \
    "$(header "$f" Access-Control-Allow-Origin)"
check_eq "pacc: -03's submit" "smtp.example.com" \
    "$(jq -r .protocols.submit.host "$f.body")"
check_eq "pacc: caldav URL" "https://dav.example.com/dav/" \
    "$(jq -r .protocols.caldav.url "$f.body")"
check_eq "pacc: per domain" "mail.second.example" \
    "$(jq -r .protocols.imap.host "$T_TMP/pacc-second.example.body")"
check_eq "pacc: a per-user caldav URL is left out" "null" \
    "$(jq -r .protocols.caldav "$T_TMP/pacc-customer.example.body")"
check_eq "pacc: the 465 server, not the first (587) one" \
    "mail.customer.example" \
    "$(jq -r .protocols.submit.host "$T_TMP/pacc-customer.example.body")"

# the same bytes whoever asks, however
i=0
for v in "HTTP_HOST=UA-Auto-Config.Example.COM" \
    "HTTP_HOST=ua-auto-config.example.com:443" \
    "HTTP_USER_AGENT=Mail/3826 CFNetwork/1490 Darwin/23.0" \
    "HTTP_ACCEPT=application/json" "REQUEST_URI=/.WELL-KNOWN/User-Agent-Configuration.JSON"; do
	i=$((i + 1))
	req "pacc-same$i" REQUEST_METHOD=GET REQUEST_URI=$PACC \
	    HTTP_HOST=ua-auto-config.example.com "$v"
	check "pacc: byte-identical ($v)" cmp -s "$f.body" "$T_TMP/pacc-same$i.body"
done
req pacc-bare REQUEST_METHOD=GET REQUEST_URI=$PACC HTTP_HOST=example.com
check "pacc: Host without ua-auto-config. too" cmp -s "$f.body" \
    "$T_TMP/pacc-bare.body"
req pacc-head REQUEST_METHOD=HEAD REQUEST_URI=$PACC \
    HTTP_HOST=ua-auto-config.example.com
check_eq "pacc HEAD: 200, no body" "200 0" \
    "$(status "$T_TMP/pacc-head") $(wc -c <"$T_TMP/pacc-head.body" | tr -d ' ')"
check_eq "pacc HEAD: Content-Length of the GET" "$(header "$f" Content-Length)" \
    "$(header "$T_TMP/pacc-head" Content-Length)"
printf 'x=1' >"$T_TMP/form"
MAC_STDIN=$T_TMP/form req pacc-post REQUEST_METHOD=POST REQUEST_URI=$PACC \
    HTTP_HOST=ua-auto-config.example.com \
    CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=3
golden pacc-post
check_eq "pacc POST: Allow" "GET, HEAD" "$(header "$T_TMP/pacc-post" Allow)"
req pacc-query REQUEST_METHOD=GET REQUEST_URI="$PACC?emailaddress=a%40example.com" \
    QUERY_STRING=emailaddress=a%40example.com HTTP_HOST=ua-auto-config.example.com
check_eq "pacc with an address: 400 (the document is per domain)" 400 \
    "$(status "$T_TMP/pacc-query")"
req pacc-legacy REQUEST_METHOD=GET REQUEST_URI=$PACC \
    HTTP_HOST=ua-auto-config.legacy.example
golden pacc-legacy
check "pacc legacy: --dns prints no TXT record but says why" sh -c \
    "$B --dns legacy.example -c '$MAC_CONF' | grep -q '^; legacy.example: no PACC document (nothing PACC can state)' && \
    ! $B --dns legacy.example -c '$MAC_CONF' | grep -q 'ua-auto-config'"
req pacc-unknown REQUEST_METHOD=GET REQUEST_URI=$PACC \
    HTTP_HOST=ua-auto-config.unknown.example
golden pacc-unknown
req pacc-nohost REQUEST_METHOD=GET REQUEST_URI=$PACC
check_eq "pacc without Host: 400" 400 "$(status "$T_TMP/pacc-nohost")"

# ---- /.well-known/caldav and /.well-known/carddav -------------------------
# every method a DAV client may start with gets the same redirect
for m in GET HEAD POST PUT DELETE OPTIONS PROPFIND REPORT MKCALENDAR; do
	req "wk-$m" REQUEST_METHOD=$m REQUEST_URI=/.well-known/caldav \
	    HTTP_HOST=example.com
	check_eq "caldav $m: 307" 307 "$(status "$T_TMP/wk-$m")"
	check_eq "caldav $m: Location" "https://dav.example.com/dav/" \
	    "$(header "$T_TMP/wk-$m" Location)"
	check_eq "caldav $m: no body" "0 0" \
	    "$(header "$T_TMP/wk-$m" Content-Length) $(wc -c <"$T_TMP/wk-$m.body" | tr -d ' ')"
done
golden wk-PROPFIND
cat >"$T_TMP/propfind.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>
EOF
MAC_STDIN=$T_TMP/propfind.xml req wk-propfind-body REQUEST_METHOD=PROPFIND \
    REQUEST_URI=/.well-known/caldav HTTP_HOST=example.com \
    CONTENT_TYPE='application/xml; charset=utf-8' \
    CONTENT_LENGTH="$(wc -c <"$T_TMP/propfind.xml" | tr -d ' ')" HTTP_DEPTH=0
check_eq "PROPFIND with a body: 307" 307 "$(status "$T_TMP/wk-propfind-body")"
MAC_STDIN=$T_TMP/propfind.xml req wk-post-xml REQUEST_METHOD=POST \
    REQUEST_URI=/.well-known/carddav HTTP_HOST=example.com \
    CONTENT_TYPE=text/xml CONTENT_LENGTH=1
check_eq "POST with an XML body: 307 all the same" 307 \
    "$(status "$T_TMP/wk-post-xml")"
req wk-carddav REQUEST_METHOD=PROPFIND REQUEST_URI=/.well-known/carddav \
    HTTP_HOST=customer.example
golden wk-carddav
check_eq "carddav: %EMAILDOMAIN% filled" \
    "https://dav.customer.example/card/customer.example/" \
    "$(header "$T_TMP/wk-carddav" Location)"
req wk-case REQUEST_METHOD=GET REQUEST_URI=/.Well-Known/CardDAV \
    HTTP_HOST=Second.Example
check_eq "carddav: path and Host in any case" \
    "https://dav.second.example/card/second.example/" \
    "$(header "$T_TMP/wk-case" Location)"
req wk-peruser REQUEST_METHOD=PROPFIND REQUEST_URI=/.well-known/caldav \
    HTTP_HOST=customer.example
golden wk-peruser
req wk-http REQUEST_METHOD=GET REQUEST_URI=/.well-known/caldav \
    HTTP_HOST=legacy.example
check_eq "caldav http:// URL: 404, never a downgrade" 404 \
    "$(status "$T_TMP/wk-http")"
req wk-none REQUEST_METHOD=GET REQUEST_URI=/.well-known/carddav \
    HTTP_HOST=legacy.example
check_eq "no carddav: 404" 404 "$(status "$T_TMP/wk-none")"
req wk-unknown REQUEST_METHOD=PROPFIND REQUEST_URI=/.well-known/caldav \
    HTTP_HOST=unknown.example
golden wk-unknown
req wk-nohost REQUEST_METHOD=PROPFIND REQUEST_URI=/.well-known/caldav
check_eq "caldav without Host: 400" 400 "$(status "$T_TMP/wk-nohost")"
req wk-badhost REQUEST_METHOD=GET REQUEST_URI=/.well-known/caldav \
    'HTTP_HOST=example.com/../x'
check_eq "caldav with a bad Host: 400" 400 "$(status "$T_TMP/wk-badhost")"
req wk-query REQUEST_METHOD=GET REQUEST_URI='/.well-known/caldav?x=1' \
    QUERY_STRING=x=1 HTTP_HOST=example.com
check_eq "caldav with a query: 400" 400 "$(status "$T_TMP/wk-query")"
for c in wk-GET wk-unknown wk-peruser; do
	check_eq "$c: one log line or none" \
	    "$([ "$c" = wk-GET ] && echo 0 || echo 1)" \
	    "$(wc -l <"$T_TMP/$c.err" | tr -d ' ')"
done

# ---- the Apple profile's calendar and contacts accounts -------------------
# flat FILE: FILE.body as "path=value" lines in FILE.flat
flat() {
	python3 - "$1.body" >"$1.flat" 2>"$1.pyerr" <<'EOF'
import plistlib, sys
def walk(p, v):
    if isinstance(v, dict):
        for k in v:
            walk(p + [k], v[k])
    elif isinstance(v, list):
        for i, x in enumerate(v):
            walk(p + [str(i)], x)
    else:
        if isinstance(v, bool):
            v = "true" if v else "false"
        elif isinstance(v, int):
            v = "int:%d" % v
        print("%s=%s" % (".".join(p), v))
walk([], plistlib.load(open(sys.argv[1], "rb")))
EOF
}
val() {
	sed -n "s|^$2=||p" "$1.flat"
}
uuid5() {
	python3 -c 'import sys, uuid
print(str(uuid.uuid5(uuid.UUID(sys.argv[1]), sys.argv[2])).upper())' \
	    "$NS" "$(printf '%s\n%s\n%s' "$1" "$2" "$3")"
}
profile() {
	req "mc-$1" REQUEST_METHOD=GET REQUEST_URI=/email.mobileconfig \
	    QUERY_STRING="emailaddress=$2" HTTP_HOST=autoconfig.hoster.example
	f=$T_TMP/mc-$1
	check_eq "profile $1: 200" 200 "$(status "$f")"
	check "profile $1: xmllint" xml_ok "$f.body"
	check "profile $1: plistutil" plistutil -i "$f.body" -o "$f.bin"
	check "profile $1: plistlib" flat "$f"
	check "profile $1: no DAV password" sh -c "! grep -q 'DAVPassword' '$f.flat'"
}
profile jane 'jane%40example.com'
f=$T_TMP/mc-jane
golden mc-jane
for kv in 0.PayloadType=com.apple.mail.managed \
    1.PayloadType=com.apple.caldav.account \
    1.CalDAVHostName=dav.example.com 1.CalDAVPort=int:443 \
    1.CalDAVUseSSL=true 1.CalDAVPrincipalURL=https://dav.example.com/dav/ \
    1.CalDAVUsername=jane@example.com 1.CalDAVAccountDescription=Example \
    1.PayloadVersion=int:1 \
    2.PayloadType=com.apple.carddav.account \
    2.CardDAVHostName=dav.example.com 2.CardDAVPort=int:443 \
    2.CardDAVUseSSL=true 2.CardDAVUsername=jane@example.com; do
	check_eq "jane: ${kv%%=*}" "${kv#*=}" "$(val "$f" "PayloadContent.${kv%%=*}")"
done
cu=$(uuid5 com.example jane@example.com caldav)
ku=$(uuid5 com.example jane@example.com carddav)
check_eq "caldav UUID is uuid5" "$cu" "$(val "$f" PayloadContent.1.PayloadUUID)"
check_eq "carddav UUID is uuid5" "$ku" "$(val "$f" PayloadContent.2.PayloadUUID)"
check_eq "caldav identifier" "com.example.caldav.$cu" \
    "$(val "$f" PayloadContent.1.PayloadIdentifier)"
check_eq "carddav identifier" "com.example.carddav.$ku" \
    "$(val "$f" PayloadContent.2.PayloadIdentifier)"
profile jane2 'jane%40example.com'
check "same address, same profile (reinstalling replaces it)" \
    cmp -s "$f.body" "$T_TMP/mc-jane2.body"

profile obrien 'o%27brien%2Bcal%40customer.example'
f=$T_TMP/mc-obrien
for kv in 1.CalDAVHostName=dav.customer.example 1.CalDAVPort=int:8443 \
    "1.CalDAVPrincipalURL=https://dav.customer.example:8443/SOGo/dav/o'brien+cal@customer.example/Calendar/" \
    "1.CalDAVUsername=o'brien+cal@customer.example" \
    2.CardDAVPrincipalURL=https://dav.customer.example/card/customer.example/ \
    2.CardDAVPort=int:443; do
	check_eq "hoster: ${kv%%=*}" "${kv#*=}" "$(val "$f" "PayloadContent.${kv%%=*}")"
done
check "hoster: identifier prefix" sh -c \
    "grep -q '^PayloadContent.1.PayloadIdentifier=net\.hoster\.mail\.caldav\.' '$f.flat'"
profile legacy 'l%40legacy.example'
f=$T_TMP/mc-legacy
for kv in 1.CalDAVUseSSL=false 1.CalDAVPort=int:80 \
    1.CalDAVHostName=cal.legacy.example; do
	check_eq "legacy: ${kv%%=*}" "${kv#*=}" "$(val "$f" "PayloadContent.${kv%%=*}")"
done
check_eq "legacy: no carddav payload" "" "$(val "$f" PayloadContent.2.PayloadType)"

# ---- the page that asks for the address, on any Host ------------------------
for h in autoconfig.hoster.example unknown.example ""; do
	n=page-${h:-nohost}
	if [ -n "$h" ]; then
		req "$n" REQUEST_METHOD=GET REQUEST_URI=/email.mobileconfig HTTP_HOST="$h"
	else
		req "$n" REQUEST_METHOD=GET REQUEST_URI=/email.mobileconfig
	fi
	check_eq "$n: 200" 200 "$(status "$T_TMP/$n")"
	check "$n: the form" grep -q '<input id="emailaddress" name="emailaddress"' \
	    "$T_TMP/$n.body"
done
golden page-unknown.example
check "page on an unlisted host: the placeholder is its domain" grep -q \
    'placeholder="name@unknown.example"' "$T_TMP/page-unknown.example.body"
check "page without Host: a neutral placeholder" grep -q \
    'placeholder="name@example.com"' "$T_TMP/page-nohost.body"
req page-bad REQUEST_METHOD=GET REQUEST_URI=/mobileconfig 'HTTP_HOST=<x>'
check_eq "page with a bad Host: 200, the Host unused" "200" "$(status "$T_TMP/page-bad")"
check "page with a bad Host: none of it comes back" sh -c \
    "! grep -q '<x>' '$T_TMP/page-bad.body'"
# the address typed decides: the hoster's name lists customer.example not
req page-typed REQUEST_METHOD=GET REQUEST_URI=/email.mobileconfig \
    QUERY_STRING=emailaddress=a%40second.example HTTP_HOST=unknown.example
check_eq "typed address on another host: its provider's profile" \
    "mail.second.example" "$(xmllint --xpath 'string(//key[.="IncomingMailServerHostName"]/following-sibling::string[1])' "$T_TMP/page-typed.body" 2>/dev/null)"

# ---- --dns through a zone parser --------------------------------------------
$B --dns -c "$MAC_CONF" >"$T_TMP/all" 2>"$T_TMP/all.err"
check_eq "--dns exits 0" 0 "$?"
golden_dns() {
	cp "$T_TMP/all" "$T_TMP/dns"
	golden dns
}
golden_dns
for d in example.com customer.example legacy.example; do
	{
		printf '$ORIGIN %s.\n$TTL 3600\n' "$d"
		printf '@ IN SOA ns.%s. hostmaster.%s. 1 3600 600 86400 3600\n' "$d" "$d"
		printf '@ IN NS ns.%s.\nns IN A 192.0.2.53\n' "$d"
		$B --dns "$d" -c "$MAC_CONF"
	} >"$T_TMP/$d.zone"
	if command -v named-checkzone >/dev/null; then
		check "named-checkzone accepts $d" named-checkzone -q "$d" "$T_TMP/$d.zone"
	else
		fail "named-checkzone missing (bind9-utils)"
	fi
done
rec() { awk -F'\t' -v n="$1" -v t="$2" '$1 == n && $4 == t { print $5 }' "$T_TMP/all"; }
check_eq "_caldavs SRV" "0 1 443 dav.example.com." "$(rec _caldavs._tcp.example.com. SRV)"
check_eq "_caldavs path" '"path=/dav/"' "$(rec _caldavs._tcp.example.com. TXT)"
check_eq "_caldav (cleartext) not offered" "0 0 0 ." "$(rec _caldav._tcp.example.com. SRV)"
check_eq "_carddavs per domain" "0 1 443 dav.second.example." \
    "$(rec _carddavs._tcp.second.example. SRV)"
check_eq "_carddavs path per domain" '"path=/card/second.example/"' \
    "$(rec _carddavs._tcp.second.example. TXT)"
check_eq "_caldavs of a per-user URL: not offered" "0 0 0 ." \
    "$(rec _caldavs._tcp.customer.example. SRV)"
check_eq "_caldavs of a per-user URL: no path" "" \
    "$(rec _caldavs._tcp.customer.example. TXT)"
check_eq "_caldavs of an http URL: not offered" "0 0 0 ." \
    "$(rec _caldavs._tcp.legacy.example. SRV)"
check_eq "ua-auto-config CNAME" "autoconfig.hoster.example." \
    "$(rec ua-auto-config.example.com. CNAME)"
check "_ua-auto-config TXT" sh -c "awk -F'\t' '\$1 == \"_ua-auto-config.example.com.\" && \$4 == \"TXT\"' '$T_TMP/all' | grep -q '\"v=UAAC1; a=sha256; d=[A-Za-z0-9+/]\{43\}=\"\$'"

# ---- --check: what PACC cannot say --------------------------------------------
$B --check -c "$MAC_CONF" >"$T_TMP/check" 2>&1
check_eq "--check: warnings are no errors" 0 "$?"
for w in "'hoster': PACC leaves out caldav: URL names the user" \
    "'legacy.example': PACC leaves out imap: its first imap server is STARTTLS" \
    "'legacy.example': PACC leaves out pop3: its first pop3 server logs in with another username than the address" \
    "'legacy.example': PACC leaves out submit: its first smtp server is STARTTLS" \
    "'legacy.example': PACC leaves out caldav: not https" \
    "'legacy.example': PACC has nothing to say"; do
	check "--check warns: $w" grep -qF "$w" "$T_TMP/check"
done
# a DAV URL no answer could state is a load error, with its line
for u in 'https://user@dav.example/|URL with a user name' \
    'https://dav.example:0/|bad host or port' \
    'https://dav.example:99999/|bad host or port' \
    'https://%EMAILLOCALPART%.example/|host holds more than %EMAILDOMAIN%'; do
	printf '[x.example]\nimap = i.x.example\nsmtp = s.x.example\ncarddav = %s\n' \
	    "${u%%|*}" >"$T_TMP/bad.ini"
	$B --check -c "$T_TMP/bad.ini" >"$T_TMP/bad.out" 2>&1
	check_eq "carddav ${u%%|*}: a load error" 1 "$?"
	check "carddav ${u%%|*}: names the line" grep -qF \
	    "bad.ini:4: 'carddav' ${u#*|}" "$T_TMP/bad.out"
done
check "--check: hoster's caldav warning names its line" grep -q \
    "dav.ini:15: warning: provider 'hoster': PACC leaves out caldav" "$T_TMP/check"
# --compile says what --check says: the same warnings, the same count
nwarn() { sed -n 's/.* \([0-9][0-9]*\) warnings*$/\1/p' "$1" | tail -n 1; }
cp "$MAC_CONF" "$T_TMP/c.ini"
$B --compile -c "$T_TMP/c.ini" >"$T_TMP/compile" 2>&1
check_eq "--compile: as many warnings as --check" "$(nwarn "$T_TMP/check")" \
    "$(nwarn "$T_TMP/compile")"
check_eq "--compile: the same PACC warnings" \
    "$(grep -c 'PACC' "$T_TMP/check")" "$(grep -c 'PACC' "$T_TMP/compile")"
# pacc.warnings = false silences them, in both
{ echo "pacc.warnings = false"; cat "$MAC_CONF"; } >"$T_TMP/q.ini"
for m in check compile; do
	$B --$m -c "$T_TMP/q.ini" >"$T_TMP/q.$m" 2>&1
	check_eq "pacc.warnings = false: --$m succeeds" 0 "$?"
	check "pacc.warnings = false: --$m says nothing of PACC" \
	    sh -c "! grep -q PACC '$T_TMP/q.$m'"
	check_eq "pacc.warnings = false: --$m counts none of them" \
	    "$(($(nwarn "$T_TMP/check") - $(grep -c 'PACC' "$T_TMP/check")))" \
	    "$(nwarn "$T_TMP/q.$m")"
done

# ---- JMAP (RFC 8620) and OAuth public clients: test/data/clients.ini -----
OC=$MAC_CONF
MAC_CONF=$TOP/test/data/clients.ini
for m in GET PROPFIND POST; do
	req "jmap-$m" REQUEST_METHOD=$m REQUEST_URI=/.well-known/jmap \
	    HTTP_HOST=eas.example
	check_eq "jmap $m: 307" 307 "$(status "$T_TMP/jmap-$m")"
	check_eq "jmap $m: to the session resource" \
	    https://jmap.eas.example/jmap/session "$(header "$T_TMP/jmap-$m" Location)"
done
golden jmap-GET
req jmap-none REQUEST_METHOD=GET REQUEST_URI=/.well-known/jmap HTTP_HOST=plain.example
check_eq "jmap: 404 without a jmap URL" 404 "$(status "$T_TMP/jmap-none")"
req jmap-query REQUEST_METHOD=GET REQUEST_URI='/.well-known/jmap?x=1' \
    QUERY_STRING=x=1 HTTP_HOST=eas.example
check_eq "jmap: a query is a 400" 400 "$(status "$T_TMP/jmap-query")"
check_eq "--dns: _jmap._tcp SRV at the session URL's host" \
    "_jmap._tcp.eas.example.	3600	IN	SRV	0 1 443 jmap.eas.example." \
    "$($B --dns eas.example -c "$MAC_CONF" | grep '^_jmap')"
check_eq "--dns: no _jmap._tcp without a jmap URL" "" \
    "$($B --dns plain.example -c "$MAC_CONF" | grep '^_jmap')"
req pacc-eas REQUEST_METHOD=GET REQUEST_URI=$PACC HTTP_HOST=ua-auto-config.eas.example
check "pacc eas: jq and python3 parse it" json_ok "$T_TMP/pacc-eas.body"
check_eq "pacc eas: the jmap member" https://jmap.eas.example/jmap/session \
    "$(jq -r .protocols.jmap.url "$T_TMP/pacc-eas.body")"
check_eq "pacc eas: oauth-public's issuer exactly as oauth2.issuer_url" \
    https://login.eas.example/realms/mail \
    "$(jq -r '.authentication["oauth-public"].issuer' "$T_TMP/pacc-eas.body")"
check_eq "pacc eas: digest by openssl is the one --dns prints" \
    "$(txt eas.example)" "$(digest "$T_TMP/pacc-eas.body")"
golden pacc-eas
req pacc-cust REQUEST_METHOD=GET REQUEST_URI=$PACC HTTP_HOST=ua-auto-config.customer.example
check_eq "pacc hoster: an issuer made of the host name" https://login.hoster.example \
    "$(jq -r '.authentication["oauth-public"].issuer' "$T_TMP/pacc-cust.body")"
$B --check -c "$MAC_CONF" >"$T_TMP/ccheck" 2>&1
check "--check: the host-name issuer warned, with its line" grep -q \
    "clients.ini:22: warning: provider 'hoster': PACC gives the issuer https://login.hoster.example, made from the host name" \
    "$T_TMP/ccheck"
check "--check: the ActiveSync path Android loses, with its line" grep -q \
    "clients.ini:26: warning: provider 'hoster': the activesync URL's path is not /Microsoft-Server-ActiveSync" \
    "$T_TMP/ccheck"
check "--check: no issuer warning where oauth2.issuer_url is given" sh -c \
    "! grep -q \"'eas.example': PACC gives the issuer\" '$T_TMP/ccheck'"
MAC_CONF=$OC
finish
