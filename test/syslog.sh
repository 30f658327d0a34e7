#!/bin/sh
# test/syslog.sh: what reaches the admin's log (docs/deploy.md 10.4).
# mailautoconf under spawn-fcgi, whose standard error is /dev/null, logs to
# syslog by itself: start, a miss with its domain, a reload that fails
# with its first error, signing that needs a restart, a good reload with
# its counts, lines after the syslog daemon restarted, the stop.  The syslog socket is a socat listener on a file
# of the test, mounted over /dev inside a private mount namespace
# (unshare -m), so the machine's own /dev/log is never touched.  Then the
# CGI under MAILAUTOCONF_LOG=syslog and MAILAUTOCONF_VERBOSE=1, a POX miss
# that names the domain of its body, and the
# journal's "<N>" prefix when JOURNAL_STREAM names standard error.
. "$(dirname "$0")/lib.sh"

B=$(cd "$(dirname "$MAC_BIN")" && pwd)/$(basename "$MAC_BIN")
W=$T_TMP
chmod 755 "$W"

if [ "$(id -u)" -ne 0 ] || ! command -v socat >/dev/null ||
    ! command -v spawn-fcgi >/dev/null || ! command -v unshare >/dev/null; then
	fail "needs root, socat, spawn-fcgi and unshare (test/deps.sh check)"
	finish
	exit
fi

cat >"$W/good.ini" <<'EOF'
[mailbox.org]
imap = imap.mailbox.org:993 ssl
smtp = smtp.mailbox.org:465 ssl
EOF
cp "$W/good.ini" "$W/providers.ini"
chmod 644 "$W/providers.ini"

# a certificate and key for the reload that turns signing on
SIGN=
if command -v openssl >/dev/null &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=mac-test \
    -keyout "$W/sign.key" -out "$W/sign.crt" >/dev/null 2>&1; then
	chmod 644 "$W/sign.key" "$W/sign.crt"
	SIGN=1
fi

