#!/bin/sh
# t07-hostile-corpus.sh: every case of test/hostile/cases.txt through
# FastCGI (spawn-fcgi + cgi-fcgi, one long-lived process on a port of
# 17100-17189; t02 sends the same corpus as CGI): the status DESIGN.md
# §2/§4/§5/§8 ask for, fixed error bodies, well-formed XML and JSON,
# nothing injected (test/hostile/run.pl checks each answer).  The FastCGI
# process must still be there at the end: no case may crash it.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

CONF=$T_TMP/providers.ini
# the shipped file, providers with ews, owa and graph lines, and one with
# calendars and contacts
cat providers.ini test/data/ews.ini test/hostile/dav.ini >"$CONF"
chmod 755 "$T_TMP"
chmod 644 "$CONF"
# MAC_IMAGE=1 (t16): every case answered from the compiled config
if [ "${MAC_IMAGE:-0}" = 1 ]; then
	$MAC_BIN --compile -c "$CONF" >"$T_TMP/compile.log" 2>&1
	check "compiled for the image-backed run" test -s "$CONF.cdb"
fi
PORT=$((17100 + $$ % 90))
PIDF=$T_TMP/fcgi.pid

stop() {
	[ -s "$PIDF" ] && kill "$(cat "$PIDF")" 2>/dev/null
	rm -rf "$T_TMP"
}
trap stop EXIT

if ! command -v spawn-fcgi >/dev/null || ! command -v cgi-fcgi >/dev/null; then
	fail "spawn-fcgi and cgi-fcgi are needed (test/deps.sh check)"
	finish
	exit
fi
# as root (CI) the daemon must drop to a user of its own
U=
[ "$(id -u)" = 0 ] && U="-u nobody -g nogroup"
env -i PATH="$PATH" spawn-fcgi -a 127.0.0.1 -p "$PORT" -P "$PIDF" $U -- \
    "$MAC_BIN" -c "$CONF" >"$T_TMP/spawn.out" 2>&1 ||
    fail "spawn-fcgi: $(cat "$T_TMP/spawn.out")"
perl test/hostile/run.pl fcgi "127.0.0.1:$PORT" "$MAC_BIN" "$CONF" \
    >"$T_TMP/fcgi.out" 2>&1
tally "$T_TMP/fcgi.out"
check "the FastCGI process survived every case" kill -0 "$(cat "$PIDF")"
finish
