#!/bin/sh
# t02-hostile.sh: the hostile corpus, test/hostile/cases.txt, through the
# real binary as CGI (under valgrind too: MAC_WRAP).  Each case gets its
# status, the fixed body for that status (or its Autodiscover error
# document), exactly one log line naming a rule when it is refused, no
# crash, and none of the injected bytes in the answer
# (test/hostile/run.pl judges).  t07 sends the same corpus through
# FastCGI.  Under valgrind, where an answer takes a third of a second,
# the 71 cases named "t02 N" alone (the rest run under ASan).
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

# the shipped file, providers with ews, owa and graph lines, and one with
# calendars and contacts (as t07)
cat providers.ini test/data/ews.ini test/hostile/dav.ini >"$T_TMP/providers.ini"
CONF=$(image_of "$T_TMP/providers.ini")

only=
[ -n "$MAC_WRAP" ] && only='^t02 '
MAC_WRAP="$MAC_WRAP" HOSTILE_NAMES=$only perl test/hostile/run.pl cgi \
    "$MAC_BIN" "$CONF" >"$T_TMP/cgi.out" 2>&1
tally "$T_TMP/cgi.out"
n=$(grep -c "^name: ${only#^}" test/hostile/cases.txt)
check "at least 70 hostile requests ($n)" [ "$n" -ge 70 ]
finish