# the part inside the namespace: /dev holds null and our log socket only
cat >"$W/inner.sh" <<EOF
set -u
W=$W
B=$B
SIGN=$SIGN
EOF
cat >>"$W/inner.sh" <<'EOF'
mount --make-rprivate / || exit 1
mkdir -p "$W/dev"
: >"$W/dev/null"
mount --bind /dev/null "$W/dev/null" || exit 1
socat -u UNIX-RECV:"$W/dev/log",mode=666 OPEN:"$W/syslog.raw",creat,append &
SOCAT=$!
n=0
while [ ! -S "$W/dev/log" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
mount --rbind "$W/dev" /dev || exit 1

req() {
	env -i PATH="$PATH" REQUEST_METHOD=GET REQUEST_URI=/mail/config-v1.1.xml \
	    QUERY_STRING="emailaddress=jane%40$1" HTTP_USER_AGENT="$2" \
	    cgi-fcgi -bind -connect "$W/fcgi.sock" </dev/null >"$W/req.out" 2>&1
}

spawn-fcgi -s "$W/fcgi.sock" -P "$W/pid" -M 0600 -u nobody -g nogroup -- \
    "$B" -c "$W/providers.ini" >"$W/spawn.out" 2>&1
n=0
while [ ! -S "$W/fcgi.sock" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
PID=$(cat "$W/pid")
req mailbox.org 'Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Thunderbird/153.0'
req nope.example 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)'
printf '[mailbox.org]\nimapp = imap.mailbox.org\nsmtp = smtp.mailbox.org\nbogus = 1\n' \
    >"$W/providers.ini"
kill -HUP "$PID"; sleep 0.5
if [ -n "$SIGN" ]; then
	{ printf 'mobileconfig.sign_cert = %s\nmobileconfig.sign_key = %s\n' \
	    "$W/sign.crt" "$W/sign.key"; cat "$W/good.ini"; } >"$W/providers.ini"
	kill -HUP "$PID"; sleep 0.5
	"$B" --check -c "$W/providers.ini" >"$W/check.out" 2>&1
fi
cp "$W/good.ini" "$W/providers.ini"
printf '[second.example]\nimap = imap.second.example\nsmtp = smtp.second.example\n' \
    >>"$W/providers.ini"
kill -HUP "$PID"; sleep 0.5
req second.example 'curl/7.88.1'
cp "$W/req.out" "$W/second.out"
# the syslog daemon restarts: a new socket at the same path
kill "$SOCAT"
wait "$SOCAT" 2>/dev/null
socat -u UNIX-RECV:/dev/log,mode=666,unlink-early \
    OPEN:"$W/syslog.raw",creat,append &
SOCAT=$!
n=0
while [ ! -S /dev/log ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
sleep 0.2
req restarted.example 'curl/7.88.1'
req restarted2.example 'curl/7.88.1'
kill -TERM "$PID"
n=0
while kill -0 "$PID" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done

# CGI: chosen by the environment, and a line per answer with VERBOSE
env -i PATH="$PATH" MAILAUTOCONF_LOG=syslog MAILAUTOCONF_VERBOSE=1 \
    REQUEST_METHOD=GET REQUEST_URI=/email.mobileconfig \
    QUERY_STRING='emailaddress=jane%40mailbox.org' \
    HTTP_USER_AGENT='Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)' \
    "$B" -c "$W/good.ini" >"$W/cgi.out" 2>"$W/cgi.err"
sleep 0.3
kill "$SOCAT"
EOF

unshare -m sh "$W/inner.sh" >"$W/inner.out" 2>&1 || fail "unshare -m: $(cat "$W/inner.out")"
# each datagram is one line, starting with its <PRI>
touch "$W/syslog.raw"
sed 's/<[0-9][0-9]*>[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]* mailautoconf\[[0-9]*\]: /\n&/g' \
    "$W/syslog.raw" | sed '/^$/d' >"$W/syslog"
[ -n "${VERBOSE:-}" ] && { cat "$W/syslog"; echo; }

# has PRI TEXT: a line of priority PRI (facility daemon) that holds TEXT
has() {
	grep "^<$1>" "$W/syslog" | grep -qF -- "$2"
}
F=$W/providers.ini
check "start is info" has 30 "started: "
check "start names the file and counts" has 30 "started: $F: 1 providers, 1 domains"
check "a miss is a notice naming endpoint, domain and client" \
    has 29 "404: unknown domain (autoconfig nope.example outlook)"
check "an answer logs nothing without --verbose" \
    sh -c "! grep -q thunderbird '$W/syslog'"
check "a failed reload logs its first error" has 27 "$F:2: "
check "and says the old configuration stays" \
    has 27 "the first above), keeping the old configuration"
check_eq "only the first error is logged (not line 4's)" 0 "$(grep -c "$F:4: " "$W/syslog")"
if [ -n "$SIGN" ]; then
	check "a reload that turns signing on says it needs a restart" \
	    has 27 "signing needs a restart"
	check "--check says so too" grep -q "needs a restart" "$W/check.out"
else
	fail "openssl could not make a key: the signing reload was not tried"
fi
check "a good reload logs its counts" has 30 "$F: reloaded, 2 providers, 2 domains"
check "the reloaded file serves" grep -q 'imap.second.example' "$W/second.out"
check "after the syslog daemon restarted, the next line arrives" \
    has 29 "404: unknown domain (autoconfig restarted.example curl)"
check "and the one after it" \
    has 29 "404: unknown domain (autoconfig restarted2.example curl)"
check "the stop is logged with the counts" \
    has 30 "stopped: 2 answered, 3 missed (404), 0 refused, 0 failed (500)"
check "the pid is in every line" \
    sh -c "! grep -v 'mailautoconf\[[0-9][0-9]*\]: ' '$W/syslog' | grep -q ."
check "CGI: MAILAUTOCONF_VERBOSE logs an answer as info" \
    has 30 "200: OK (mobileconfig mailbox.org apple)"
check_eq "CGI with syslog: nothing on stderr" "" "$(cat "$W/cgi.err")"
check "no raw request byte in the log" sh -c "! grep -q -e 'jane' -e 'Mozilla' '$W/syslog'"

# the journal: a "<N>" prefix when JOURNAL_STREAM names our stderr
: >"$W/j.err"
js=$(stat -c '%d:%i' "$W/j.err")
JOURNAL_STREAM=$js REQUEST_METHOD=GET REQUEST_URI=/mail/config-v1.1.xml \
    QUERY_STRING='emailaddress=a%40nope.example' "$B" -c "$W/good.ini" \
    >/dev/null 2>>"$W/j.err"
check "stderr to the journal: a miss is <5>" \
    grep -q '^<5>mailautoconf: 404: unknown domain (autoconfig nope.example other)$' "$W/j.err"
: >"$W/e.err"
REQUEST_METHOD=GET REQUEST_URI=/mail/config-v1.1.xml \
    QUERY_STRING='emailaddress=a%40nope.example' "$B" -c "$W/good.ini" \
    >/dev/null 2>>"$W/e.err"
check "stderr elsewhere: no prefix" grep -q '^mailautoconf: 404: ' "$W/e.err"
# a POX miss: the domain is only in the body, and the line names it
printf '%s' '<?xml version="1.0"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>jane@nope.example</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>' >"$W/pox.xml"
REQUEST_METHOD=POST REQUEST_URI=/Autodiscover/Autodiscover.xml CONTENT_TYPE=text/xml \
    CONTENT_LENGTH=$(wc -c <"$W/pox.xml" | tr -d ' ') \
    HTTP_USER_AGENT='Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)' \
    "$B" -c "$W/good.ini" <"$W/pox.xml" >/dev/null 2>"$W/pox.err"
check_eq "a POX miss names the domain of its body" \
    "mailautoconf: 404: unknown domain (autodiscover nope.example outlook)" "$(cat "$W/pox.err")"
check "--log rejects other words" sh -c "! '$B' --log file -c '$W/good.ini' </dev/null >/dev/null 2>&1"

finish
