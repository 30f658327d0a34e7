#!/bin/sh
# t14-fcgi-proto.sh: fcgi.c at the byte level (test/fcgi-proto.c) against
# the real binary on unix sockets of its own: the protocol; thousands of
# idle and stalled connections; a pipelining non-reader and the server's
# CPU time; more pipelining non-readers than slots; SIGHUP under --workers
# with a good and with a broken file, and with connections held.
. "$(dirname "$0")/lib.sh"

PROTO=${FCGI_PROTO:-$TOP/build/fcgi-proto}
USER_OPT=
if [ "$(id -u)" = 0 ]; then
	USER_OPT="--user nobody"
	chmod 755 "$T_TMP"
fi
# the flood holds thousands of connections on our side (the server keeps
# FCGI_CONNS_MAX of them)
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
NFLOOD=1500
[ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 3200 ] &&
	NFLOOD=$((($(ulimit -n) - 100) / 2))

PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$T_TMP"
}
trap cleanup EXIT

# start NAME ARGS...: the server on $T_TMP/NAME.sock; sets PID
start() {
	name=$1
	shift
	rm -f "$T_TMP/$name.sock"
	env -i PATH="$PATH" ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} \
	    ${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} \
	    $MAC_WRAP $MAC_BIN $USER_OPT --listen "$T_TMP/$name.sock" "$@" \
	    2>"$T_TMP/$name.err" &
	PID=$!
	PIDS="$PIDS $PID"
	i=0
	while [ ! -S "$T_TMP/$name.sock" ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	# one answer: the loop runs, its signal handlers are set
	"$PROTO" -c "$T_TMP/$name.sock" 1 x >/dev/null
}

# run DESC CMD...: a fcgi-proto run; its lines and count become ours
run() {
	desc=$1
	shift
	timeout 300 "$@" >"$T_TMP/out" 2>&1
	grep '^FAIL' "$T_TMP/out" | sed "s/^FAIL /FAIL $desc: /"
	last=$(tail -n 1 "$T_TMP/out")
	case $last in
	[0-9]*" passed, "[0-9]*" failed")
		set -- $last
		T_PASS=$((T_PASS + $1))
		T_FAIL=$((T_FAIL + $3))
		;;
	*)	fail "$desc: fcgi-proto printed no count ($last)" ;;
	esac
}

# stopped NAME: SIGTERM ends it with 0 and no sanitizer report
stopped() {
	check "$1: still up" kill -0 "$PID"
	kill -TERM "$PID"
	wait "$PID"
	check_eq "$1: SIGTERM, exit 0" 0 "$?"
	check "$1: no crash report" sh -c "! grep -q -e Sanitizer \
	    -e 'runtime error' -e 'ERROR SUMMARY: [1-9]' '$T_TMP/$1.err'"
}

# the deadlines: FCGI_REQ_TIMEOUT and FCGI_WRITE_TIMEOUT are 30 s,
# FCGI_IDLE_TIMEOUT 90 s (bounds.h)
start d -c "$TOP/providers.ini"
DPID=$PID
timeout 120 "$PROTO" -d "$T_TMP/d.sock" 36 >"$T_TMP/d.out" 2>&1 &
DCLIENT=$!

start p -c "$TOP/providers.ini"
run protocol "$PROTO" "$T_TMP/p.sock"
run flood "$PROTO" -f "$T_TMP/p.sock" "$PID" "$NFLOOD"
run non-reader "$PROTO" -n "$T_TMP/p.sock" "$PID" 4
# more pipelining non-readers than slots (FCGI_CONNS_MAX, 256)
run pause "$PROTO" -p "$T_TMP/p.sock" "$PID" 270
stopped p

# ---- --workers and SIGHUP ---------------------------------------------
CONF=$T_TMP/providers.ini
cp "$TOP/providers.ini" "$CONF"
chmod 644 "$CONF"
start w -c "$CONF" --workers 3
children() {	# the supervisor's children, sorted, on one line
	tr ' ' '\n' <"/proc/$PID/task/$PID/children" | sed '/^$/d' | sort |
	    tr '\n' ' '
}
# until: wait for CMD to succeed, 20 s at most
until_ok() {
	i=0
	while ! "$@" && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
	"$@"
}
n_children() { [ "$(children | wc -w)" -eq "$1" ]; }
until_ok n_children 3
OLD=$(children)
check_eq "--workers 3: 30 answers from the file" 30 \
    "$("$PROTO" -c "$T_TMP/w.sock" 30 'damit Privates privat bleibt')"
sed 's/damit Privates privat bleibt/reloaded name/' "$TOP/providers.ini" \
    >"$CONF.new"
mv "$CONF.new" "$CONF"
kill -HUP "$PID"
replaced() { [ "$(children)" != "$OLD" ] && n_children 3 &&
    [ -z "$(for p in $OLD; do kill -0 "$p" 2>/dev/null && echo "$p"; done)" ]; }
