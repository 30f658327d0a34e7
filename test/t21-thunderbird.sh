#!/bin/sh
# test/t21-thunderbird.sh: a real client.  Debian's Thunderbird runs
# headless with a fresh profile, and its own account-setup modules
# (resource:///modules/accountcreation/) look up the test addresses of
# test/thunderbird/cases.txt against the real binary behind nginx and
# spawn-fcgi (contrib/nginx-fastcgi.conf, with only the host, port and path
# replacements of test/web/run.sh).  test/thunderbird/drive.py drives
# Thunderbird over Marionette and prints what it concluded: host, port,
# socket type, authentication, username (filled in) and EWS/OWA URL of
# every incoming and outgoing server; each field is one check against
# test/thunderbird/expect.txt.
#
# The config is the shipped providers.ini plus test/thunderbird/*.ini, with
# an activesync and a jmap line and OAuth public-client keys added to every
# provider (with_clients): Thunderbird must conclude the same accounts as
# without them, so expect.txt does not mention them.
# Thunderbird's profile sends all HTTP(S) to nginx as its proxy, so
# http://autoconfig.DOMAIN/... and http://autodiscover.DOMAIN/... reach
# mailautoconf and https (a CONNECT to nginx) fails at once; drive.py
# replaces Thunderbird's DNS module (SRV look-ups) by one that finds
# nothing, and the native resolver answers 127.0.0.1 for every name: no
# request leaves 127.0.0.1.  Ports 18310 (nginx) and 18311 (Marionette).
# Thunderbird and every server are stopped at exit; on failure the end of
# Thunderbird's output and of the server logs is printed.  MAC_BIN (and
# MAC_WRAP, valgrind) is the FastCGI server under test; whatever ASan or
# valgrind report in its log fails the suite.
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
. "$TOP/test/lib.sh"

HTTP_PORT=18310
MN_PORT=18311
# seconds: Thunderbird's start on a loaded machine, and the whole drive
START_WAIT=120
DRIVE_WAIT=170

W=$T_TMP
TD=$TOP/test/thunderbird
TB_PID=
PIDFILES=

