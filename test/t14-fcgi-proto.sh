#!/bin/sh
# t14-fcgi-proto.sh: fcgi.c at the byte level (test/fcgi-proto.c) against
# the real binary on a unix socket of its own.
. "$(dirname "$0")/lib.sh"

PROTO=${FCGI_PROTO:-$TOP/build/fcgi-proto}
SOCK=$T_TMP/p.sock
USER_OPT=
if [ "$(id -u)" = 0 ]; then
	USER_OPT="--user nobody"
	chmod 755 "$T_TMP"
fi
env -i PATH="$PATH" ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} \
    ${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} \
    $MAC_BIN -c "$TOP/providers.ini" $USER_OPT --listen "$SOCK" 2>"$T_TMP/err" &
PID=$!
i=0
while [ ! -S "$SOCK" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
timeout 120 "$PROTO" "$SOCK" >"$T_TMP/out"
grep '^FAIL' "$T_TMP/out"
# fold the client's own count into ours
set -- $(tail -n 1 "$T_TMP/out")
T_PASS=$((T_PASS + ${1:-0}))
T_FAIL=$((T_FAIL + ${3:-0}))
[ -n "${1:-}" ] || fail "fcgi-proto printed no count"
check "the server is still up" kill -0 "$PID"
kill -TERM "$PID"
wait "$PID"
check_eq "SIGTERM: exit 0" 0 "$?"
check "no crash report" sh -c "! grep -q -e Sanitizer -e 'runtime error' '$T_TMP/err'"
finish
