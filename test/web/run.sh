#!/bin/sh
# test/web/run.sh: the six web server setups of contrib/, as shipped, in
# real servers on 127.0.0.1, driven with curl the way mail clients ask.
#
# Each contrib file is used byte for byte, after these replacements only
# (docs/deploy.md says the same):
#   /usr/sbin          -> WORK/sbin  (a copy of the binary under test)
#   /etc/mailautoconf/ -> WORK/etc/  (./providers.ini and test/hostile/dav.ini)
#   /run/              -> WORK/run/  (sockets)
#   /var/log/lighttpd/ -> the setup's own directory (logs)
#   listen 80;  *:80>  -> 127.0.0.1:PORT (and "listen [::]:80;" dropped)
# WORK is a private directory under $TMPDIR; every server gets its own
# configuration, pid and log files there, listens on 127.0.0.1:18081-18086
# only, and is stopped at exit. As root the servers run their workers as
# www-data, as Debian does. VERBOSE=1 prints every passing check too; a
# failing setup prints its server's error log.
#
# Then the FastCGI setups under full load (wrk, test/soak/mix.lua:
# autoconfig GETs and Autodiscover POSTs among others) for LOAD_SECONDS
# (8) each, on 127.0.0.1:18091-18099, while mailautoconf is reloaded
# every half second (SIGHUP: --workers 2 and a single process behind
# nginx, --workers 2 behind Apache, lighttpd's own process) or restarted
# every second as systemd restarts a socket-activated service (the socket
# stays open; a perl stand-in for systemd holds it): every answer must
# be a 200 and no connection may fail.  The stop and start of section
# 10.1 of docs/deploy.md (spawn-fcgi) cannot be lossless (the socket goes
# away meanwhile), nor lighttpd's own reload (a graceful restart that
# drops HTTP keep-alive connections): both are measured and their counts
# printed.  RUN_PARTS ("drive load") picks either half.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
. "$TOP/test/lib.sh"

W=$T_TMP
PIDFILES=""

# ---- helpers ----------------------------------------------------------

# stop everything started through a pid file, newest first
stop_all() {
	for pf in $PIDFILES; do
		[ -s "$pf" ] && stop_pid "$(cat "$pf")"
		rm -f "$pf"
	done
	PIDFILES=""
}

cleanup() {
	stop_all
	rm -rf "$T_TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

started() {
	PIDFILES="$1 $PIDFILES"
}

# install_conf SRC DST PORT: a contrib file with the replacements above
install_conf() {
	contrib_conf "$1" "$W" "$3" |
	    sed -e "s|/var/log/lighttpd/|$(dirname "$2")/|g" >"$2"
}

# fetch METHOD PATH HOST [CURL-ARGS...]: one request to the setup under
# test; sets $code, leaves the headers in $R.head and the body in $R.body
fetch() {
	m=$1
	p=$2
	h=$3
	shift 3
	case $m in
	GET|POST) ;;
	HEAD) set -- -I "$@" ;;
	*) set -- -X "$m" "$@" ;;
	esac
	rm -f "$R.raw" "$R.body"
	code=$(curl -s --noproxy '*' --max-time 5 -o "$R.body" -D "$R.raw" \
	    -w '%{http_code}' -H "Host: $h" "$@" "http://127.0.0.1:$port$p") ||
	    code=000
	tr -d '\r' <"$R.raw" >"$R.head" 2>/dev/null
	touch "$R.body"
}

# want DESC STATUS [CONTENT-TYPE]
want() {
	check_eq "$setup: $1: status" "$2" "$code"
	if [ -n "${3:-}" ]; then
		check_eq "$setup: $1: Content-Type" "$3" "$(header "$R" Content-Type)"
	fi
}

# has DESC STRING: the body holds STRING
has() {
	check "$setup: $1: body has $2" grep -qF -- "$2" "$R.body"
}

XML='text/xml; charset=utf-8'
ADDR=jane.doe@mailbox.org
QADDR=jane.doe%40mailbox.org

