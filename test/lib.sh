# test/lib.sh: sourced by every shell suite.
#
# A suite calls ok/fail (or check_*), then `finish`, which prints the
# suite's closing line "N passed, N failed" and sets the exit status.
# MAC_BIN is the binary under test (default ./mailautoconf), MAC_WRAP an
# optional prefix such as "valgrind -q --error-exitcode=99".

: "${MAC_BIN:=./mailautoconf}"
: "${MAC_WRAP:=}"
TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
T_PASS=0
T_FAIL=0
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mac-test.XXXXXX")
trap 'rm -rf "$T_TMP"' EXIT

ok() {
	T_PASS=$((T_PASS + 1))
	[ -n "${VERBOSE:-}" ] && printf 'ok   %s\n' "$*"
	return 0
}

fail() {
	T_FAIL=$((T_FAIL + 1))
	printf 'FAIL %s\n' "$*"
	return 0
}

# check DESC CMD...: passes when CMD exits 0
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else fail "$desc"; fi
}

# check_eq DESC WANT GOT
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		fail "$1: want '$2', got '$3'"
	fi
}

# xml_ok FILE: well-formed XML (xmllint)
xml_ok() {
	xmllint --noout "$1" 2>/dev/null
}

# split_response FILE: FILE holds a CGI response; writes FILE.head
# (header lines, CR removed) and FILE.body (the bytes after the blank line).
split_response() {
	awk 'BEGIN { h = 1 } h && /^\r?$/ { h = 0; next } h { sub(/\r$/, ""); print }' \
	    "$1" >"$1.head"
	# the body: everything after the first empty line, byte for byte
	perl -0777 -ne 'print $1 if /\r?\n\r?\n(.*)\z/s' "$1" >"$1.body"
}

# header FILE NAME: the value of header NAME in FILE.head (case-insensitive)
header() {
	awk -v n="$2" 'BEGIN { n = tolower(n) ":" }
	    tolower(substr($0, 1, length(n))) == n {
		v = substr($0, length(n) + 1); sub(/^ +/, "", v); print v; exit }' \
	    "$1.head"
}

finish() {
	printf '%d passed, %d failed\n' "$T_PASS" "$T_FAIL"
	[ "$T_FAIL" -eq 0 ]
}

# tally FILE: a sub-run's output; its lines but the last are shown, its
# closing "N passed, N failed" is added to ours
tally() {
	sed '$d' "$1"
	last=$(tail -n 1 "$1")
	case $last in
	[0-9]*" passed, "[0-9]*" failed")
		T_PASS=$((T_PASS + ${last%% passed*}))
		last=${last#*passed, }
		T_FAIL=$((T_FAIL + ${last%% failed}))
		;;
	*)
		fail "$1: no closing line (${last:-nothing})"
		;;
	esac
}

