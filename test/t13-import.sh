#!/bin/sh
# t13-import.sh: mailautoconf --import.  Round trips: import a
# config-v1.1.xml, load the section, serve it, and compare the answer with
# the original element by element (test/xmlnorm.py) -- for the seed's
# mailbox.org file, for a file with every element providers.ini can
# express, and for generated files with values long enough to need
# continuation lines.  Then what cannot be expressed (warnings), what
# cannot be written (errors, nothing on stdout), and hostile XML.
. "$(dirname "$0")/lib.sh"

D=$TOP/test/data
NORM="python3 $TOP/test/xmlnorm.py"

# import NAME XML: NAME.ini, NAME.err, NAME.rc
import() {
	$MAC_WRAP $MAC_BIN --import "$2" >"$T_TMP/$1.ini" 2>"$T_TMP/$1.err"
	echo $? >"$T_TMP/$1.rc"
}

# lines_ok INI: every line under 200 bytes, section names under 50
lines_ok() {
	awk 'length($0) >= 200 { bad = 1 }
	    /^\[/ && length($0) - 2 >= 50 { bad = 1 }
	    END { exit bad }' "$1"
}

# serve NAME DOMAIN: the autoconfig answer of NAME.ini for DOMAIN
serve() {
	MAC_CONF=$T_TMP/$1.ini mac_cgi "$T_TMP/$1-$2" REQUEST_METHOD=GET \
	    REQUEST_URI=/mail/config-v1.1.xml \
	    QUERY_STRING="emailaddress=jane%40$2" HTTP_HOST=x.example
}

# roundtrip NAME XML DOMAIN...: import, check, serve each domain, compare
# (with $WANT instead of XML when set)
roundtrip() {
	n=$1 x=$2
	shift 2
	import "$n" "$x"
	check_eq "$n: import exit" 0 "$(cat "$T_TMP/$n.rc")"
	check "$n: lines under 200 bytes" lines_ok "$T_TMP/$n.ini"
	check "$n: --check accepts it" sh -c \
	    "$MAC_WRAP $MAC_BIN --check -c '$T_TMP/$n.ini' >/dev/null 2>&1"
	$NORM "${WANT:-$x}" --no-domains >"$T_TMP/$n.want"
	for d in "$@"; do
		serve "$n" "$d"
		f=$T_TMP/$n-$d
		check_eq "$n $d: 200" 200 "$(status "$f")"
		check "$n $d: well-formed" xml_ok "$f.body"
		check "$n $d: valid against the autoconfig draft's RELAX NG" sh -c \
		    "xmllint --noout --relaxng '$TOP/test/schema/autoconfig.rng' '$f.body' 2>/dev/null"
		$NORM "$f.body" --no-domains >"$f.got"
		# answers fill %EMAILDOMAIN% for the domain asked (Evolution)
		sed "s/%EMAILDOMAIN%/$d/g" "$T_TMP/$n.want" >"$f.want"
		if cmp -s "$f.want" "$f.got"; then
			ok "$n $d: same answer as the original"
		else
			fail "$n $d: answer differs from the original"
			diff "$f.want" "$f.got" | head -10
		fi
		check "$n $d: the one domain asked" \
		    grep -q "<domain>$d</domain>" "$f.body"
		check_eq "$n $d: one domain element" 1 \
		    "$(grep -c '<domain>' "$f.body")"
	done
}

# ---- round trips ---------------------------------------------------------
roundtrip seed "$D/seed-mailbox.org.xml" mailbox.org
check "seed: no warnings" test ! -s "$T_TMP/seed.err"
check "seed: the section of providers.ini(5)" sh -c \
    "grep -v '^;' '$T_TMP/seed.ini' | grep -q '^imap = imap.mailbox.org:993 ssl\$'"
roundtrip full "$D/import-full.xml" full.example full.example.net kunde.example
check "full: no warnings" test ! -s "$T_TMP/full.err"

# importing the served answer gives the same section again
serve full full.example
import again "$T_TMP/full-full.example.body"
check "full: import of the served answer is the same section, filled for its domain" sh -c \
    "grep -v -e '^;' -e '^domains' '$T_TMP/full.ini' | sed 's/%EMAILDOMAIN%/full.example/g' >'$T_TMP/a' &&
     grep -v -e '^;' -e '^domains' '$T_TMP/again.ini' >'$T_TMP/b' &&
     cmp -s '$T_TMP/a' '$T_TMP/b'"

# ActiveSync and JMAP as URL servers (draft-06's types), the public client ID
check "full: activeSync with its url becomes an activesync line" \
    grep -q '^activesync = https://sync.full.example/Microsoft-Server-ActiveSync auth=password-cleartext$' \
    "$T_TMP/full.ini"
check "full: jmap with its url becomes a jmap line" \
    grep -q '^jmap = https://jmap.full.example/jmap/session auth=OAuth2$' \
    "$T_TMP/full.ini"
check "full: clientID becomes oauth2.client_id" \
    grep -q '^oauth2.client_id = full-example-public$' "$T_TMP/full.ini"
check_eq "full: addressBook and addressbook are one carddav line" 1 \
    "$(grep -c '^carddav = ' "$T_TMP/full.ini")"

# ---- ews, owa, graph: the URL form and the legacy exchange element --------
check "full: the draft's Basic and Digest are password-cleartext and -encrypted" \
    grep -q '^ews = https://mail.full.example/EWS/Exchange.asmx auth=password-cleartext,password-encrypted$' \
    "$T_TMP/full.ini"
check "full: the legacy element's useGlobalPreferredServer goes to its ews line" \
    grep -q '^ews = https://ews.full.example:8443/.* use_global_preferred_server=false$' \
    "$T_TMP/full.ini"

# shaped like the ISPDB's office365.com: served back as it is, with the
# placeholder the ISPDB misspells for ews and owa corrected
sed 's/%EMAILADDRESS</%EMAILADDRESS%</' "$D/import-o365.xml" >"$T_TMP/o365-want.xml"
WANT=$T_TMP/o365-want.xml roundtrip o365 "$D/import-o365.xml" cloud365.example \
    mail.protection.cloud365.example
check_eq "o365: two warnings, the misspelt placeholders" 2 \
    "$(grep -c "lacks a closing '%': written as '%EMAILADDRESS%'" "$T_TMP/o365.err")"
check_eq "o365: nothing else warned" 2 "$(wc -l <"$T_TMP/o365.err" | tr -d ' ')"
check "o365: the legacy element is folded into the ews line" sh -c \
    "grep -v '^;' '$T_TMP/o365.ini' | grep -E '^(imap|pop3|ews|owa|graph|smtp) ' >'$T_TMP/o365.srv' &&
     printf '%s\n' 'imap = outlook.cloud365.example:993 ssl' \
	'pop3 = outlook.cloud365.example:995 ssl leave_messages_on_server=true' \
	'ews = https://outlook.cloud365.example/ews/exchange.asmx use_global_preferred_server=true' \
	'owa = https://outlook.cloud365.example/owa/' 'graph = https://graph.cloud365.example/' \
	'smtp = smtp.cloud365.example:587 starttls' | cmp -s - '$T_TMP/o365.srv'"
# and the served answer imports to the same section again
import o365again "$T_TMP/o365-cloud365.example.body"
check "o365: import of the served answer is the same section" sh -c \
    "grep -v -e '^;' -e '^domains' '$T_TMP/o365.ini' >'$T_TMP/a' &&
     grep -v -e '^;' -e '^domains' '$T_TMP/o365again.ini' >'$T_TMP/b' &&
     cmp -s '$T_TMP/a' '$T_TMP/b'"
check "o365 again: no warnings" test ! -s "$T_TMP/o365again.err"

# the form mailautoconf served before (hostname, port, ewsURL; owa as
# type="exchange"): the same lines
import oldews "$D/import-oldews.xml"
check_eq "oldews: import exit" 0 "$(cat "$T_TMP/oldews.rc")"
check "oldews: no warnings" test ! -s "$T_TMP/oldews.err"
check "oldews: the same ews, owa and graph lines" sh -c \
    "grep -E '^(ews|owa|graph) ' '$T_TMP/oldews.ini' >'$T_TMP/oldews.srv' &&
     printf '%s\n' 'owa = https://owa.full.example/owa/ auth=NTLM' \
	'ews = https://ews.full.example:8443/EWS/Exchange.asmx auth=NTLM,GSSAPI username=FULL\\%EMAILLOCALPART%' \
	'graph = https://graph.microsoft.com/v1.0/ auth=OAuth2' | cmp -s - '$T_TMP/oldews.srv'"

# Thunderbird before 150: the legacy element alone becomes ews and owa
# lines at its place, and is served back the same
cat >"$T_TMP/legacy.xml" <<'XML'
<clientConfig version="1.1"><emailProvider id="legacy.example">
<domain>legacy.example</domain><displayName>Legacy</displayName>
<displayShortName>Legacy</displayShortName>
<incomingServer type="imap"><hostname>imap.legacy.example</hostname><port>993</port>
<socketType>SSL</socketType><authentication>password-cleartext</authentication>
<username>%EMAILADDRESS%</username></incomingServer>
<incomingServer type="exchange"><hostname>mail.legacy.example</hostname><port>443</port>
<socketType>SSL</socketType><authentication>NTLM</authentication>
<username>LEGACY\%EMAILLOCALPART%</username>
<owaURL>https://mail.legacy.example/owa/</owaURL>
<ewsURL>https://mail.legacy.example/EWS/Exchange.asmx</ewsURL>
<useGlobalPreferredServer>true</useGlobalPreferredServer></incomingServer>
<outgoingServer type="smtp"><hostname>smtp.legacy.example</hostname><port>465</port>
<socketType>SSL</socketType><authentication>password-cleartext</authentication>
<username>%EMAILADDRESS%</username></outgoingServer>
</emailProvider></clientConfig>
XML
import legacy "$T_TMP/legacy.xml"
check_eq "legacy: import exit" 0 "$(cat "$T_TMP/legacy.rc")"
check "legacy: no warnings" test ! -s "$T_TMP/legacy.err"
check "legacy: an ews and an owa line in its place" sh -c \
    "grep -E '^(imap|ews|owa|smtp) ' '$T_TMP/legacy.ini' >'$T_TMP/legacy.srv' &&
     printf '%s\n' 'imap = imap.legacy.example:993 ssl' \
	'ews = https://mail.legacy.example/EWS/Exchange.asmx auth=NTLM username=LEGACY\\%EMAILLOCALPART% use_global_preferred_server=true' \
	'owa = https://mail.legacy.example/owa/ auth=NTLM username=LEGACY\\%EMAILLOCALPART%' \
	'smtp = smtp.legacy.example:465 ssl' | cmp -s - '$T_TMP/legacy.srv'"
serve legacy legacy.example
exch() {
	xmllint --xpath '//incomingServer[@type="exchange"]' "$1" >"$1.exch" 2>/dev/null &&
	    $NORM "$1.exch"
}
exch "$T_TMP/legacy.xml" >"$T_TMP/legacy.want-exch"
exch "$T_TMP/legacy-legacy.example.body" >"$T_TMP/legacy.got-exch"
check_eq "legacy: the served answer has the exchange element" 9 \
    "$(wc -l <"$T_TMP/legacy.got-exch" | tr -d ' ')"
check "legacy: the exchange element is served back the same" \
    cmp -s "$T_TMP/legacy.want-exch" "$T_TMP/legacy.got-exch"

# what does not match or is not known is named
cat >"$T_TMP/odd.xml" <<'XML'
<clientConfig version="1.1"><emailProvider id="odd.example">
<domain>odd.example</domain><displayName>Odd</displayName><displayShortName>Odd</displayShortName>
<incomingServer type="imap"><hostname>imap.odd.example</hostname><port>993</port>
<socketType>SSL</socketType><authentication>password-cleartext</authentication>
<username>%EMAILADDRESS%</username><url>https://imap.odd.example/</url></incomingServer>
<incomingServer type="ews"><url>https://mail.odd.example/EWS/Exchange.asmx</url>
<ewsURL>https://other.odd.example/EWS/Exchange.asmx</ewsURL>
<authentication system="sasl">SCRAM-SHA-256</authentication>
<authentication system="http">Negotiate</authentication>
<authentication>password-cleartext</authentication>
<username>%EMAILADDRESS%</username></incomingServer>
<incomingServer type="exchange"><hostname>mail.odd.example</hostname><port>443</port>
<socketType>SSL</socketType><authentication>NTLM</authentication>
<username>%EMAILLOCALPART%</username>
<ewsURL>https://elsewhere.odd.example/EWS/Exchange.asmx</ewsURL>
<graphURL>https://graph.odd.example/</graphURL></incomingServer>
<outgoingServer type="smtp"><hostname>smtp.odd.example</hostname><port>465</port>
<socketType>SSL</socketType><authentication>password-cleartext</authentication>
<username>%EMAILADDRESS%</username></outgoingServer>
</emailProvider></clientConfig>
XML
import odd "$T_TMP/odd.xml"
check_eq "odd: exit 0" 0 "$(cat "$T_TMP/odd.rc")"
for w in "url of the imap server is not expressible" \
    "ewsURL of the ews server is not its url; served as the url" \
    "authentication system 'sasl' 'SCRAM-SHA-256' is not known" \
    "authentication system 'http' 'Negotiate' is not known" \
    "ewsURL of the exchange server is not the ews server's URL; dropped" \
    "graphURL of the exchange server is not expressible" \
    "authentication of the exchange server is served as the ews server's" \
    "username of the exchange server is served as the ews server's"; do
	check "odd: warns: $w" grep -qF "$w" "$T_TMP/odd.err"
done
check "odd: the ews line is the url's" grep -q '^ews = https://mail.odd.example/EWS/Exchange.asmx$' \
    "$T_TMP/odd.ini"

# long values: continuation lines, cut where inih reads them back
python3 - "$T_TMP/long.xml" <<'EOF'
import sys
words = " ".join("word%d" % i for i in range(120))
name = " ".join("name%d" % i for i in range(25))   # one line: 169 bytes
longword = "x" * 150
url = "https://docs.long.example/" + "/".join(
    "seg%d;v=%d#f" % (i, i) for i in range(40))
doms = "".join("<domain>d%02d.long-domain-name.example</domain>" % i
               for i in range(40))
open(sys.argv[1], "w").write("""<?xml version="1.0"?>
<clientConfig version="1.1"><emailProvider id="long.example">%s
<displayName>%s</displayName><displayShortName>Long</displayShortName>
<incomingServer type="imap"><hostname>imap.long.example</hostname>
<port>993</port><socketType>SSL</socketType>
<authentication>password-cleartext</authentication>
<username>%%EMAILADDRESS%%</username></incomingServer>
<outgoingServer type="smtp"><hostname>smtp.long.example</hostname>
<port>465</port><socketType>SSL</socketType>
<authentication>password-cleartext</authentication>
<username>%%EMAILADDRESS%%</username></outgoingServer>
<documentation url="%s"><descr lang="en">%s #not-a-comment %s end</descr>
</documentation></emailProvider></clientConfig>
""" % (doms, name, url, words, longword))
EOF
roundtrip long "$T_TMP/long.xml" d00.long-domain-name.example \
    d39.long-domain-name.example
check "long: values were continued" grep -q '^	' "$T_TMP/long.ini"
check "long: no continuation starts a comment" \
    sh -c "! grep -q '^	[;#]' '$T_TMP/long.ini'"

# from stdin
$MAC_WRAP $MAC_BIN --import - <"$D/seed-mailbox.org.xml" >"$T_TMP/stdin.ini" 2>/dev/null
check "stdin: same section" sh -c "grep -v '^;' '$T_TMP/stdin.ini' >'$T_TMP/s1';
    grep -v '^;' '$T_TMP/seed.ini' >'$T_TMP/s2'; cmp -s '$T_TMP/s1' '$T_TMP/s2'"

# ---- lossy input: warnings, still a section that loads -----------------------
import lossy "$D/import-lossy.xml"
check_eq "lossy: exit 0" 0 "$(cat "$T_TMP/lossy.rc")"
check "lossy: --check accepts it" sh -c \
    "$MAC_WRAP $MAC_BIN --check -c '$T_TMP/lossy.ini' >/dev/null 2>&1"
for w in "LOSSY.example listed twice" "'plain' is written as 'password-cleartext'" \
    "'kerberos-v9' is not known" "password is never served" \
    "<inputField> is not expressible" "<loginPageInfo> is not expressible" \
    "without port" "leave_messages_on_server of the imap server" \
    "exchange (ewsURL) server are served as its URL says" "http-digest" "calendar without serverURL" \
    "oAuth2 needs issuer" "no displayShortName" "socketType 'ssl'"; do
	check "lossy: warns: $w" grep -qF "$w" "$T_TMP/lossy.err"
done
check "lossy: warnings name the line" grep -q 'import-lossy.xml:17: warning: a password' \
    "$T_TMP/lossy.err"
check "lossy: the password is not in the section" \
    sh -c "! grep -q hunter2 '$T_TMP/lossy.ini'"
check "lossy: Latin-1 read as UTF-8" grep -q "^name = Lossy Provider (Größe)\$" \
    "$T_TMP/lossy.ini"

# ---- what cannot be written: exit 1, nothing on stdout -----------------------
# refused NAME WHAT XML-TEXT
refused() {
	printf '%s\n' "$3" >"$T_TMP/r-$1.xml"
	import "r-$1" "$T_TMP/r-$1.xml"
	check_eq "refused $1: exit 1" 1 "$(cat "$T_TMP/r-$1.rc")"
	check "refused $1: nothing on stdout" test ! -s "$T_TMP/r-$1.ini"
	check "refused $1: says why ($2)" grep -q "$2" "$T_TMP/r-$1.err"
}
SRV='<incomingServer type="imap"><hostname>i.x.example</hostname><port>993</port><socketType>SSL</socketType><authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username></incomingServer><outgoingServer type="smtp"><hostname>s.x.example</hostname><port>465</port><socketType>SSL</socketType><authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username></outgoingServer>'
refused bomb "entity declarations" '<!DOCTYPE c [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><clientConfig><emailProvider id="x.example">&c;</emailProvider></clientConfig>'
printf 'SECRET-4242\n' >"$T_TMP/secret.txt"
refused xxe "entity declarations" "<!DOCTYPE c [<!ENTITY s SYSTEM \"file://$T_TMP/secret.txt\">]><clientConfig><emailProvider id=\"x.example\"><displayName>&s;</displayName>$SRV</emailProvider></clientConfig>"
check "xxe: the file was not read" sh -c \
    "! grep -q SECRET-4242 '$T_TMP/r-xxe.ini' '$T_TMP/r-xxe.err'"
refused param "entity declarations" "<!DOCTYPE c [<!ENTITY % p SYSTEM \"file://$T_TMP/secret.txt\"> %p;]><clientConfig/>"
refused malformed "not well-formed" '<clientConfig><emailProvider id="x.example">'
refused root "root element" '<config/>'
refused noprovider "no emailProvider" '<clientConfig version="1.1"/>'
refused twoproviders "a second emailProvider" "<clientConfig><emailProvider id=\"a.example\">$SRV</emailProvider><emailProvider id=\"b.example\"/></clientConfig>"
refused longid "section name" "<clientConfig><emailProvider id=\"$(printf 'a%.0s' $(seq 50)).example\">$SRV</emailProvider></clientConfig>"
refused badid "section name" "<clientConfig><emailProvider id=\"a]b\">$SRV</emailProvider></clientConfig>"
refused comment '" ;" would start a comment' "<clientConfig><emailProvider id=\"x.example\"><displayName>Mail ;not a comment</displayName>$SRV</emailProvider></clientConfig>"
refused longhost "server lines cannot be continued" "<clientConfig><emailProvider id=\"x.example\"><incomingServer type=\"imap\"><hostname>$(printf 'abcdefghi.%.0s' $(seq 19))example</hostname><port>993</port><socketType>SSL</socketType></incomingServer></emailProvider></clientConfig>"
refused type "not one providers.ini knows" "<clientConfig><emailProvider id=\"x.example\"><incomingServer type=\"nntp\"/></emailProvider></clientConfig>"
# ActiveSync and JMAP are https only (the loader's rule, through --import)
refused eashttp "must be an https:// URL" "<clientConfig><emailProvider id=\"x.example\"><incomingServer type=\"activesync\"><url>http://sync.x.example/Microsoft-Server-ActiveSync</url></incomingServer>$SRV</emailProvider></clientConfig>"
refused jmapuser "URL with a user name" "<clientConfig><emailProvider id=\"x.example\"><incomingServer type=\"jmap\"><url>https://u:p@jmap.x.example/</url></incomingServer>$SRV</emailProvider></clientConfig>"
refused exchange "needs ewsURL or owaURL" "<clientConfig><emailProvider id=\"x.example\">$SRV<incomingServer type=\"exchange\"><hostname>x.example</hostname></incomingServer></emailProvider></clientConfig>"
refused ewsnourl "needs url or ewsURL" "<clientConfig><emailProvider id=\"x.example\">$SRV<incomingServer type=\"ews\"><username>%EMAILADDRESS%</username></incomingServer></emailProvider></clientConfig>"
refused owaurl "not an http" "<clientConfig><emailProvider id=\"x.example\">$SRV<incomingServer type=\"owa\"><url>javascript:alert(1)</url></incomingServer></emailProvider></clientConfig>"
refused port "not a number" "<clientConfig><emailProvider id=\"x.example\"><incomingServer type=\"imap\"><hostname>i.x.example</hostname><port>99999</port></incomingServer></emailProvider></clientConfig>"
refused url "percent-encoded" "<clientConfig><emailProvider id=\"x.example\">$SRV<documentation url=\"https://x.example/a b\"/></emailProvider></clientConfig>"
refused lang "language tag" "<clientConfig><emailProvider id=\"x.example\">$SRV<documentation url=\"https://x.example/\"><descr lang=\"de_DE\">x</descr></documentation></emailProvider></clientConfig>"
refused loader "would not load" "<clientConfig><emailProvider id=\"x.example\"><incomingServer type=\"imap\"><hostname>i.x.example</hostname><port>993</port><socketType>SSL</socketType><username>%REALNAME%</username></incomingServer></emailProvider></clientConfig>"
refused longname "name: a line of" "<clientConfig><emailProvider id=\"x.example\"><displayName>$(printf 'word %.0s' $(seq 40))</displayName>$SRV</emailProvider></clientConfig>"
refused deep "nested deeper" "<clientConfig>$(printf '<a>%.0s' $(seq 20))$(printf '</a>%.0s' $(seq 20))</clientConfig>"
head -c 1100000 /dev/zero | tr '\0' ' ' >"$T_TMP/big.xml"
import big "$T_TMP/big.xml"
check_eq "larger than 1 MiB: exit 1" 1 "$(cat "$T_TMP/big.rc")"
$MAC_WRAP $MAC_BIN --import "$T_TMP/none.xml" >/dev/null 2>&1
check "missing file: exit 1" test $? -eq 1
$MAC_WRAP $MAC_BIN --import >/dev/null 2>&1
check "--import without a file: usage, exit 2" test $? -eq 2
# a file name reaches the terminal as printable ASCII
$MAC_WRAP $MAC_BIN --import "$T_TMP/$(printf 'x\033[1m').xml" >/dev/null 2>"$T_TMP/esc.err"
check "missing file named with its ESC as '?'" grep -qF 'x?[1m.xml: cannot open' "$T_TMP/esc.err"
check "and no control byte" sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$T_TMP/esc.err'"

finish
