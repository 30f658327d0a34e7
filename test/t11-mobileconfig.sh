#!/bin/sh
# t11-mobileconfig.sh: Apple configuration profiles (DESIGN.md §6) through the
# real binary as CGI.  Every profile through plistutil and python3's
# plistlib; the name-based UUIDs recomputed with python3's uuid5; the
# page without an address rendered by headless Chromium; signed profiles
# (RSA, EC, with a chain) verified with openssl cms and openssl smime.
. "$(dirname "$0")/lib.sh"

MC=/email.mobileconfig
NS=6662a165-dd01-5031-ac48-57b01e49d73b

cat >"$T_TMP/mc.ini" <<'EOF'
[mailbox.org]
name = mailbox.org -- damit Privates privat bleibt
short_name = mailbox.org
imap = imap.mailbox.org:993 ssl
imap = imap.mailbox.org:143 starttls
pop3 = pop3.mailbox.org:995 ssl
smtp = smtp.mailbox.org:465 ssl
smtp = smtp.mailbox.org:587 starttls

[hoster]
domains = customer.example
name = Hoster <&> "quoted" 'single'
imap = mail.%EMAILDOMAIN%:143 starttls auth=password-encrypted username=%EMAILLOCALPART%
smtp = smtp.%EMAILDOMAIN% starttls auth=NTLM
mobileconfig.identifier = net.hoster.mail

[popper.example]
pop3 = pop.popper.example:110 plain auth=none
smtp = smtp.popper.example:25 plain auth=client-IP-address

[oauth.example]
auth = OAuth2
imap = [2001:db8::1]:993 ssl
smtp = smtp.oauth.example ssl auth=OAuth2,password-cleartext

[nosmtp.example]
imap = imap.nosmtp.example

[ewsonly.example]
ews = https://ews.ewsonly.example/EWS/Exchange.asmx
smtp = smtp.ewsonly.example
EOF
MAC_CONF=$T_TMP/mc.ini

# flat FILE: the profile of FILE.body as "path=value" lines in FILE.flat
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
        print("%s=%s" % (".".join(p), v))
walk([], plistlib.load(open(sys.argv[1], "rb")))
EOF
}

# val FILE PATH: one value of the flattened profile
val() {
	sed -n "s|^$2=||p" "$1.flat"
}

# profile NAME ADDRESS: GET the profile for ADDRESS; checks what every
# profile must hold
profile() {
	n=$1
	mac_cgi "$T_TMP/$n" REQUEST_METHOD=GET REQUEST_URI="$MC" \
	    QUERY_STRING="emailaddress=$2" HTTP_HOST=autoconfig.mailbox.org
	f=$T_TMP/$n
	check_eq "$n: status" 200 "$(status "$f")"
	check_eq "$n: content type" application/x-apple-aspen-config \
	    "$(header "$f" Content-Type)"
	check "$n: xmllint" xml_ok "$f.body"
	check "$n: plistutil reads it" plistutil -i "$f.body" -o "$f.bin"
	check "$n: plistlib reads it" flat "$f"
	check_eq "$n: top PayloadType" Configuration \
	    "$(val "$f" PayloadType)"
	check_eq "$n: mail PayloadType" com.apple.mail.managed \
	    "$(val "$f" PayloadContent.0.PayloadType)"
	check_eq "$n: one payload" "" "$(val "$f" PayloadContent.1.PayloadType)"
	check "$n: no password in it" \
	    sh -c "! grep -i 'password=' '$f.flat' | grep -v '^PayloadContent.0.OutgoingPasswordSameAsIncomingPassword='"
	check_eq "$n: no-store" no-store "$(header "$f" Cache-Control)"
}

# ---- the seed's provider ---------------------------------------------------
profile jane 'jane%40mailbox.org'
f=$T_TMP/jane
check_eq "disposition" 'attachment; filename="mailbox.org.mobileconfig"' \
    "$(header "$f" Content-Disposition)"
