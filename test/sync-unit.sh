#!/bin/sh
# test/sync-unit.sh ROOT [MAINPID]: run contrib/systemd/mailautoconf-sync.service
# as systemd runs a oneshot service -- its ExecStart= lines in order, until
# one fails -- with the paths of a test tree: /usr/sbin/ and
# /etc/mailautoconf/ become ROOT/sbin/ and ROOT/etc/. systemd is not PID 1
# where the tests run, so the one line that talks to it,
# `systemctl try-reload-or-restart mailautoconf.service', becomes what it
# does: the ExecReload= lines of contrib/systemd/mailautoconf.service with
# $MAINPID, when MAINPID is given (the service runs), else nothing.
# Output: every step's; exit: the failed step's status, else 0.
TOP=$(cd "$(dirname "$0")/.." && pwd)
ROOT=$1
MAINPID=${2:-}

lines() {
	sed -n "s/^$2=//p" "$TOP/contrib/systemd/$1" |
	    sed -e "s|/usr/sbin/|$ROOT/sbin/|g" -e "s|/etc/mailautoconf/|$ROOT/etc/|g"
}

# step LINE: one command line; a leading "-" ignores its failure, "+" is
# systemd's "full privileges", which the test already has
step() {
	ign=
	l=$1
	while :; do
		case $l in
		-*) ign=1; l=${l#-} ;;
		+*) l=${l#+} ;;
		*) break ;;
		esac
	done
	# shellcheck disable=SC2086 # split into words, as systemd does
	set -- $l
	[ "$1" = /bin/kill ] && [ "$3" = '$MAINPID' ] && set -- "$1" "$2" "$MAINPID"
	"$@"
	rc=$?
	[ -n "$ign" ] && rc=0
	return $rc
}

lines mailautoconf-sync.service ExecStart >"${TMPDIR:-/tmp}/sync-unit.$$"
while read -r l; do
	case $l in
	'/bin/systemctl try-reload-or-restart mailautoconf.service')
		[ -n "$MAINPID" ] || continue
		lines mailautoconf.service ExecReload >"${TMPDIR:-/tmp}/sync-reload.$$"
		while read -r r; do
			step "$r" || { rc=$?; rm -f "${TMPDIR:-/tmp}"/sync-*.$$; exit $rc; }
		done <"${TMPDIR:-/tmp}/sync-reload.$$"
		;;
	*)
		step "$l" || { rc=$?; rm -f "${TMPDIR:-/tmp}"/sync-*.$$; exit $rc; }
		;;
	esac
done <"${TMPDIR:-/tmp}/sync-unit.$$"
rm -f "${TMPDIR:-/tmp}"/sync-*.$$
exit 0
