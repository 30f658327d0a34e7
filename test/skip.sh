#!/bin/sh
# skip.sh: make check without a package runs what it can.  With a Debian
# package missing (a dpkg-query that says so, first on PATH),
# test/run-suites.sh skips the suites that need it, names each with the
# package, still sums the others into "N passed, N failed, N skipped",
# and succeeds; with CI=true the same run fails.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

mkdir "$T_TMP/bin"
cat >"$T_TMP/bin/dpkg-query" <<'X'
#!/bin/sh
case "$*" in *spawn-fcgi*) exit 1 ;; esac
exec /usr/bin/dpkg-query "$@"
X
chmod +x "$T_TMP/bin/dpkg-query"
printf 'echo "2 passed, 0 failed"\n' >"$T_TMP/ok.sh"
# t04 needs spawn-fcgi: skipped, never run (it would print its own line)
run() {
	PATH="$T_TMP/bin:$PATH" sh test/run-suites.sh -b plain \
	    "plain|sh $T_TMP/ok.sh" 'plain|sh test/t04-fastcgi.sh' \
	    >"$T_TMP/out" 2>&1
}
CI= run
check_eq "without CI a skip succeeds" 0 "$?"
check "the skipped suite is named with its package" \
    grep -qx 'SKIP sh test/t04-fastcgi.sh: needs spawn-fcgi' "$T_TMP/out"
check "and listed at the end" \
    grep -qx '  sh test/t04-fastcgi.sh: spawn-fcgi' "$T_TMP/out"
check_eq "the closing line counts it" "2 passed, 0 failed, 1 skipped" \
    "$(tail -n 1 "$T_TMP/out")"
CI=true run
check_eq "in CI a skip fails" 1 "$?"
check_eq "in CI the closing line has the failure" \
    "2 passed, 1 failed, 1 skipped" "$(tail -n 1 "$T_TMP/out")"
# nothing missing: the plain closing line, nothing skipped
sh test/run-suites.sh "sh $T_TMP/ok.sh" >"$T_TMP/out2" 2>&1
check_eq "nothing skipped: the usual closing line" "2 passed, 0 failed" \
    "$(tail -n 1 "$T_TMP/out2")"
finish
