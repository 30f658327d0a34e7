#!/bin/sh
# t20-probe.sh: mailautoconf-probe against a test deployment built from
# real parts, all on 127.0.0.1 ports 18400-18499:
#   dnsmasq   the zones example.test and hoster.test (port 18453): the
#             records `mailautoconf --dns` prints, plus test/probe/base.dns;
#             once also NSD (port 18454), authoritative, from zone files
#   nginx     contrib/nginx-fastcgi.conf twice (autoconfig.*/autodiscover.*
#             and example.test), its TLS lines switched on with
#             certificates from a test CA (https 18443, http 18480)
#   mailautoconf  as FastCGI behind it (spawn-fcgi), test/probe/providers.ini
#   Dovecot   IMAP, POP3 and submission, implicit TLS and STARTTLS
# The probe reaches them through --resolver, --ca and --connect-to (each
# standard port to ours).  The working deployment probes green for every
# client; then each breakage alone gives its verdict and fix for the
# clients it hurts and leaves the others green.  Needs root (Dovecot).
# MAC_PROBE: the probe under test; MAC_WRAP wraps it (valgrind).
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
. "$TOP/test/lib.sh"

: "${MAC_PROBE:=./mailautoconf-probe}"
W=$T_TMP
# every text report is kept here: its fix lines must make a loadable zone
FIXES=$W/fixes
D=$TOP/test/probe
CT=""
for m in 443:18443 80:18480 993:18493 143:18414 995:18495 110:18410 \
    465:18465 587:18487; do
	CT="$CT --connect-to :${m%%:*}::${m#*:}"
done

# ---- servers ------------------------------------------------------------

stop_pidfile() {
	[ -s "$1" ] || return 0
	pid=$(cat "$1")
	kill -TERM "$pid" 2>/dev/null
	n=0
	# a daemon's zombie counts as gone (its reaper may not be us)
	while kill -0 "$pid" 2>/dev/null && [ $n -lt 50 ] &&
	    ! grep -q '^State:.*zombie' "/proc/$pid/status" 2>/dev/null; do
		sleep 0.1
		n=$((n + 1))
	done
	rm -f "$1"
}

stop_all() {
	stop_pidfile "$W/ng/nginx.pid"
	stop_pidfile "$W/fcgi.pid"
	stop_pidfile "$W/dnsmasq.pid"
	[ -f "$W/dovecot.conf" ] && dovecot -c "$W/dovecot.conf" stop 2>/dev/null
	stop_pidfile "$W/dovecot/run/master.pid"
}
trap 'stop_all; stop_pidfile "$W/front.pid"; stop_pidfile "$W/silent.pid"
    rm -rf "$T_TMP"' EXIT
trap 'exit 1' INT TERM HUP

# until something listens on 127.0.0.1:PORT, 5 s at most
wait_port() {
	n=0
	while [ $n -lt 50 ]; do
		socat -u OPEN:/dev/null "TCP:127.0.0.1:$1,connect-timeout=1" \
		    2>/dev/null && return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}

# ca; leaf NAME DAYS DNS...: a certificate of the test CA for these names
ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout "$W/ca.key" -out "$W/ca.crt" -days 30 \
	    -subj "/CN=mailautoconf probe test CA" 2>/dev/null
}
leaf() {
	n=$1
	days=$2
	shift 2
	san=$(printf 'DNS:%s,' "$@")
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
	    "${san%,}" >"$W/$n.ext"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout "$W/$n.key" -out "$W/$n.csr" -subj "/CN=$1" 2>/dev/null &&
	    openssl x509 -req -in "$W/$n.csr" -CA "$W/ca.crt" -CAkey "$W/ca.key" \
	    -CAcreateserial -days "$days" -out "$W/$n.crt" -extfile "$W/$n.ext" \
	    2>/dev/null
}

# dns_opts: the lines of `mailautoconf --dns` on stdin as dnsmasq options
dns_opts() {
	awk '
	    $4 == "CNAME" { sub(/\.$/, "", $1); sub(/\.$/, "", $5)
		print "cname=" $1 "," $5 }
	    $4 == "SRV" { sub(/\.$/, "", $1); sub(/\.$/, "", $8)
		if ($8 == "") print "srv-host=" $1
		else print "srv-host=" $1 "," $8 "," $7 "," $5 "," $6 }
	    $4 == "TXT" { sub(/\.$/, "", $1)
		print "txt-record=" $1 "," substr($0, index($0, "\"")) }'
}

# dns [SED]: the zones, the lines of `mailautoconf --dns` as dnsmasq options
dns() {
	stop_pidfile "$W/dnsmasq.pid"
	{
		grep -v '^#' "$D/base.dns"
		[ -n "${DNS_EXTRA:-}" ] && cat "$DNS_EXTRA"
		./mailautoconf --dns ${DNS_ONLY-example.test} \
		    -c "${DNS_INI:-$D/providers.ini}" | dns_opts
	} | sed -e "${1:-}" >"$W/dns.conf"
	dnsmasq --conf-file="$W/dns.conf" --no-resolv --no-hosts --no-poll \
	    --log-queries --port=18453 --listen-address=127.0.0.1 --bind-interfaces \
	    --local=/test/ --pid-file="$W/dnsmasq.pid" --user=root \
	    --log-facility="$W/dnsmasq.log" 2>>"$W/dnsmasq.log"
}

# site CERT SERVER_NAME [TLS]: contrib/nginx-fastcgi.conf, only its host,
# port and path lines changed (as test/web/run.sh does), TLS lines on
site() {
	tls='s|#listen 443 ssl;|listen 127.0.0.1:18443 ssl;|'
	[ "${3:-tls}" = notls ] && tls='/#listen 443 ssl;/d'
	contrib_conf contrib/nginx-fastcgi.conf "$W" 18480 |
	    sed -e "$tls" -e '/#listen \[::\]:443 ssl;/d' \
	    -e "s|#ssl_certificate /etc/letsencrypt/live/autoconfig.example.org/fullchain.pem;|ssl_certificate $W/$1.crt;|" \
	    -e "s|#ssl_certificate_key /etc/letsencrypt/live/autoconfig.example.org/privkey.pem;|ssl_certificate_key $W/$1.key;|" \
	    -e "s|server_name autoconfig.\* autodiscover.\*;|server_name $2;|"
}

# web [CERT] [notls] [EXTRA]: nginx with both server blocks; EXTRA is
# nginx text put at the top of each (a breakage)
web() {
	stop_pidfile "$W/ng/nginx.pid"
	{
		site "${1:-web}" 'autoconfig.* autodiscover.*' "${2:-tls}"
		# the second copy serves DOMAIN itself: one upstream block is enough
		site dom example.test "${2:-tls}" |
		    sed '/^upstream mailautoconf {/,/^}/d'
	} | awk -v extra="${3:-}" '{ print } /server_name/ && extra != "" { print extra }' \
	    >"$W/ng/site.conf"
	nginx -p "$W/ng" -e "$W/ng/error.log" -c "$W/ng/nginx.conf" \
	    2>>"$W/ng/error.log" && wait_port 18480
}

# mac [CONF]: mailautoconf as FastCGI, answering from CONF
mac() {
	stop_pidfile "$W/fcgi.pid"
	rm -f "$W/run/mailautoconf.sock"
	cp "${1:-$D/providers.ini}" "$W/etc/providers.ini"
	spawn-fcgi -s "$W/run/mailautoconf.sock" -P "$W/fcgi.pid" -M 0666 \
	    -u nobody -g nogroup -- "$W/sbin/mailautoconf" \
	    -c "$W/etc/providers.ini" >>"$W/fcgi.log" 2>&1
}