# the autoconfig answer for mailbox.org: status, type, well-formed, servers
autoconfig_ok() {
	want "$1" 200 "$XML"
	check "$setup: $1: well-formed" xml_ok "$R.body"
	has "$1" '<hostname>imap.mailbox.org</hostname>'
	has "$1" '<hostname>smtp.mailbox.org</hostname>'
}

# the POX answer for jane.doe@mailbox.org
pox_ok() {
	want "$1" 200 "$XML"
	check "$setup: $1: well-formed" xml_ok "$R.body"
	has "$1" 'xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"'
	has "$1" '<Server>imap.mailbox.org</Server>'
	has "$1" '<Server>smtp.mailbox.org</Server>'
}

# same_as_cgi DESC PATH HOST: through the server, a GET gets what the
# binary itself answers as CGI (status, Content-Type, body): the path
# reaches mailautoconf and the answer comes back unchanged
same_as_cgi() {
	q=
	case $2 in *\?*) q=${2#*\?} ;; esac
	env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
	    REQUEST_URI="$2" QUERY_STRING="$q" HTTP_HOST="$3" \
	    "$W/sbin/mailautoconf" -c "$W/etc/providers.ini" >"$W/cgi" 2>/dev/null
	split_response "$W/cgi"
	st=$(header "$W/cgi" Status)
	st=${st%% *}
	fetch GET "$2" "$3"
	want "$1" "${st:-200}" "$(header "$W/cgi" Content-Type)"
	check "$setup: $1: body as from CGI" cmp -s "$W/cgi.body" "$R.body"
	# every header but the framing ones arrives unchanged
	grep -v -i -e '^status:' -e '^content-length:' "$W/cgi.head" >"$W/cgi.keep"
	while IFS= read -r line; do
		check_eq "$setup: $1: header ${line%%:*}" "${line#*: }" \
		    "$(header "$R" "${line%%:*}")"
	done <"$W/cgi.keep"
	if [ "${st:-200}" != 200 ] && [ -z "$(eval echo "\${noted_$4:-}")" ]; then
		eval "noted_$4=1"
		echo "note: $2 answers $st from mailautoconf itself: only its routing is checked"
	fi
}

# Thunderbird 153's request body, as captured
cat >"$W/pox.xml" <<EOF
<?xml version="1.0" encoding="utf-8"?>
    <Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
      <Request>
        <EMailAddress>$ADDR</EMailAddress>
        <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
      </Request>
    </Autodiscover>
EOF
sed "s/$ADDR/jane@unknown.invalid/" "$W/pox.xml" >"$W/pox-unknown.xml"
# AOSP Exchange / Samsung: the mobilesync schema, for dav.example's
# activesync URL (test/hostile/dav.ini)
sed -e "s/$ADDR/jane@dav.example/" -e 's|/outlook/requestschema/|/mobilesync/requestschema/|' \
    -e 's|/outlook/responseschema/2006a|/mobilesync/responseschema/2006|' \
    "$W/pox.xml" >"$W/ms.xml"
cat >"$W/propfind.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>
EOF

