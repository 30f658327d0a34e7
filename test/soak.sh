#!/bin/sh
# test/soak.sh: `make soak`, long load and faults on 127.0.0.1 (nginx on a
# port of 17200-17239, FastCGI on a unix socket), bounded in time.  Not
# part of `make check`: it runs for minutes.  nginx serves
# contrib/nginx-fastcgi.conf as shipped (test/lib.sh's contrib_conf: only
# paths and the port change), in 2 worker processes.
#
#   1. steady: nginx + mailautoconf (spawn-fcgi, --workers N, as nobody)
#      under wrk until SOAK_REQUESTS (1000000) answers, a mix of autoconfig,
#      POX, JSON and profile requests; every answer must be a 2xx, and the
#      resident memory of the FastCGI processes the same at the end as
#      after the first round (within SOAK_RSS_SLACK_KB, 512): a slot gets
#      its buffers when first used, and nginx's keepalive pools (32 a
#      worker) fill during the first round;
#   2. SIGHUP every second for SOAK_PHASE_SECONDS (20) under load;
#   3. a broken config and SIGHUP mid-load: the old config keeps serving;
#   4. workers killed (SIGKILL) mid-load: the supervisor starts new ones;
#      nginx retries a request a dying worker held on a kept connection
#      (the shipped fastcgi_next_upstream), so no client sees an error;
#   5. SIGTERM: the supervisor and its workers leave.
# Prints its figures (and writes them to SOAK_OUT when set); ends with
# "N passed, N failed".
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

