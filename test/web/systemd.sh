#!/bin/sh
# test/web/systemd.sh: contrib/systemd/ as shipped. mailautoconf under
# systemd-socket-activate (the LISTEN_FDS handover systemd does), driven
# with cgi-fcgi; the units' ExecStart= run on their ListenStream= socket;
# the units checked with systemd-analyze; mailautoconf-sync's command
# lines run against that server. Port 127.0.0.1:18090 only.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
. "$TOP/test/lib.sh"

W=$T_TMP
SA_PID=

cleanup() {
	[ -n "$SA_PID" ] && kill -KILL "$SA_PID" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$T_TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

SOCKET=contrib/systemd/mailautoconf.socket
SERVICE=contrib/systemd/mailautoconf.service

# unit_value FILE KEY: the value of the first KEY= line
unit_value() {
	sed -n "s/^$2=//p" "$1" | head -n 1
}

# activate ADDRESS ARGV...: start ARGV under systemd-socket-activate
activate() {
	a=$1
	shift
	systemd-socket-activate -l "$a" "$@" 2>>"$W/activate.log" &
	SA_PID=$!
	n=0
	while [ $n -lt 50 ]; do
		case $a in
		/*) [ -S "$a" ] && return 0 ;;
		*) ss -ltn 2>/dev/null | grep -qF " $a " && return 0 ;;
		esac
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}

# deactivate DESC: SIGTERM (systemctl stop) ends the server within 5 s
deactivate() {
	kill -TERM "$SA_PID" 2>/dev/null
	n=0
	while kill -0 "$SA_PID" 2>/dev/null && [ $n -lt 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	if kill -0 "$SA_PID" 2>/dev/null; then
		fail "$1: still running 5 s after SIGTERM"
		kill -KILL "$SA_PID" 2>/dev/null
	else
		ok "$1: stops on SIGTERM"
	fi
	wait "$SA_PID" 2>/dev/null
	SA_PID=
}

# fcgi ADDRESS METHOD URI HOST [BODY-FILE]: one FastCGI request through
# cgi-fcgi; the CGI response in $R (.head, .body), its status in $code
fcgi() {
	q=
	case $3 in *\?*) q=${3#*\?} ;; esac
	set -- "$1" "$2" "$3" "$4" "${5:-/dev/null}"
	len=$(wc -c <"$5" | tr -d ' ')
	env -i PATH="$PATH" REQUEST_METHOD="$2" REQUEST_URI="$3" \
	    QUERY_STRING="$q" HTTP_HOST="$4" CONTENT_TYPE=text/xml \
	    CONTENT_LENGTH="$len" \
	    timeout 5 cgi-fcgi -bind -connect "$1" <"$5" >"$R" 2>>"$W/cgi-fcgi.log"
	split_response "$R"
	code=$(header "$R" Status)
	code=${code%% *}
	[ -s "$R" ] && [ -z "$code" ] && code=200
	[ -s "$R" ] || code=none
}

XML='text/xml; charset=utf-8'
cat >"$W/pox.xml" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request>
    <EMailAddress>jane.doe@mailbox.org</EMailAddress>
    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
  </Request>
</Autodiscover>
EOF

# drive DESC ADDRESS: the requests every FastCGI server must answer
drive() {
	R=$W/r
	fcgi "$2" GET "/mail/config-v1.1.xml?emailaddress=jane.doe%40mailbox.org" \
	    autoconfig.mailbox.org
	check_eq "$1: autoconfig: status" 200 "$code"
	check_eq "$1: autoconfig: Content-Type" "$XML" "$(header "$R" Content-Type)"
	check "$1: autoconfig: well-formed" xml_ok "$R.body"
	check "$1: autoconfig: imap host" \
	    grep -qF '<hostname>imap.mailbox.org</hostname>' "$R.body"
	fcgi "$2" POST /Autodiscover/Autodiscover.xml autodiscover.mailbox.org "$W/pox.xml"
	check_eq "$1: POX POST: status" 200 "$code"
	check_eq "$1: POX POST: Content-Type" "$XML" "$(header "$R" Content-Type)"
	check "$1: POX POST: well-formed" xml_ok "$R.body"
	check "$1: POX POST: imap server" \
	    grep -qF '<Server>imap.mailbox.org</Server>' "$R.body"
	fcgi "$2" GET "/mail/config-v1.1.xml?emailaddress=jane%40unknown.invalid" \
	    autoconfig.unknown.invalid
	check_eq "$1: unknown domain: status" 404 "$code"
	fcgi "$2" GET "/mail/config-v1.1.xml?emailaddress=%00" autoconfig.mailbox.org
	check_eq "$1: emailaddress=%00: status" 400 "$code"
}

for t in systemd-socket-activate cgi-fcgi timeout ss setpriv xmllint; do
	if ! command -v "$t" >/dev/null 2>&1; then
		fail "$t is not installed (test/deps.sh web)"
		finish
		exit
	fi
done
if [ ! -x "$MAC_BIN" ] || [ ! -f providers.ini ]; then
	fail "$MAC_BIN or providers.ini missing: run make first"
	finish
	exit
fi

mkdir -p "$W/sbin" "$W/etc" "$W/run" "$W/units"
cp "$MAC_BIN" "$W/sbin/mailautoconf"
cp providers.ini "$W/etc/providers.ini"
# As root, run the server as nobody, as DynamicUser= does (a FastCGI
# server refuses to run as root); setpriv execs, so LISTEN_PID still fits.
AS=
if [ "$(id -u)" -eq 0 ]; then
	AS="setpriv --reuid=nobody --regid=nogroup --clear-groups --"
	chmod 755 "$W" "$W/sbin" "$W/etc" "$W/run"
	chmod 644 "$W/etc/providers.ini"
	chown nobody "$W/run"
fi

# 1. a TCP socket handed over as systemd does (LISTEN_FDS=1, fd 3)
# shellcheck disable=SC2086 # $AS is a command prefix
if ss -ltn | grep -qF ' 127.0.0.1:18090 '; then
	fail "port 18090 is in use"
elif activate 127.0.0.1:18090 $AS "$W/sbin/mailautoconf" -c "$W/etc/providers.ini"; then
	drive "LISTEN_FDS, 127.0.0.1:18090" 127.0.0.1:18090
	# SIGHUP (ExecReload=) re-reads the file and goes on serving
	kill -HUP "$SA_PID"
	sleep 0.2
	drive "after SIGHUP" 127.0.0.1:18090
	deactivate "LISTEN_FDS, 127.0.0.1:18090"
else
	fail "systemd-socket-activate on 127.0.0.1:18090 did not listen"
fi

# 2. the units as shipped: ExecStart= on the ListenStream= socket, with the
# paths of the test tree (the same replacements as test/web/run.sh)
listen=$(unit_value "$SOCKET" ListenStream)
exec_start=$(unit_value "$SERVICE" ExecStart)
check_eq "ListenStream= is the socket nginx-fastcgi.conf uses (its upstream)" \
    "server unix:$listen;" \
    "$(grep -o 'server unix:[^;]*;' contrib/nginx-fastcgi.conf | sort -u)"
check_eq "ListenStream= is the socket apache-proxy-fcgi.conf uses" \
    "\"unix:$listen|fcgi://localhost/\"" \
    "$(grep -o '"unix:[^"]*"' contrib/apache-proxy-fcgi.conf | sort -u)"
check_eq "ExecStart= reads the Debian package's conffile" \
    "/usr/sbin/mailautoconf -c /etc/mailautoconf/providers.ini" "$exec_start"
for f in "$SOCKET" "$SERVICE" contrib/systemd/mailautoconf-sync.path \
    contrib/systemd/mailautoconf-sync.service; do
	sed -e "s|/usr/sbin|$W/sbin|g" -e "s|/etc/mailautoconf/|$W/etc/|g" \
	    -e "s|/run/|$W/run/|g" "$f" >"$W/units/${f##*/}"
done
sock=$(unit_value "$W/units/mailautoconf.socket" ListenStream)
# shellcheck disable=SC2046,SC2086 # split into words, as systemd does
if activate "$sock" $AS $(unit_value "$W/units/mailautoconf.service" ExecStart); then
	drive "units, $listen" "$sock"
	deactivate "units, $listen"
else
	fail "systemd-socket-activate on $sock did not listen"
fi

# 2b. mailautoconf-sync.path and .service: what the path unit watches, and
# the service's command lines run as systemd runs a oneshot service
# (test/sync-unit.sh; systemd is not PID 1 here, so inotify and
# `systemctl try-reload-or-restart' are not systemd's own: that line
# becomes mailautoconf.service's ExecReload=) against a server started as
# in 2: a good change is served after the run, a bad one stops it at
# --check with a line naming file and line, and changes nothing that serves
SPATH=contrib/systemd/mailautoconf-sync.path
SSERVICE=contrib/systemd/mailautoconf-sync.service
check_eq "$SPATH watches the INI, the include and the domain directory" \
    "/etc/mailautoconf/providers.ini /etc/mailautoconf/providers.d /etc/mailautoconf/domains" \
    "$(sed -n 's/^PathChanged=//p' "$SPATH" | tr '\n' ' ' | sed 's/ $//')"
check_eq "$SPATH starts $SSERVICE" "mailautoconf-sync.service" "$(unit_value "$SPATH" Unit)"
check_eq "$SSERVICE: check, compile, then reload if running" \
    "/usr/sbin/mailautoconf --check -c /etc/mailautoconf/providers.ini|/usr/sbin/mailautoconf --compile -c /etc/mailautoconf/providers.ini|/bin/systemctl try-reload-or-restart mailautoconf.service" \
    "$(sed -n 's/^ExecStart=//p' "$SSERVICE" | tr '\n' '|' | sed 's/|$//')"
check_eq "$SSERVICE is a oneshot" oneshot "$(unit_value "$SSERVICE" Type)"
# shipped: make install's examples, and the Debian package's units (the
# sync pair installed by dh_installsystemd --name, not enabled)
for f in contrib/systemd/*; do
	check "make install ships $f" grep -q "$f" Makefile
done
for u in mailautoconf.socket mailautoconf.service \
    mailautoconf.mailautoconf-sync.path mailautoconf.mailautoconf-sync.service; do
	case $u in
	mailautoconf.mailautoconf-*) f=${u#mailautoconf.} ;;
	*) f=$u ;;
	esac
	check_eq "debian/$u is contrib/systemd/$f" "../contrib/systemd/$f" "$(readlink "debian/$u")"
done
check "debian/rules installs the sync units without enabling them" \
    grep -q '^	dh_installsystemd -pmailautoconf --name=mailautoconf-sync --no-enable --no-start' debian/rules
sync_get() {
	R=$W/r
	fcgi "$sock" GET "/mail/config-v1.1.xml?emailaddress=a%40$1" "autoconfig.$1"
}
rm -f "$sock"
# shellcheck disable=SC2046,SC2086 # split into words, as systemd does
if activate "$sock" $AS $(unit_value "$W/units/mailautoconf.service" ExecStart); then
	# the first connection makes systemd-socket-activate exec the server
	sync_get sync.example
	check_eq "before the change: sync.example: status" 404 "$code"
	sh test/sync-unit.sh "$W" "$SA_PID" >"$W/sync0.log" 2>&1
	check_eq "sync of an unchanged INI: exit 0" 0 "$?"
	cp "$W/etc/providers.ini" "$W/etc/.new"
	printf '\n[sync.example]\nimap = imap.sync.example\nsmtp = smtp.sync.example:587 starttls\n' >>"$W/etc/.new"
	chmod 644 "$W/etc/.new"
	mv "$W/etc/.new" "$W/etc/providers.ini"
	sh test/sync-unit.sh "$W" "$SA_PID" >"$W/sync1.log" 2>&1
	check_eq "sync after a good change: exit 0" 0 "$?" || cat "$W/sync1.log"
	sleep 0.3
	sync_get sync.example
	check_eq "after the sync run: sync.example: status" 200 "$code"
	check "after the sync run: sync.example's server" \
	    grep -qF '<hostname>imap.sync.example</hostname>' "$R.body"
	cp "$W/etc/providers.ini.cdb" "$W/good.cdb"
	nl=$(($(wc -l <"$W/etc/providers.ini") + 3))
	printf '\n[broken.example]\nimap = imap.broken.example:99999\nsmtp = smtp.broken.example\n' >>"$W/etc/providers.ini"
	sh test/sync-unit.sh "$W" "$SA_PID" >"$W/sync2.log" 2>&1
	check "sync after a bad change: fails" test "$?" -ne 0
	check_eq "it stops at --check, whose first line names file and line" \
	    "mailautoconf: $W/etc/providers.ini:$nl:" \
	    "$(head -n 1 "$W/sync2.log" | cut -d' ' -f1-2)"
	check "the compiled config is left as it was" cmp -s "$W/good.cdb" "$W/etc/providers.ini.cdb"
	sync_get sync.example
	check_eq "the server still serves the last good config" 200 "$code"
	sync_get broken.example
	check_eq "and not the broken section" 404 "$code"
	deactivate "units, sync"
	# mailautoconf.service not running (CGI): check and compile, no signal
	head -n $((nl - 3)) "$W/etc/providers.ini" >"$W/etc/.new"
	chmod 644 "$W/etc/.new"
	mv "$W/etc/.new" "$W/etc/providers.ini"
	sh test/sync-unit.sh "$W" >"$W/sync3.log" 2>&1
	check_eq "sync with no server running: exit 0" 0 "$?"
	check "and it compiled" grep -q 'compiled into' "$W/sync3.log"
else
	fail "systemd-socket-activate on $sock did not listen"
fi

# 3. every system call mailautoconf makes, from exec to exit, passes the
# unit's SystemCallFilter= (else systemd answers it with EPERM): traced
# with strace through start, requests, SIGHUP and SIGTERM
syscalls() {
	for s in "$@"; do
		case $s in
		@*) systemd-analyze syscall-filter "$s" </dev/null 2>/dev/null |
			sed -n 's/^    \([@a-z0-9_-]*\)$/\1/p' |
			while read -r x; do syscalls "$x"; done ;;
		*) echo "$s" ;;
		esac
	done
}
if ! command -v strace >/dev/null 2>&1 || ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "note: no strace or systemd-analyze: SystemCallFilter= not checked"
elif ! strace -qq -o /dev/null true 2>/dev/null; then
	echo "note: strace cannot trace here: SystemCallFilter= not checked"
else
	: >"$W/allow"
	: >"$W/deny"
	sed -n 's/^SystemCallFilter=//p' "$SERVICE" >"$W/filters"
	while read -r line; do
		# shellcheck disable=SC2086 # a list of names
		case $line in
		"~"*) syscalls ${line#\~} >>"$W/deny" ;;
		*) syscalls $line >>"$W/allow" ;;
		esac
	done <"$W/filters"
	sort -u "$W/allow" >"$W/allow.s"
	sort -u "$W/deny" >"$W/deny.s"
	comm -23 "$W/allow.s" "$W/deny.s" >"$W/allowed"
	sock=$W/run/trace.sock
	# shellcheck disable=SC2086 # $AS is a command prefix
	strace -f -qq -o "$W/trace" systemd-socket-activate -l "$sock" \
	    $AS "$W/sbin/mailautoconf" -c "$W/etc/providers.ini" 2>>"$W/activate.log" &
	ST_PID=$!
	n=0
	while [ ! -S "$sock" ] && [ $n -lt 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	drive "traced" "$sock"
	R=$W/r
	fcgi "$sock" GET "/autodiscover/autodiscover.json?Email=jane.doe%40mailbox.org&Protocol=AutodiscoverV1" \
	    autodiscover.mailbox.org
	fcgi "$sock" GET "/email.mobileconfig?emailaddress=jane.doe%40mailbox.org" autoconfig.mailbox.org
	# the server is strace's child: systemd-socket-activate, exec'd
	SA_PID=$(sed -n '1s/^\([0-9]*\) .*/\1/p' "$W/trace")
	kill -HUP "$SA_PID"
	sleep 0.2
	fcgi "$sock" GET /mail/config-v1.1.xml autoconfig.mailbox.org
	check_eq "traced: after SIGHUP: status" 200 "$code"
	deactivate "traced"
	wait "$ST_PID" 2>/dev/null
	awk -v b="execve(\"$W/sbin/mailautoconf\"" 'index($0, b) { p = 1 } p' "$W/trace" |
	    sed -n 's/^[0-9]* *\([a-z_0-9]*\)(.*/\1/p' | sort -u >"$W/used"
	check "traced: mailautoconf ran (system calls seen)" test -s "$W/used"
	check_eq "system calls outside SystemCallFilter= of $SERVICE" "" \
	    "$(comm -23 "$W/used" "$W/allowed" | tr '\n' ' ')"
fi

# 4. systemd-analyze: the units parse without a warning, and the sandbox
# leaves little exposed. It needs no running systemd; where it cannot
# work at all (it fails on a trivial unit too), the check is skipped.
pid1=$(ps -o comm= -p 1 2>/dev/null)
[ "$pid1" = systemd ] ||
    echo "note: systemd is not PID 1 here ($pid1): the units are checked offline and run through systemd-socket-activate, not started by systemd"
printf '[Service]\nExecStart=/bin/true\n' >"$W/units/trivial.service"
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "note: no systemd-analyze: unit files not verified"
elif ! systemd-analyze verify --man=no "$W/units/trivial.service" >/dev/null 2>&1; then
	echo "note: systemd-analyze verify does not work here: unit files not verified"
else
	out=$(cd "$W/units" && systemd-analyze verify --man=no \
	    mailautoconf.socket mailautoconf.service \
	    mailautoconf-sync.path mailautoconf-sync.service 2>&1)
	check_eq "systemd-analyze verify: no error or warning" "" "$out"
	level=$(cd "$W/units" && systemd-analyze security --offline=yes \
	    mailautoconf.service 2>&1 | sed -n 's/.*Overall exposure level for mailautoconf.service: \([0-9.]*\) .*/\1/p')
	check "systemd-analyze security: exposure ${level:-?} below 1.0" \
	    awk -v l="${level:-99}" 'BEGIN { exit !(l < 1.0) }'
fi

finish