# mail [CERT]: Dovecot with this certificate
mail() {
	[ -f "$W/dovecot.conf" ] && dovecot -c "$W/dovecot.conf" stop 2>/dev/null
	stop_pidfile "$W/dovecot/run/master.pid"
	sed -e "s|@W@|$W|g" -e "s|@CERT@|${1:-mail}|g" "$D/dovecot.conf.in" \
	    >"$W/dovecot.conf"
	dovecot -c "$W/dovecot.conf" 2>>"$W/dovecot.err" && wait_port 18493 &&
	    wait_port 18465
}

# ---- the probe ------------------------------------------------------------

# probe [ARGS]: run it on jane@example.test twice (text, --json); sets rc
# under valgrind a TLS handshake may take longer than the clients' 5 s
TO=
[ "${MAC_SUITE_TAG:-}" = valgrind ] && TO="--timeout 60"

probe() {
	[ -n "${VERBOSE:-}" ] && date +"%T $case"
	conf=${PROBE_CONF:-$D/providers.ini}
	$MAC_WRAP $MAC_PROBE -c "$conf" --resolver "${RES:-127.0.0.1:18453}" \
	    --ca "$W/ca.crt" ${PRE:-} $CT $TO "$@" jane@example.test >"$W/out" \
	    2>"$W/err"
	rc=$?
	[ -n "${FIXES:-}" ] && cat "$W/out" >>"$FIXES"
	$MAC_WRAP $MAC_PROBE -c "$conf" --resolver "${RES:-127.0.0.1:18453}" \
	    --ca "$W/ca.crt" ${PRE:-} $CT $TO --json "$@" jane@example.test \
	    >"$W/json" 2>>"$W/err"
	jrc=$?
	[ "$rc" = "$jrc" ] || fail "$case: text and --json exit $rc and $jrc"
	jq -e . "$W/json" >/dev/null 2>&1 || fail "$case: --json is not JSON"
}

# conf_probe SED NAME: the test config changed by SED, served by
# mailautoconf and compared by the probe
conf_probe() {
	sed "$1" "$D/providers.ini" >"$W/$2.ini"
	mac "$W/$2.ini"
	PROBE_CONF=$W/$2.ini probe
}

# conf_compare SED NAME: the probe compares with the changed config, the
# server still answers from the test config
conf_compare() {
	sed "$1" "$D/providers.ini" >"$W/$2.ini"
	PROBE_CONF=$W/$2.ini probe
}

# verdicts WANT: "thunderbird=ok k9=fail ..." for the five real clients
verdicts() {
	got=$(jq -r '[.clients[] | select(.future | not) |
	    "\(.id)=\(.verdict)"] | join(" ")' "$W/json" 2>/dev/null)
	check_eq "$case: verdicts" "$1" "$got"
}

# has TEXT: the human output holds TEXT
has() {
	if grep -qF -- "$1" "$W/out"; then
		ok "$case: says $1"
	else
		fail "$case: output lacks '$1'"
		sed -n '/^thunderbird /,$p' "$W/out"
	fi
}

# only_in TEXT CLIENTS: exactly these clients' steps mention TEXT
only_in() {
	got=$(jq -r --arg t "$1" '[.clients[] | select([.steps[] |
	    (.problem + " " + .fix) | contains($t)] | any) | .id] | join(" ")' \
	    "$W/json" 2>/dev/null)
	check_eq "$case: clients whose steps say $1" "$2" "$got"
}

# ascii_only FILE: printable ASCII and newlines only
ascii_only() {
	! LC_ALL=C tr -d '\n' <"$1" | LC_ALL=C grep -q '[^ -~]'
}

# step CLIENT N VERDICT
step() {
	got=$(jq -r --arg c "$1" --argjson n "$2" '.clients[] |
	    select(.id == $c) | .steps[$n - 1].verdict' "$W/json" 2>/dev/null)
	check_eq "$case: $1 step $2" "$3" "$got"
}

ALL_OK="thunderbird=ok k9=ok fairemail=ok outlook=ok apple=ok"

# Under valgrind (MAC_SUITE_TAG=valgrind) one probe costs seconds: the
# working deployment, bad input and these breakages only.
QUICK="certificate for the wrong name|SSL on a STARTTLS port|a plain entry"
QUICK="$QUICK|short MX and SRV records|a fleet"
want_case() {
	[ "${MAC_SUITE_TAG:-}" != valgrind ] && return 0
	case "|$QUICK|" in *"|$case|"*) return 0 ;; esac
	return 1
}

# ---- set-up ---------------------------------------------------------------

for t in dnsmasq nsd nginx dovecot spawn-fcgi openssl jq socat; do
	if ! command -v "$t" >/dev/null 2>&1; then
		fail "$t is not installed (test/deps.sh probe)"
		finish
		exit
	fi
done
if [ ! -x "$MAC_PROBE" ] || [ ! -x ./mailautoconf ]; then
	fail "$MAC_PROBE or ./mailautoconf missing: make all probe"
	finish
	exit
fi
if [ "$(id -u)" -ne 0 ]; then
	fail "t20 runs Dovecot and spawn-fcgi as root: run it as root"
	finish
	exit
fi

# the probe's libraries stay out of mailautoconf (a CGI start pays
# nothing for them); its page is clean and names every option of --help
libs=$(ldd "${MAC_BIN:-./mailautoconf}" 2>/dev/null | grep -E -o 'lib(curl|ldns|psl|crypto|ssl)[^ ]*' | tr '\n' ' ')
check_eq "mailautoconf links none of the probe's libraries" "" "$libs"
check "mailautoconf holds none of the probe's code" \
    sh -c "! nm \"${MAC_BIN:-./mailautoconf}\" 2>/dev/null | grep -q ' pp_\\| pn_\\| pd_\\| pc_'"
check_eq "mandoc -Tlint docs/mailautoconf-probe.8" "" \
    "$(mandoc -Tlint -Wwarning docs/mailautoconf-probe.8 2>&1)"
for o in $($MAC_PROBE --help | grep -o -- '--[a-z-]*' | sort -u); do
	check "mailautoconf-probe.8 documents $o" \
	    grep -q -- "Fl \\\\-${o#--}" docs/mailautoconf-probe.8
done

chmod 755 "$W"
mkdir -p "$W/ng/tmp" "$W/run" "$W/sbin" "$W/etc" "$W/dovecot/run" \
    "$W/dovecot/state" "$W/dovecot/home"
chmod 755 "$W/run" "$W/sbin" "$W/etc"
cp "${MAC_BIN:-./mailautoconf}" "$W/sbin/mailautoconf"
cp /etc/nginx/fastcgi_params "$W/ng/"
cat >"$W/ng/nginx.conf" <<EOF
pid $W/ng/nginx.pid;
error_log $W/ng/error.log;
worker_processes 1;
events { worker_connections 64; }
http {
	access_log $W/ng/access.log;
	client_body_temp_path $W/ng/tmp/body;
	fastcgi_temp_path $W/ng/tmp/fastcgi;
	proxy_temp_path $W/ng/tmp/proxy;
	uwsgi_temp_path $W/ng/tmp/uwsgi;
	scgi_temp_path $W/ng/tmp/scgi;
	include $W/ng/site.conf;
}
EOF
ca
# web_host and every name that points at it; example.test has its own block
leaf web 30 autoconfig.example.test autodiscover.example.test web.hoster.test \
    autoconfig.mail.hoster.test autoconfig.hoster.test ua-auto-config.example.test
