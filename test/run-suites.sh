#!/bin/sh
# test/run-suites.sh [-b BUILD] [-m TEXT] [-x TEXT] SUITE...: run each suite (a
# command whose last line is "N passed, N failed"), then print the sum as
# the one closing line.  A suite of the Makefile's list is "BUILDS|COMMAND":
# with -b it runs only when BUILDS names BUILD (without -b, always); -m
# runs only the suites whose command holds TEXT (or any word of it), -x
# none that hold it; -p runs the suites at the same time (make quick: most
# of their time is waiting) and shows each one's output when all are done.
# A suite whose Debian packages are missing (test/deps.sh -m) is skipped
# and named with them; the closing line then ends in ", N skipped", and
# in CI (CI=true) any skipped suite fails the run.
set -u
deps=$(dirname "$0")/deps.sh
build=""
match=""
skip=""
par=""
while [ $# -gt 0 ]; do
	case $1 in
	-p) par=1; shift ;;
	-b) build=$2; shift 2 ;;
	-m) match=$2; shift 2 ;;
	-x) skip=$2; shift 2 ;;
	*) break ;;
	esac
done
p=0
f=0
k=0
skipped=""
jobs=$(mktemp -d)
n=0

# sum OUT COMMAND: add the closing line of a suite's output to the sums
sum() {
	rc=$(tail -n 1 "$1" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed\(, \([0-9][0-9]*\) skipped\)\{0,1\}$/\1 \2 \4/p')
	if [ -z "$rc" ]; then
		echo "FAIL $2: no closing 'N passed, N failed' line"
		f=$((f + 1))
	else
		sp=${rc%% *}
		rest=${rc#* }
		sf=${rest%% *}
		sk=${rest#* }
		p=$((p + sp))
		f=$((f + sf))
		k=$((k + ${sk:-0}))
	fi
}

for s in "$@"; do
	case $s in
	*"|"*)
		builds=${s%%|*}
		s=${s#*|}
		if [ -n "$build" ]; then
			case " $builds " in *" $build "*) ;; *) continue ;; esac
		fi
		;;
	esac
	if [ -n "$match" ]; then
		hit=
		for w in $match; do
			case $s in *"$w"*) hit=1 ;; esac
		done
		[ -n "$hit" ] || continue
	fi
	if [ -n "$skip" ]; then
		case $s in *"$skip"*) continue ;; esac
	fi
	echo "== $s"
	need=$(sh "$deps" -m "$s")
	if [ -n "$need" ]; then
		echo "SKIP $s: needs $need"
		skipped="$skipped
  $s: $need"
		k=$((k + 1))
		continue
	fi
	n=$((n + 1))
	if [ -n "$par" ]; then
		printf '%s\n' "$s" >"$jobs/$n.cmd"
		sh -c "$s" >"$jobs/$n.out" 2>&1 &
		continue
	fi
	sh -c "$s" 2>&1 | tee "$jobs/$n.out"
	sum "$jobs/$n.out" "$s"
done
if [ -n "$par" ]; then
	wait
	i=0
	while [ $i -lt $n ]; do
		i=$((i + 1))
		[ -f "$jobs/$i.cmd" ] || continue
		echo "== $(cat "$jobs/$i.cmd") (its output)"
		cat "$jobs/$i.out"
		sum "$jobs/$i.out" "$(cat "$jobs/$i.cmd")"
	done
fi
rm -rf "$jobs"
if [ -n "$skipped" ]; then
	echo "skipped, for want of Debian packages (sudo apt-get install them):$skipped"
	if [ "${CI:-}" = true ]; then
		echo "FAIL: CI skips no suite (make deps installs everything)"
		f=$((f + 1))
	fi
fi
if [ "$k" -gt 0 ]; then
	printf '%d passed, %d failed, %d skipped\n' "$p" "$f" "$k"
else
	printf '%d passed, %d failed\n' "$p" "$f"
fi
[ "$f" -eq 0 ]