# Thunderbird runs in a process group of its own (setsid): its child
# processes go with it
stop_tb() {
	[ -n "$TB_PID" ] || return 0
	kill -TERM "-$TB_PID" 2>/dev/null
	n=0
	while kill -0 "$TB_PID" 2>/dev/null && [ $n -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	kill -KILL "-$TB_PID" 2>/dev/null
	TB_PID=
}

cleanup() {
	stop_tb
	for pf in $PIDFILES; do
		[ -s "$pf" ] && stop_pid "$(cat "$pf")"
	done
	rm -rf "$T_TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

# logs: what Thunderbird and the servers said, for a failed run
logs() {
	for f in "$W/check.err" "$W/tb.err" "$W/tb.out" "$W/error.log" \
	    "$W/mailautoconf.log"; do
		[ -s "$f" ] || continue
		echo "--- $f (last 40 lines, without GTK's complaints about no display)"
		grep -v -e 'Gtk-CRITICAL' -e 'WARNING: gtk_' -e '^$' "$f" | tail -n 40
	done
}

give_up() {
	fail "$1"
	logs
	finish
	exit 1
}

# ---- mailautoconf behind nginx --------------------------------------------

# with_clients FILE: FILE with, right after every section's name (so that
# they come first among its incoming servers), an activesync and a jmap
# line, and oauth2.client_id and oauth2.issuer_url (with the whole oauth2
# block where the section has none)
with_clients() {
	awk 'NR == FNR { if (/^\[/) s = $0; if (/^oauth2\./) o[s] = 1; next }
	    { print }
	    /^\[/ {
		print "jmap = https://jmap.%EMAILDOMAIN%/jmap/session"
		print "activesync = https://sync.%EMAILDOMAIN%/Microsoft-Server-ActiveSync"
		if (!($0 in o)) {
			print "oauth2.issuer = login.example.net"
			print "oauth2.scope = urn:ietf:params:oauth:scope:mail"
			print "oauth2.auth_url = https://login.example.net/authorize"
			print "oauth2.token_url = https://login.example.net/token"
		}
		print "oauth2.client_id = mailautoconf-t21"
		print "oauth2.issuer_url = https://login.example.net/realms/mail"
	    }' "$1" "$1"
}

start_web() {
	ROOT=
	[ "$(id -u)" -eq 0 ] && ROOT=1
	chmod 755 "$W"
	mkdir -p "$W/sbin" "$W/etc" "$W/run" "$W/tmp"
	cp "$MAC_BIN" "$W/sbin/mailautoconf"
	cat providers.ini "$TD"/*.ini >"$W/etc/plain.ini"
	with_clients "$W/etc/plain.ini" >"$W/etc/providers.ini"
	chmod 755 "$W/sbin" "$W/etc" "$W/run" "$W/sbin/mailautoconf"
	chmod 644 "$W/etc/providers.ini"
	check "providers.ini + test/thunderbird/*.ini: --check" \
	    "$W/sbin/mailautoconf" --check -c "$W/etc/providers.ini" 2>"$W/check.err"

	if [ -n "$ROOT" ]; then
		set -- -U www-data -G www-data -M 0660 -u nobody -g nogroup
	else
		set -- -M 0600
	fi
	# MAC_WRAP: valgrind, for the vg build (spawn-fcgi wants its path)
	wrap=
	if [ -n "$MAC_WRAP" ]; then
		wrap="$(command -v "${MAC_WRAP%% *}") ${MAC_WRAP#* }"
	fi
	spawn-fcgi -s "$W/run/mailautoconf.sock" -P "$W/mailautoconf.pid" "$@" -- \
	    $wrap "$W/sbin/mailautoconf" -c "$W/etc/providers.ini" \
	    >>"$W/mailautoconf.log" 2>&1 || return 1
	PIDFILES="$W/mailautoconf.pid"
	wait_until test -S "$W/run/mailautoconf.sock" || return 1

	contrib_conf contrib/nginx-fastcgi.conf "$W" "$HTTP_PORT" >"$W/site.conf"
	nginx_conf "$W"
	nginx -q -t -p "$W" -e "$W/error.log" -c "$W/nginx.conf" >>"$W/error.log" 2>&1 &&
	    nginx -p "$W" -e "$W/error.log" -c "$W/nginx.conf" >>"$W/error.log" 2>&1 ||
	    return 1
	PIDFILES="$W/nginx.pid $PIDFILES"
	wait_until test -s "$W/nginx.pid" && wait_until listening $HTTP_PORT
}

# ---- the answers Thunderbird will read, through the same proxy ------------

# url LOOKUP ADDRESS: the first URL that Thunderbird's lookup can reach
url() {
	d=${2#*@}
	case $1 in
	isp|hub)
		q=$(echo "$2" | sed 's/@/%40/')
		echo "http://autoconfig.$d/mail/config-v1.1.xml?emailaddress=$q" ;;
	db) echo "http://autoconfig.$d/v1.1/mail/config-v1.1.xml" ;;
	exchange) echo "http://autodiscover.$d/autodiscover/autodiscover.xml" ;;
	esac
}

# answers: each case's answer is well-formed XML of an XML type
answers() {
	while read -r name lookup addr; do
		case $name in ''|\#*) continue ;; esac
		set --
		if [ "$lookup" = exchange ]; then
			sed "s/ADDRESS/$addr/" "$TD/pox-request.xml" >"$W/req.xml"
			set -- -H 'Content-Type: text/xml; charset=utf-8' --data-binary "@$W/req.xml"
		fi
		ct=$(curl -s -x "http://127.0.0.1:$HTTP_PORT" --max-time 10 -o "$W/$name.xml" \
		    -w '%{http_code} %{content_type}' "$@" "$(url "$lookup" "$addr")")
		case $name in
		*-unknown-*)
			check_eq "$name: answer status" 404 "${ct%% *}"
			continue ;;
		esac
		check_eq "$name: answer" "200 text/xml; charset=utf-8" "$ct"
		check "$name: answer is well-formed (xmllint)" xml_ok "$W/$name.xml"
	done <"$TD/cases.txt"
}

# requests: nginx saw Thunderbird itself (not curl) ask each case's URL
requests() {
	while read -r name lookup addr; do
		case $name in ''|\#*) continue ;; esac
		[ "$lookup" = hub ] && continue
		m=GET
		[ "$lookup" = exchange ] && m=POST
		st=200
		case $name in *-unknown-*) st=404 ;; esac
		u=$(url "$lookup" "$addr")
		check "$name: Thunderbird asked $m $u ($st)" \
		    sh -c 'grep -F "\"$1 $2 HTTP/1.1\" $3 " "$4" | grep -vq "curl/"' \
		    sh "$m" "$u" "$st" "$W/access.log"
	done <"$TD/cases.txt"
}

# ---- Thunderbird ------------------------------------------------------------

start_tb() {
	mkdir -p "$W/home" "$W/profile"
	sed -e "s/@HTTP_PORT@/$HTTP_PORT/g" -e "s/@MN_PORT@/$MN_PORT/g" \
	    "$TD/user.js" >"$W/profile/user.js"
	# strace, where it may trace, records every address Thunderbird sends to
	TRACE=
	if strace -f -qq -o /dev/null true 2>/dev/null; then
		TRACE="strace -f -qq -e trace=connect,sendto,sendmsg,sendmmsg -o $W/strace.out"
	fi
	# chrome-context scripts need -remote-allow-system-access
	HOME=$W/home MOZ_HEADLESS=1 MOZ_CRASHREPORTER_DISABLE=1 \
	    setsid $TRACE thunderbird --headless --marionette \
	    -remote-allow-system-access --no-remote --profile "$W/profile" \
	    >"$W/tb.out" 2>"$W/tb.err" </dev/null &
	TB_PID=$!
}

# loopback_only: every socket address in strace's record is 127.x or ::1
# (netlink route queries name other addresses but send nothing)
loopback_only() {
	if [ -z "$TRACE" ]; then
		echo "note: strace cannot trace here: Thunderbird's connections not checked"
		return
	fi
	grep -o 'sa_family=AF_INET6*, [^}]*' "$W/strace.out" |
	    sed -n -e 's/.*inet_addr("\([^"]*\)").*/\1/p' \
	    -e 's/.*inet_pton(AF_INET6, "\([^"]*\)".*/\1/p' | sort -u >"$W/addrs"
	others=$(grep -v -e '^127\.' -e '^::1$' -e '^::ffff:127\.' "$W/addrs" | tr '\n' ' ')
	check_eq "Thunderbird sent to no address but loopback (strace)" "" "$others"
	check "strace saw Thunderbird reach nginx on 127.0.0.1:$HTTP_PORT" \
	    grep -q "htons($HTTP_PORT), sin_addr=inet_addr(\"127.0.0.1\")" "$W/strace.out"
}

# compare GOT EXPECT: one check per field; fields missing or unexpected fail
compare() {
	awk 'function val(s) { sub(/^[^ ]+ [^ ]+ ?/, "", s); return s }
	    NR == FNR { k = $1 " " $2; got[k] = val($0); seen[k] = 0; next }
	    /^#/ || NF == 0 { next }
	    { k = $1 " " $2; v = val($0)
	      if (!(k in got)) { print "fail\t" k "\t" v "\t(nothing)"; next }
	      seen[k] = 1
	      print (got[k] == v ? "ok" : "fail") "\t" k "\t" v "\t" got[k] }
	    END { for (k in seen) if (!seen[k]) print "fail\t" k "\t(no such field)\t" got[k] }' \
	    "$1" "$2" >"$W/compare"
	tab=$(printf '\t')
	while IFS=$tab read -r st k want got; do
		if [ "$st" = ok ]; then
			ok "thunderbird: $k = $want"
		else
			fail "thunderbird: $k: want '$want', got '$got'"
		fi
	done <"$W/compare"
}

# ---- main ---------------------------------------------------------------------

for t in thunderbird python3 nginx spawn-fcgi curl xmllint setsid; do
	if ! command -v "$t" >/dev/null 2>&1; then
		fail "$t is not installed (test/deps.sh thunderbird)"
		finish
		exit 1
	fi
done
[ -x "$MAC_BIN" ] || give_up "$MAC_BIN missing: run make first"
for p in $HTTP_PORT $MN_PORT; do
	port_free "$p" || give_up "port $p is in use"
done

# the expectations are those of this Thunderbird
echo "note: $(HOME=$T_TMP thunderbird --version 2>/dev/null | head -n 1)"
start_web || give_up "nginx + spawn-fcgi did not start"
answers
# the added lines are in what Thunderbird reads: jmap and activeSync first
check_eq "mbox-isp: jmap and activeSync before the IMAP servers" "jmap activeSync imap" \
    "$(xmllint --xpath '//incomingServer/@type' "$W/mbox-isp.xml" 2>/dev/null |
       sed 's/ *type="\([^"]*\)"/\1 /g' | tr -d '\n' | cut -d' ' -f1-3)"
check_eq "mbox-isp: clientID in oAuth2" mailautoconf-t21 \
    "$(xmllint --xpath 'string(//oAuth2/clientID)' "$W/mbox-isp.xml" 2>/dev/null)"
start_tb
timeout $DRIVE_WAIT python3 "$TD/drive.py" "$MN_PORT" "$TD/cases.txt" \
    "$START_WAIT" "$TB_PID" >"$W/got" 2>"$W/drive.err"
rc=$?
check_eq "drive.py: exit status" 0 "$rc"
[ -n "${VERBOSE:-}" ] && cat "$W/got"
compare "$W/got" "$TD/expect.txt"
requests
stop_tb
loopback_only
# the FastCGI server lived through it all, and (ASan, valgrind) said nothing
MPID=$(cat "$W/mailautoconf.pid" 2>/dev/null)
check "mailautoconf (FastCGI) still running after the cases" kill -0 "${MPID:-none}"
[ -n "$MPID" ] && stop_pid "$MPID"
check "mailautoconf: no sanitizer or valgrind report" \
    sh -c '! grep -q -e Sanitizer -e "runtime error" -e "^==[0-9]*==" "$1"' \
    sh "$W/mailautoconf.log"
if [ "$T_FAIL" -ne 0 ]; then
	cat "$W/drive.err"
	logs
fi
finish
