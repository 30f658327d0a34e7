#!/bin/sh
# t02-hostile.sh: hostile requests through the real binary as CGI.  Each
# gets the expected status, the fixed body for that status (or a
# well-formed error document), exactly one log line naming a rule, no
# crash, and none of the injected bytes in the answer.
. "$(dirname "$0")/lib.sh"

AC=/mail/config-v1.1.xml
AD=/autodiscover/autodiscover.xml
H=HTTP_HOST=autoconfig.mailbox.org
n=0

# hostile STATUS STDIN VAR=value...
hostile() {
	want=$1 in=$2
	shift 2
	n=$((n + 1))
	f=$T_TMP/h$n
	MAC_STDIN=$in mac_cgi "$f" "$@"
	desc="hostile $n ($*)"
	rc=$(cat "$f.rc")
	if [ "$rc" != 0 ]; then
		fail "$desc: exit $rc: $(head -c 300 "$f.err")"
		return
	fi
	got=$(status "$f")
	if [ "$got" != "$want" ]; then
		fail "$desc: status $got, want $want"
		return
	fi
	if [ "$want" = 200 ]; then
		# error documents (600/601) go out as 200 with XML
		xml_ok "$f.body" || { fail "$desc: bad XML"; return; }
		grep -q '<ErrorCode>60[01]</ErrorCode>' "$f.body" ||
		    { fail "$desc: no error document"; return; }
	else
		reason=$(header "$f" Status | cut -d' ' -f2-)
		case $(header "$f" Content-Type) in
		application/json)
			# the JSON endpoint answers errors as fixed JSON
			grep -q '^{"ErrorCode":"[A-Za-z]*","ErrorMessage":"[^"]*"}$' "$f.body" ||
			    { fail "$desc: body is not the fixed JSON"; return; } ;;
		*)
			[ "$(cat "$f.body")" = "$want $reason" ] ||
			    { fail "$desc: body is not the fixed text"; return; } ;;
		esac
	fi
	if grep -q -i -e 'injected' -e 'x-evil' -e '<script' "$f"; then
		fail "$desc: injected bytes in the answer"
		return
	fi
	[ "$(wc -l <"$f.err")" = 1 ] &&
	    grep -q "^mailautoconf: $( [ "$want" = 200 ] && echo 200 || echo "$want"): [A-Za-z]" "$f.err" ||
	    { fail "$desc: not one log line: $(cat "$f.err")"; return; }
	ok "$desc"
}

N=/dev/null
b() {
	# b NAME CONTENT: a body file
	printf '%s' "$2" >"$T_TMP/$1"
	echo "$T_TMP/$1"
}

