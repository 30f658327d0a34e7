#!/bin/sh
# fuzz/run.sh NAME...: run each built target $FUZZ_O/bin/fuzz_NAME for
# $FUZZ_SECONDS seconds on its seeds (fuzz/corpus/NAME) and dictionary
# (fuzz/NAME.dict), new inputs into $FUZZ_O/found/NAME.  fuzz_ini runs a
# second round with allocation failures (MAC_FUZZ_OOM=1).  Prints one line
# per run and ends with "N passed, N failed".
set -u
: "${FUZZ_SECONDS:=60}"
: "${FUZZ_O:=build/fuzz}"
pass=0
fail=0

# one NAME [ENV=VALUE]: one run
one() {
	name=$1
	bin=$FUZZ_O/bin/fuzz_$name
	work=$FUZZ_O/found/$name
	log=$FUZZ_O/log/$name${2:+-oom}.log
	mkdir -p "$work" "$FUZZ_O/log" "$FUZZ_O/crash"
	dict=
	[ -f "fuzz/$name.dict" ] && dict="-dict=fuzz/$name.dict"
	seeds=
	[ -d "fuzz/corpus/$name" ] && seeds="fuzz/corpus/$name"
	start=$(date +%s)
	# shellcheck disable=SC2086
	env ${2:-MAC_FUZZ_OOM=0} ASAN_OPTIONS=detect_leaks=1 \
	    UBSAN_OPTIONS=print_stacktrace=1 \
	    "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=65536 -print_final_stats=1 \
	    -artifact_prefix="$FUZZ_O/crash/$name-" $dict "$work" $seeds \
	    >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9][0-9]*' "$log" | tail -n 1)
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1))
		echo "ok   fuzz_$name${2:+ ($2)}: ${secs}s, ${runs:-?} runs, ${cov:-cov: ?}, corpus $(ls "$work" | wc -l)"
	else
		fail=$((fail + 1))
		echo "FAIL fuzz_$name${2:+ ($2)}: exit $rc after ${secs}s; log $log:"
		grep -E 'ERROR|SUMMARY|runtime error|==[0-9]+==|Test unit written' "$log" | head -n 8
	fi
}

for n in "$@"; do
	one "$n"
	[ "$n" = ini ] && one "$n" MAC_FUZZ_OOM=1
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
