#!/bin/sh
# t06-fuzz.sh: the smoke run of every fuzz target (fuzz/fuzz_*.c) that
# `make check` does: build them (clang, libFuzzer, ASan+UBSan), replay the
# seeds, fuzz each for FUZZ_SMOKE_SECONDS (10), two at a time.  The long
# run is `make fuzz` (FUZZ_SECONDS each).
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

: "${FUZZ_SMOKE_SECONDS:=10}"
FUZZ_O=build/fuzz
export FUZZ_O

if ! make --no-print-directory fuzz-build >"$T_TMP/build.log" 2>&1; then
	fail "fuzz targets do not build: $(grep -m 3 -E 'error|Error' "$T_TMP/build.log")"
	finish
	exit
fi

names=$(ls fuzz/fuzz_*.c | sed 's|fuzz/fuzz_\(.*\)\.c|\1|')
for n in $names; do
	echo "$n"
done | xargs -P 2 -I NAME sh -c \
    "FUZZ_SECONDS=$FUZZ_SMOKE_SECONDS sh fuzz/run.sh NAME >$T_TMP/NAME.out 2>&1"

for n in $names; do
	tally "$T_TMP/$n.out"
done
finish