check "SIGHUP, good file: three new workers, the old ones gone" \
    until_ok replaced
check_eq "every answer from the new file" 30 \
    "$("$PROTO" -c "$T_TMP/w.sock" 30 'reloaded name')"
check "the reload logged" grep -q 'reloaded' "$T_TMP/w.err"
# a reload closes no connection a request may be on
run retire "$PROTO" -r "$T_TMP/w.sock" "$PID"
until_ok n_children 3
NEW=$(children)
printf '[broken\nnot a line\n' >>"$CONF"
kill -HUP "$PID"
failed_logged() { grep -q 'reload failed' "$T_TMP/w.err"; }
check "SIGHUP, broken file: the failure logged" until_ok failed_logged
sleep 1
check_eq "the same workers" "$NEW" "$(children)"
check_eq "every answer still from the last good file" 30 \
    "$("$PROTO" -c "$T_TMP/w.sock" 30 'reloaded name')"
stopped w

# ---- --socket-mode, --socket-group -----------------------------------
perm() { stat -c '%a %g' "$1"; }
start m -c "$TOP/providers.ini" --socket-mode 0640
check_eq "--socket-mode 0640" 640 "$(perm "$T_TMP/m.sock" | cut -d' ' -f1)"
check_eq "and it serves" 1 "$("$PROTO" -c "$T_TMP/m.sock" 1 mailbox.org)"
stopped m
if [ "$(id -u)" = 0 ]; then
	# without --socket-group: 0660 and the group of --user
	start g -c "$TOP/providers.ini"
	check_eq "default: 0660, the group of --user" \
	    "660 $(id -g nobody)" "$(perm "$T_TMP/g.sock")"
	stopped g
	start g -c "$TOP/providers.ini" --socket-group 4242
	check_eq "--socket-group 4242" "660 4242" "$(perm "$T_TMP/g.sock")"
	stopped g
	start g -c "$TOP/providers.ini" --socket-group daemon
	check_eq "--socket-group by name" "660 $(getent group daemon | cut -d: -f3)" \
	    "$(perm "$T_TMP/g.sock")"
	stopped g
fi
for bad in "--socket-mode 0999" "--socket-mode 01777" "--socket-mode x" \
    "--socket-group no-such-group-x"; do
	$MAC_BIN -c "$TOP/providers.ini" $USER_OPT --listen "$T_TMP/b.sock" \
	    $bad 2>"$T_TMP/b.err"
	check_eq "$bad: exit 1" 1 "$?"
	check "$bad: says why" grep -q -e 'not an octal mode' -e 'no such group' \
	    "$T_TMP/b.err"
	check "$bad: no socket left" test ! -e "$T_TMP/b.sock"
done

# ---- SIGTERM with a request under way ---------------------------------
start s -c "$TOP/providers.ini"
run stop "$PROTO" -s "$T_TMP/s.sock" "$PID"
wait "$PID"
check_eq "stopped with a request under way: exit 0" 0 "$?"
check "no crash report" sh -c "! grep -q -e Sanitizer -e 'runtime error' \
    -e 'ERROR SUMMARY: [1-9]' '$T_TMP/s.err'"

wait "$DCLIENT"
run deadlines cat "$T_TMP/d.out"
PID=$DPID
stopped d
gone() { for p in $NEW; do ! kill -0 "$p" 2>/dev/null || return 1; done; }
check "the workers left with the supervisor" gone

# ---- an idle server leaves at once on SIGTERM ----------------------------
# (the normal build only: strace sees whether the loop waited once more
# for its timeout after the signal, as the code before did, up to 1 s)
if [ -z "${MAC_WRAP:-}" ] && [ -z "${MAC_SUITE_TAG:-}" ] &&
    command -v strace >/dev/null; then
	rm -f "$T_TMP/i.sock"
	strace -f -o "$T_TMP/i.st" -e trace=epoll_wait,epoll_pwait \
	    $MAC_BIN $USER_OPT --listen "$T_TMP/i.sock" -c "$TOP/providers.ini" \
	    2>"$T_TMP/i.err" &
	SPID=$!
	PIDS="$PIDS $SPID"
	until_ok test -S "$T_TMP/i.sock"
	"$PROTO" -c "$T_TMP/i.sock" 1 x >/dev/null
	sleep 0.5
	kill -TERM "$(pgrep -P "$SPID")"
	wait "$SPID"
	check "an idle server got SIGTERM" grep -q -e '--- SIGTERM' "$T_TMP/i.st"
	check "and left without waiting for the loop's next tick" sh -c \
	    "! sed -n '/--- SIGTERM/,\$p' '$T_TMP/i.st' | grep -q 'epoll_p*wait(.*) *= 0\$'"
fi
finish
