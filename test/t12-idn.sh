#!/bin/sh
# t12-idn.sh: internationalised domains (DESIGN.md §2: a UTF-8 domain is
# looked up by its A-label, its punycode form).  A UTF-8 domain in the
# address, in Host, or in providers.ini matches its A-label; what we write
# stays ASCII on every endpoint.
. "$(dirname "$0")/lib.sh"

# bücher.example, münchen.example, 例え.テスト in UTF-8 and as A-labels
BU=$(printf 'b\303\274cher.example')
BU_UP=$(printf 'B\303\234CHER.Example')
BU_Q='b%C3%BCcher.example'
BU_A=xn--bcher-kva.example
MU=$(printf 'm\303\274nchen.example')
MU_A=xn--mnchen-3ya.example
JA=$(printf '\344\276\213\343\201\210.\343\203\206\343\202\271\343\203\210')
JA_A=xn--r8jz45g.xn--zckzah

cat >"$T_TMP/idn.ini" <<EOF
[buecher]
domains = $BU, $JA
imap = imap.%EMAILDOMAIN%
smtp = smtp.%EMAILDOMAIN%

[muenchen]
domains = $MU_A
imap = imap.$MU_A
smtp = smtp.$MU_A
EOF
MAC_CONF=$T_TMP/idn.ini

# ascii FILE: FILE holds no byte outside printable ASCII and line ends
ascii() {
	! LC_ALL=C grep -q '[^ -~]' "$1"
}

# get NAME PATH QUERY HOST: a GET; checks status 200 and an ASCII body
get() {
	mac_cgi "$T_TMP/$1" REQUEST_METHOD=GET REQUEST_URI="$2" \
	    QUERY_STRING="$3" HTTP_HOST="$4"
	check_eq "$1: 200" 200 "$(status "$T_TMP/$1")"
	check "$1: body in ASCII" ascii "$T_TMP/$1.body"
	check "$1: headers in ASCII" ascii "$T_TMP/$1.head"
}

check "--check loads UTF-8 domains" \
    sh -c "$MAC_WRAP $MAC_BIN --check -c '$T_TMP/idn.ini' 2>/dev/null"

AC=/mail/config-v1.1.xml
# the address's U-label, in any case, matches the A-label stored
get ac-ulabel $AC "emailaddress=jane%40$BU_Q" autoconfig.example.net
check "ac-ulabel: domain element is the A-label" \
    grep -q "<domain>$BU_A</domain>" "$T_TMP/ac-ulabel.body"
check "ac-ulabel: well-formed XML" xml_ok "$T_TMP/ac-ulabel.body"
get ac-upper $AC "emailaddress=jane%40B%C3%9CCHER.Example" autoconfig.example.net
check "upper-case U-label folds" cmp -s "$T_TMP/ac-ulabel.body" \
    "$T_TMP/ac-upper.body"
get ac-alabel $AC "emailaddress=jane%40$BU_A" autoconfig.example.net
check "A-label asked, U-label configured" cmp -s "$T_TMP/ac-ulabel.body" \
    "$T_TMP/ac-alabel.body"
get ac-mu $AC "emailaddress=jane%40m%C3%BCnchen.example" x.example
check "U-label asked, A-label configured" \
    grep -q "<domain>$MU_A</domain>" "$T_TMP/ac-mu.body"
get ac-ja $AC "emailaddress=%E5%A4%AA%E9%83%8E%40$(printf %s "$JA" |
    od -An -tx1 | tr -d ' \n' | sed 's/../%&/g')" x.example
check "CJK domain matched" grep -q "<domain>$JA_A</domain>" "$T_TMP/ac-ja.body"

# the Host header (Thunderbird for Android sends no address)
get host-ulabel $AC "" "autoconfig.$BU"
check "UTF-8 Host matched" grep -q "<domain>$BU_A</domain>" \
    "$T_TMP/host-ulabel.body"
get host-alabel $AC "" "autoconfig.$BU_A:443"
check "A-label Host matched" grep -q "<domain>$BU_A</domain>" \
    "$T_TMP/host-alabel.body"

# Outlook: LoginName and Server filled with the A-label form
printf '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>jane@%s</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>' \
    "$BU_UP" >"$T_TMP/pox.xml"
MAC_STDIN=$T_TMP/pox.xml mac_cgi "$T_TMP/pox" REQUEST_METHOD=POST \
    REQUEST_URI=/autodiscover/autodiscover.xml HTTP_HOST="autodiscover.$BU_A" \
    CONTENT_TYPE=text/xml CONTENT_LENGTH="$(wc -c <"$T_TMP/pox.xml")"
