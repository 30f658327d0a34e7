#!/bin/sh
# build-deps.sh: a change to any header rebuilds every object and program
# that includes it, directly or through another header, so that nothing is
# linked stale (the compiler's -MMD -MP lists, Makefile DEPFLAGS).  For
# each header, make -n -W HEADER (what make would do had HEADER changed;
# the tree is not touched) must compile every file that includes it, as
# found here from the #include lines of the sources themselves.  Runs
# against the normal build, which must be up to date.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1
unset MAKEFLAGS MFLAGS MAKELEVEL
MK="make --no-print-directory all probe unit build/test/alloc build/test/sbtest build/fcgi-proto"

# outs: the file each compile of `make -n` writes (its -o)
outs() {
	tr ' ' '\n' | awk 'p { print; p = 0 } $0 == "-o" { p = 1 }' | sort -u
}

# incs FILE: the quoted includes of FILE, found beside it or at the top,
# and theirs in turn (a subshell: d and h are its own in each call)
incs() (
	d=$(dirname "$1")
	for h in $(sed -n 's/^#[ \t]*include[ \t]*"\([^"]*\)".*/\1/p' "$1"); do
		if [ -f "$d/$h" ]; then h="$d/$h"
		elif [ -f "$h" ]; then :
		else continue
		fi
		h=${h#./}
		case " $seen " in *" $h "*) continue ;; esac
		seen="$seen $h"
		echo "$h"
		incs "$h"
	done
)

# the file each source is compiled into
out_of() {
	case $1 in
	test/unit.c) echo unit ;;
	test/alloc.c | test/sbtest.c) echo "build/test/$(basename "$1" .c)" ;;
	test/fcgi-proto.c) echo build/fcgi-proto ;;
	sbgen.c) echo sbgen ;;
	*.c) echo "${1%.c}.o" ;;
	esac
}

if ! base=$($MK -n 2>&1); then
	fail "make -n: $base"
fi
stale=$(printf '%s\n' "$base" | outs)
check_eq "the build is up to date before the check" "" "$stale"

: >"$T_TMP/map"
for src in *.c probe/*.c test/unit.c test/alloc.c test/sbtest.c test/fcgi-proto.c; do
	seen=""
	for h in $(incs "$src"); do
		echo "$h $(out_of "$src")" >>"$T_TMP/map"
	done
done

nh=0
for h in *.h probe/*.h test/*.h test/unit-*.c; do
	want=$(awk -v h="$h" '$1 == h { print $2 }' "$T_TMP/map" | sort -u)
	[ -n "$want" ] || continue
	nh=$((nh + 1))
	got=$($MK -n -W "$h" 2>&1 | outs)
	missing=$(printf '%s\n' "$want" | while read -r o; do
		printf '%s\n' "$got" | grep -qxF "$o" || printf ' %s' "$o"
	done)
	check_eq "after a change to $h, make rebuilds all of$(echo $want | sed 's/^/ /')" \
	    "" "$missing"
done
# the headers the loop must have seen: the server's, the probe's, the tests'
check "every header is included somewhere ($nh)" [ "$nh" -ge 6 ]
finish
