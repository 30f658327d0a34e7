#!/bin/sh
# t04-fastcgi.sh: the same requests through spawn-fcgi + cgi-fcgi give the
# same answers as CGI; SIGHUP reloads, and keeps the old config when the
# new one is broken; --listen on a unix socket; SIGTERM ends the process.
. "$(dirname "$0")/lib.sh"

command -v spawn-fcgi >/dev/null && command -v cgi-fcgi >/dev/null || {
	fail "spawn-fcgi and cgi-fcgi are needed (test/deps.sh check)"
	finish
	exit 1
}

# a port of our own: 17000 + a little of our pid, so parallel runs differ
PORT=$((17000 + $$ % 90))
CONF=$T_TMP/providers.ini
cp "$TOP/providers.ini" "$CONF"
PIDF=$T_TMP/pid
# As root (CI), the FastCGI server must drop to a user of its own: it
# refuses to serve as root.  That user reads the config from our temp dir.
SPAWN_USER= LISTEN_USER=
if [ "$(id -u)" = 0 ]; then
	SPAWN_USER="-u nobody -g nogroup"
	LISTEN_USER="--user nobody"
	chmod 755 "$T_TMP"
	chmod 644 "$CONF"
fi

stop() {
	[ -s "$PIDF" ] && kill "$(cat "$PIDF")" 2>/dev/null
	[ -n "${LPID:-}" ] && kill "$LPID" 2>/dev/null
	rm -rf "$T_TMP"
}
trap stop EXIT

# spawn-fcgi forks the binary with fd 0 a listening socket
env -i PATH="$PATH" ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} \
    ${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} \
    spawn-fcgi -a 127.0.0.1 -p "$PORT" -P "$PIDF" $SPAWN_USER -- \
    $MAC_BIN -c "$CONF" >"$T_TMP/spawn.out" 2>"$T_TMP/spawn.err" ||
    fail "spawn-fcgi: $(cat "$T_TMP/spawn.err")"

# fcgi OUT CONNECT STDIN VAR=value...: one request through cgi-fcgi
fcgi() {
	out=$1 conn=$2 in=$3
	shift 3
	env -i PATH="$PATH" "$@" timeout 10 cgi-fcgi -bind -connect "$conn" \
	    <"$in" >"$out" 2>"$out.err"
	split_response "$out"
}

# the same request both ways, compared byte for byte after the headers
same() {
	name=$1 in=$2
	shift 2
	fcgi "$T_TMP/$name.f" "127.0.0.1:$PORT" "$in" "$@"
	MAC_CONF=$CONF MAC_STDIN=$in mac_cgi "$T_TMP/$name.c" "$@"
	normalise "$T_TMP/$name.f" >"$T_TMP/$name.fn"
	normalise "$T_TMP/$name.c" >"$T_TMP/$name.cn"
	if [ -s "$T_TMP/$name.f" ] && cmp -s "$T_TMP/$name.fn" "$T_TMP/$name.cn"; then
		ok "fastcgi = cgi: $name"
	else
		fail "fastcgi != cgi: $name"
		diff "$T_TMP/$name.cn" "$T_TMP/$name.fn" | head -10
	fi
}

AC=/mail/config-v1.1.xml
AD=/autodiscover/autodiscover.xml
Q='emailaddress=jane.doe%40mailbox.org'
N=/dev/null
printf '%s' '<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>jane.doe@mailbox.org</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>' >"$T_TMP/pox"
LEN=$(wc -c <"$T_TMP/pox" | tr -d ' ')
printf '<Autodiscover><Request><EMailAddress>jane@mailbox.org</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006</AcceptableResponseSchema></Request></Autodiscover>' >"$T_TMP/mobile"

# wait for the socket
i=0
until fcgi "$T_TMP/probe" "127.0.0.1:$PORT" $N REQUEST_METHOD=GET REQUEST_URI=$AC \
    QUERY_STRING="$Q" && [ -s "$T_TMP/probe" ] || [ $i -ge 50 ]; do
	sleep 0.1
	i=$((i + 1))
done

same ac-get $N REQUEST_METHOD=GET REQUEST_URI="$AC?$Q" QUERY_STRING="$Q" HTTP_HOST=autoconfig.mailbox.org
same ac-noquery $N REQUEST_METHOD=GET REQUEST_URI=$AC HTTP_HOST=autoconfig.mailbox.org
same ac-head $N REQUEST_METHOD=HEAD REQUEST_URI=$AC QUERY_STRING="$Q"
same pox-post "$T_TMP/pox" REQUEST_METHOD=POST REQUEST_URI=/Autodiscover/Autodiscover.xml \
    CONTENT_TYPE=text/xml CONTENT_LENGTH="$LEN" HTTP_HOST=autodiscover.mailbox.org
# (cgi-fcgi forwards stdin only up to CONTENT_LENGTH, so a chunked body,
# which arrives without one, cannot be sent through it; CGI covers it.)
same pox-mobilesync "$T_TMP/mobile" REQUEST_METHOD=POST REQUEST_URI=$AD CONTENT_TYPE=text/xml \
    CONTENT_LENGTH="$(wc -c <"$T_TMP/mobile" | tr -d ' ')" HTTP_HOST=autodiscover.mailbox.org
