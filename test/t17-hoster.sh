#!/bin/sh
# t17-hoster.sh: a hoster's domains from where they live, as docs/deploy.md
# section 11 says, with no domain list written by hand: a PostfixAdmin
# `domain' table in a real SQLite database (sqlite3) and a Postfix hash:
# map of virtual mailbox domains (postmap), exported by the very commands
# of the guide (its blocks example:export-postfixadmin and
# example:export-postfix) into the domain files of its providers.ini
# (example:hoster). A FastCGI server answers for every active domain;
# then a domain leaves each source, the export and the sync service's
# command lines (test/sync-unit.sh) run while requests keep coming, and
# the running server answers 404 for the departed domains and 200 for the
# others, with no failed answer and no restart.
. "$(dirname "$0")/lib.sh"

DOC=$TOP/docs/deploy.md
W=$T_TMP
SRV_PID=
LOOP_PID=
cleanup_t17() {
	# shellcheck disable=SC2086 # a list of pids
	[ -n "$LOOP_PID" ] && kill $LOOP_PID 2>/dev/null
	[ -n "$SRV_PID" ] && stop_pid "$SRV_PID"
	[ -n "${KEEP:-}" ] || rm -rf "$T_TMP"
}
trap cleanup_t17 EXIT

for t in sqlite3 postmap cgi-fcgi xmllint; do
	if ! command -v "$t" >/dev/null 2>&1; then
		fail "$t is not installed (test/deps.sh check: sqlite3, postfix, libfcgi-bin)"
		finish
		exit
	fi
done

