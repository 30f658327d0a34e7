#!/bin/sh
# t09-dns.sh: mailautoconf --dns prints zone lines that a real zone parser
# (named-checkzone from bind9-utils) accepts, with the records DESIGN.md §7
# asks for: CNAMEs to web_host, _autodiscover._tcp, RFC 6186 SRV records
# with implicit TLS preferred, "." for services not offered.
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

# without web_host, or for a domain we do not serve: a clear error
$B --dns -c "$TOP/providers.ini" >"$T_TMP/nw" 2>"$T_TMP/nw.err"
check_eq "no web_host exits 1" 1 "$?"
check "and says why" grep -q 'needs the global key web_host' "$T_TMP/nw.err"
$B --dns nope.example -c "$T_TMP/dns.ini" >"$T_TMP/nd" 2>"$T_TMP/nd.err"
check_eq "unknown domain exits 1" 1 "$?"
check "and says so" grep -q 'nope.example is not served' "$T_TMP/nd.err"
finish
