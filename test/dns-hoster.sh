#!/bin/sh
# test/dns-hoster.sh: --dns for a small hoster whose web_host is a name
# under a domain it serves: no CNAME of a name to itself (a loop), and
# --srv-only, the route of docs/deploy.md section 4, without the
# autodiscover CNAMEs and the PACC records, and stable under edits;
# --cert-names. Every zone is read by named-checkzone.
. "$(dirname "$0")/lib.sh"

B="$MAC_WRAP $MAC_BIN"
cat >"$T_TMP/h.ini" <<'INI'
web_host = autoconfig.example.net
[example.net]
domains = example.net, customer.example
imap = imap.example.net:993 ssl
smtp = smtp.example.net:465 ssl
INI

zone() {
	d=$1
	shift
	{
		printf '$ORIGIN %s.\n$TTL 3600\n' "$d"
		printf '@ IN SOA ns.%s. hostmaster.%s. 1 3600 600 86400 3600\n' "$d" "$d"
		printf '@ IN NS ns.%s.\nns IN A 192.0.2.53\n' "$d"
		# web_host's own address, which the comment asks for
		[ "$d" = example.net ] && printf 'autoconfig IN A 192.0.2.80\n'
		$B -c "$T_TMP/h.ini" --dns "$@" "$d"
	} >"$T_TMP/$d.zone"
	if command -v named-checkzone >/dev/null; then
		check "named-checkzone accepts $d $*" named-checkzone -q "$d" "$T_TMP/$d.zone"
	else
		fail "named-checkzone missing (bind9-utils)"
	fi
}

$B -c "$T_TMP/h.ini" --dns >"$T_TMP/all" 2>"$T_TMP/all.err"
check_eq "--dns exits 0" 0 "$?"
check "no name is a CNAME of itself" awk -F'\t' '
    $4 == "CNAME" && $1 == $5 { bad = 1 } END { exit bad }' "$T_TMP/all"
check "web_host's own name gets a comment" grep -qx \
    '; autoconfig.example.net. is web_host itself: its A and AAAA records, no CNAME' "$T_TMP/all"
check "autodiscover.example.net is still a CNAME to web_host" grep -qx \
    "$(printf 'autodiscover.example.net.\t3600\tIN\tCNAME\tautoconfig.example.net.')" "$T_TMP/all"
check "a customer's domain keeps its autoconfig CNAME" grep -qx \
    "$(printf 'autoconfig.customer.example.\t3600\tIN\tCNAME\tautoconfig.example.net.')" "$T_TMP/all"
zone example.net
zone customer.example

# --srv-only: the SRV route, no autodiscover CNAME
$B -c "$T_TMP/h.ini" --dns --srv-only >"$T_TMP/srv" 2>"$T_TMP/srv.err"
check_eq "--dns --srv-only exits 0" 0 "$?"
check_eq "--srv-only: no autodiscover CNAME" 0 "$(grep -c '^autodiscover\.' "$T_TMP/srv")"
check_eq "--srv-only: the _autodiscover SRV records stay" 2 \
    "$(grep -c "$(printf '^_autodiscover\._tcp\..*\tSRV\t0 0 443 autoconfig\.example\.net\.$')" "$T_TMP/srv")"
check_eq "--srv-only: the autoconfig CNAME stays" 1 \
    "$(grep -c '^autoconfig\.customer\.example\..*CNAME' "$T_TMP/srv")"
$B -c "$T_TMP/h.ini" --dns --srv-only customer.example >"$T_TMP/one" 2>&1
check "--dns --srv-only DOMAIN: one domain" sh -c "grep -q customer.example '$T_TMP/one' && ! grep -q '; example.net' '$T_TMP/one'"
zone customer.example --srv-only
# --srv-only is the one-certificate route: no name under the customer's
# domain that would need a certificate (ua-auto-config), no PACC digest;
# what stays does not change when the section's details change
check_eq "--srv-only: no ua-auto-config CNAME nor PACC TXT" 0 "$(grep -c 'ua-auto-config' "$T_TMP/srv")"
sed -e 's/^smtp = .*/&\nauth = password-encrypted\nname = Example Net Mail\ndocumentation = https:\/\/help.example.net\//' \
    "$T_TMP/h.ini" >"$T_TMP/h2.ini"
check "the edited section still loads" $B -c "$T_TMP/h2.ini" --check
$B -c "$T_TMP/h2.ini" --dns --srv-only >"$T_TMP/srv2" 2>&1
check "--srv-only: an edit of names, auth, documentation changes no record" cmp -s "$T_TMP/srv" "$T_TMP/srv2"
$B -c "$T_TMP/h2.ini" --dns >"$T_TMP/all2" 2>&1
check "(without --srv-only the PACC digest changes with it)" sh -c "! cmp -s '$T_TMP/all' '$T_TMP/all2'"

# --cert-names: web_host, then each domain's names, once each
$B -c "$T_TMP/h.ini" --cert-names >"$T_TMP/names" 2>&1
check_eq "--cert-names exits 0" 0 "$?"
check_eq "--cert-names: every name a certificate must cover" "autoconfig.example.net
autodiscover.example.net
ua-auto-config.example.net
autoconfig.customer.example
autodiscover.customer.example
ua-auto-config.customer.example" "$(cat "$T_TMP/names")"
check_eq "--cert-names: no name twice" "" "$(sort "$T_TMP/names" | uniq -d)"
check_eq "--cert-names: the CNAMEs of --dns point to names on the list" "" \
    "$(awk -F'\t' '$4 == "CNAME" { sub(/\.$/, "", $1); print $1 }' "$T_TMP/all" | grep -vxF -f "$T_TMP/names")"
check_eq "--cert-names --srv-only: web_host alone" "autoconfig.example.net" \
    "$($B -c "$T_TMP/h.ini" --cert-names --srv-only 2>&1)"
check_eq "--cert-names DOMAIN" "autoconfig.example.net
autoconfig.customer.example
autodiscover.customer.example
ua-auto-config.customer.example" "$($B -c "$T_TMP/h.ini" --cert-names customer.example 2>&1)"
$B -c "$T_TMP/h.ini" --cert-names gone.example >/dev/null 2>"$T_TMP/gone.err"
check_eq "--cert-names for a domain not served exits 1" 1 "$?"
check "and says so" grep -q 'gone.example is not served' "$T_TMP/gone.err"
$B -c "$TOP/providers.ini" --cert-names >/dev/null 2>"$T_TMP/nw.err"
check "--cert-names needs web_host" grep -q 'needs the global key web_host' "$T_TMP/nw.err"

check "--srv-only without --dns is a usage error" sh -c "! $B -c '$T_TMP/h.ini' --srv-only </dev/null >/dev/null 2>&1"

finish