for kv in EmailAccountType=EmailTypeIMAP EmailAddress=jane@mailbox.org \
    EmailAccountDescription=mailbox.org \
    IncomingMailServerHostName=imap.mailbox.org \
    IncomingMailServerPortNumber=993 IncomingMailServerUseSSL=true \
    IncomingMailServerUsername=jane@mailbox.org \
    IncomingMailServerAuthentication=EmailAuthPassword \
    OutgoingMailServerHostName=smtp.mailbox.org \
    OutgoingMailServerPortNumber=465 OutgoingMailServerUseSSL=true \
    OutgoingMailServerUsername=jane@mailbox.org \
    OutgoingMailServerAuthentication=EmailAuthPassword \
    OutgoingPasswordSameAsIncomingPassword=true; do
	check_eq "jane: ${kv%%=*}" "${kv#*=}" \
	    "$(val "$f" "PayloadContent.0.${kv%%=*}")"
done
check_eq "jane: display name" "mailbox.org -- damit Privates privat bleibt" \
    "$(val "$f" PayloadDisplayName)"

# UUIDs: v5 of "identifier\naddress\nrole" in our namespace (DESIGN.md §6)
uuid5() {
	python3 -c 'import sys, uuid
print(str(uuid.uuid5(uuid.UUID(sys.argv[1]), sys.argv[2])).upper())' \
	    "$NS" "$(printf '%s\n%s\n%s' "$1" "$2" "$3")"
}
pu=$(uuid5 org.mailbox jane@mailbox.org profile)
mu=$(uuid5 org.mailbox jane@mailbox.org mail)
check_eq "profile UUID is uuid5" "$pu" "$(val "$f" PayloadUUID)"
check_eq "mail UUID is uuid5" "$mu" "$(val "$f" PayloadContent.0.PayloadUUID)"
check_eq "profile identifier" "org.mailbox.$pu" "$(val "$f" PayloadIdentifier)"
check_eq "mail identifier" "org.mailbox.mail.$mu" \
    "$(val "$f" PayloadContent.0.PayloadIdentifier)"
profile jane2 'jane%40mailbox.org'
check "same address, same profile" cmp -s "$f.body" "$T_TMP/jane2.body"
profile john 'john%40mailbox.org'
check "other address, other UUID" \
    test "$(val "$T_TMP/john" PayloadUUID)" != "$pu"
profile jane-upper 'jane%40MailBox.ORG'
check_eq "domain case does not change the UUID" "$pu" \
    "$(val "$T_TMP/jane-upper" PayloadUUID)"

# ---- templates, STARTTLS, other auth words, escaping ------------------------
profile hoster 'o%27brien%40customer.example'
f=$T_TMP/hoster
check_eq "hoster: disposition" \
    'attachment; filename="customer.example.mobileconfig"' \
    "$(header "$f" Content-Disposition)"
for kv in IncomingMailServerHostName=mail.customer.example \
    IncomingMailServerPortNumber=143 IncomingMailServerUseSSL=true \
    IncomingMailServerUsername="o'brien" \
    IncomingMailServerAuthentication=EmailAuthCRAMMD5 \
    OutgoingMailServerHostName=smtp.customer.example \
    OutgoingMailServerPortNumber=587 OutgoingMailServerUseSSL=true \
    OutgoingMailServerUsername="o'brien@customer.example" \
    OutgoingMailServerAuthentication=EmailAuthNTLM \
    OutgoingPasswordSameAsIncomingPassword=false \
    EmailAddress="o'brien@customer.example"; do
	check_eq "hoster: ${kv%%=*}" "${kv#*=}" \
	    "$(val "$f" "PayloadContent.0.${kv%%=*}")"
done
check_eq "hoster: name escaped and read back" \
    "Hoster <&> \"quoted\" 'single'" "$(val "$f" PayloadDisplayName)"
check "hoster: identifier" \
    sh -c "val() { sed -n \"s|^\$2=||p\" \"\$1.flat\"; }; val '$f' PayloadIdentifier | grep -q '^net\.hoster\.mail\.[0-9A-F-]*\$'"

profile popper 'p%40popper.example'
f=$T_TMP/popper
for kv in EmailAccountType=EmailTypePOP IncomingMailServerPortNumber=110 \
    IncomingMailServerUseSSL=false \
    IncomingMailServerAuthentication=EmailAuthNone \
    OutgoingMailServerUseSSL=false \
    OutgoingMailServerAuthentication=EmailAuthNone \
    OutgoingPasswordSameAsIncomingPassword=false; do
	check_eq "popper: ${kv%%=*}" "${kv#*=}" \
	    "$(val "$f" "PayloadContent.0.${kv%%=*}")"
