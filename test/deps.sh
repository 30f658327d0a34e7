#!/bin/sh
# test/deps.sh [-s] GROUP...: make sure the Debian packages a make target
# needs are installed. As root, installs what is missing (apt-get update
# first); otherwise prints the exact command to run and fails (with -s,
# make check's way: says so and succeeds, and the suites that need a
# missing package are skipped).
# test/deps.sh -m SUITE: the packages suite SUITE (a command of the
# Makefile's list) needs and lacks, for test/run-suites.sh.
set -u
soft=
if [ "${1:-}" = -s ]; then
	soft=1
	shift
fi

pkgs_build="gcc make pkg-config libinih-dev libseccomp-dev libidn2-dev libunistring-dev libexpat1-dev libssl-dev libcdb-dev"
pkgs_demo="$pkgs_build libxml2-utils"
pkgs_check="$pkgs_demo clang libclang-rt-14-dev valgrind spawn-fcgi libfcgi-bin mandoc man-db perl curl bind9-utils socat openssl util-linux tinycdb strace"
pkgs_web="nginx-light fcgiwrap apache2 lighttpd curl spawn-fcgi libfcgi-bin systemd iproute2 libxml2-utils strace jq openssl util-linux wrk perl"
# mailautoconf-probe and its test deployment (t20-probe.sh)
pkgs_probe="libcurl4-openssl-dev libldns-dev libpsl-dev openssl dnsmasq-base nsd nginx-light dovecot-imapd dovecot-pop3d dovecot-submissiond spawn-fcgi jq socat python3"
pkgs_check="$pkgs_check $pkgs_probe"
# t17-hoster: a PostfixAdmin database (sqlite3) and a Postfix map (postmap)
pkgs_check="$pkgs_check sqlite3 postfix"
pkgs_bench="nginx-light libfcgi-dev spawn-fcgi fcgiwrap wrk valgrind curl"
pkgs_deb="dpkg-dev debhelper devscripts lintian"
# JSON, Apple profiles, IDN, --import (mk/clients.mk); calendars, contacts
# and PACC (t15: jq and python3 read the JSON, openssl checks the digest,
# named-checkzone of bind9-utils the zone lines)
pkgs_clients="openssl libplist-utils chromium python3 libxml2-utils jq bind9-utils"
# a real client: Thunderbird's account setup, driven over Marionette
# (test/t21-thunderbird.sh), against nginx + spawn-fcgi
pkgs_thunderbird="thunderbird python3 nginx-light spawn-fcgi curl libxml2-utils strace"
# make quick (unit, t01-t04, t07, t14): test/lib.sh's xmllint and perl,
# and spawn-fcgi and cgi-fcgi for the FastCGI suites
pkgs_quick="$pkgs_build libxml2-utils perl spawn-fcgi libfcgi-bin"

# suite_pkgs SUITE: the packages a suite needs beyond the build's (every
# shell suite: xmllint and perl, through test/lib.sh).  A suite not named
# here needs only those.
suite_pkgs() {
	lib="libxml2-utils perl"
	fcgi="spawn-fcgi libfcgi-bin"
	case $1 in
	probe-build) echo "libcurl4-openssl-dev libldns-dev libpsl-dev" ;;
	*/unit | *"/alloc "*) ;;
	*check-asan*) echo "clang libclang-rt-14-dev" ;;
	*check-valgrind*) echo valgrind ;;
	*t04-fastcgi* | *t07-hostile*) echo "$lib $fcgi" ;;
	*t05-docs*) echo "$lib mandoc man-db" ;;
	*t06-fuzz*) echo "$lib clang libclang-rt-14-dev" ;;
	*t08-sandbox* | *t16-image*) echo "$lib libfcgi-bin strace" ;;
	*t09-dns* | *dns-hoster*) echo "$lib bind9-utils" ;;
	*t10-json* | *t13-import*) echo "$lib python3" ;;
	*t11-mobileconfig*) echo "$lib $pkgs_clients" ;;
	*t15-dav*) echo "$lib jq bind9-utils openssl libplist-utils python3" ;;
	*syslog*) echo "$lib $fcgi curl openssl socat util-linux" ;;
	*install.sh*) echo "$lib man-db" ;;
	*test/web/deb*) echo "$lib $pkgs_web $pkgs_deb" ;;
	*test/web/*) echo "$lib $pkgs_web" ;;
	*t20-probe*) echo "$lib $pkgs_probe" ;;
	*t21-thunderbird*) echo "$lib $pkgs_thunderbird" ;;
	*) echo "$lib" ;;
	esac
}

want=""
if [ "${1:-}" = -m ]; then
	want=$(suite_pkgs "$2")
	soft=list
else
	for g in "$@"; do
		eval "want=\"\$want \${pkgs_$g}\""
	done
fi

missing=""
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
if [ "$soft" = list ]; then
	echo $missing
	exit 0
fi
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "mailautoconf: missing Debian packages; install them with:" >&2
	echo "  sudo apt-get install$missing" >&2
	[ -n "$soft" ] && echo "mailautoconf: without them, the suites" \
	    "that need them are skipped" >&2
	[ -n "$soft" ] && exit 0
	exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 || exit 1
# keep services that Debian starts on install from holding port 80
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d.mac && chmod +x /usr/sbin/policy-rc.d.mac
[ -e /usr/sbin/policy-rc.d ] || { cp /usr/sbin/policy-rc.d.mac /usr/sbin/policy-rc.d; rm_policy=1; }
apt-get install -y -qq --no-install-recommends $missing >&2
rc=$?
[ -n "${rm_policy:-}" ] && rm -f /usr/sbin/policy-rc.d
rm -f /usr/sbin/policy-rc.d.mac
exit $rc
