#!/bin/sh
# bench/hoster.sh: a hoster's layout at scale (make bench, after run.sh):
# 100 000 domains in 10 domain files, 100 provider sections in 100 included
# files, against the same domains and providers in one file
# (bench/genconfig.sh).  Prints: --compile time, image size, a CGI start
# against each image (cgiloop, p50), a FastCGI start (until its socket
# answers) and its resident size after answering.  Numbers only, no pass
# or fail: they depend on the machine.  Needs ./mailautoconf, cgi-fcgi.
set -eu
BIN=${BIN:-./mailautoconf}
CC=${CC:-cc}
T=$(mktemp -d "${TMPDIR:-/tmp}/mac-hoster.XXXXXX")
trap 'kill $FPID 2>/dev/null || :; rm -rf "$T"' EXIT
FPID=
chmod 755 "$T"
"$CC" -O2 -o "$T/cgiloop" bench/cgiloop.c

# the layout
mkdir -p "$T/h/p.d" "$T/h/dom"
printf 'include = p.d/*.ini\n' >"$T/h/providers.ini"
awk -v dir="$T/h" 'BEGIN {
	for (f = 1; f <= 10; f++) {
		out = dir "/dom/d" f ".txt"
		for (i = 1; i <= 10000; i++)
			print "d" ((f - 1) * 10000 + i) ".example" > out
		close(out)
	}
	for (p = 1; p <= 100; p++) {
		out = dir "/p.d/p" p ".ini"
		print "[p" p ".example]" > out
		if (p <= 10)
			print "domains_file = ../dom/d" p ".txt" > out
		print "imap = imap.p" p ".example:993 ssl" > out
		print "imap = imap.p" p ".example:143 starttls" > out
		print "smtp = smtp.p" p ".example:465 ssl" > out
		print "smtp = smtp.p" p ".example:587 starttls" > out
		close(out)
	}
}'
mkdir -p "$T/s"
sh bench/genconfig.sh 100000 100 >"$T/s/providers.ini"
sleep 1		# past the clock tick: no file is "racy" (image.c)

ms() {	# cgiloop output -> p50 in ms
	sed -n 's/.*p50_us=\([0-9.]*\).*/\1/p' | awk '{ printf "%.2f", $1 / 1000 }'
}
for k in h s; do
	c=$("$T/cgiloop" -n 3 -t 60 "$BIN" --compile -c "$T/$k/providers.ini" | ms)
	sz=$(stat -c %s "$T/$k/providers.ini.cdb")
	cgi=$(env -i REQUEST_METHOD=GET REQUEST_URI=/mail/config-v1.1.xml \
	    QUERY_STRING='emailaddress=a%40d99999.example' \
	    "$T/cgiloop" -n 2000 -t 10 "$BIN" -c "$T/$k/providers.ini" | ms)
	rm -f "$T/sock"
	t0=$(date +%s%N)
	"$BIN" -c "$T/$k/providers.ini" --listen "$T/sock" \
	    ${BENCH_USER:+--user $BENCH_USER} 2>/dev/null &
	FPID=$!
	while ! env -i REQUEST_METHOD=GET REQUEST_URI=/mail/config-v1.1.xml \
	    QUERY_STRING='emailaddress=a%40d99999.example' cgi-fcgi -bind \
	    -connect "$T/sock" </dev/null 2>/dev/null | grep -q '^Status: 200'; do
		sleep 0.01
	done
	t1=$(date +%s%N)
	i=0
	while [ $i -lt 200 ]; do
		env -i REQUEST_METHOD=GET REQUEST_URI=/mail/config-v1.1.xml \
		    QUERY_STRING="emailaddress=a%40d$((i * 497 + 1)).example" \
		    cgi-fcgi -bind -connect "$T/sock" </dev/null >/dev/null 2>&1
		i=$((i + 1))
	done
	rss=$(awk '/^VmHWM/ { print $2 }' "/proc/$FPID/status")
	kill $FPID
	wait $FPID 2>/dev/null || :
	FPID=
	[ $k = h ] && what="10 domain files + 100 includes" || what="one file"
	printf '%-31s --compile %s ms, image %s bytes, CGI start p50 %s ms, FastCGI start %s ms, RSS %s KiB\n' \
	    "$what:" "$c" "$sz" "$cgi" "$(( (t1 - t0) / 1000000 ))" "$rss"
done