# markup, quotes, CRLF in the address
hostile 400 $N QUERY_STRING='emailaddress=%3Cinjected%3E%40mailbox.org'
hostile 400 $N QUERY_STRING='emailaddress=%22injected%22%40mailbox.org'
hostile 400 $N QUERY_STRING='emailaddress=a%0D%0AX-Evil:%201%40mailbox.org'
hostile 400 $N QUERY_STRING='emailaddress=a%40mailbox.org%0D%0AX-Evil:%201'
hostile 400 $N QUERY_STRING='emailaddress=a%40mail%3Cinjected%3Ebox.org'
hostile 400 $N QUERY_STRING='emailaddress=<script>injected</script>@mailbox.org'
hostile 400 $N QUERY_STRING='emailaddress=a%40%5Binjected%5D'
hostile 400 $N QUERY_STRING='emailaddress=a%40[127.0.0.1]'
hostile 400 $N QUERY_STRING='emailaddress=a%40192.168.0.1'
# %00, bad escapes, invalid UTF-8 and control bytes
hostile 400 $N QUERY_STRING='emailaddress=a%00%40mailbox.org'
hostile 400 $N QUERY_STRING='emailaddress=a%40mailbox.org%00'
hostile 400 $N QUERY_STRING='emailaddress=a%4'
hostile 400 $N QUERY_STRING='emailaddress=a%GG%40mailbox.org'
hostile 400 $N QUERY_STRING='emailaddress=%'
hostile 400 $N QUERY_STRING='emailaddress=a%FF%40mailbox.org'
hostile 400 $N QUERY_STRING='emailaddress=a%C0%AF%40mailbox.org'
hostile 400 $N QUERY_STRING='emailaddress=a%01%40mailbox.org'
hostile 400 $N QUERY_STRING='emailaddress=a%C2%85%40mailbox.org'
# repeated, unknown, '='-less, empty and prefix keys
hostile 400 $N QUERY_STRING='emailaddress=a%40mailbox.org&emailaddress=b%40mailbox.org'
hostile 400 $N QUERY_STRING='emailaddress=a%40mailbox.org&email=b%40mailbox.org'
hostile 400 $N QUERY_STRING='emailaddress=a%40mailbox.org&injected=1'
hostile 400 $N QUERY_STRING='emailaddress'
hostile 400 $N QUERY_STRING='&&'
hostile 400 $N QUERY_STRING='e=a%40mailbox.org'
hostile 400 $N QUERY_STRING='emailaddress='
# address shapes
hostile 400 $N QUERY_STRING='emailaddress=nobody'
hostile 400 $N QUERY_STRING='emailaddress=a%40%40mailbox.org'
hostile 400 $N QUERY_STRING='emailaddress=.a%40mailbox.org'
hostile 400 $N QUERY_STRING='emailaddress=a..b%40mailbox.org'
hostile 400 $N QUERY_STRING="emailaddress=$(printf '%065d' 0)%40mailbox.org"
hostile 400 $N QUERY_STRING="emailaddress=a%40$(printf '%064d' 0 | tr 0 a).org"
# overlong query
hostile 414 $N QUERY_STRING="emailaddress=$(printf '%05000d' 0)"
# unknown domain, no address and no Host, bad Host
hostile 404 $N QUERY_STRING='emailaddress=a%40injected.example'
hostile 400 $N REQUEST_METHOD=GET REQUEST_URI=$AC
hostile 400 $N REQUEST_METHOD=GET REQUEST_URI=$AC HTTP_HOST='injected<x>.example'
hostile 400 $N REQUEST_METHOD=GET REQUEST_URI=$AC HTTP_HOST='127.0.0.1'
hostile 400 $N REQUEST_METHOD=GET REQUEST_URI=$AC HTTP_HOST='[::1]'
hostile 400 $N REQUEST_METHOD=GET REQUEST_URI=$AC HTTP_HOST='mailbox.org:99999'
hostile 400 $N REQUEST_METHOD=GET REQUEST_URI=$AC "HTTP_HOST=$(printf 'mailbox.org\r\nX-Evil: 1')"
# wrong methods and unknown paths
hostile 405 $N REQUEST_METHOD=PUT REQUEST_URI=$AC $H
hostile 405 $N REQUEST_METHOD=DELETE REQUEST_URI=$AD $H
hostile 405 $N REQUEST_METHOD=get REQUEST_URI=$AC $H
hostile 405 $N REQUEST_METHOD=TRACE REQUEST_URI=$AC $H
hostile 405 $N REQUEST_METHOD=POST REQUEST_URI=/autodiscover/autodiscover.json $H
hostile 404 $N REQUEST_METHOD=GET REQUEST_URI=/injected $H
hostile 404 $N REQUEST_METHOD=GET REQUEST_URI=/mail/config-v1.1.xml.bak $H
hostile 404 $N REQUEST_METHOD=GET REQUEST_URI=/mail/../mail/config-v1.1.xml $H
hostile 404 $N REQUEST_METHOD=GET REQUEST_URI=/mail/config-v1.1.xml/ $H
hostile 404 $N REQUEST_METHOD=GET "REQUEST_URI=/$(printf '%02000d' 0)" $H
# POST bodies: too large, wrong type, bad length
big=$T_TMP/big
head -c 70000 /dev/zero | tr '\0' a >"$big"
hostile 413 "$big" REQUEST_METHOD=POST REQUEST_URI=$AD CONTENT_TYPE=text/xml CONTENT_LENGTH=70000 $H
hostile 413 "$big" REQUEST_METHOD=POST REQUEST_URI=$AD CONTENT_TYPE=text/xml $H
hostile 413 $N REQUEST_METHOD=POST REQUEST_URI=$AD CONTENT_TYPE=text/xml CONTENT_LENGTH=99999999999999999 $H
hostile 400 $N REQUEST_METHOD=POST REQUEST_URI=$AD CONTENT_TYPE=text/xml CONTENT_LENGTH=-1 $H
hostile 400 $N REQUEST_METHOD=POST REQUEST_URI=$AD CONTENT_TYPE=text/xml CONTENT_LENGTH=12x $H
hostile 415 $N REQUEST_METHOD=POST REQUEST_URI=$AD CONTENT_TYPE=application/json CONTENT_LENGTH=0 $H
hostile 415 $N REQUEST_METHOD=POST REQUEST_URI=$AC CONTENT_TYPE=text/xml CONTENT_LENGTH=0 $H
hostile 400 "$(b form 'emailaddress=%3Cinjected%3E%40mailbox.org')" REQUEST_METHOD=POST \
    REQUEST_URI=$AC CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=42 $H
hostile 400 "$(b form2 'emailaddress=b%40mailbox.org')" REQUEST_METHOD=POST \
    REQUEST_URI=$AC QUERY_STRING='emailaddress=a%40mailbox.org' \
    CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=28 $H