REQS=${SOAK_REQUESTS:-1000000}
PHASE=${SOAK_PHASE_SECONDS:-20}
ROUND=${SOAK_ROUND_SECONDS:-30}
SLACK=${SOAK_RSS_SLACK_KB:-512}
THREADS=${SOAK_THREADS:-2}
CONNS=${SOAK_CONNECTIONS:-32}
NW=${SOAK_WORKERS:-$(nproc)}
[ "$NW" -lt 2 ] && NW=2
case $MAC_BIN in /*) BIN=$MAC_BIN ;; *) BIN=$TOP/$MAC_BIN ;; esac
W=$T_TMP
NGX=$((17200 + $$ % 40))
SOCK=$W/run/mailautoconf.sock
CONF=$W/providers.ini
LOG=$W/mailautoconf.log
FIG=$W/figures

chmod 755 "$W"
cp providers.ini "$CONF"
chmod 644 "$CONF"
mkdir -p "$W/ngx/logs" "$W/run"

cleanup() {
	[ -s "$W/nginx.pid" ] && kill "$(cat "$W/nginx.pid")" 2>/dev/null
	[ -s "$W/fcgi.pid" ] && kill "$(cat "$W/fcgi.pid")" 2>/dev/null
	[ -n "${HUPPER:-}" ] && kill "$HUPPER" 2>/dev/null
	sleep 0.5
	rm -rf "$W"
}
trap cleanup EXIT

say() {
	echo "$*" | tee -a "$FIG"
}

contrib_conf contrib/nginx-fastcgi.conf "$W" "$NGX" >"$W/ngx/site.conf"
cp /etc/nginx/fastcgi_params "$W/"
cat >"$W/nginx.conf" <<EOF
worker_processes 2;
pid $W/nginx.pid;
error_log $W/ngx/logs/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $W/ngx/body;
	proxy_temp_path $W/ngx/proxy;
	fastcgi_temp_path $W/ngx/fastcgi;
	uwsgi_temp_path $W/ngx/uwsgi;
	scgi_temp_path $W/ngx/scgi;
	include $W/ngx/site.conf;
}
EOF

# rss: resident kB of the supervisor and its workers
rss() {
	sup=$(cat "$W/fcgi.pid")
	for p in $sup $(ps -o pid= --ppid "$sup"); do
		awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null
	done | awk '{ s += $1 } END { print s + 0 }'
}

workers() {
	ps -o pid= --ppid "$(cat "$W/fcgi.pid")" | tr -d ' '
}

# run NAME SECONDS: wrk through nginx, its report in $W/NAME.wrk
run() {
	wrk -t "$THREADS" -c "$CONNS" -d "${2}s" --latency -s test/soak/mix.lua \
	    "http://127.0.0.1:$NGX" >"$W/$1.wrk" 2>&1
}

# load NAME SECONDS: run, then parse
load() {
	run "$1" "$2"
	parse "$1"
}

# parse NAME: sets REQ, BAD (non-2xx), SOCKERR, RPS, P99 from NAME.wrk
parse() {
	wrk_figures "$W/$1.wrk"
}

# clean NAME: the last load failed nothing
clean() {
	check_eq "$1: no non-2xx answer" 0 "$BAD"
	check_eq "$1: no socket error" 0 "$SOCKERR"
	[ "$REQ" -gt 0 ] || fail "$1: no request answered ($(tail -n 3 "$W/$1.wrk"))"
}

for t in nginx wrk spawn-fcgi curl; do
	command -v $t >/dev/null || { fail "$t is needed (test/deps.sh bench)"; finish; exit; }
done

U=
[ "$(id -u)" = 0 ] && U="-u nobody -g nogroup"
# -n: spawn-fcgi binds, then becomes mailautoconf (whose log we want)
spawn-fcgi -n -s "$SOCK" -M 0666 $U -- \
    "$BIN" -c "$CONF" --workers "$NW" >"$W/spawn.out" 2>"$LOG" &
echo $! >"$W/fcgi.pid"
nginx -p "$W/ngx" -c "$W/nginx.conf" >"$W/nginx.out" 2>&1 ||
    { fail "nginx: $(cat "$W/nginx.out")"; finish; exit; }
i=0
until curl -s -o /dev/null -w '%{http_code}' \
    "http://127.0.0.1:$NGX/mail/config-v1.1.xml?emailaddress=a%40mailbox.org" |
    grep -q 200; do
	i=$((i + 1))
	[ $i -gt 50 ] && { fail "nginx + mailautoconf do not answer"; finish; exit; }
	sleep 0.1
done
say "soak: nginx :$NGX (contrib/nginx-fastcgi.conf) -> spawn-fcgi $SOCK," \
    "mailautoconf --workers $NW," \
    "wrk -t $THREADS -c $CONNS, $(nproc) CPUs"

# ---- 1. steady load, memory --------------------------------------------
load warmup 3
total=0 bad=0 sockerr=0 secs=0 round=0
start=$(date +%s)
while [ "$total" -lt "$REQS" ]; do
	round=$((round + 1))
	load "steady$round" "$ROUND"
	total=$((total + REQ))
	bad=$((bad + BAD))
	sockerr=$((sockerr + SOCKERR))
	say "  round $round: $REQ requests, $RPS/s, p99 $P99, non-2xx $BAD," \
	    "socket errors $SOCKERR, RSS $(rss) kB"
	[ "$round" = 1 ] && rss0=$(rss)
done
secs=$(($(date +%s) - start))
rss1=$(rss)
say "1 steady: $total requests in ${secs}s, non-2xx $bad, socket errors" \
    "$sockerr; RSS of the FastCGI processes $rss0 kB after the first round," \
    "$rss1 kB at the end"
check "steady: at least $REQS requests" test "$total" -ge "$REQS"
check_eq "steady: no non-2xx answer" 0 "$bad"
check_eq "steady: no socket error" 0 "$sockerr"
check "steady: memory flat (within $SLACK kB)" \
    test $((rss1 - rss0)) -le "$SLACK"
check_eq "steady: no worker died" 0 "$(grep -c 'killed by signal' "$LOG")"

# ---- 2. SIGHUP every second under load ---------------------------------
n0=$(grep -c 'reloaded' "$LOG")
sup=$(cat "$W/fcgi.pid")
(while kill -HUP "$sup" 2>/dev/null; do sleep 1; done) &
HUPPER=$!
load hup "$PHASE"
kill "$HUPPER"
HUPPER=
sleep 0.5
reloads=$(($(grep -c 'reloaded' "$LOG") - n0))
say "2 SIGHUP every second: $REQ requests in ${PHASE}s, $reloads reloads" \
    "(supervisor and workers), non-2xx $BAD, socket errors $SOCKERR"
clean "SIGHUP under load"
check "SIGHUP under load: reloads happened" test "$reloads" -ge "$PHASE"

# ---- 3. a broken config mid-load ---------------------------------------
cp "$CONF" "$W/good.ini"
run broken "$PHASE" &
LP=$!
sleep 3
printf '[mailbox.org]\nimap = imap.mailbox.org:993 ssl\nimapp = typo\n' >"$CONF"
kill -HUP "$sup"
wait $LP
parse broken
failed=$(grep -c 'reload failed' "$LOG")
say "3 broken config + SIGHUP mid-load: $REQ requests in ${PHASE}s, non-2xx" \
    "$BAD, socket errors $SOCKERR; 'reload failed' logged $failed times" \
    "(supervisor and workers)"
clean "broken config"
check "broken config: the failed reload is logged" test "$failed" -ge 1
cp "$W/good.ini" "$CONF"
kill -HUP "$sup"
# the old workers retire: they leave once nginx has closed the connections
# they hold (each gets one more request, or nginx's keepalive_timeout)
run flush 2
n=0
while [ "$(workers | wc -l)" -gt "$NW" ] && [ $n -lt 100 ]; do
	sleep 1
	n=$((n + 1))
done

# ---- 4. workers killed mid-load ----------------------------------------
before=$(workers | tr '\n' ' ')
run kill "$PHASE" &
LP=$!
sleep 3
for victim in $before; do
	kill -9 "$victim"
	sleep 2
done
wait $LP
parse kill
after=$(workers | tr '\n' ' ')
killed=$(grep -c 'killed by signal 9' "$LOG")
retried=$(grep -c 'upstream' "$W/ngx/logs/error.log")
say "4 every worker killed mid-load, one by one: workers before" \
    "[$before] after [$after], $killed replaced; $REQ requests in" \
    "${PHASE}s, non-2xx $BAD, socket errors $SOCKERR; nginx logged" \
    "$retried upstream errors (a request whose worker died is retried)"
check_eq "kill: every worker replaced" "$NW" "$killed"
check_eq "kill: as many workers as before" "$NW" "$(workers | wc -l)"
clean "workers killed"

# ---- 5. SIGTERM ---------------------------------------------------------
w=$(workers)
kill "$sup"
i=0
while kill -0 "$sup" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
left=0
for p in $sup $w; do
	kill -0 "$p" 2>/dev/null && left=$((left + 1))
done
check_eq "SIGTERM: supervisor and workers gone" 0 $left
rm -f "$W/fcgi.pid"
say "5 SIGTERM: $left processes left"
[ -n "${SOAK_OUT:-}" ] && cp "$FIG" "$SOAK_OUT"
finish