done

profile oauth 'o%40oauth.example'
f=$T_TMP/oauth
check_eq "oauth: only OAuth2 gives EmailAuthPassword" EmailAuthPassword \
    "$(val "$f" PayloadContent.0.IncomingMailServerAuthentication)"
check_eq "oauth: the first word Apple knows" EmailAuthPassword \
    "$(val "$f" PayloadContent.0.OutgoingMailServerAuthentication)"
check_eq "oauth: IPv6 literal without brackets" 2001:db8::1 \
    "$(val "$f" PayloadContent.0.IncomingMailServerHostName)"

profile utf8 'j%C3%B6rg%40mailbox.org'
check_eq "UTF-8 local part kept" "jörg@mailbox.org" \
    "$(val "$T_TMP/utf8" PayloadContent.0.EmailAddress)"

# a form POST from the page's fields
printf 'emailaddress=jane%%40mailbox.org' >"$T_TMP/form"
MAC_STDIN=$T_TMP/form mac_cgi "$T_TMP/post" REQUEST_METHOD=POST \
    REQUEST_URI=/mobileconfig HTTP_HOST=mailbox.org \
    CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=31
check_eq "form POST: 200" 200 "$(status "$T_TMP/post")"
check "form POST: the same profile" cmp -s "$T_TMP/post.body" "$T_TMP/jane.body"

mac_cgi "$T_TMP/head" REQUEST_METHOD=HEAD REQUEST_URI=$MC \
    QUERY_STRING='emailaddress=jane%40mailbox.org' HTTP_HOST=mailbox.org
check_eq "HEAD: 200, no body" "200 0" \
    "$(status "$T_TMP/head") $(wc -c <"$T_TMP/head.body" | tr -d ' ')"
check_eq "HEAD: Content-Length of the GET" \
    "$(header "$T_TMP/jane" Content-Length)" \
    "$(header "$T_TMP/head" Content-Length)"

# no mail payload possible: 404
for d in nosmtp.example ewsonly.example example.net; do
	mac_cgi "$T_TMP/no-$d" REQUEST_METHOD=GET REQUEST_URI=$MC \
	    QUERY_STRING="emailaddress=a%40$d" HTTP_HOST=mailbox.org
	check_eq "$d: 404" 404 "$(status "$T_TMP/no-$d")"
done

# ---- the page that asks for the address --------------------------------------
mac_cgi "$T_TMP/page" REQUEST_METHOD=GET REQUEST_URI=/email.mobileconfig \
    HTTP_HOST=customer.example
f=$T_TMP/page
check_eq "page: 200" 200 "$(status "$f")"
check_eq "page: content type" "text/html; charset=utf-8" \
    "$(header "$f" Content-Type)"
check "page: CSP" sh -c "grep -q \"^Content-Security-Policy: default-src 'none'\" '$f.head'"
check "page: no Content-Disposition" \
    test -z "$(header "$f" Content-Disposition)"
check "page: HTML5 doctype" sh -c "head -n 1 '$f.body' | grep -qx '<!DOCTYPE html>'"
check "page: GET form" grep -q '<form method="get">' "$f.body"
check "page: email input" \
    grep -q '<input id="emailaddress" name="emailaddress" type="email"' "$f.body"
check "page: domain as placeholder" grep -q 'placeholder="name@customer.example"' \
    "$f.body"
check "page: name escaped" \
    grep -q 'Hoster &lt;&amp;&gt; &quot;quoted&quot; &apos;single&apos;' "$f.body"
check "page: no raw markup from the config" sh -c "! grep -q '<&>' '$f.body'"
check "page: no script" sh -c "! grep -qi '<script' '$f.body'"
# the page asks whatever the Host (issue 11: a hoster's host lists no
# customer): without one it is still the form
mac_cgi "$T_TMP/page-nohost" REQUEST_METHOD=GET REQUEST_URI=/mobileconfig
check_eq "page without Host: the form all the same" 200 \
    "$(status "$T_TMP/page-nohost")"

