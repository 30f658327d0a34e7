#!/bin/sh
# test/deps.sh GROUP...: make sure the Debian packages a make target needs
# are installed. As root, installs what is missing (apt-get update first);
# otherwise prints the exact command to run and fails.
set -u

pkgs_build="gcc make pkg-config libinih-dev libseccomp-dev libidn2-dev libunistring-dev libexpat1-dev libssl-dev libcdb-dev"
pkgs_demo="$pkgs_build libxml2-utils"
pkgs_check="$pkgs_demo clang libclang-rt-14-dev valgrind spawn-fcgi libfcgi-bin mandoc man-db perl curl bind9-utils socat openssl util-linux tinycdb strace"
pkgs_web="nginx-light fcgiwrap apache2 lighttpd curl spawn-fcgi libfcgi-bin systemd iproute2 libxml2-utils strace jq openssl util-linux"
# mailautoconf-probe and its test deployment (t20-probe.sh)
pkgs_probe="libcurl4-openssl-dev libldns-dev libpsl-dev openssl dnsmasq-base nsd nginx-light dovecot-imapd dovecot-pop3d dovecot-submissiond spawn-fcgi jq socat python3"
pkgs_check="$pkgs_check $pkgs_probe"
pkgs_bench="nginx-light libfcgi-dev spawn-fcgi fcgiwrap wrk valgrind curl"
pkgs_deb="dpkg-dev debhelper devscripts lintian"
# JSON, Apple profiles, IDN, --import (mk/clients.mk); calendars, contacts
# and PACC (t15: jq and python3 read the JSON, openssl checks the digest,
# named-checkzone of bind9-utils the zone lines)
pkgs_clients="openssl libplist-utils chromium python3 libxml2-utils jq bind9-utils"
# a real client: Thunderbird's account setup, driven over Marionette
# (test/t21-thunderbird.sh), against nginx + spawn-fcgi
pkgs_thunderbird="thunderbird python3 nginx-light spawn-fcgi curl libxml2-utils strace"

want=""
for g in "$@"; do
	eval "want=\"\$want \${pkgs_$g}\""
done

missing=""
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "mailautoconf: missing Debian packages; install them with:" >&2
	echo "  sudo apt-get install$missing" >&2
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