check_eq "pox: 200" 200 "$(status "$T_TMP/pox")"
check "pox: ASCII" ascii "$T_TMP/pox.body"
check "pox: LoginName" grep -q "<LoginName>jane@$BU_A</LoginName>" "$T_TMP/pox.body"
check "pox: Server" grep -q "<Server>imap.$BU_A</Server>" "$T_TMP/pox.body"

# JSON: the Url's host is the A-label of a UTF-8 Host
get json /autodiscover/autodiscover.json \
    "Email=jane%40$BU_Q&Protocol=AutodiscoverV1" "autodiscover.$BU"
check "json: Url with the A-label" grep -q "https://autodiscover.$BU_A/" \
    "$T_TMP/json.body"

# Apple: host names and file name in ASCII
get mc /email.mobileconfig "emailaddress=jane%40$BU_Q" x.example
check_eq "mc: file name is the A-label" \
    "attachment; filename=\"$BU_A.mobileconfig\"" \
    "$(header "$T_TMP/mc" Content-Disposition)"
check "mc: host filled with the A-label" \
    grep -q "<string>imap.$BU_A</string>" "$T_TMP/mc.body"

# refused: not UTF-8, controls, what IDNA forbids, too long as A-labels
refuse() {
	mac_cgi "$T_TMP/r-$1" REQUEST_METHOD=GET REQUEST_URI=$AC \
	    QUERY_STRING="emailaddress=$2" HTTP_HOST=x.example
	check_eq "refused $1: 400" 400 "$(status "$T_TMP/r-$1")"
}
refuse latin1 'jane%40b%FCcher.example'
refuse control 'jane%40b%C3%BC%01cher.example'
refuse zwsp 'jane%40%E2%80%8B.example'
refuse space 'jane%40b%C3%BC%20cher.example'
refuse dots 'jane%40b%C3%BC..example'
refuse long "$(printf 'x%.0s' $(seq 64))%40$(printf '%%C3%%BC.%.0s' $(seq 25))de"
mac_cgi "$T_TMP/r-host" REQUEST_METHOD=GET REQUEST_URI=$AC \
    HTTP_HOST="$(printf 'b\374cher.example')"
check_eq "Latin-1 Host: 400" 400 "$(status "$T_TMP/r-host")"

# a UTF-8 domain that IDNA refuses stops the load with file:line
printf '[x]\ndomains = ok.example\ndomains = %s.example\nimap = i.example\nsmtp = s.example\n' \
    "$(printf '\342\200\213')" >"$T_TMP/bad.ini"
$MAC_WRAP $MAC_BIN --check -c "$T_TMP/bad.ini" >"$T_TMP/bad.out" 2>&1
check "bad IDN in providers.ini: refused" test $? -ne 0
check "bad IDN in providers.ini: names the line" grep -q 'bad.ini:3: bad domain' \
    "$T_TMP/bad.out"
printf '[x]\ndomains = %s %s\nimap = i.example\nsmtp = s.example\n' \
    "$BU" "$BU_A" >"$T_TMP/dup.ini"
$MAC_WRAP $MAC_BIN --check -c "$T_TMP/dup.ini" >"$T_TMP/dup.out" 2>&1
check "U-label and A-label are one domain" test $? -ne 0

# a UTF-8 section name (the provider id) reaches no answer: Thunderbird
# refuses an <emailProvider id> that is not a host name, so the answer
# gives the first domain, in its A-label form, and --check says so
printf '[%s]\nimap = imap.%%EMAILDOMAIN%%\nsmtp = smtp.%%EMAILDOMAIN%%\n' \
    "$BU" >"$T_TMP/uid.ini"
$MAC_WRAP $MAC_BIN --check -c "$T_TMP/uid.ini" >"$T_TMP/uid.out" 2>&1
check "UTF-8 provider id: --check warns" grep -q "uid.ini:1: warning: .*not a host name" \
    "$T_TMP/uid.out"
MAC_CONF=$T_TMP/uid.ini
# (its displayName is the section name: UTF-8 text, which XML allows)
mac_cgi "$T_TMP/ac-uid" REQUEST_METHOD=GET REQUEST_URI=$AC \
    QUERY_STRING="emailaddress=jane%40$BU_Q" HTTP_HOST=autoconfig.example.net
check_eq "ac-uid: 200" 200 "$(status "$T_TMP/ac-uid")"
check "UTF-8 provider id: answered as its A-label" \
    grep -q "<emailProvider id=\"$BU_A\">" "$T_TMP/ac-uid.body"
check "ac-uid: well-formed XML" xml_ok "$T_TMP/ac-uid.body"

finish