# drive: every request of a setup, on $port
drive() {
	R=$W/$setup/r
	fetch GET "/mail/config-v1.1.xml?emailaddress=$QADDR" autoconfig.mailbox.org
	autoconfig_ok "GET /mail/config-v1.1.xml?emailaddress"
	fetch GET /mail/config-v1.1.xml autoconfig.mailbox.org
	autoconfig_ok "GET /mail/config-v1.1.xml (no query: Host)"
	fetch GET "/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=$QADDR" mailbox.org
	autoconfig_ok "GET /.well-known/autoconfig/mail/config-v1.1.xml?emailaddress"
	fetch GET /.well-known/autoconfig/mail/config-v1.1.xml autoconfig.mailbox.org
	autoconfig_ok "GET /.well-known/autoconfig/mail/config-v1.1.xml (no query)"
	fetch GET "/v1.1/mail/config-v1.1.xml?emailaddress=$QADDR" autoconfig.mailbox.org
	autoconfig_ok "GET /v1.1/mail/config-v1.1.xml"
	fetch GET "/Mail/Config-v1.1.XML?emailaddress=$QADDR" autoconfig.mailbox.org
	autoconfig_ok "GET /Mail/Config-v1.1.XML"
	fetch HEAD "/mail/config-v1.1.xml?emailaddress=$QADDR" autoconfig.mailbox.org
	want "HEAD /mail/config-v1.1.xml" 200 "$XML"
	fetch POST /mail/config-v1.1.xml autoconfig.mailbox.org \
	    -H 'Content-Type: application/x-www-form-urlencoded' \
	    --data-binary "emailaddress=$QADDR"
	autoconfig_ok "POST /mail/config-v1.1.xml (form)"

	for p in /autodiscover/autodiscover.xml /Autodiscover/Autodiscover.xml \
	    /AutoDiscover/AutoDiscover.xml; do
		fetch POST "$p" autodiscover.mailbox.org \
		    -H 'Content-Type: text/xml; charset=utf-8' --data-binary "@$W/pox.xml"
		pox_ok "POST $p"
		has "POST $p" "<LoginName>$ADDR</LoginName>"
		fetch GET "$p" autodiscover.mailbox.org
		pox_ok "GET $p (no body: Host)"
	done
	# Samsung mail: a chunked body, so no CONTENT_LENGTH
	fetch POST /autodiscover/autodiscover.xml autodiscover.mailbox.org \
	    -H 'Content-Type: text/xml' -H 'Transfer-Encoding: chunked' \
	    --data-binary "@$W/pox.xml"
	pox_ok "POST /autodiscover/autodiscover.xml (chunked)"

	# answered by mailautoconf itself, whatever it answers
	same_as_cgi "GET autoconfig, as CGI" "/mail/config-v1.1.xml?emailaddress=$QADDR" \
	    autoconfig.mailbox.org ac
	same_as_cgi "GET JSON" "/autodiscover/autodiscover.json?Email=$QADDR&Protocol=AutodiscoverV1" \
	    autodiscover.mailbox.org json
	same_as_cgi "GET JSON, address in path" \
	    "/autodiscover/autodiscover.json/v1.0/$ADDR?Protocol=Autodiscoverv1&RedirectCount=1" \
	    autodiscover.mailbox.org json
	[ "$code" = 200 ] && has "GET JSON, address in path" \
	    '"Url":"https://autodiscover.mailbox.org/Autodiscover/Autodiscover.xml"'
	same_as_cgi "GET /email.mobileconfig" "/email.mobileconfig?emailaddress=$QADDR" \
	    autoconfig.mailbox.org mobileconfig
	[ "$code" = 200 ] && has "GET /email.mobileconfig" '<string>imap.mailbox.org</string>'
	same_as_cgi "GET /mobileconfig" /mobileconfig autoconfig.mailbox.org mobileconfig

	# calendars and contacts: every method reaches mailautoconf and its
	# redirect comes back as it sent it
	for m in PROPFIND OPTIONS GET REPORT; do
		fetch "$m" /.well-known/caldav dav.example \
		    -H 'Content-Type: application/xml' -H 'Depth: 0' \
		    --data-binary "@$W/propfind.xml"
		want "$m /.well-known/caldav" 307
		check_eq "$setup: $m /.well-known/caldav: Location" \
		    "https://dav.dav.example/caldav/" "$(header "$R" Location)"
	done
	fetch PROPFIND /.Well-Known/CardDAV dav.example
	want "PROPFIND /.Well-Known/CardDAV" 307
	check_eq "$setup: PROPFIND /.Well-Known/CardDAV: Location" \
	    "https://dav.dav.example/carddav/" "$(header "$R" Location)"
	fetch PROPFIND /.well-known/caldav mailbox.org
	want "PROPFIND /.well-known/caldav, no caldav" 404
	# JMAP (RFC 8620 2.2): routed like the DAV ones
	fetch PROPFIND /.well-known/jmap dav.example
	want "PROPFIND /.well-known/jmap" 307
	check_eq "$setup: /.well-known/jmap: Location" \
	    "https://jmap.dav.example/jmap/session" "$(header "$R" Location)"
	# ActiveSync, chunked as Samsung sends it, with Android's password
	fetch POST /autodiscover/autodiscover.xml autodiscover.dav.example \
	    -H 'Content-Type: text/xml' -H 'Transfer-Encoding: chunked' \
	    -H 'Authorization: Basic amFuZTpzM2NyZXQ=' --data-binary "@$W/ms.xml"
	want "POST mobilesync (chunked)" 200 "$XML"
	check "$setup: POST mobilesync: valid against MS-ASCMD 6.2/6.4" sh -c \
	    "xmllint --noout --schema '$TOP/test/schema/autodiscover-response.xsd' '$R.body' 2>/dev/null"
	has "POST mobilesync" '<Url>https://sync.dav.example/Microsoft-Server-ActiveSync</Url>'
	# PACC, on its own host name
	same_as_cgi "GET PACC" /.well-known/user-agent-configuration.json \
	    ua-auto-config.mailbox.org pacc
	check "$setup: GET PACC: JSON" sh -c "jq -e .protocols.imap.host '$R.body' >/dev/null"
	fetch POST /.well-known/user-agent-configuration.json \
	    ua-auto-config.mailbox.org --data-binary x
	want "POST PACC" 405

	fetch GET "/mail/config-v1.1.xml?emailaddress=%00" autoconfig.mailbox.org
	want "GET ?emailaddress=%00" 400
	fetch GET "/mail/config-v1.1.xml?emailaddress=jane%40unknown.invalid" autoconfig.unknown.invalid
	want "GET unknown domain" 404
	fetch POST /autodiscover/autodiscover.xml autodiscover.unknown.invalid \
	    -H 'Content-Type: text/xml' --data-binary "@$W/pox-unknown.xml"
	want "POST Autodiscover, unknown domain" 404
	fetch DELETE /mail/config-v1.1.xml autoconfig.mailbox.org
	want "DELETE /mail/config-v1.1.xml" 405
	check "$setup: DELETE: Allow header" test -n "$(header "$R" Allow)"
	# nothing but mailautoconf's paths is served
	fetch GET /index.html autoconfig.mailbox.org
	want "GET /index.html" 404
}