# image_of CONF: with MAC_IMAGE=1, a copy of CONF compiled (mailautoconf
# --compile) once, printed; else CONF itself.  The copy is in a copy of
# CONF's directory (its files, not its subdirectories), so that the
# signing files a config names beside it are found beside the copy too.
image_of() {
	if [ "${MAC_IMAGE:-0}" != 1 ]; then
		echo "$1"
		return
	fi
	d=$T_TMP/image/$(dirname "$1" | tr '/' '_')
	c=$d/$(basename "$1")
	if [ ! -f "$c.cdb" ] || [ "$1" -nt "$c" ]; then
		mkdir -p "$d"
		for f in "$(dirname "$1")"/*; do
			[ -f "$f" ] && cp "$f" "$d/"
		done
		$MAC_BIN --compile -c "$c" >"$c.log" 2>&1
	fi
	echo "$c"
}

# mac_cgi OUT [VAR=value ...]: run the binary once as CGI with exactly
# these variables (plus the sanitizers' options), stdin from $MAC_STDIN
# (default /dev/null), config $MAC_CONF.  OUT gets stdout, OUT.err stderr,
# OUT.rc the exit status; split_response is applied.  MAC_IMAGE=1: the
# config is answered from its compiled image (image_of), and a run that
# says it parsed the INI instead exits 97.
: "${MAC_CONF:=$TOP/providers.ini}"
mac_cgi() {
	out=$1
	shift
	conf=$(image_of "$MAC_CONF")
	env -i PATH="$PATH" ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} \
	    ${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} "$@" \
	    $MAC_WRAP $MAC_BIN -c "$conf" <"${MAC_STDIN:-/dev/null}" \
	    >"$out" 2>"$out.err"
	echo $? >"$out.rc"
	if [ "${MAC_IMAGE:-0}" = 1 ] && grep -q 'compiled config' "$out.err"
	then
		echo 97 >"$out.rc"
	fi
	split_response "$out"
}

# status FILE: the number of the Status: header
status() {
	header "$1" Status | cut -d' ' -f1
}

# normalise FILE: the parts of an answer that change from run to run
normalise() {
	sed -e 's/Time="[0-9:.]*"/Time="T"/' -e 's/Id="[0-9]*"/Id="I"/' "$1"
}

# contrib_conf FILE DIR PORT: a contrib/ web server file with the only
# replacements docs/deploy.md allows a test (on stdout): /usr/sbin,
# /etc/mailautoconf/ and /run/ move under DIR, port 80 becomes
# 127.0.0.1:PORT and the IPv6 listener goes.  Every suite that serves
# through contrib/ uses this, so they all test the files as shipped.
contrib_conf() {
	sed -e "s|/usr/sbin|$2/sbin|g" \
	    -e "s|/etc/mailautoconf/|$2/etc/|g" \
	    -e "s|/run/|$2/run/|g" \
	    -e "s|listen 80;|listen 127.0.0.1:$3;|" \
	    -e '/listen \[::\]:80;/d' \
	    -e "s|\*:80>|127.0.0.1:$3>|" "$1"
}

# nginx_conf DIR: DIR/nginx.conf, a minimal nginx of the test's own (pid,
# logs and temporary files in DIR, one worker, www-data's as root as
# Debian runs it) that serves DIR/site.conf; with fastcgi_params beside it
nginx_conf() {
	cp /etc/nginx/fastcgi_params "$1/"
	mkdir -p "$1/tmp"
	{
		[ "$(id -u)" -eq 0 ] && echo "user www-data www-data;"
		cat <<-EOF
		pid $1/nginx.pid;
		error_log $1/error.log;
		worker_processes 1;
		events { worker_connections 64; }
		http {
			access_log $1/access.log;
			client_body_temp_path $1/tmp/body;
			fastcgi_temp_path $1/tmp/fastcgi;
			proxy_temp_path $1/tmp/proxy;
			uwsgi_temp_path $1/tmp/uwsgi;
			scgi_temp_path $1/tmp/scgi;
			include $1/site.conf;
		}
		EOF
	} >"$1/nginx.conf"
}

# stop_pid PID: TERM, up to 5 s to go, then KILL; nothing if PID is empty
stop_pid() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null || return 0
	n=0
	while kill -0 "$1" 2>/dev/null && [ $n -lt 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	kill -KILL "$1" 2>/dev/null
	return 0
}

# wait_until CMD...: CMD succeeds within 5 s
wait_until() {
	n=0
	while ! "$@"; do
		[ $n -ge 50 ] && return 1
		sleep 0.1
		n=$((n + 1))
	done
}

# port_free PORT: nothing answers on 127.0.0.1:PORT (curl exit 7:
# connection refused); listening PORT: something does
port_free() {
	curl -s -o /dev/null --noproxy '*' --max-time 1 "http://127.0.0.1:$1/" \
	    2>/dev/null
	[ $? -eq 7 ]
}

listening() {
	! port_free "$1"
}

# wrk_figures FILE: from wrk's report, REQ (answers), BAD (non-2xx or 3xx),
# SOCKERR (connect, read, write and timeout errors), RPS and P99
wrk_figures() {
	REQ=$(awk '/requests in/ { print $1 }' "$1")
	BAD=$(awk -F': *' '/Non-2xx or 3xx responses/ { print $2 }' "$1")
	SOCKERR=$(sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1 \2 \3 \4/p' \
	    "$1" | awk '{ print $1 + $2 + $3 + $4 }')
	RPS=$(awk '/^Requests\/sec/ { print $2 }' "$1")
	P99=$(awk '$1 == "99%" { print $2 }' "$1")
	: "${REQ:=0}" "${BAD:=0}" "${SOCKERR:=0}"
}