leaf dom 30 example.test
leaf mail 30 imap.example.test smtp.example.test
leaf wrong 30 web.hoster.test
leaf expired -1 autoconfig.example.test autodiscover.example.test \
    web.hoster.test autoconfig.mail.hoster.test autoconfig.hoster.test
leaf mailwrong 30 mail.hoster.test
leaf many 30 web.hoster.test n1.hoster.test n2.hoster.test n3.hoster.test \
    n4.hoster.test n5.hoster.test n6.hoster.test n7.hoster.test \
    n8.hoster.test n9.hoster.test
# wildcards: one label each, so not autoconfig.mail.hoster.test
leaf wild 30 '*.example.test' '*.hoster.test'
# a hoster's: the names the probe needs after a dozen others
leaf late 30 n1.hoster.test n2.hoster.test n3.hoster.test n4.hoster.test \
    n5.hoster.test n6.hoster.test n7.hoster.test n8.hoster.test \
    n9.hoster.test n10.hoster.test n11.hoster.test n12.hoster.test \
    autoconfig.example.test autodiscover.example.test web.hoster.test \
    autoconfig.mail.hoster.test autoconfig.hoster.test ua-auto-config.example.test
check "test certificates made" test -s "$W/mailwrong.crt"

if ! { dns && mac && web && mail; }; then
	fail "the test deployment did not start"
	for f in "$W/dnsmasq.log" "$W/ng/error.log" "$W/fcgi.log" \
	    "$W/dovecot.err" "$W/dovecot/log"; do
		[ -s "$f" ] && { echo "--- $f"; tail -n 5 "$f"; }
	done
	finish
	exit
fi

# ---- make bench-probe: --all over many domains (a measurement, no test) ----

if [ -n "${T20_BENCH_DOMAINS:-}" ]; then
	# N more domains of the test provider, deployed as docs/deploy.md
	# section 11 tells hosters: the records of `mailautoconf --dns
	# --srv-only` and an MX each, the one certificate of the web server.
	# All lead to the same web server and mail servers, as a hoster's do.
	cp "$D/providers.ini" "$W/bench.ini"
	i=1
	while [ "$i" -le "$T20_BENCH_DOMAINS" ]; do
		echo "domains = b$i.test" >>"$W/bench.ini"
		echo "mx-host=b$i.test,mx.mail.hoster.test,10" >>"$W/bench.mx"
		i=$((i + 1))
	done
	./mailautoconf --dns --srv-only -c "$W/bench.ini" |
	    grep -v '^[^[:space:]]*example\.test\.[[:space:]]' | dns_opts \
	    >>"$W/bench.mx"
	DNS_INI=$W/bench.ini DNS_EXTRA=$W/bench.mx dns
	mac "$W/bench.ini"
	wait_until test -s "$W/dnsmasq.pid"
	for jobs in ${T20_BENCH_JOBS:-4}; do
		/usr/bin/time -f "wall %e s, user %U s, system %S s, peak RSS %M KiB (time -f)" \
		    $MAC_PROBE -c "$W/bench.ini" --resolver 127.0.0.1:18453 \
		    --ca "$W/ca.crt" $CT --jobs "$jobs" --all \
		    >"$W/bench.out" 2>"$W/bench.err"
		echo "mailautoconf-probe --all --jobs $jobs over" \
		    "$((T20_BENCH_DOMAINS + 1)) domains: exit $?"
		sed -n '/^summary:/,$p' "$W/bench.out"
		tail -n 1 "$W/bench.err"
		# T20_BENCH_OUT: a file for the whole report, to read
		[ -z "${T20_BENCH_OUT:-}" ] || cp "$W/bench.out" "$T20_BENCH_OUT"
	done
	exit 0
fi

# ---- the working deployment ------------------------------------------------

case=working
probe
check_eq "$case: exit status" 0 "$rc"
verdicts "$ALL_OK"
has "thunderbird  ok    sets up from step 1 (GET https://autoconfig.example.test/mail/config-v1.1.xml?emailaddress=jane%40example.test)"
has "outlook      ok    sets up from step 1 (GET https://example.test/autodiscover/autodiscover.json"
has "fairemail    ok    sets up from step 1 (SRV _imaps._tcp"
# the test certificates were made for 30 days a moment ago
check "$case: IMAP server checked, days to expiry" grep -Eq \
    'ok    server imap imap.example.test:993 SSL \(default\), certificate valid for (29|30) days' "$W/out"
check "$case: submission server checked, days to expiry" grep -Eq \
    'ok    server smtp smtp.example.test:587 STARTTLS, certificate valid for (29|30) days' "$W/out"
step thunderbird 7 ok
step thunderbird 10 ok
step outlook 5 ok
# Thunderbird for Android's MX-based look-up carries no address: the
# hoster's name itself would have to be in providers.ini
step k9 5 warn
has "fix: no address in this request: mailautoconf answers for the Host, mail.hoster.test, which providers.ini lacks"
# mailautoconf serves PACC, --dns gives its CNAME and TXT digest
check_eq "$case: PACC is served, marked future" "ok true" \
    "$(jq -r '.clients[] | select(.id == "pacc") | "\(.verdict) \(.future)"' "$W/json")"
# mailautoconf has no ActiveSync to offer: said, and no failure
check_eq "$case: MobileSync skipped, not counted" "skip true" \
    "$(jq -r '.clients[] | select(.id == "mobilesync") | "\(.verdict) \(.future)"' "$W/json")"
has "mobilesync   skip  no MobileSync answer: Exchange accounts of Android, Samsung Email and new Outlook cannot set up; IMAP clients are unaffected"
check_eq "$case: servers checked for Thunderbird" 5 \
    "$(jq '[.clients[0].servers[] | select(.verdict == "ok")] | length' "$W/json")"

# The same deployment through NSD, an authoritative server for both zones
# (no recursion: the answers carry the aliases across the two zones)
case="authoritative DNS (NSD)"
if want_case; then
	mkdir -p "$W/nsd"
	sed "s|@W@|$W|g" "$D/nsd.conf.in" >"$W/nsd/nsd.conf"
	cp "$D/hoster.test.zone" "$W/nsd/"
	{
		cat "$D/example.test.zone"
		./mailautoconf --dns example.test -c "$D/providers.ini"
	} >"$W/nsd/example.test.zone"
	if nsd -c "$W/nsd/nsd.conf" 2>>"$W/nsd/nsd.err" &&
	    wait_until test -s "$W/nsd/nsd.pid"; then
		$MAC_WRAP $MAC_PROBE -c "$D/providers.ini" --resolver 127.0.0.1:18454 \
		    --ca "$W/ca.crt" $CT $TO --json jane@example.test >"$W/json" 2>"$W/err"
		check_eq "$case: exit status" 0 "$?"
		verdicts "$ALL_OK"
		# autoconfig.example.test is an alias into hoster.test
		step thunderbird 1 ok
		step apple 1 ok
	else
		fail "$case: nsd did not start: $(tail -n 2 "$W/nsd/nsd.err" "$W/nsd/nsd.log" 2>/dev/null)"
	fi
	stop_pidfile "$W/nsd/nsd.pid"
fi

# ---- each breakage alone ---------------------------------------------------
# Each case undoes its breakage at its end: a later case may run alone.

case="missing CNAME"
if want_case; then
	dns '/^cname=autoconfig.example.test,/d'
	probe
	check_eq "$case: exit status" 1 "$rc"
	verdicts "thunderbird=ok k9=ok fairemail=ok outlook=ok apple=fail"
	has "autoconfig.example.test has no address (no such name)"
	has "fix: publish \`autoconfig.example.test. CNAME web.hoster.test.\`"
	has "thunderbird  ok    sets up from step 2"
	step thunderbird 1 fail
	dns
