#!/bin/sh
# t08-sandbox.sh: the sandbox (sandbox.c) stops what serving never needs,
# and the privilege rules hold:
#  - build/test/sbtest enters the sandbox as mailautoconf does and tries
#    one forbidden thing: what an exploit wants (write, create, execve,
#    socket, fork, setuid) must be killed by SIGSYS, the rest (chmod,
#    executable memory, reading outside the config's directory) must fail;
#    what serving needs (re-reading the config for SIGHUP, fork in the
#    supervisor) must work;
#  - a FastCGI daemon refuses to run as root without --user; --user drops
#    to that account with no_new_privs and the filter on;
#  - --workers N: a killed worker is replaced, SIGHUP with a broken config
#    keeps the old one in every worker, SIGTERM ends them all.
# Ports 17190-17199.
. "$(dirname "$0")/lib.sh"

SBTEST=${SBTEST:-build/test/sbtest}
CONF=$T_TMP/providers.ini
cp "$TOP/providers.ini" "$CONF"
chmod 755 "$T_TMP"
chmod 644 "$CONF"
PORT=$((17190 + $$ % 10))
LPID=

cleanup() {
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null
	rm -rf "$T_TMP"
}
trap cleanup EXIT

# sb MODE ACTION WANT: WANT is "kill" (SIGSYS), "deny" (an errno) or "allow"
sb() {
	"$SBTEST" "$1" "$CONF" "$2" >"$T_TMP/sb.out" 2>&1
	rc=$?
	case $rc in
	0) got=allow ;;
	1) got=deny ;;
	159) got=kill ;;	# 128 + SIGSYS
	*) got="exit $rc" ;;
	esac
	if [ "$got" = "$3" ] || { [ "$3" = stop ] && { [ $got = kill ] ||
	    [ $got = deny ]; }; }; then
		ok "sandbox $1: $2 -> $got"
	else
		fail "sandbox $1: $2: want $3, got $got ($(cat "$T_TMP/sb.out"))"
	fi
}

built=$("$SBTEST" built 2>/dev/null)
if [ "$built" = yes ]; then
	for m in cgi fastcgi supervisor; do
		sb $m write-config kill
		sb $m create kill
		sb $m execve kill
		sb $m socket kill
		sb $m setuid kill
		sb $m mmap-exec deny	# EPERM: a reload may dlopen libcrypto
		sb $m chmod deny	# not needed, not dangerous: EPERM
		sb $m raise allow	# tgkill: the pid patched into the program
		sb $m kill-parent deny	# ... and no other
		sb $m ssb-on allow	# a reload that loads a signing key
		sb $m ssb-off deny
	done
	sb cgi read-config deny		# a CGI reads nothing after loading
	sb cgi fork kill
	sb fastcgi fork kill
	sb fastcgi read-config allow	# SIGHUP re-reads it
	sb fastcgi read-passwd stop	# Landlock: only the config's directory
	sb supervisor fork allow
	sb supervisor read-config allow
	# a config symlinked from elsewhere: its target's directory is readable
	REAL=$(mktemp -d "${TMPDIR:-/tmp}/mac-real.XXXXXX")
	cp "$CONF" "$REAL/target.ini"
	mv "$CONF" "$T_TMP/orig.ini"
	ln -s "$REAL/target.ini" "$CONF"
	sb fastcgi read-config allow
	rm -f "$CONF"
	rm -rf "$REAL"
	mv "$T_TMP/orig.ini" "$CONF"
elif [ -x "$SBTEST" ]; then
	echo "note: built without the sandbox (SANDBOX=0 or a sanitizer):" \
	    "filter tests skipped"
else
	fail "no $SBTEST (make $SBTEST)"
fi

# req PORT: one autoconfig request through FastCGI; prints the status line
req() {
	env -i REQUEST_METHOD=GET REQUEST_URI=/mail/config-v1.1.xml \
	    QUERY_STRING='emailaddress=jane%40mailbox.org' \
	    timeout 10 cgi-fcgi -bind -connect "127.0.0.1:$1" </dev/null \
	    2>/dev/null | head -n 1 | tr -d '\r'
}

