#!/bin/sh
# t10-json.sh: Autodiscover v2 JSON (DESIGN.md §5) through the real binary as
# CGI: both URL forms, Protocol in any case, the 400 InvalidProtocol answer
# that never echoes its input, JSON error bodies for every other refusal,
# HEAD and 405.  Every body goes through a JSON parser (python3 json).
. "$(dirname "$0")/lib.sh"

J=/autodiscover/autodiscover.json
URL_AD='https://autodiscover.mailbox.org/Autodiscover/Autodiscover.xml'

# jget FILE KEY: the value of KEY in the JSON body of FILE, or exit 1
jget() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert isinstance(d, dict), "not an object"
print(d[sys.argv[2]])' "$1.body" "$2" 2>/dev/null
}

# json_ok FILE: the body is one JSON object, nothing else
json_ok() {
	python3 -m json.tool "$1.body" >/dev/null 2>&1
}

# req NAME PATH QUERY [VAR=value...]: one GET with Host autodiscover.mailbox.org
req() {
	n=$1 p=$2 q=$3
	shift 3
	mac_cgi "$T_TMP/$n" REQUEST_METHOD=GET REQUEST_URI="$p${q:+?$q}" \
	    QUERY_STRING="$q" HTTP_HOST=autodiscover.mailbox.org "$@"
}

# v1 NAME PATH QUERY: must be the AutodiscoverV1 answer
v1() {
	req "$@"
	f=$T_TMP/$1
	check_eq "$1: status" 200 "$(status "$f")"
	check_eq "$1: content type" application/json \
	    "$(header "$f" Content-Type)"
	check "$1: body is JSON" json_ok "$f"
	check_eq "$1: Protocol" AutodiscoverV1 "$(jget "$f" Protocol)"
	check_eq "$1: Url" "$URL_AD" "$(jget "$f" Url)"
	check_eq "$1: exact body" \
	    "{\"Protocol\":\"AutodiscoverV1\",\"Url\":\"$URL_AD\"}" \
	    "$(cat "$f.body")"
	check_eq "$1: Content-Length" "$(wc -c <"$f.body" | tr -d ' ')" \
	    "$(header "$f" Content-Length)"
}

# refused NAME STATUS CODE PATH QUERY [VAR=value...]: a JSON error answer
refused() {
	n=$1 st=$2 code=$3
	shift 3
	req "$n" "$@"
	f=$T_TMP/$n
	check_eq "$n: status" "$st" "$(status "$f")"
	check_eq "$n: content type" application/json \
	    "$(header "$f" Content-Type)"
	check "$n: body is JSON" json_ok "$f"
	check_eq "$n: ErrorCode" "$code" "$(jget "$f" ErrorCode)"
	check "$n: has an ErrorMessage" test -n "$(jget "$f" ErrorMessage)"
	check "$n: one log line" test "$(wc -l <"$f.err")" -eq 1
}

Q='Email=jane%40mailbox.org'
# Outlook classic: both forms, the case Outlook 2019 sends
v1 query "$J" "$Q&Protocol=Autodiscoverv1&RedirectCount=1"
v1 path "$J/v1.0/jane@mailbox.org" 'Protocol=Autodiscoverv1&RedirectCount=1'
v1 path-enc "$J/v1.0/jane%40mailbox.org" 'Protocol=AutodiscoverV1'
v1 casing "/AutoDiscover/AutoDiscover.JSON" "$Q&Protocol=AUTODISCOVERV1"
v1 lower "$J" "email=jane%40mailbox.org&protocol=autodiscoverv1"
v1 no-address "$J" "Protocol=AutodiscoverV1"

# the Url names the Host asked (without its port), not the address
req port "$J" "$Q&Protocol=AutodiscoverV1" HTTP_HOST=Mail.Mailbox.ORG:443
check_eq "Url from Host, lower case, no port" \
    'https://mail.mailbox.org/Autodiscover/Autodiscover.xml' \
    "$(jget "$T_TMP/port" Url)"

# any other protocol: 400 InvalidProtocol, the input never echoed
refused ews 400 InvalidProtocol "$J" "$Q&Protocol=EWS"
refused activesync 400 InvalidProtocol "$J/v1.0/jane@mailbox.org" \
    "Protocol=ActiveSync"
refused rest 400 InvalidProtocol "$J" "$Q&Protocol=Rest"
refused empty 400 InvalidProtocol "$J" "$Q&Protocol="
refused missing 400 InvalidProtocol "$J" "$Q"
refused v2 400 InvalidProtocol "$J" "$Q&Protocol=AutodiscoverV2"
refused prefix 400 InvalidProtocol "$J" "$Q&Protocol=AutodiscoverV1x"
refused hostile 400 InvalidProtocol "$J" \
    "$Q&Protocol=%3Cscript%3E%22X-Evil%27%5C"
check "hostile protocol not echoed" \
    sh -c "! grep -q -e script -e X-Evil '$T_TMP/hostile' '$T_TMP/hostile.head'"