fi

case="certificate for the wrong name"
if want_case; then
	web wrong
	probe
	check_eq "$case: exit status" 1 "$rc"
	verdicts "thunderbird=ok k9=ok fairemail=ok outlook=ok apple=fail"
	has "the certificate for autoconfig.example.test covers only web.hoster.test"
	has "fix: add autoconfig.example.test to the certificate's names"
	has "the certificate for autodiscover.example.test covers only web.hoster.test"
	has "outlook      ok    sets up from step 1"
	web
fi

case="expired certificate"
if want_case; then
	web expired
	probe
	check_eq "$case: exit status" 1 "$rc"
	verdicts "thunderbird=ok k9=ok fairemail=ok outlook=ok apple=fail"
	has "the certificate of autoconfig.example.test expired"
	cp "$W/out" "$W/expired.out"
	has "fix: renew the certificate of autoconfig.example.test"
	only_in "expired" "thunderbird k9 fairemail outlook apple pacc mobilesync"
	web
fi

case="404 on /mail/config-v1.1.xml"
if want_case; then
	web web tls 'location ~* "config-v1\.1\.xml$" { return 404; }'
	probe
	check_eq "$case: exit status" 1 "$rc"
	verdicts "thunderbird=ok k9=fail fairemail=ok outlook=ok apple=ok"
	has "https://autoconfig.example.test/mail/config-v1.1.xml answers HTTP 404"
	has "fix: route this path to mailautoconf"
	has "thunderbird  ok    sets up from step 7 (POST https://autodiscover.example.test/autodiscover/autodiscover.xml)"
	has "k9           FAIL  no step gives an answer Thunderbird for Android (K-9) accepts"
	web
fi

case="text/plain"
if want_case; then
	mkdir -p "$W/static/mail" "$W/static/.well-known/autoconfig/mail"
	env -i GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET HTTP_HOST=autoconfig.example.test \
	    REQUEST_URI=/mail/config-v1.1.xml ./mailautoconf -c "$D/providers.ini" |
	    sed '1,/^\r*$/d' >"$W/static/mail/config-v1.1.xml"
	cp "$W/static/mail/config-v1.1.xml" "$W/static/.well-known/autoconfig/mail/"
	check "$case: static copy is well-formed" xml_ok "$W/static/mail/config-v1.1.xml"
	chmod -R a+rX "$W/static"
	web web tls "location ~* \"config-v1\\.1\\.xml\$\" { root $W/static; types { } default_type text/plain; }"
	probe
	check_eq "$case: exit status" 1 "$rc"
	verdicts "thunderbird=ok k9=fail fairemail=ok outlook=ok apple=ok"
	has "Content-Type is \`text/plain\`, Thunderbird 153 (desktop) reads only text/xml, application/xml or text/rdf"
	has "fix: send \`Content-Type: text/xml\`"
	has "thunderbird  ok    sets up from step 7"
	web
fi

case="http only"
if want_case; then
	web web notls
	probe
	check_eq "$case: exit status" 1 "$rc"
	verdicts "thunderbird=ok k9=ok fairemail=ok outlook=fail apple=fail"
	has "autoconfig.example.test does not connect on port 443"
	has "fix: serve https for autoconfig.example.test (\`listen 443 ssl;\`"
	has "thunderbird  ok    sets up from step 3 (GET http://autoconfig.example.test/"
	has "k9           ok    sets up from step 3"
	web
fi

case="_autodiscover._tcp SRV to a wrong host"
if want_case; then
	dns 's/^srv-host=_autodiscover._tcp.example.test,web.hoster.test,/srv-host=_autodiscover._tcp.example.test,mx.mail.hoster.test,/'
	probe
	check_eq "$case: exit status" 0 "$rc"
	verdicts "$ALL_OK"
	step thunderbird 10 warn
	step outlook 5 warn
	has "the certificate for mx.mail.hoster.test covers only"
	has "fix: publish \`_autodiscover._tcp.example.test. SRV 0 0 443 web.hoster.test.\` (now mx.mail.hoster.test:443; the target must serve Autodiscover with a certificate for its name)"
	only_in "_autodiscover._tcp" "thunderbird outlook"
	dns
fi

case="MX-based host missing"
if want_case; then
	dns '/^cname=autoconfig\.\(mail\.\)*hoster\.test,/d'
	probe
	check_eq "$case: exit status" 0 "$rc"
	verdicts "$ALL_OK"
	step thunderbird 5 warn
	step thunderbird 6 warn
	has "autoconfig.mail.hoster.test has no address (no such name)"
	has "fix: publish \`autoconfig.hoster.test. CNAME web.hoster.test.\`"
	only_in "autoconfig.mail.hoster.test has no address" "thunderbird k9"
	dns
fi

case="SSL on a STARTTLS port"
if want_case; then
	conf_probe 's/^imap = imap.example.test:993 ssl/imap = imap.example.test:143 ssl/' sslport
	check_eq "$case: exit status" 1 "$rc"
	# -c is compared on the SRV path too: DNS still names the old servers
	verdicts "thunderbird=fail k9=fail fairemail=fail outlook=fail apple=fail"
	has "imap.example.test:143 speaks STARTTLS (plain greeting), the answer says SSL"
	has "fix: announce \`imap = imap.example.test:143 starttls\` (or SSL on port 993)"
	mac
fi

case="STARTTLS on an implicit-TLS port"
if want_case; then
	# the client waits for a greeting that never comes (5 s), as the probe
	conf_probe 's/^imap = imap.example.test:993 ssl/imap = imap.example.test:993 starttls/' starttlsport
	check_eq "$case: exit status" 1 "$rc"
	# -c is compared on the SRV path too: DNS still names the old servers
	verdicts "thunderbird=fail k9=fail fairemail=fail outlook=fail apple=fail"
	has "imap.example.test:993 speaks implicit TLS (SSL), the answer says STARTTLS"
	has "fix: announce \`imap = imap.example.test:993 ssl\` (or STARTTLS on port 143)"
	mac
fi

case="PACC digest wrong"
if want_case; then
	dns 's/^\(txt-record=_ua-auto-config.example.test,"v=UAAC1; a=sha256; d=\)/\1AAAA/'
	probe
	check_eq "$case: exit status (PACC is future)" 0 "$rc"
	has "the TXT digest of _ua-auto-config.example.test does not match the document"
	# the digest the probe computes is the one mailautoconf --dns prints
	dg=$(./mailautoconf --dns example.test -c "$D/providers.ini" |
	    sed -n 's/.* d=\([^"]*\)".*/\1/p')
	has "fix: publish d=$dg (the SHA-256 of the exact body)"
	check_eq "$case: pacc verdict" fail \
	    "$(jq -r '.clients[] | select(.id == "pacc") | .verdict' "$W/json")"
	verdicts "$ALL_OK"
	dns '/^cname=ua-auto-config.example.test,/d'
	probe
	check_eq "PACC not published: pacc verdict" skip \
	    "$(jq -r '.clients[] | select(.id == "pacc") | .verdict' "$W/json")"
	has "not published (a draft: no shipping client reads it yet)"
	dns
fi

case="mail server certificate for another name"
if want_case; then
	mail mailwrong
	probe
	check_eq "$case: exit status" 1 "$rc"
	verdicts "thunderbird=fail k9=fail fairemail=fail outlook=fail apple=fail"
	has "the certificate for imap.example.test covers only mail.hoster.test"
	has "the certificate for smtp.example.test covers only mail.hoster.test"
	has "fix: add imap.example.test to the certificate's names"
	mail
fi

