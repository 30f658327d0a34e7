#!/bin/sh
# test/run-suites.sh SUITE...: run each suite (a command whose last line is
# "N passed, N failed"), then print the sum as the one closing line.
set -u
p=0
f=0
bad=0
for s in "$@"; do
	echo "== $s"
	out=$(mktemp)
	sh -c "$s" 2>&1 | tee "$out"
	rc=$(tail -n 1 "$out" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1 \2/p')
	if [ -z "$rc" ]; then
		echo "FAIL $s: no closing 'N passed, N failed' line"
		f=$((f + 1))
	else
		sp=${rc% *}
		sf=${rc#* }
		p=$((p + sp))
		f=$((f + sf))
	fi
	rm -f "$out"
done
printf '%d passed, %d failed\n' "$p" "$f"
[ "$f" -eq 0 ]