# POX bodies: DOCTYPE, ENTITY, billion laughs, XXE, deep nesting, junk
R='<Autodiscover><Request><EMailAddress>'
E='</EMailAddress></Request></Autodiscover>'
pox() {
	hostile 200 "$(b "pox$n" "$1")" REQUEST_METHOD=POST REQUEST_URI=$AD CONTENT_TYPE=text/xml \
	    CONTENT_LENGTH=${#1} HTTP_HOST=autodiscover.mailbox.org
}
pox '<!DOCTYPE x [<!ENTITY injected "a@mailbox.org">]>'"$R&injected;$E"
pox '<!DOCTYPE x [<!ENTITY l0 "ha"><!ENTITY l1 "&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;"><!ENTITY l2 "&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;">]>'"$R&l2;@mailbox.org$E"
pox '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'"$R&xxe;$E"
pox "$R&#x61;@mailbox.org$E"
pox "$R<![CDATA[a@mailbox.org]]>$E"
pox "$(printf '%0300d' 0 | sed 's/0/<a>/g')"
pox "$R"'a@mailbox.org'
pox 'injected'
pox "$R<injected/>a@mailbox.org$E"
pox "<Autodiscover><Request><EMailAddress>a@mailbox.org</EMailAddress><AcceptableResponseSchema>\"><injected/></AcceptableResponseSchema></Request></Autodiscover>"
# well-formed POX with a bad address is a 400 like any bad address
pox "$R<injected>@mailbox.org$E"
hostile 400 "$(b poxaddr2 "${R}a&lt;injected&gt;@mailbox.org$E")" REQUEST_METHOD=POST \
    REQUEST_URI=$AD CONTENT_TYPE=text/xml $H
# the address both in the query and the body
hostile 400 "$(b poxq "${R}a@mailbox.org$E")" REQUEST_METHOD=POST REQUEST_URI=$AD \
    QUERY_STRING='emailaddress=b%40mailbox.org' CONTENT_TYPE=text/xml $H

# the mobilesync path of a provider with an activesync URL: the same
# scanner, the same limits and the same errors as Outlook's schema
OLD_CONF=${MAC_CONF:-}
MAC_CONF=$TOP/test/data/clients.ini
MSR='<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/mobilesync/requestschema/2006"><Request><EMailAddress>'
MSS='</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006</AcceptableResponseSchema></Request>'
MSE="$MSS</Autodiscover>"
MH=HTTP_HOST=autodiscover.eas.example
ms() {
	hostile 200 "$(b "ms$n" "$1")" REQUEST_METHOD=POST REQUEST_URI=$AD CONTENT_TYPE=text/xml \
	    CONTENT_LENGTH=${#1} $MH 'HTTP_AUTHORIZATION=Basic aW5qZWN0ZWQ6eA=='
}
ms '<!DOCTYPE x [<!ENTITY injected "a@eas.example">]>'"$MSR&injected;$MSE"
ms '<!DOCTYPE Autodiscover>'"${MSR}a@eas.example$MSE"
ms "${MSR}a@eas.example$MSS<Request><EMailAddress>b@eas.example$MSS</Autodiscover>"
ms "$MSR<injected/>a@eas.example$MSE"
ms "$MSR<![CDATA[a@eas.example]]>$MSE"
ms "${MSR}a@eas.example</EMailAddress><AcceptableResponseSchema>$(printf '%0300d' 0)</AcceptableResponseSchema></Request></Autodiscover>"
hostile 400 "$(b msaddr "${MSR}a&lt;injected&gt;@eas.example$MSE")" REQUEST_METHOD=POST \
    REQUEST_URI=$AD CONTENT_TYPE=text/xml $MH
# a huge body, and a schema string of 1 MB, with a length and chunked
head -c 70000 /dev/zero | tr '\0' a >"$T_TMP/msbig"
hostile 413 "$T_TMP/msbig" REQUEST_METHOD=POST REQUEST_URI=$AD CONTENT_TYPE=text/xml \
    CONTENT_LENGTH=70000 $MH
{ printf '%s' "${MSR}a@eas.example</EMailAddress><AcceptableResponseSchema>"
  head -c 1048576 /dev/zero | tr '\0' a
  printf '</AcceptableResponseSchema></Request></Autodiscover>'; } >"$T_TMP/msschema"
hostile 413 "$T_TMP/msschema" REQUEST_METHOD=POST REQUEST_URI=$AD CONTENT_TYPE=text/xml \
    CONTENT_LENGTH="$(wc -c <"$T_TMP/msschema" | tr -d ' ')" $MH
hostile 413 "$T_TMP/msschema" REQUEST_METHOD=POST REQUEST_URI=$AD CONTENT_TYPE=text/xml $MH
check "mobilesync: the Authorization header is never logged" sh -c \
    "! grep -l -e 'aW5qZWN0ZWQ6eA' -e 'Basic' '$T_TMP'/h*.err"
MAC_CONF=$OLD_CONF
[ -n "$MAC_CONF" ] || unset MAC_CONF

[ "$n" -ge 40 ] && ok "at least 40 hostile requests ($n)" || fail "only $n hostile requests"
finish