case="a plain entry"
if want_case; then
	conf_probe 's/^imap = imap.example.test:143 starttls/imap = imap.example.test:143 plain/' plain
	check_eq "$case: exit status" 1 "$rc"
	verdicts "thunderbird=ok k9=fail fairemail=ok outlook=ok apple=ok"
	has "the answer has a \`plain\` server (imap.example.test:143): Thunderbird for Android refuses the whole document"
	has "fix: remove \`imap = imap.example.test:143 plain\` from providers.ini, or make it starttls"
	has "imap.example.test:143 is announced without TLS: passwords go in clear"
	mac
fi

case="answer differs from providers.ini"
if want_case; then
	conf_compare 's/^smtp = smtp.example.test:465 ssl/smtp = smtp.example.test:2465 ssl/' other
	check_eq "$case: exit status" 1 "$rc"
	# -c is compared on the SRV path too: DNS still names the old servers
	verdicts "thunderbird=fail k9=fail fairemail=fail outlook=fail apple=fail"
	has "server 4 of the answer (smtp) has port 465, providers.ini says 2465"
	has "server 3 of the answer (smtp) has port 465, providers.ini says 2465"
	has "fix: the server answers from another config: reload mailautoconf"
fi

case="host names with %EMAILDOMAIN%"
if want_case; then
	# the hoster's template: mailautoconf leaves it in the autoconfig
	# answer, Thunderbird and Thunderbird for Android fill it in
	conf_probe 's/^imap = imap.example.test:993 ssl/imap = imap.%EMAILDOMAIN%:993 ssl/' tmpl
	check_eq "$case: exit status" 0 "$rc"
	verdicts "$ALL_OK"
	check_eq "$case: Thunderbird's default IMAP server" "imap.example.test:993 ok" \
	    "$(jq -r '.clients[0].servers[] | select(.type == "imap" and .default) | "\(.host):\(.port) \(.verdict)"' "$W/json")"
	mac
fi

case="a host renamed without new DNS"
if want_case; then
	# providers.ini names the new host; the RFC 6186 records the old one
	conf_compare 's/^imap = imap.example.test:993 ssl/imap = imap2.example.test:993 ssl/' renamed
	check_eq "$case: exit status" 1 "$rc"
	check_eq "$case: FairEmail" fail \
	    "$(jq -r '.clients[] | select(.id == "fairemail") | .verdict' "$W/json")"
	has "the imap SSL SRV record names imap.example.test:993, providers.ini says imap2.example.test:993"
	has "fix: publish the SRV records that \`mailautoconf --dns example.test\` prints"
fi

case="a certificate with many names"
if want_case; then
	web many
	probe
	check_eq "$case: exit status" 1 "$rc"
	has "the certificate for autoconfig.example.test covers only web.hoster.test, n1.hoster.test, n2.hoster.test, n3.hoster.test, n4.hoster.test, n5.hoster.test, n6.hoster.test, n7.hoster.test and 2 more"
	web
fi

case="a wildcard certificate"
if want_case; then
	# the probe checks the name itself (RFC 6125: a star is one label)
	web wild
	probe
	check_eq "$case: exit status" 0 "$rc"
	verdicts "$ALL_OK"
	step thunderbird 1 ok
	step thunderbird 5 warn
	has "the certificate for autoconfig.mail.hoster.test covers only *.example.test, *.hoster.test"
	web
fi

case="the one-certificate route"
if want_case; then
	# docs/deploy.md section 4 for hosters: the SRV record, no
	# autodiscover.D, a certificate for the web server's name only
	dns '/^cname=autodiscover.example.test,/d'
	web wrong
	probe
	check_eq "$case: exit status" 0 "$rc"
	verdicts "$ALL_OK"
	has "route: one certificate for the web server"
	check_eq "$case: route in --json" one-cert "$(jq -r .route "$W/json")"
	step thunderbird 1 skip
	step outlook 3 skip
	# Apple: the hoster's own form page, with the address
	step apple 1 skip
	step apple 2 ok
	has "apple        ok    sets up from step 2 (GET https://web.hoster.test/email.mobileconfig?emailaddress=jane%40example.test)"
	check "$case: no fix asks for a per-domain name" sh -c \
	    "! grep -E 'fix: (add autoconfig.example|add autodiscover.example|publish .autodiscover.example)' '$W/out'"
	# the same deployment judged as the per-domain route
	probe --route per-domain
	check_eq "$case, --route per-domain: exit status" 1 "$rc"
	verdicts "thunderbird=ok k9=ok fairemail=ok outlook=ok apple=fail"
	has "fix: add autoconfig.example.test to the certificate's names"
	web
	dns
fi

case="a MobileSync answer"
if want_case; then
	# an ActiveSync server's Autodiscover answer (MS-ASCMD 4.2.4)
	ms='<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006"><Culture>en:us</Culture><User><EMailAddress>jane@example.test</EMailAddress></User><Action><Settings><Server><Type>MobileSync</Type><Url>https://sync.example.test/Microsoft-Server-ActiveSync</Url><Name>https://sync.example.test/Microsoft-Server-ActiveSync</Name></Server></Settings></Action></Response></Autodiscover>'
	# (a regex location: nginx-fastcgi.conf has two server_name lines, and
	# web() puts the extra after each)
	web web tls "location ~ ^/autodiscover/autodiscover.xml\$ { default_type text/xml; return 200 '$ms'; }"
	probe
	check_eq "$case: mobilesync" ok \
	    "$(jq -r '.clients[] | select(.id == "mobilesync") | .verdict' "$W/json")"
	step mobilesync 1 ok
	has "ActiveSync at https://sync.example.test/Microsoft-Server-ActiveSync"
	web
fi