# headless Chromium parses the page into the form we meant
cp "$f.body" "$T_TMP/page.html"
chromium_run() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
	    --disable-background-networking --no-first-run \
	    --user-data-dir="$T_TMP/chromium" --window-size=800,600 "$@" \
	    "file://$T_TMP/page.html" 2>/dev/null
}
chromium_run --dump-dom >"$T_TMP/dom.html"
check "chromium: input in the DOM" \
    grep -q 'name="emailaddress" type="email" required=""' "$T_TMP/dom.html"
check "chromium: button in the DOM" \
    grep -q '<button type="submit">Download profile</button>' "$T_TMP/dom.html"
(cd "$T_TMP" && chromium_run --screenshot="$T_TMP/page.png" >/dev/null)
check "chromium: screenshot is a PNG" \
    sh -c "head -c 8 '$T_TMP/page.png' | od -An -c | grep -q 'P   N   G'"

# ---- signed profiles -----------------------------------------------------------
O="openssl"
S=$T_TMP/sign
mkdir -p "$S"
$O req -x509 -newkey rsa:2048 -nodes -keyout "$S/rsa.key" -out "$S/rsa.crt" \
    -days 2 -subj /CN=mailautoconf-test >/dev/null 2>&1
$O req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$S/ec.key" -out "$S/ec.crt" -days 2 -subj /CN=ec-test >/dev/null 2>&1
# a CA and a leaf it signed; the leaf's file carries the chain
$O req -x509 -newkey rsa:2048 -nodes -keyout "$S/ca.key" -out "$S/ca.crt" \
    -days 2 -subj /CN=test-ca -addext basicConstraints=critical,CA:TRUE \
    >/dev/null 2>&1
$O req -newkey rsa:2048 -nodes -keyout "$S/leaf.key" -out "$S/leaf.csr" \
    -subj /CN=profiles.example >/dev/null 2>&1
$O x509 -req -in "$S/leaf.csr" -CA "$S/ca.crt" -CAkey "$S/ca.key" \
    -CAcreateserial -days 2 -out "$S/leaf.crt" >/dev/null 2>&1
cat "$S/leaf.crt" "$S/ca.crt" >"$S/chain.crt"

# signed NAME CERT KEY: serve jane's profile signed, and verify it
signed() {
	n=$1
	{
		printf 'mobileconfig.sign_cert = %s\nmobileconfig.sign_key = %s\n' \
		    "$2" "$3"
		cat "$T_TMP/mc.ini"
	} >"$S/$n.ini"
	MAC_CONF=$S/$n.ini mac_cgi "$S/$n" REQUEST_METHOD=GET REQUEST_URI=$MC \
	    QUERY_STRING='emailaddress=jane%40mailbox.org' HTTP_HOST=mailbox.org
	check_eq "$n: 200" 200 "$(status "$S/$n")"
	check_eq "$n: content type" application/x-apple-aspen-config \
	    "$(header "$S/$n" Content-Type)"
	check "$n: openssl cms -verify" sh -c "$O cms -verify -noverify \
	    -inform DER -in '$S/$n.body' -out '$S/$n.plain' -binary 2>/dev/null"
	check "$n: the signed content is the plain profile" \
	    cmp -s "$S/$n.plain" "$T_TMP/jane.body"
	check "$n: openssl smime -verify" sh -c "$O smime -verify -noverify \
	    -inform DER -in '$S/$n.body' -binary >/dev/null 2>&1"
	check "$n: plistutil reads the content" \
	    plistutil -i "$S/$n.plain" -o "$S/$n.bin"
}
signed rsa rsa.crt rsa.key		# relative: beside the config
signed ec "$S/ec.crt" "$S/ec.key"
signed chain chain.crt leaf.key
check "chain: verifies to the CA" sh -c "$O cms -verify -inform DER \
    -in '$S/chain.body' -CAfile '$S/ca.crt' -purpose any -binary \
    -out /dev/null 2>/dev/null"
check "chain: the CA certificate travels with it" sh -c "$O cms -verify \
    -noverify -inform DER -in '$S/chain.body' -certsout '$S/certs.pem' \
    -out /dev/null 2>/dev/null && grep -c 'BEGIN CERT' '$S/certs.pem' | \
    grep -qx 2"

