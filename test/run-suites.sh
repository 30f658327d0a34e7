#!/bin/sh
# test/run-suites.sh [-b BUILD] [-m TEXT] [-x TEXT] SUITE...: run each suite (a
# command whose last line is "N passed, N failed"), then print the sum as
# the one closing line.  A suite of the Makefile's list is "BUILDS|COMMAND":
# with -b it runs only when BUILDS names BUILD (without -b, always); -m
# runs only the suites whose command holds TEXT, -x none that hold it.
set -u
build=""
match=""
skip=""
while [ $# -gt 0 ]; do
	case $1 in
	-b) build=$2; shift 2 ;;
	-m) match=$2; shift 2 ;;
	-x) skip=$2; shift 2 ;;
	*) break ;;
	esac
done
p=0
f=0
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
		case $s in *"$match"*) ;; *) continue ;; esac
	fi
	if [ -n "$skip" ]; then
		case $s in *"$skip"*) continue ;; esac
	fi
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