case="a POX answer that offers Exchange"
if want_case; then
	# Thunderbird's account hub makes an Exchange account of EXCH: wrong
	# for a provider without EWS (mailcow#6642)
	tb='<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>jane@example.test</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>'
	printf '%s' "$tb" | env -i GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=POST \
	    CONTENT_TYPE=text/xml CONTENT_LENGTH=${#tb} HTTP_HOST=autodiscover.example.test \
	    REQUEST_URI=/autodiscover/autodiscover.xml ./mailautoconf -c "$D/providers.ini" |
	    sed '1,/^\r*$/d' | tr -d '\n' |
	    sed 's|<Protocol>|<Protocol><Type>EXCH</Type><EwsUrl>https://mail.example.test/EWS/Exchange.asmx</EwsUrl></Protocol><Protocol>|' \
	    >"$W/exch.xml"
	check "$case: the answer is well-formed" xml_ok "$W/exch.xml"
	web web tls "location ~ ^/autodiscover/autodiscover.xml\$ { default_type text/xml; return 200 '$(cat "$W/exch.xml")'; }"
	probe
	step thunderbird 7 warn
	has "the answer offers Exchange (a Protocol of Type EXCH, EXHTTP or WEB) and providers.ini has no ews server"
	web
fi

case="hostile answer"
if want_case; then
	# C1 control characters and a right-to-left override in the answer's
	# values (well-formed XML): nothing but printable ASCII may come out
	# (GNU sed: the first server only)
	sed -e '0,/<hostname>imap.example.test</s||<hostname>imap.example.test\&#155;2J\&#8238;<|' \
	    -e '0,/<username>%EMAILADDRESS%</s||<username>\&#157;0;owned\&#156;<|' \
	    "$W/static/mail/config-v1.1.xml" >"$W/static/hostile.xml"
	check "$case: the answer is well-formed" xml_ok "$W/static/hostile.xml"
	cp "$W/static/hostile.xml" "$W/static/mail/config-v1.1.xml"
	cp "$W/static/hostile.xml" "$W/static/.well-known/autoconfig/mail/config-v1.1.xml"
	web web tls "location ~* \"config-v1\\.1\\.xml\$\" { root $W/static; types { } default_type text/xml; }"
	probe
	check "$case: text output is printable ASCII" ascii_only "$W/out"
	check "$case: JSON output is printable ASCII" ascii_only "$W/json"
	check_eq "$case: Thunderbird drops the bad server, checks the next" \
	    "imap.example.test:143" "$(jq -r '.clients[0].servers[0] | "\(.host):\(.port)"' "$W/json")"
	has "server 1 of the answer (imap) has host imap.example.test??2J???, providers.ini says imap.example.test"
	web
fi

# ---- hostile and flaky servers -------------------------------------------

# front MODE: test/probe/dnsfront.py on port 18455, in front of dnsmasq
front() {
	stop_pidfile "$W/front.pid"
	rm -f "$W/front.ready"
	python3 "$D/dnsfront.py" "$1" 18455 18453 "$W/front.ready" \
	    2>>"$W/front.log" &
	echo $! >"$W/front.pid"
	wait_until test -e "$W/front.ready"
}

case="a lost DNS reply"
if want_case; then
	# the first question goes unanswered: asked again, not "DNS is dead"
	front lose-first
	RES=127.0.0.1:18455 probe
	check_eq "$case: exit status" 0 "$rc"
	verdicts "$ALL_OK"
	stop_pidfile "$W/front.pid"
fi

case="short MX and SRV records"
if want_case; then
	# an MX without data next to the good one, an SRV of 2 bytes: skipped
	front short
	RES=127.0.0.1:18455 probe
	check_eq "$case: exit status" 0 "$rc"
	has "MX of example.test: mx.mail.hoster.test"
	verdicts "$ALL_OK"
	# FairEmail goes on to _imap._tcp, as with no _imaps record
	check_eq "$case: FairEmail's incoming server" "imap.example.test:143" \
	    "$(jq -r '.clients[] | select(.id == "fairemail") | .servers[0] |
	    "\(.host):\(.port)"' "$W/json")"
	stop_pidfile "$W/front.pid"
fi

case="a redirect to a bad port"
if want_case; then
	# port 25 of the target is routed to a listener here: nothing may
	# reach it (the Fetch standard's bad ports, which Gecko refuses)
	rm -f "$W/port25"
	socat -u TCP-LISTEN:18425,bind=127.0.0.1,reuseaddr,fork \
	    "OPEN:$W/port25,creat,append" 2>/dev/null &
	echo $! >"$W/socat25.pid"
	wait_port 18425
	web web tls 'location ~* "config-v1\.1\.xml$" { return 302 https://$host:25$request_uri; }'
	PRE="--connect-to :25::18425" probe
	check_eq "$case: exit status" 1 "$rc"
	verdicts "thunderbird=ok k9=fail fairemail=ok outlook=ok apple=ok"
	has "port 25 is one browsers and Thunderbird refuse to fetch from"
	has "fix: point clients at port 443 (https) or 80 (http) of autoconfig.example.test"
	check "$case: nothing connected to port 25" test ! -s "$W/port25"
	stop_pidfile "$W/socat25.pid"
	web
fi

case="an SRV record to a bad port"
if want_case; then
	dns 's/^\(srv-host=_autodiscover._tcp.example.test,web.hoster.test\),443,/\1,22,/'
	probe
	check_eq "$case: exit status" 0 "$rc"
	step thunderbird 10 warn
	step outlook 5 warn
	has "port 22 is one browsers and Thunderbird refuse to fetch from"
	dns
fi

case="each name asked once"
if want_case; then
	: >"$W/dnsmasq.log"
	$MAC_WRAP $MAC_PROBE -c "$D/providers.ini" --resolver 127.0.0.1:18453 \
	    --ca "$W/ca.crt" $CT $TO jane@example.test >"$W/out" 2>"$W/err"
	# every step and every connection to it needs the address
	for q in "A] autoconfig.example.test" "A] example.test" \
	    "AAAA] autodiscover.example.test" "A] imap.example.test" \
	    "SRV] _autodiscover._tcp.example.test" "MX] example.test"; do
		check_eq "$case: query[$q" 1 \
		    "$(grep -cF "query[$q from" "$W/dnsmasq.log")"
	done
fi

case="many servers in one answer"
if want_case; then
	# ten more IMAP servers, nobody listening: the defaults are checked,
	# then others up to six; the rest are named, not connected to
	awk '{ print } /^imap = imap.example.test:143 starttls/ {
	    for (p = 18401; p <= 18410; p++) print "imap = imap.example.test:" p " ssl" }' \
	    "$D/providers.ini" >"$W/many.ini"
	mac "$W/many.ini"
	PROBE_CONF=$W/many.ini probe
	check_eq "$case: exit status" 0 "$rc"
	verdicts "$ALL_OK"
	check_eq "$case: Thunderbird's servers checked, not checked" "6 9" \
	    "$(jq -r '.clients[0] | "\(.servers | length) \(.unchecked)"' "$W/json")"
	check_eq "$case: the default SMTP server is among them" ok \
	    "$(jq -r '.clients[0].servers[] | select(.type == "smtp" and .default) | .verdict' "$W/json")"
	has "9 more servers of the answer not checked (the first 6 are)"
	mac
fi

# silent: a server on port 18472 that accepts and never answers; W/accepts
# says when it listens, then has a line per connection (accepts counts)
silent() {
	: >"$W/accepts"
	python3 -c 'import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 18472)); s.listen(64); held = []
print("listening", flush=True)
while True:
	held.append(s.accept()[0])
	print(len(held), flush=True)' >>"$W/accepts" &
	echo $! >"$W/silent.pid"
	wait_until grep -q listening "$W/accepts"
}
accepts() {
	grep -c '^[0-9]' "$W/accepts"
}

case="a silent web server"
if want_case; then
	# every web request goes to a port that accepts and never answers:
	# its silence is paid once, the address is not tried again, whatever
	# name leads there
	silent
	PRE="--connect-to :443::18472 --connect-to :80::18472" TO="--timeout 1" probe
	check_eq "$case: exit status" 1 "$rc"
	has "no answer from autoconfig.example.test within 1 s"
	has "autoconfig.example.test: not tried again: it gave no answer within 1 s earlier in this run"
	has "web.hoster.test: not tried again: it gave no answer within 1 s earlier in this run"
	# (probe runs it twice: text and --json)
	check_eq "$case: one connection to the silent address a run" 2 "$(accepts)"
	# the web server answers, but its answer's mail servers are silent,
	# four more of them: the six checked (two tries each) take more than
	# the domain's time
	awk '{ print } /^imap = imap.example.test:143 starttls/ {
	    for (p = 18401; p <= 18404; p++) print "imap = imap.example.test:" p " ssl" }' \
	    "$D/providers.ini" >"$W/silent.ini"
	mac "$W/silent.ini"
	pre=""
	for p in 993 143 995 465 587 18401 18402 18403 18404; do
		pre="$pre --connect-to :$p::18472"
	done
	PROBE_CONF=$W/silent.ini PRE=$pre TO="--timeout 1" probe
	has "not tried: the probe's time for this domain ran out"
	mac
	stop_pidfile "$W/silent.pid"
fi

