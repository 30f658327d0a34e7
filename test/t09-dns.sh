#!/bin/sh
# t09-dns.sh: mailautoconf --dns prints zone lines that a real zone parser
# (named-checkzone from bind9-utils) accepts, with the records DESIGN.md §7
# asks for: CNAMEs to web_host, _autodiscover._tcp, RFC 6186 SRV records
# with implicit TLS preferred, "." for services not offered; --dns-dir
# writes one fragment a domain, --ttl sets the TTL.
. "$(dirname "$0")/lib.sh"

B="$MAC_WRAP $MAC_BIN"
cat >"$T_TMP/dns.ini" <<'INI'
web_host = autoconfig.hoster.example
[mailbox.org]
imap = imap.mailbox.org:993 ssl
imap = imap.mailbox.org:143 starttls
pop3 = pop3.mailbox.org:995 ssl
smtp = smtp.mailbox.org:465 ssl
smtp = smtp.mailbox.org:587 starttls
[hoster.example]
domains = customer.example, second.example
imap = mail.%EMAILDOMAIN% starttls
smtp = mail.%EMAILDOMAIN%:587 starttls
pop3 = [2001:db8::1] ssl
INI
$B --dns -c "$T_TMP/dns.ini" >"$T_TMP/all" 2>"$T_TMP/all.err"
check_eq "--dns exits 0" 0 "$?"

# one zone per domain, as its DNS operator would paste it
zone() {
	d=$1
	{
		printf '$ORIGIN %s.\n$TTL 3600\n' "$d"
		printf '@ IN SOA ns.%s. hostmaster.%s. 1 3600 600 86400 3600\n' "$d" "$d"
		printf '@ IN NS ns.%s.\nns IN A 192.0.2.53\n' "$d"
		$B --dns "$d" -c "$T_TMP/dns.ini"
	} >"$T_TMP/$d.zone"
	if command -v named-checkzone >/dev/null; then
		check "named-checkzone accepts $d" named-checkzone -q "$d" "$T_TMP/$d.zone"
	else
		fail "named-checkzone missing (bind9-utils)"
	fi
}
zone mailbox.org
zone customer.example

# a strict reading: NAME TTL IN TYPE DATA, absolute names
check "every line is a comment or NAME TTL IN TYPE DATA" awk -F'\t' '
    /^;/ { next }
    NF != 5 || $2 !~ /^[0-9]+$/ || $3 != "IN" || $1 !~ /\.$/ { bad = 1 }
    $4 == "SRV" && $5 !~ /^[0-9]+ [0-9]+ [0-9]+ [a-z0-9.-]*\.$/ { bad = 1 }
    $4 == "CNAME" && $5 !~ /^[a-z0-9.-]+\.$/ { bad = 1 }
    END { exit bad }' "$T_TMP/all"

rec() { awk -F'\t' -v n="$1" -v t="$2" '$1 == n && $4 == t { print $5 }' "$T_TMP/all"; }
check_eq "autoconfig CNAME" "autoconfig.hoster.example." "$(rec autoconfig.mailbox.org. CNAME)"
check_eq "autodiscover CNAME" "autoconfig.hoster.example." "$(rec autodiscover.customer.example. CNAME)"
check_eq "_autodiscover SRV" "0 0 443 autoconfig.hoster.example." "$(rec _autodiscover._tcp.second.example. SRV)"
check_eq "_imaps" "0 1 993 imap.mailbox.org." "$(rec _imaps._tcp.mailbox.org. SRV)"
check_eq "_imap" "10 1 143 imap.mailbox.org." "$(rec _imap._tcp.mailbox.org. SRV)"
check_eq "_pop3s" "20 1 995 pop3.mailbox.org." "$(rec _pop3s._tcp.mailbox.org. SRV)"
check_eq "_pop3 not offered" "0 0 0 ." "$(rec _pop3._tcp.mailbox.org. SRV)"
check_eq "_submissions" "0 1 465 smtp.mailbox.org." "$(rec _submissions._tcp.mailbox.org. SRV)"
check_eq "_submission" "10 1 587 smtp.mailbox.org." "$(rec _submission._tcp.mailbox.org. SRV)"
check_eq "template filled per domain" "10 1 143 mail.second.example." "$(rec _imap._tcp.second.example. SRV)"
check_eq "an IP literal is no SRV target" "0 0 0 ." "$(rec _pop3s._tcp.customer.example. SRV)"
check_eq "three domains" 3 "$(grep -c '^autoconfig\..*CNAME' "$T_TMP/all")"