# run SETUP PORT START-FUNCTION: start, drive, stop; on failure print logs
run() {
	setup=$1
	port=$2
	D=$W/$setup
	mkdir -p "$D"
	before=$T_FAIL
	if ! port_free "$port"; then
		fail "$setup: port $port is in use"
		return
	fi
	if $3 && wait_until listening "$port"; then
		drive
	else
		fail "$setup: server did not start"
	fi
	stop_all
	if [ "$T_FAIL" -ne "$before" ]; then
		for f in "$D"/*error.log "$D"/mailautoconf.log "$D"/fcgiwrap.log; do
			[ -s "$f" ] || continue
			echo "--- $f"
			tail -n 5 "$f"
		done
	fi
}

# ---- the FastCGI process and fcgiwrap, as spawn-fcgi starts them --------

# spawn NAME SOCKET ARGV...: spawn-fcgi, socket usable by the web server
spawn() {
	name=$1
	sock=$2
	shift 2
	if [ -n "$ROOT" ]; then
		set -- -U www-data -G www-data -M 0660 -u "$RUN_USER" -g "$RUN_GROUP" -- "$@"
	else
		set -- -M 0600 -- "$@"
	fi
	spawn-fcgi -s "$sock" -P "$D/$name.pid" "$@" >>"$D/$name.log" 2>&1 &&
	    started "$D/$name.pid" && wait_until test -e "$sock"
}

spawn_mailautoconf() {
	# the same command as in docs/deploy.md (MAC_EXTRA: --workers 2)
	spawn mailautoconf "$W/run/mailautoconf.sock" \
	    "$W/sbin/mailautoconf" -c "$W/etc/providers.ini" ${MAC_EXTRA:-}
}

# ---- nginx --------------------------------------------------------------

start_nginx() {
	install_conf "contrib/$setup.conf" "$D/site.conf" "$port"
	# NO_RETRY: an admin's own file, without the shipped retry
	[ -n "${NO_RETRY:-}" ] && sed -i '/fastcgi_next_upstream/d' "$D/site.conf"
	nginx_conf "$D"
	nginx -q -t -p "$D" -e "$D/error.log" -c "$D/nginx.conf" >>"$D/error.log" 2>&1 &&
	    nginx -p "$D" -e "$D/error.log" -c "$D/nginx.conf" >>"$D/error.log" 2>&1 &&
	    started "$D/nginx.pid"
}

start_nginx_fastcgi() {
	spawn_mailautoconf && start_nginx
}

start_nginx_fcgiwrap() {
	# Debian's fcgiwrap.socket listens on /run/fcgiwrap.socket; fcgiwrap
	# -f sends the program's stderr to nginx's error log
	spawn fcgiwrap "$W/run/fcgiwrap.socket" /usr/sbin/fcgiwrap -f && start_nginx
}

# ---- Apache -------------------------------------------------------------

# start_apache MODULE...: Debian's defaults that matter, and the site
start_apache() {
	install_conf "contrib/$setup.conf" "$D/site.conf" "$port"
	mkdir -p "$D/run"
	{
		cat <<-EOF
		DefaultRuntimeDir $D/run
		PidFile $D/apache2.pid
		ScriptSock $D/run/cgid.sock
		ErrorLog $D/error.log
		LogLevel warn
		Listen 127.0.0.1:$port
		ServerName 127.0.0.1
		LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
		LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
		LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
		LoadModule env_module /usr/lib/apache2/modules/mod_env.so
		EOF
		for m in "$@"; do
			echo "LoadModule ${m}_module /usr/lib/apache2/modules/mod_$m.so"
		done
		[ -n "$ROOT" ] && printf 'User www-data\nGroup www-data\n'
		cat <<-EOF
		DocumentRoot $W/www
		<Directory />
			AllowOverride None
			Require all denied
		</Directory>
		<Directory $W/www>
			Require all granted
		</Directory>
		Include $D/site.conf
		EOF
	} >"$D/apache2.conf"
	# ScriptSock is mod_cgid's only
	case " $* " in *" cgid "*) ;; *) sed -i '/^ScriptSock/d' "$D/apache2.conf" ;; esac
	apache2 -t -f "$D/apache2.conf" >>"$D/error.log" 2>&1 &&
	    apache2 -f "$D/apache2.conf" -k start >>"$D/error.log" 2>&1 &&
	    wait_until test -e "$D/apache2.pid" && started "$D/apache2.pid"
}

start_apache_cgi() {
	start_apache cgid
}

start_apache_proxy_fcgi() {
	spawn_mailautoconf && start_apache proxy proxy_fcgi
}

# ---- lighttpd -----------------------------------------------------------

start_lighttpd() {
	install_conf "contrib/$setup.conf" "$D/site.conf" "$port"
	{
		cat <<-EOF
		server.modules = ( "mod_indexfile", "mod_access", "mod_alias", "mod_redirect" )
		server.document-root = "$W/www"
		server.errorlog = "$D/error.log"
		server.pid-file = "$D/lighttpd.pid"
		server.bind = "127.0.0.1"
		server.port = $port
		EOF
		[ -n "$ROOT" ] && printf 'server.username = "www-data"\nserver.groupname = "www-data"\n'
		echo "include \"$D/site.conf\""
	} >"$D/lighttpd.conf"
	# lighttpd opens its log after dropping privileges
	: >"$D/error.log"
	: >"$D/breakage.log"
	[ -n "$ROOT" ] && chown www-data "$D/error.log" "$D/breakage.log"
	lighttpd -tt -f "$D/lighttpd.conf" >>"$D/error.log" 2>&1 &&
	    lighttpd -f "$D/lighttpd.conf" >>"$D/error.log" 2>&1 &&
	    wait_until test -e "$D/lighttpd.pid" && started "$D/lighttpd.pid"
}

start_lighttpd_cgi() {
	start_lighttpd
}

start_lighttpd_fastcgi() {
	start_lighttpd
}

# ---- main ---------------------------------------------------------------

for t in curl xmllint jq nginx apache2 lighttpd spawn-fcgi /usr/sbin/fcgiwrap; do
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

ROOT=
RUN_USER=nobody
RUN_GROUP=nogroup
[ "$(id -u)" -eq 0 ] && ROOT=1

# WORK must be readable by the servers' unprivileged workers
chmod 755 "$W"
mkdir -p "$W/sbin" "$W/etc" "$W/run/lighttpd" "$W/www"
cp "$MAC_BIN" "$W/sbin/mailautoconf"
# the shipped file, and a provider with calendars and contacts
cat providers.ini test/hostile/dav.ini >"$W/etc/providers.ini"
chmod 755 "$W/sbin/mailautoconf" "$W/sbin" "$W/etc" "$W/run" "$W/www"
chmod 644 "$W/etc/providers.ini"
[ -n "$ROOT" ] && chown www-data:www-data "$W/run/lighttpd"

case " ${RUN_PARTS:-drive load} " in *" drive "*)
run nginx-fastcgi 18081 start_nginx_fastcgi
run nginx-fcgiwrap 18082 start_nginx_fcgiwrap
run apache-cgi 18083 start_apache_cgi
run apache-proxy-fcgi 18084 start_apache_proxy_fcgi
run lighttpd-cgi 18085 start_lighttpd_cgi
check "lighttpd-cgi: mailautoconf's lines reach server.breakagelog" \
    grep -q 'unknown domain' "$W/lighttpd-cgi/breakage.log"
run lighttpd-fastcgi 18086 start_lighttpd_fastcgi

;; esac

# ---- under load: reloads and restarts ------------------------------------

LOAD_SECONDS=${LOAD_SECONDS:-8}

# the pid to signal: spawn-fcgi's pid file, or lighttpd's own child
mac_pid() {
	if [ -s "$D/mailautoconf.pid" ]; then
		cat "$D/mailautoconf.pid"
	else
		pgrep -P "$(cat "$D/lighttpd.pid")" -x mailautoconf | head -n 1
	fi
}

hup() {
	kill -HUP "$(mac_pid)"
}

# lighttpd's own reload (Debian's lighttpd.service: SIGUSR1, a graceful
# restart that starts its FastCGI process again)
lighttpd_reload() {
	kill -USR1 "$(cat "$D/lighttpd.pid")"
}

# systemd's restart of a socket-activated service: SIGTERM, wait until it
# has gone, start it again on the socket it holds (activator.pl)
restart_activated() {
	kill -USR1 "$(cat "$D/activator.pid")" && sleep 0.3
}

# the stop and start of docs/deploy.md section 10.1, as written there
restart_spawned() {
	kill -TERM "$(cat "$D/mailautoconf.pid")"
	while kill -0 "$(cat "$D/mailautoconf.pid")" 2>/dev/null; do sleep 0.1; done
	rm -f "$D/mailautoconf.pid"
	spawn_mailautoconf
}

start_nginx_activated() {
	sock=$W/run/mailautoconf.sock
	rm -f "$sock"
	U=
	[ -n "$ROOT" ] && U="--user $RUN_USER"
	perl "$TOP/test/web/activator.pl" "$sock" "$D/activator.pid" \
	    "$W/sbin/mailautoconf" $U -c "$W/etc/providers.ini" \
	    >>"$D/activator.log" 2>&1 &
	wait_until test -s "$D/activator.pid" && started "$D/activator.pid" &&
	    wait_until test -S "$sock" && start_nginx
}

# loaded NAME SETUP PORT START EVERY ACTION: SETUP (a contrib/ file)
# started by START on PORT, under wrk for LOAD_SECONDS, ACTION every EVERY
# seconds; sets REQ, BAD, SOCKERR and ACTIONS
loaded() {
	setup=$2
	port=$3
	D=$W/$1
	mkdir -p "$D"
	REQ=0 BAD=0 SOCKERR=0 ACTIONS=0
	if ! port_free "$port"; then
		fail "$1: port $port is in use"
		return
	fi
	if ! { $4 && wait_until listening "$port"; }; then
		fail "$1: did not start"
		stop_all
		return
	fi
	wrk -t 2 -c 12 -d "${LOAD_SECONDS}s" -s "$TOP/test/soak/mix.lua" \
	    "http://127.0.0.1:$port" >"$D/wrk" 2>&1 &
	wp=$!
	sleep "$5"
	while kill -0 "$wp" 2>/dev/null; do
		$6 && ACTIONS=$((ACTIONS + 1))
		sleep "$5"
	done
	wait "$wp"
	wrk_figures "$D/wrk"
	echo "$1: $REQ answers in ${LOAD_SECONDS} s, $ACTIONS x $6," \
	    "non-2xx $BAD, socket errors $SOCKERR"
	[ "$SOCKERR" = 0 ] || grep 'Socket errors' "$D/wrk"
	check "$1: mailautoconf still serves" sh -c "curl -s --max-time 5 \
	    -o /dev/null -w '%{http_code}' -H 'Host: autoconfig.mailbox.org' \
	    'http://127.0.0.1:$port/mail/config-v1.1.xml?emailaddress=$QADDR' |
	    grep -qx 200"
	stop_all
}

# lossless NAME ...: loaded, and nothing may be lost
lossless() {
	loaded "$@"
	check "$1: answers counted" test "$REQ" -gt 0
	check "$1: $5 s apart, happened" test "$ACTIONS" -ge 4
	check_eq "$1: every answer 200 (wrk's non-2xx)" 0 "$BAD"
	check_eq "$1: no socket error" 0 "$SOCKERR"
	if [ "$BAD" != 0 ] || [ "$SOCKERR" != 0 ]; then
		grep -h -m 5 -e error -e failed "$D"/*error.log 2>/dev/null
	fi
}

case " ${RUN_PARTS:-drive load} " in *" load "*)
if ! command -v wrk >/dev/null || ! command -v perl >/dev/null; then
	fail "wrk and perl are needed (test/deps.sh web)"
	finish
	exit
fi
MAC_EXTRA="--workers 2" lossless nginx-workers nginx-fastcgi 18091 \
    start_nginx_fastcgi 0.5 hup
lossless nginx-single nginx-fastcgi 18092 start_nginx_fastcgi 0.5 hup
# the server loses nothing by itself: nginx without the shipped retry
NO_RETRY=1 MAC_EXTRA="--workers 2" lossless nginx-workers-noretry \
    nginx-fastcgi 18097 start_nginx_fastcgi 0.5 hup
MAC_EXTRA="--workers 2" lossless apache-workers apache-proxy-fcgi 18093 \
    start_apache_proxy_fcgi 0.5 hup
lossless lighttpd-own lighttpd-fastcgi 18094 start_lighttpd_fastcgi 0.5 hup
loaded lighttpd-reload lighttpd-fastcgi 18099 start_lighttpd_fastcgi 1 \
    lighttpd_reload
lossless nginx-activated nginx-fastcgi 18095 start_nginx_activated 1 \
    restart_activated
NO_RETRY=1 loaded nginx-activated-noretry nginx-fastcgi 18098 \
    start_nginx_activated 1 restart_activated
loaded nginx-spawn-restart nginx-fastcgi 18096 start_nginx_fastcgi 1 \
    restart_spawned
check "nginx-spawn-restart: restarts measured" test "$ACTIONS" -ge 2
;; esac

finish