case="no web server at the domain itself"
if want_case; then
	# the mail domain has its MX (and, at a zone apex, SOA and NS): no
	# CNAME can go there; the clients' other names are the fix
	dns '/^host-record=example.test,/d'
	probe
	check_eq "$case: exit status" 0 "$rc"
	verdicts "$ALL_OK"
	step outlook 1 fail
	has "example.test has no address (no A/AAAA record)"
	has "fix: none at example.test itself: its MX (and at a zone apex SOA and NS) records leave no room for a CNAME, and clients go on to \`autoconfig.example.test. CNAME web.hoster.test.\` and \`_autodiscover._tcp.example.test. SRV 0 0 443 web.hoster.test.\`"
	check "$case: no fix names a CNAME at example.test" sh -c \
	    "! grep -q 'fix:.*\`example.test. CNAME' '$W/out'"
	dns
fi

# fleet [ARGS]: the probe on a whole fleet (--all, --domains); sets frc
fleet() {
	[ -n "${VERBOSE:-}" ] && date +"%T $case"
	$MAC_WRAP $MAC_PROBE -c "${PROBE_CONF:-$D/providers.ini}" \
	    --resolver 127.0.0.1:18453 --ca "$W/ca.crt" ${PRE:-} $CT $TO "$@" \
	    >"$W/fout" 2>"$W/ferr"
	frc=$?
}

case="a fleet"
if want_case; then
	printf '# the hoster'"'"'s list\nexample.test\n\nnowhere.test  # gone\n' >"$W/domains"
	fleet --domains "$W/domains"
	check_eq "$case: exit status" 1 "$frc"
	check "$case: example.test works" grep -qx "== example.test: ok" "$W/fout"
	check "$case: nowhere.test is named" grep -qx "== nowhere.test: not probed (the probe could not run: see the message on standard error)" "$W/fout"
	check "$case: why, on standard error" grep -qF "nowhere.test: no such domain in DNS (NXDOMAIN)" "$W/ferr"
	check "$case: the summary" grep -qx "summary: 2 domains, 1 fully working, 0 with DNS drift, 0 with certificate gaps, 1 not probed" "$W/fout"
	check "$case: no progress when standard error is no terminal" sh -c "! grep -q 'domains, .*/s' '$W/ferr'"
	# workers: each domain reported once, the summaries merged
	printf 'example.test\nnowhere.test\nexample.test\nexample.test\n' >"$W/domains4"
	fleet --domains "$W/domains4" --jobs 3
	check_eq "$case, --jobs 3: exit status" 1 "$frc"
	check_eq "$case, --jobs 3: every domain reported once" 4 "$(grep -c '^== ' "$W/fout")"
	# in the list's order, whichever worker probed it
	check_eq "$case, --jobs 3: in the list's order" \
	    "example.test nowhere.test example.test example.test" \
	    "$(sed -n 's/^== \([^:]*\):.*/\1/p' "$W/fout" | tr '\n' ' ' | sed 's/ $//')"
	check "$case, --jobs 3: the summaries merged" grep -qx "summary: 4 domains, 3 fully working, 0 with DNS drift, 0 with certificate gaps, 1 not probed" "$W/fout"
	check "$case, --jobs 3: a cause with its domain" grep -qx "        domains: nowhere.test" "$W/fout"
	check "$case, --jobs 3: the workers' DNS questions, connections and requests counted" \
	    grep -Eq '^run: [0-9]+ s, [1-9][0-9]* DNS questions, [1-9][0-9]* connections, [1-9][0-9]* HTTP requests, [0-9]+ answers reused, peak RSS [1-9][0-9]* KiB$' "$W/fout"
	fleet --domains "$W/domains4" --jobs 1
	check "$case, --jobs 1: the same summary" grep -qx "summary: 4 domains, 3 fully working, 0 with DNS drift, 0 with certificate gaps, 1 not probed" "$W/fout"
	# a list is input: an escape in a line never reaches the terminal
	printf 'bad\033]0;x.test\n' >"$W/domains-esc"
	fleet --domains "$W/domains-esc" --jobs 1
	check "$case, an escape in the list: named, shown safely" grep -qF "== bad?]0;x.test: not probed" "$W/fout"
	check "$case, an escape in the list: printable ASCII only" ascii_only "$W/fout"
	fleet --all
	check_eq "$case, --all: exit status" 0 "$frc"
	check "$case, --all: the summary" grep -qx "summary: 1 domains, 1 fully working, 0 with DNS drift, 0 with certificate gaps, 0 not probed" "$W/fout"
	check "$case, --all: every client works" grep -qx "broken per client: thunderbird 0 k9 0 fairemail 0 outlook 0 apple 0" "$W/fout"
	# drift: a record of the plan (mailautoconf --dns) left out, another
	# pointed elsewhere, an SRV target that is an alias
	dns '/^cname=autoconfig.example.test,/d
s/^srv-host=_submission._tcp.example.test,smtp.example.test,587/srv-host=_submission._tcp.example.test,smtp.example.test,2587/
s/^srv-host=_imaps._tcp.example.test,imap.example.test,/srv-host=_imaps._tcp.example.test,imap-alias.example.test,/
$a cname=imap-alias.example.test,imap.example.test'
	fleet --all
	check_eq "$case, drift: exit status" 1 "$frc"
	check "$case, drift: a missing record" grep -qF "dns  missing: \`autoconfig.example.test. CNAME web.hoster.test.\`" "$W/fout"
	check "$case, drift: a different record" grep -qF "dns  different: _submission._tcp.example.test names smtp.example.test:2587, the plan \`10 1 587 smtp.example.test.\`" "$W/fout"
	check "$case, drift: extra indirection" grep -qF "dns  extra indirection: the target of _imaps._tcp.example.test, imap-alias.example.test, is an alias of imap.example.test" "$W/fout"
	check "$case, drift: Apple broken" grep -qF "   apple        FAIL" "$W/fout"
	check "$case, drift: the summary counts it" grep -qx "summary: 1 domains, 0 fully working, 1 with DNS drift, 0 with certificate gaps, 0 not probed" "$W/fout"
	check "$case, drift: a cause with its domain, D for the domain" grep -qF "dns: missing: \`autoconfig.D. CNAME web.hoster.test.\`" "$W/fout"
	fleet --all --json
	check_eq "$case, --json: exit status" 1 "$frc"
	check_eq "$case, --json: a domain object, then the summary" \
	    "example.test 3 0 1" \
	    "$(jq -rs '"\(.[0].domain) \(.[0].drift | length) \(.[1].summary.working) \(.[1].summary.broken.apple)"' "$W/fout" 2>&1)"
	dns
	# every name the domain's certificate must cover (--cert-names),
	# against the certificate served: this one has web_host's only
	web wrong
	fleet --all
	check_eq "$case, certificate: exit status" 1 "$frc"
	for n in autoconfig autodiscover ua-auto-config; do
		check "$case, certificate: $n.example.test" grep -qxF \
		    "   cert the certificate for $n.example.test covers only web.hoster.test; fix: add $n.example.test to the certificate's names (certbot -d $n.example.test)" "$W/fout"
	done
	check "$case, certificate: web_host's own name is on it" sh -c \
	    "! grep -q 'cert .*for web.hoster.test' '$W/fout'"
	check "$case, certificate: the summary counts it" grep -qx "summary: 1 domains, 0 fully working, 0 with DNS drift, 1 with certificate gaps, 0 not probed" "$W/fout"
	check "$case, certificate: a cause, D for the domain" grep -qF "cert: the certificate for autoconfig.D covers only web.hoster.test" "$W/fout"
	fleet --all --json
	check_eq "$case, certificate: in --json" 3 \
	    "$(jq -s '.[0].certificate | length' "$W/fout" 2>&1)"
	# the same names after twelve others: all of a certificate's names
	# count, not only those a message lists
	web late
	fleet --all
	check_eq "$case, certificate with 18 names: exit status" 0 "$frc"
	check "$case, certificate with 18 names: the summary" grep -qx "summary: 1 domains, 1 fully working, 0 with DNS drift, 0 with certificate gaps, 0 not probed" "$W/fout"
	web
