#!/bin/sh
# t02-hostile.sh: the hostile corpus, test/hostile/cases.txt, through the
# real binary as CGI (under valgrind too: MAC_WRAP).  Each case gets its
# status, the fixed body for that status (or its Autodiscover error
# document), exactly one log line naming a rule when it is refused, no
# crash, and none of the injected bytes in the answer
# (test/hostile/run.pl judges).  t07 sends the same corpus through
# FastCGI.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

# the shipped file, providers with ews, owa and graph lines, and one with
# calendars and contacts (as t07)
cat providers.ini test/data/ews.ini test/hostile/dav.ini >"$T_TMP/providers.ini"
CONF=$(image_of "$T_TMP/providers.ini")

MAC_WRAP="$MAC_WRAP" perl test/hostile/run.pl cgi "$MAC_BIN" "$CONF" \
    >"$T_TMP/cgi.out" 2>&1
tally "$T_TMP/cgi.out"
n=$(grep -c '^name:' test/hostile/cases.txt)
check "at least 300 hostile requests ($n)" [ "$n" -ge 300 ]
finish