# wait_port PORT: until something listens there (5 s at most)
wait_port() {
	i=0
	while [ $i -lt 50 ]; do
		req "$1" | grep -q '^Status: 200' && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# workers PID: the supervisor's children
workers() {
	ps -o pid= --ppid "$1" | tr -d ' '
}

# --import parses third-party XML, often as root: in the CGI sandbox, which
# it enters once the file is read (strace: the seccomp(2) call comes after
# the read of the file and before the section is written)
if [ "$built" = yes ] && command -v strace >/dev/null; then
	strace -f -o "$T_TMP/imp.st" -e trace=openat,read,write,seccomp \
	    $MAC_BIN --import "$TOP/test/data/seed-mailbox.org.xml" \
	    >"$T_TMP/imp.ini" 2>/dev/null
	check "--import still converts" grep -q '^\[' "$T_TMP/imp.ini"
	order=$(awk '/openat.*seed-mailbox.org.xml/ { o = NR }
	    /seccomp\(SECCOMP_SET_MODE_FILTER/ { s = NR }
	    /^[0-9]+ +write\(1,/ && !w { w = NR }
	    END { print (o && s > o && w > s) ? "ok" : "o=" o " s=" s " w=" w }' \
	    "$T_TMP/imp.st")
	check_eq "--import: sandboxed after reading, before writing" ok "$order"
fi

# the CGI a person runs as root in a shell still answers
st=$(QUERY_STRING='emailaddress=jane%40mailbox.org' $MAC_BIN -c "$CONF" \
    2>/dev/null | head -n 1 | tr -d '\r')
check_eq "CGI from a shell answers" "Status: 200 OK" "$st"

if [ "$(id -u)" = 0 ]; then
	$MAC_BIN -c "$CONF" --listen "127.0.0.1:$PORT" >/dev/null \
	    2>"$T_TMP/root.err" &
	p=$!
	sleep 0.3
	if kill -0 $p 2>/dev/null; then
		kill $p
		fail "FastCGI as root without --user was not refused"
	else
		wait $p
		check_eq "FastCGI as root without --user: exit 1" 1 $?
		check "... with a line saying why" grep -q 'refusing to serve' \
		    "$T_TMP/root.err"
	fi
	$MAC_BIN -c "$CONF" --listen "127.0.0.1:$PORT" --user no-such-user-x \
	    >/dev/null 2>"$T_TMP/nouser.err"
	check_eq "--user of nobody known: exit 1" 1 $?
	USER_OPT="--user nobody"
else
	USER_OPT=
	echo "note: not root: the root and --user tests are skipped"
fi

# --user nobody --workers 2 on our own socket
$MAC_BIN -c "$CONF" --listen "127.0.0.1:$PORT" $USER_OPT --workers 2 \
    >/dev/null 2>"$T_TMP/w.err" &
LPID=$!
if ! wait_port $PORT; then
	fail "--workers 2 does not answer: $(head -n 3 "$T_TMP/w.err")"
	finish
	exit
fi
ok "--workers 2 answers"
w=$(workers $LPID)
check_eq "two workers" 2 "$(echo "$w" | wc -l)"
first=$(echo "$w" | head -n 1)
if [ -n "$USER_OPT" ]; then
	check_eq "worker runs as nobody" "$(id -u nobody)" \
	    "$(awk '/^Uid:/ { print $2 }' "/proc/$first/status")"
	check_eq "supervisor runs as nobody" "$(id -u nobody)" \
	    "$(awk '/^Uid:/ { print $2 }' "/proc/$LPID/status")"
fi
check_eq "worker has no_new_privs" 1 \
    "$(awk '/^NoNewPrivs:/ { print $2 }' "/proc/$first/status")"
if [ "$built" = yes ]; then
	check_eq "worker is under a seccomp filter" 2 \
	    "$(awk '/^Seccomp:/ { print $2 }' "/proc/$first/status")"
fi

# a worker killed is replaced
kill -9 "$first"
i=0
while [ $i -lt 30 ]; do
	n=$(workers $LPID | grep -vx "$first" | wc -l)
	[ "$n" -eq 2 ] && break
	sleep 0.1
	i=$((i + 1))
done
check_eq "killed worker replaced" 2 "$n"
check "the log says so" grep -q "worker $first killed by signal 9" "$T_TMP/w.err"
check_eq "serves after the replacement" "Status: 200 OK" "$(req $PORT)"

# a broken config and SIGHUP: every worker keeps the old one
cp "$CONF" "$T_TMP/good.ini"
printf '[mailbox.org]\nimapp = x\n' >"$CONF"
kill -HUP $LPID
sleep 0.5
ok=0
for i in 1 2 3 4 5 6; do
	[ "$(req $PORT)" = "Status: 200 OK" ] && ok=$((ok + 1))
done
check_eq "broken config + SIGHUP: old one still answers" 6 $ok
check "the log says reload failed" grep -q "reload failed" "$T_TMP/w.err"
cp "$T_TMP/good.ini" "$CONF"

# SIGTERM: the supervisor and its workers leave
w=$(workers $LPID)
kill $LPID
i=0
while [ $i -lt 50 ] && kill -0 $LPID 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
wait $LPID 2>/dev/null
check "SIGTERM ends the supervisor" sh -c "! kill -0 $LPID 2>/dev/null"
left=0
for p in $w; do
	kill -0 "$p" 2>/dev/null && left=$((left + 1))
done
check_eq "SIGTERM ends every worker" 0 $left
LPID=
# the failed reload is the supervisor's: its error is logged once
check_eq "the broken file's error is logged once" 1 \
    "$(grep -c "unknown key 'imapp'" "$T_TMP/w.err")"

finish