fi

case="a fleet on a silent web server"
if want_case; then
	# every web request to a port that accepts and never answers, which
	# counts the connections it is given
	silent
	printf 'example.test\n' >"$W/one"
	printf 'example.test\nexample.test\nexample.test\n' >"$W/three"
	PRE="--connect-to :443::18472 --connect-to :80::18472" TO="--timeout 1" \
	    fleet --domains "$W/one" --jobs 1
	one=$(accepts)
	PRE="--connect-to :443::18472 --connect-to :80::18472" TO="--timeout 1" \
	    fleet --domains "$W/three" --jobs 1
	three=$(($(accepts) - one))
	check "$case: the silent server was tried" test "$one" -gt 0
	# what gave no answer is not asked again by the next domains
	check_eq "$case: three domains cost the connections of one" "$one" "$three"
	# --max-time: no domain begins after it; those left are named
	PRE="--connect-to :443::18472 --connect-to :80::18472" TO="--timeout 1" \
	    fleet --domains "$W/three" --jobs 1 --max-time 1
	check_eq "$case, --max-time 1: exit status" 1 "$frc"
	check_eq "$case, --max-time 1: the domains not begun" 2 \
	    "$(grep -cxF "== example.test: not probed (the run's time, --max-time 1 s, ran out before it)" "$W/fout")"
	check "$case, --max-time 1: the summary" grep -qx "summary: 3 domains, 0 fully working, 0 with DNS drift, 0 with certificate gaps, 2 not probed" "$W/fout"
	PRE="--connect-to :443::18472 --connect-to :80::18472" TO="--timeout 1" \
	    fleet --domains "$W/three" --jobs 1 --max-time 1 --json
	check_eq "$case, --max-time 1 --json: the domains not begun" "2 false" \
	    "$(jq -rs '[.[] | select(.probed == false)] | "\(length) \(.[0].probed)"' "$W/fout" 2>&1)"
	stop_pidfile "$W/silent.pid"
fi

case="the MX host's own section"
if want_case; then
	# the hoster's own name has its section, with other servers; with
	# no autoconfig.example.test and no web server at example.test,
	# Thunderbird for Android reaches its MX step, which carries no
	# address: the answer is the hoster's section, rightly
	{ cat "$D/providers.ini"
	  printf '\n[hoster.test]\ndomains = mail.hoster.test\n'
	  printf 'imap = mx.mail.hoster.test:993 ssl\n'
	  printf 'smtp = mx.mail.hoster.test:465 ssl\nusername = %%EMAILADDRESS%%\n'
	} >"$W/mxsec.ini"
	mac "$W/mxsec.ini"
	dns '/^cname=autoconfig.example.test,/d
/^host-record=example.test,/d'
	PROBE_CONF=$W/mxsec.ini probe
	check_eq "$case: exit status" 1 "$rc"
	step k9 5 fail
	has "fix: none in mailautoconf: this request carries no address and is answered for mail.hoster.test, the MX host's domain; publish \`autoconfig.example.test. CNAME web.hoster.test.\`, which the client asks first"
	check "$case: no fix says to reload mailautoconf" sh -c \
	    "! grep -q 'reload mailautoconf' '$W/out'"
	mac
	dns
fi

case="every fix can be published"
if want_case; then
	# the records in backquotes of every fix line printed so far, each in
	# its zone with that zone's SOA, NS and address records: named-checkzone
	# loads them (no CNAME next to other data, no MX or SRV to a CNAME)
	grep 'fix: ' "$FIXES" | grep -o '`[^`]*`' | tr -d '`' |
	    grep -E '^[A-Za-z0-9_.-]+\. +(IN +)?(A|AAAA|CNAME|SRV|MX|TXT) ' |
	    sort -u >"$W/fixrecords"
	check "$case: the fixes name records" test -s "$W/fixrecords"
	check "$case: among them the apex case's" \
	    grep -q '^_autodiscover._tcp.example.test. SRV 0 0 443 web.hoster.test.$' "$W/fixrecords"
	n=0
	for z in example.test hoster.test; do
		re="^([A-Za-z0-9_-]+\\.)*$(echo "$z" | sed 's/\./\\./g')\\. "
		{
			grep -v CNAME "$D/$z.zone"
			grep -E "$re" "$W/fixrecords"
		} >"$W/fix.$z.zone"
		n=$((n + $(grep -cE "$re" "$W/fixrecords")))
		check "$case: zone $z with the fixes loads" \
		    named-checkzone -k fail -M fail -S fail -i full "$z" "$W/fix.$z.zone"
	done
	check_eq "$case: every record is in one of the two zones" \
	    "$(wc -l <"$W/fixrecords" | tr -d ' ')" "$n"
fi

# ---- bad input: a clear message and exit 2 ---------------------------------

# bad DESC MESSAGE ARGS...
bad() {
	d=$1
	m=$2
	shift 2
	$MAC_WRAP $MAC_PROBE --resolver 127.0.0.1:18453 "$@" >"$W/out" 2>"$W/err"
	check_eq "bad input, $d: exit status" 2 "$?"
	check "bad input, $d: says $m" grep -qF -- "$m" "$W/err"
	check "bad input, $d: prints no report" test ! -s "$W/out"
	check "bad input, $d: the message is printable ASCII" ascii_only "$W/err"
}
bad "not an address" "not an e-mail address: address has no '@'" jane.example.test
bad "an IP literal" "not an e-mail address: IP literal as domain" 'jane@[127.0.0.1]'
bad "a name that does not resolve" "nowhere.test: no such domain in DNS (NXDOMAIN)" jane@nowhere.test
bad "two addresses" "usage:" a@example.test b@example.test
bad "a bad --connect-to" "--connect-to: want HOST:PORT:IP:PORT" --connect-to 443:x jane@example.test
bad "a CA file that is not there" "cannot read the CA file" --ca "$W/none.pem" jane@example.test
bad "a config that does not load" "cannot load the config" -c "$W/none.ini" jane@example.test
# an escape sequence in a file name never reaches the terminal
esc=$(printf '\033]0;x\007')
bad "a CA file name with an escape" "/none?]0;x?.pem: cannot read the CA file" --ca "$W/none${esc}.pem" jane@example.test
bad "a config name with an escape" "/none?]0;x?.ini: cannot load the config" -c "$W/none${esc}.ini" jane@example.test
front refuse
bad "a refusing DNS server" "DNS: 127.0.0.1:18455 answers MX example.test with rcode 5 (REFUSED)" --resolver 127.0.0.1:18455 jane@example.test
stop_pidfile "$W/front.pid"
bad "a bad --timeout" "--timeout: want 1 to 60 seconds" --timeout 0 jane@example.test
bad "a bad --route" "--route: want one-cert or per-domain" --route auto jane@example.test
bad "--all without a config" "--all: needs -c providers.ini" --all
bad "a bad --jobs" "--jobs: want 1 to 32" --jobs 0 --all
bad "a bad --max-time" "--max-time: want 1 to 86400 seconds" --max-time 86401 --all
bad "--all and an address" "usage:" -c "$D/providers.ini" --all jane@example.test
bad "a list that is not there" "cannot read the list" --domains "$W/none.txt"
bad "a bad --resolver" "--resolver nowhere: not an IP address" --resolver nowhere jane@example.test
stop_pidfile "$W/dnsmasq.pid"
bad "no DNS server" "mailautoconf-probe: DNS:" jane@example.test

finish
