#!/bin/sh
# test/probe/callgrind.sh BIN...: the instructions (callgrind's Ir) of one
# whole CGI request per binary, the same three requests for each: an
# autoconfig GET, an Autodiscover POX POST and a profile GET, all against
# the shipped providers.ini.  For docs/mailautoconf-probe.8: the probe's
# libraries must not cost a CGI request anything, so mailautoconf built
# from main and from this tree must print the same numbers.
# Build them with SANDBOX=0 (valgrind knows no seccomp filter), e.g.
#   make O=build/cg SANDBOX=0 build/cg/mailautoconf
# Each binary is copied to the same path first: the length of argv[0]
# alone changes the count.  Run under flock /tmp/mac-bench.lock on a
# shared machine.
set -u
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
B='<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>jane.doe@mailbox.org</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>'
printf '%s' "$B" >"$T/pox"

# ir BIN METHOD URI HOST [BODY]: the count, or "status N" when not a 200
ir() {
	q=
	case $3 in *\?*) q=${3#*\?} ;; esac
	env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD="$2" \
	    REQUEST_URI="$3" QUERY_STRING="$q" HTTP_HOST="$4" \
	    ${5:+CONTENT_LENGTH=${#B}} ${5:+CONTENT_TYPE=text/xml} \
	    valgrind --tool=callgrind --callgrind-out-file=/dev/null \
	    "$1" -c providers.ini <"${5:-/dev/null}" >"$T/out" 2>"$T/err"
	st=$(sed -n '1s/^Status: \([0-9]*\).*/\1/p' "$T/out")
	if [ "$st" != 200 ]; then
		echo "status ${st:-none}"
		return
	fi
	awk '/Collected :/ { print $NF }' "$T/err"
}

printf '%-40s %12s %12s %12s\n' binary "GET autoconf" "POST POX" "GET profile"
for b in "$@"; do
	cp "$b" "$T/mailautoconf"
	printf '%-40s %12s %12s %12s\n' "$b" \
	    "$(ir "$T/mailautoconf" GET '/mail/config-v1.1.xml?emailaddress=jane.doe%40mailbox.org' autoconfig.mailbox.org)" \
	    "$(ir "$T/mailautoconf" POST /autodiscover/autodiscover.xml autodiscover.mailbox.org "$T/pox")" \
	    "$(ir "$T/mailautoconf" GET '/email.mobileconfig?emailaddress=jane.doe%40mailbox.org' autoconfig.mailbox.org)"
done