# ActiveSync (test/data/clients.ini): a com.apple.eas.account payload
easprof() {
	MAC_CONF=$TOP/test/data/clients.ini mac_cgi "$T_TMP/$1" REQUEST_METHOD=GET \
	    REQUEST_URI="$MC" QUERY_STRING="emailaddress=$2" HTTP_HOST=autoconfig.eas.example
	check_eq "$1: status" 200 "$(status "$T_TMP/$1")"
	check "$1: plistutil reads it" plistutil -i "$T_TMP/$1.body" -o "$T_TMP/$1.bin"
	check "$1: plistlib reads it" flat "$T_TMP/$1"
}
# eas KEY NAME: the value of KEY in the EAS payload of NAME
eas() {
	i=$(sed -n 's|^PayloadContent\.\([0-9]*\)\.PayloadType=com.apple.eas.account$|\1|p' \
	    "$T_TMP/$2.flat")
	[ -n "$i" ] && val "$T_TMP/$2" "PayloadContent.$i.$1"
}
easprof eas 'jane%40eas.example'
for kv in PayloadType=com.apple.eas.account EmailAddress=jane@eas.example \
    Host=sync.eas.example SSL=true UserName=jane@eas.example \
    PayloadDisplayName='EAS Example Mail' PayloadVersion=1; do
	check_eq "eas: ${kv%%=*}" "${kv#*=}" "$(eas "${kv%%=*}" eas)"
done
eu=$(uuid5 example.eas jane@eas.example activesync)
check_eq "eas: UUID is uuid5 of the role activesync" "$eu" "$(eas PayloadUUID eas)"
check_eq "eas: identifier" "example.eas.activesync.$eu" "$(eas PayloadIdentifier eas)"
check "eas: no password in it" sh -c "! grep -i -e '^PayloadContent.*\.Password=' '$T_TMP/eas.flat'"
check_eq "eas: mail, caldav, carddav and eas payloads" 4 \
    "$(grep -c '^PayloadContent\.[0-9]*\.PayloadType=' "$T_TMP/eas.flat")"
easprof eascust 'jane%40customer.example'
check_eq "eas: the hoster's host filled for the customer" sync.customer.example \
    "$(eas Host eascust)"
easprof easplain 'jane%40plain.example'
check_eq "eas: none without activesync" "" "$(eas Host easplain)"

# bad signing settings stop the load, naming the line
badconf() {
	printf '%s\n' "$2" >"$S/bad-$1.ini"
	cat "$T_TMP/mc.ini" >>"$S/bad-$1.ini"
	$MAC_WRAP $MAC_BIN --check -c "$S/bad-$1.ini" >"$S/bad-$1.out" 2>&1
	check "bad signing config $1: refused" test $? -ne 0
	check "bad signing config $1: names the line" \
	    grep -q "bad-$1.ini:$3: " "$S/bad-$1.out"
}
badconf cert-only 'mobileconfig.sign_cert = rsa.crt' 1
badconf key-only 'mobileconfig.sign_key = rsa.key' 1
badconf mismatch "$(printf 'mobileconfig.sign_cert = rsa.crt\nmobileconfig.sign_key = ec.key')" 1
badconf missing "$(printf 'mobileconfig.sign_cert = none.crt\nmobileconfig.sign_key = rsa.key')" 1
badconf notpem "$(printf 'mobileconfig.sign_cert = rsa.key\nmobileconfig.sign_key = rsa.key')" 1
$O pkey -in "$S/rsa.key" -aes128 -passout pass:x -out "$S/enc.key" 2>/dev/null
badconf encrypted "$(printf 'mobileconfig.sign_cert = rsa.crt\nmobileconfig.sign_key = enc.key')" 1
badconf device "$(printf 'mobileconfig.sign_cert = /dev/zero\nmobileconfig.sign_key = rsa.key')" 1
badconf twice "$(printf 'mobileconfig.sign_cert = rsa.crt\nmobileconfig.sign_key = rsa.key\nmobileconfig.sign_key = rsa.key')" 3

finish