# the other refusals answer in JSON too
refused unknown 404 NotFound "$J" "Email=jane%40example.net&Protocol=AutodiscoverV1"
refused bad-address 400 InvalidRequest "$J" "Email=jane&Protocol=AutodiscoverV1"
refused bad-path-address 400 InvalidRequest "$J/v1.0/jane" \
    "Protocol=AutodiscoverV1"
refused repeated 400 InvalidRequest "$J" \
    "$Q&Protocol=AutodiscoverV1&Protocol=AutodiscoverV1"
refused unknown-key 400 InvalidRequest "$J" "$Q&Protocol=AutodiscoverV1&x=1"
refused no-host 400 InvalidRequest "$J" "$Q&Protocol=AutodiscoverV1" \
    HTTP_HOST=
refused bad-host 400 InvalidRequest "$J" "$Q&Protocol=AutodiscoverV1" \
    'HTTP_HOST=a"b.example'

# POST is not an Autodiscover v2 request
mac_cgi "$T_TMP/post" REQUEST_METHOD=POST REQUEST_URI="$J?$Q" \
    QUERY_STRING="$Q&Protocol=AutodiscoverV1" HTTP_HOST=mailbox.org
check_eq "POST: 405" 405 "$(status "$T_TMP/post")"
check_eq "POST: Allow" "GET, HEAD" "$(header "$T_TMP/post" Allow)"
check "POST: JSON body" json_ok "$T_TMP/post"

# HEAD: the headers of the GET, no body
mac_cgi "$T_TMP/head" REQUEST_METHOD=HEAD REQUEST_URI="$J" \
    QUERY_STRING="$Q&Protocol=AutodiscoverV1" HTTP_HOST=mailbox.org
check_eq "HEAD: 200" 200 "$(status "$T_TMP/head")"
check "HEAD: no body" test ! -s "$T_TMP/head.body"
mac_cgi "$T_TMP/get" REQUEST_METHOD=GET REQUEST_URI="$J" \
    QUERY_STRING="$Q&Protocol=AutodiscoverV1" HTTP_HOST=mailbox.org
check_eq "HEAD: Content-Length of the GET" \
    "$(header "$T_TMP/get" Content-Length)" \
    "$(header "$T_TMP/head" Content-Length)"


# Protocol=ActiveSync: the activesync URL for a provider that has one
# (test/data/clients.ini), filled for the domain; InvalidProtocol otherwise
C=$TOP/test/data/clients.ini
easj() {
	n=$1 host=$2 q=$3
	MAC_CONF=$C mac_cgi "$T_TMP/$n" REQUEST_METHOD=GET REQUEST_URI="$J?$q" \
	    QUERY_STRING="$q" HTTP_HOST="$host"
}
easj eas autodiscover.eas.example 'Email=jane%40eas.example&Protocol=ActiveSync'
check_eq "ActiveSync: 200" 200 "$(status "$T_TMP/eas")"
check "ActiveSync: body is JSON" json_ok "$T_TMP/eas"
check_eq "ActiveSync: exact body" \
    '{"Protocol":"ActiveSync","Url":"https://sync.eas.example/Microsoft-Server-ActiveSync"}' \
    "$(cat "$T_TMP/eas.body")"
easj easlc autodiscover.eas.example 'Protocol=activesync'
check_eq "ActiveSync: any case, no address needed" \
    https://sync.eas.example/Microsoft-Server-ActiveSync "$(jget "$T_TMP/easlc" Url)"
MAC_CONF=$C mac_cgi "$T_TMP/easpath" REQUEST_METHOD=GET \
    REQUEST_URI="$J/v1.0/jane@eas.example?Protocol=ActiveSync" \
    QUERY_STRING='Protocol=ActiveSync' HTTP_HOST=autodiscover.eas.example
check_eq "ActiveSync: the address in the path" \
    https://sync.eas.example/Microsoft-Server-ActiveSync "$(jget "$T_TMP/easpath" Url)"
easj eascust autodiscover.customer.example 'Email=jane%40customer.example&Protocol=ActiveSync'
check_eq "ActiveSync: the hoster's URL filled for the customer" \
    https://sync.customer.example/SOGo/Microsoft-Server-ActiveSync "$(jget "$T_TMP/eascust" Url)"
easj easnone autodiscover.plain.example 'Email=jane%40plain.example&Protocol=ActiveSync'
check_eq "ActiveSync without the key: 400" 400 "$(status "$T_TMP/easnone")"
check_eq "ActiveSync without the key: InvalidProtocol" InvalidProtocol \
    "$(jget "$T_TMP/easnone" ErrorCode)"
easj easv1 autodiscover.eas.example 'Email=jane%40eas.example&Protocol=AutodiscoverV1'
check_eq "AutodiscoverV1 on an ActiveSync provider as before" \
    https://autodiscover.eas.example/Autodiscover/Autodiscover.xml "$(jget "$T_TMP/easv1" Url)"
easj easews autodiscover.eas.example 'Email=jane%40eas.example&Protocol=EWS'
check_eq "other protocols as before: 400" 400 "$(status "$T_TMP/easews")"

finish