# block LABEL: the fenced block of deploy.md labelled LABEL
block() {
	awk -v l="$1" '
	    !inb && $0 ~ "^```[A-Za-z0-9_-]* " l "$" { inb = 1; n++; next }
	    inb && /^```$/ { inb = 0; next }
	    inb { print }
	    END { exit n != 1 }' "$DOC"
}
# the guide's paths, in the test's tree
subst() {
	sed -e "s|/usr/sbin/|$W/sbin/|g" -e "s|/etc/mailautoconf/|$W/etc/|g" \
	    -e "s|/var/lib/postfixadmin/|$W/var/|g" -e "s|/etc/postfix/|$W/postfix/|g"
}
mkdir -p "$W/sbin" "$W/etc/domains" "$W/var" "$W/postfix" "$W/run"
cp "$MAC_BIN" "$W/sbin/mailautoconf"
for b in example:hoster example:export-postfixadmin example:export-postfix; do
	if block "$b" | subst >"$W/$b"; then
		ok "$DOC has one block $b"
	else
		fail "$DOC: no single block labelled $b"
		finish
		exit
	fi
done
cp "$W/example:hoster" "$W/etc/providers.ini"

# ---- the sources, made by their own tools ---------------------------------
# PostfixAdmin's domain table (the columns of its upgrade.php), with its
# pseudo-domain ALL (superadmins), 2000 customers of which every tenth is
# disabled (active = 0), and a backup MX domain whose mail lives elsewhere
sqlite3 "$W/var/postfixadmin.db" <<'SQL'
CREATE TABLE domain (
  domain varchar(255) NOT NULL,
  description varchar(255) NOT NULL DEFAULT '',
  aliases int(10) NOT NULL DEFAULT '0',
  mailboxes int(10) NOT NULL DEFAULT '0',
  maxquota bigint(20) NOT NULL DEFAULT '0',
  quota bigint(20) NOT NULL DEFAULT '0',
  transport varchar(255) NOT NULL DEFAULT 'virtual',
  backupmx tinyint(1) NOT NULL DEFAULT '0',
  created datetime NOT NULL DEFAULT '2000-01-01 00:00:00',
  modified datetime NOT NULL DEFAULT '2000-01-01 00:00:00',
  active tinyint(1) NOT NULL DEFAULT '1',
  PRIMARY KEY (domain)
);
INSERT INTO domain (domain, description) VALUES ('ALL', '');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO domain (domain, description, active)
    SELECT 'customer' || i || '.example', 'customer ' || i,
    CASE WHEN i % 10 = 0 THEN 0 ELSE 1 END FROM n;
INSERT INTO domain (domain, backupmx) VALUES ('backup.example', 1);
SQL
check_eq "PostfixAdmin: 2002 rows in its domain table" 2002 \
    "$(sqlite3 "$W/var/postfixadmin.db" 'SELECT count(*) FROM domain')"
# Postfix: virtual_mailbox_domains = hash:/etc/postfix/virtual_mailbox_domains;
# the source text goes, the export reads the map itself
i=0
while [ $i -lt 300 ]; do
	i=$((i + 1))
	printf 'shop%d.example\tOK\n' "$i"
done >"$W/postfix/virtual_mailbox_domains"
check "postmap builds the hash: map" postmap "hash:$W/postfix/virtual_mailbox_domains"
rm "$W/postfix/virtual_mailbox_domains"

# ---- export, check, compile, serve -------------------------------------------
export_all() {
	sh -e "$W/example:export-postfixadmin" && sh -e "$W/example:export-postfix"
}
check "the guide's exports run" export_all
check_eq "PostfixAdmin export: the active customers, not ALL, not the backup MX" 1800 \
    "$(wc -l <"$W/etc/domains/postfixadmin.txt" | tr -d ' ')"
check_eq "Postfix export: every key of the map" 300 \
    "$(wc -l <"$W/etc/domains/postfix.txt" | tr -d ' ')"
check_eq "no temporary file is left" "" "$(ls -A "$W/etc" | grep '^\.')"
check "--check accepts the exported config" "$W/sbin/mailautoconf" --check -c "$W/etc/providers.ini"

chmod 755 "$W" "$W/sbin" "$W/etc" "$W/etc/domains" "$W/run"
chmod 644 "$W/etc/providers.ini" "$W"/etc/domains/*
SOCK=$W/run/mac.sock
AS=
[ "$(id -u)" -eq 0 ] && AS="--user nobody"
# shellcheck disable=SC2086 # $AS: an option and its value
$MAC_WRAP "$W/sbin/mailautoconf" -c "$W/etc/providers.ini" --listen "$SOCK" \
    --socket-mode 0666 $AS --log stderr 2>"$W/server.log" &
SRV_PID=$!
wait_until test -S "$SOCK" || fail "the FastCGI server did not listen: $(cat "$W/server.log")"

# req METHOD URI HOST [BODY-FILE]: one request; its status, the answer in
# $R (the loop in the background has its own)
R=$W/r
req() {
	q=
	case $2 in *\?*) q=${2#*\?} ;; esac
	env -i PATH="$PATH" REQUEST_METHOD="$1" REQUEST_URI="$2" \
	    QUERY_STRING="$q" HTTP_HOST="$3" CONTENT_TYPE=text/xml \
	    CONTENT_LENGTH="$(wc -c <"${4:-/dev/null}" | tr -d ' ')" \
	    timeout 5 cgi-fcgi -bind -connect "$SOCK" <"${4:-/dev/null}" >"$R" 2>/dev/null
	split_response "$R"
	s=$(header "$R" Status)
	s=${s%% *}
	[ -s "$R" ] && [ -z "$s" ] && s=200
	[ -s "$R" ] || s=none
	echo "$s"
}
# get DOMAIN: the autoconfig answer for a@DOMAIN on autoconfig.DOMAIN
get() {
	req GET "/mail/config-v1.1.xml?emailaddress=a%40$1" "autoconfig.$1"
}
for d in customer1.example customer1999.example shop1.example shop300.example example.net; do
	check_eq "served: $d" 200 "$(get "$d")"
done
check "an answer names the hoster's server" grep -qF '<hostname>mail.example.net</hostname>' "$W/r.body"
check "and is well-formed" xml_ok "$W/r.body"
for d in customer10.example backup.example all shop301.example; do
	check_eq "not served: $d" 404 "$(get "$d")"
done

# the one-certificate route of section 11.1, all on web_host: Thunderbird's
# MX-based request with the address, Thunderbird for Android's without
# one (the MX host's own section), Outlook's POST after the SRV record,
# Apple's form page
check_eq "MX route, Thunderbird: a customer's address on web_host" 200 \
    "$(req GET "/mail/config-v1.1.xml?emailaddress=jane%40customer42.example" autoconfig.example.net)"
check "the answer is for the customer's domain" grep -qF '<domain>customer42.example</domain>' "$R.body"
check_eq "MX route, Thunderbird for Android: no address, web_host's own domain" 200 \
    "$(req GET /mail/config-v1.1.xml autoconfig.example.net)"
check "its answer names the hoster's server" grep -qF '<hostname>mail.example.net</hostname>' "$R.body"
cat >"$W/pox.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request>
    <EMailAddress>jane@shop42.example</EMailAddress>
    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
  </Request>
</Autodiscover>
EOF
check_eq "SRV route, Outlook: POST on web_host" 200 \
    "$(req POST /autodiscover/autodiscover.xml autoconfig.example.net "$W/pox.xml")"
check "its answer names the hoster's server" grep -qF '<Server>mail.example.net</Server>' "$R.body"
check "and is well-formed" xml_ok "$R.body"
check_eq "Apple: the form page on web_host" 200 "$(req GET /email.mobileconfig autoconfig.example.net)"
check "it is a form" grep -q '<form' "$R.body"
check_eq "Apple: the profile for a customer's address" 200 \
    "$(req GET "/email.mobileconfig?emailaddress=jane%40customer42.example" autoconfig.example.net)"

# ---- a customer leaves each source; sync while requests keep coming ---------
# loop ID: requests in turn for a departed and a staying domain of each
# source, one "DOMAIN STATUS" line each into W/answers.ID, until W/stop
# appears (at most 1000 rounds); three loops run at once
LOOPS="1 2 3"
loop() {
	R=$W/rl.$1
	n=0
	while [ ! -e "$W/stop" ] && [ $n -lt 1000 ]; do
		for d in customer7.example customer8.example shop7.example shop8.example; do
			echo "$d $(get "$d")" >>"$W/answers.$1"
		done
		n=$((n + 1))
	done
}
gone_seen() {
	for i in $LOOPS; do
		grep -q '^customer7.example 404' "$W/answers.$i" &&
		    grep -q '^shop7.example 404' "$W/answers.$i" || return 1
	done
}
check_eq "before: customer7.example" 200 "$(get customer7.example)"
check_eq "before: shop7.example" 200 "$(get shop7.example)"
sqlite3 "$W/var/postfixadmin.db" "UPDATE domain SET active = 0 WHERE domain = 'customer7.example'"
postmap -d shop7.example "hash:$W/postfix/virtual_mailbox_domains"
LOOP_PID=
for i in $LOOPS; do
	: >"$W/answers.$i"
	loop "$i" &
	LOOP_PID="$LOOP_PID $!"
done
# some rounds before the change is exported
n=0
while [ "$(cat "$W"/answers.* | wc -l)" -lt 60 ] && [ $n -lt 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
check "exports after the change" export_all
sh "$TOP/test/sync-unit.sh" "$W" "$SRV_PID" >"$W/sync.log" 2>&1
check_eq "the sync service's command lines: exit 0" 0 "$?"
# a few rounds more after the reload, then stop the loops
wait_until gone_seen
sleep 1
touch "$W/stop"
# shellcheck disable=SC2086 # a list of pids
wait $LOOP_PID
LOOP_PID=
cat "$W"/answers.* >"$W/answers"
check_eq "every request during the sync was answered 200 or 404" "" \
    "$(awk '$2 != 200 && $2 != 404' "$W/answers" | sort | uniq -c)"
check_eq "the staying domains: 200 throughout" "" \
    "$(awk '$1 ~ /^(customer8|shop8)\./ && $2 != 200' "$W/answers" | sort | uniq -c)"
check "the loops ran before the reload (the departed domains got 200)" \
    grep -q '^shop7.example 200' "$W/answers"
check "and after it (they got 404)" gone_seen
echo "answers during the sync: $(wc -l <"$W/answers"), by status: $(awk '{ print $2 }' "$W/answers" | sort | uniq -c | tr -s ' \n' ' ')"
for d in customer7.example shop7.example; do
	for i in $LOOPS; do
		check_eq "loop $i: $d: 200 until the reload, 404 after it, never back" "" \
		    "$(awk -v d="$d" '$1 == d { if ($2 == 404) gone = 1; else if (gone) print }' "$W/answers.$i")"
	done
	check_eq "after the sync: $d is gone" 404 "$(get "$d")"
done
for d in customer8.example shop8.example customer1999.example shop300.example; do
	check_eq "after the sync: $d stays" 200 "$(get "$d")"
done
check "the server was never restarted" kill -0 "$SRV_PID"
check "it logged the reload" grep -q 'reloaded' "$W/server.log"
finish