# --dns-dir: one fragment a domain, the same lines as --dns DOMAIN, each
# accepted by named-checkzone inside a SOA/NS wrapper; no temporary left
mkdir "$T_TMP/zones"
$B --dns --dns-dir "$T_TMP/zones" -c "$T_TMP/dns.ini" >"$T_TMP/dir.out" 2>&1
check_eq "--dns --dns-dir exits 0" 0 "$?"
check_eq "--dns-dir prints nothing" "" "$(cat "$T_TMP/dir.out")"
check_eq "one file a domain" "customer.example.zone mailbox.org.zone second.example.zone" \
    "$(cd "$T_TMP/zones" && ls -A | tr '\n' ' ' | sed 's/ $//')"
wrap() {
	printf '$ORIGIN %s.\n$TTL 3600\n' "$1"
	printf '@ IN SOA ns.%s. hostmaster.%s. 1 3600 600 86400 3600\n' "$1" "$1"
	printf '@ IN NS ns.%s.\nns IN A 192.0.2.53\n$INCLUDE %s\n' "$1" "$2"
}
for d in mailbox.org customer.example second.example; do
	$B --dns "$d" -c "$T_TMP/dns.ini" >"$T_TMP/one.$d"
	check "--dns-dir: $d.zone is what --dns $d prints" cmp -s "$T_TMP/one.$d" "$T_TMP/zones/$d.zone"
	wrap "$d" "$T_TMP/zones/$d.zone" >"$T_TMP/wrap.$d"
	check "named-checkzone accepts the fragment $d.zone" named-checkzone -q "$d" "$T_TMP/wrap.$d"
done
# a provisioning hook: one domain, one file, the others untouched
rm -r "$T_TMP/zones"; mkdir "$T_TMP/zones"
$B --dns --dns-dir "$T_TMP/zones" second.example -c "$T_TMP/dns.ini"
check_eq "--dns-dir DOMAIN writes that domain only" "second.example.zone" "$(ls -A "$T_TMP/zones")"
$B --dns --dns-dir "$T_TMP/none" -c "$T_TMP/dns.ini" >/dev/null 2>"$T_TMP/nodir.err"
check_eq "a missing directory exits 1" 1 "$?"
check "and names it" grep -q "^mailautoconf: --dns-dir: $T_TMP/none: No such file or directory" "$T_TMP/nodir.err"
$B --dns --dns-dir "$T_TMP/$(printf 'es\033c')" -c "$T_TMP/dns.ini" >/dev/null 2>"$T_TMP/esc.err"
check_eq "a directory name reaches the terminal without its escape byte" 0 \
    "$(tr -d '\n' <"$T_TMP/esc.err" | tr -dc '\000-\037' | wc -c | tr -d ' ')"

# --ttl: every record, but the PACC digest keeps the document's lifetime
$B --dns --ttl 300 -c "$T_TMP/dns.ini" >"$T_TMP/ttl" 2>&1
check_eq "--ttl 300 exits 0" 0 "$?"
check_eq "--ttl 300: every other record has TTL 300" "" \
    "$(awk -F'\t' '!/^;/ && $2 != 300 && $1 !~ /^_ua-auto-config\./' "$T_TMP/ttl")"
check "--ttl 300: the records are those of --dns" sh -c \
    "sed 's/\t300\t/\t3600\t/' '$T_TMP/ttl' | cmp -s - '$T_TMP/all'"
check "--ttl 300: _ua-auto-config TXT keeps 3600" grep -q "$(printf '^_ua-auto-config\.mailbox\.org\.\t3600\tIN\tTXT')" "$T_TMP/ttl"
for bad in -1 2147483648 x; do
	check "--ttl $bad is a usage error" sh -c "$B --dns --ttl '$bad' -c '$T_TMP/dns.ini' >/dev/null 2>&1; test \$? = 2"
done
check "--ttl without --dns is a usage error" sh -c "$B --ttl 60 -c '$T_TMP/dns.ini' </dev/null >/dev/null 2>&1; test \$? = 2"
check "--dns-dir without --dns is a usage error" sh -c "$B --dns-dir /tmp -c '$T_TMP/dns.ini' </dev/null >/dev/null 2>&1; test \$? = 2"

# without web_host, or for a domain we do not serve: a clear error
$B --dns -c "$TOP/providers.ini" >"$T_TMP/nw" 2>"$T_TMP/nw.err"
check_eq "no web_host exits 1" 1 "$?"
check "and says why" grep -q 'needs the global key web_host' "$T_TMP/nw.err"
$B --dns nope.example -c "$T_TMP/dns.ini" >"$T_TMP/nd" 2>"$T_TMP/nd.err"
check_eq "unknown domain exits 1" 1 "$?"
check "and says so" grep -q 'nope.example is not served' "$T_TMP/nd.err"
finish