same pox-get $N REQUEST_METHOD=GET REQUEST_URI=$AD HTTP_HOST=autodiscover.mailbox.org
same unknown $N REQUEST_METHOD=GET REQUEST_URI=$AC QUERY_STRING='emailaddress=a%40nope.example'
same bad $N REQUEST_METHOD=GET REQUEST_URI=$AC QUERY_STRING='emailaddress=a%00b'
same put $N REQUEST_METHOD=PUT REQUEST_URI=$AC
check "xml through FastCGI" xml_ok "$T_TMP/ac-get.f.body"
# a request's line goes to the server's own log, not to FCGI_STDERR, which
# web servers log at level error (docs/deploy.md 10.4; test/web/syslog.sh)
check "the log line stays out of the FastCGI stderr stream" \
    sh -c "! grep -q 'unknown domain' '$T_TMP/unknown.f.err'"

# many requests on one process: state does not leak between them
k=0
while [ $k -lt 30 ]; do
	fcgi "$T_TMP/loop" "127.0.0.1:$PORT" $N REQUEST_METHOD=GET REQUEST_URI=$AC \
	    QUERY_STRING="emailaddress=u$k%40mailbox.org"
	[ "$(status "$T_TMP/loop")" = 200 ] || break
	fcgi "$T_TMP/loop" "127.0.0.1:$PORT" $N REQUEST_METHOD=GET REQUEST_URI=$AC \
	    QUERY_STRING="emailaddress=%3Cu$k"
	[ "$(status "$T_TMP/loop")" = 400 ] || break
	k=$((k + 1))
done
check_eq "60 alternating good and bad requests on one process" 30 "$k"

# SIGHUP with a broken file: the old config keeps serving
PID=$(cat "$PIDF")
printf '[mailbox.org]\nimapp = broken\n' >"$CONF"
kill -HUP "$PID"
sleep 0.3
fcgi "$T_TMP/hup1" "127.0.0.1:$PORT" $N REQUEST_METHOD=GET REQUEST_URI=$AC QUERY_STRING="$Q"
check_eq "broken reload keeps serving" 200 "$(status "$T_TMP/hup1")"
check "and keeps the old answer" grep -q 'imap.mailbox.org' "$T_TMP/hup1.body"
check "the process still runs" kill -0 "$PID"
# SIGHUP with a good new file: the new answer
printf '[mailbox.org]\nimap = new-imap.mailbox.org\nsmtp = new-smtp.mailbox.org\n' >"$CONF"
kill -HUP "$PID"
sleep 0.3
fcgi "$T_TMP/hup2" "127.0.0.1:$PORT" $N REQUEST_METHOD=GET REQUEST_URI=$AC QUERY_STRING="$Q"
check "good reload serves the new file" grep -q 'new-imap.mailbox.org' "$T_TMP/hup2.body"
check_eq "same pid after reloads" "$PID" "$(cat "$PIDF")"
# SIGTERM ends it
kill -TERM "$PID"
i=0
while kill -0 "$PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "SIGTERM ends the process" sh -c "! kill -0 $PID 2>/dev/null"

# --listen on a unix socket of its own
SOCK=$T_TMP/mac.sock
cp "$TOP/providers.ini" "$CONF"
env -i PATH="$PATH" ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} \
    $MAC_BIN -c "$CONF" $LISTEN_USER --listen "$SOCK" 2>"$T_TMP/listen.err" &
LPID=$!
i=0
while [ ! -S "$SOCK" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
fcgi "$T_TMP/l" "$SOCK" $N REQUEST_METHOD=GET REQUEST_URI=$AC QUERY_STRING="$Q"
check_eq "--listen unix socket answers" 200 "$(status "$T_TMP/l")"
# the socket's group may connect, nobody else (--socket-mode: t14)
check_eq "--listen socket is srw-rw----" srw-rw---- "$(ls -l "$SOCK" | cut -c1-10)"
check "--listen answer is the same" cmp -s "$T_TMP/l.body" "$T_TMP/ac-get.c.body"
kill -TERM "$LPID"
wait "$LPID"
check_eq "--listen: SIGTERM exits 0" 0 "$?"
LPID=
# --listen on TCP
PORT2=$((PORT + 1))
env -i PATH="$PATH" ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} \
    $MAC_BIN -c "$CONF" $LISTEN_USER --listen "127.0.0.1:$PORT2" 2>"$T_TMP/listen2.err" &
LPID=$!
i=0
until fcgi "$T_TMP/l2" "127.0.0.1:$PORT2" $N REQUEST_METHOD=GET REQUEST_URI=$AC \
    QUERY_STRING="$Q" && [ -s "$T_TMP/l2" ] || [ $i -ge 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
check_eq "--listen TCP answers" 200 "$(status "$T_TMP/l2")"
kill -TERM "$LPID"
wait "$LPID"
LPID=
# a broken config at start: FastCGI refuses to start
printf 'nonsense\n' >"$T_TMP/broken.ini"
$MAC_BIN -c "$T_TMP/broken.ini" $LISTEN_USER --listen "$T_TMP/x.sock" 2>"$T_TMP/b.err"
check_eq "a broken config at start exits 1" 1 "$?"
check "and says where" grep -q 'broken.ini:1:' "$T_TMP/b.err"
finish
