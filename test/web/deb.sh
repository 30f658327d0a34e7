#!/bin/sh
# test/web/deb.sh: build the Debian packages (mailautoconf and
# mailautoconf-probe) from a copy of the tree (the
# tree itself stays clean), check its contents, install it, check what it
# installed, purge it. Installing needs root; as non-root, or with a
# mailautoconf package installed already, only the build and the package's
# contents are checked, and a note says so. DEB_KEEP=DIR keeps the .deb in
# DIR; DEB_BUILD_ONLY=1 stops after the build (make deb).
# The upgrade: an older package (0.0.9, built from the same tree the way
# packages were built before the sample left /etc: providers.ini a
# conffile, and a sample that differs) is installed, its providers.ini
# edited, and this package installed over it with apt-get, no terminal
# and no standard input: no conffile prompt, the edit kept.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
. "$TOP/test/lib.sh"

W=$T_TMP
installed=
rm_policy=

cleanup() {
	[ -n "$installed" ] && DEBIAN_FRONTEND=noninteractive \
	    apt-get -o DPkg::Lock::Timeout=120 purge -y -qq mailautoconf \
	    mailautoconf-probe >/dev/null 2>&1
	[ -n "$rm_policy" ] && rm -f /usr/sbin/policy-rc.d
	rm -rf "$T_TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

for t in dpkg-buildpackage dh dpkg-parsechangelog; do
	if ! command -v "$t" >/dev/null 2>&1; then
		fail "$t is not installed (test/deps.sh deb)"
		finish
		exit
	fi
done

# ---- build -------------------------------------------------------------

# the libraries `make` links (test/deps.sh build) are Build-Depends
bdeps=$(sed -n '/^Build-Depends:/,/^[^ ]/p' debian/control)
for p in $(sed -n 's/^pkgs_build="\(.*\)"$/\1/p' test/deps.sh); do
	case $p in
	lib*-dev)
		case $bdeps in
		*"$p"*) ok "Build-Depends has $p" ;;
		*) fail "Build-Depends lacks $p (test/deps.sh build needs it)" ;;
		esac
		;;
	esac
done


# the files git knows (committed or not, ignored ones left out), else all
mkdir "$W/src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z -c -o --exclude-standard |
	    xargs -0 sh -c 'for f; do [ -e "$f" ] || [ -L "$f" ] && printf "%s\0" "$f"; done' sh |
	    xargs -0 tar cf - | tar xf - -C "$W/src"
else
	cp -a . "$W/src"
fi
# the older package's tree: its rules without the sample's move, another
# sample, a lower version
if [ -z "${DEB_BUILD_ONLY:-}" ] && [ "$(id -u)" -eq 0 ]; then
	cp -a "$W/src" "$W/old"
	sed -i '/# upgrade-sample$/,/# upgrade-sample end/d' "$W/old/debian/rules"
	echo '# the sample of 0.0.9' >>"$W/old/providers.ini"
	sed -i '1s/(0\.1\.0)/(0.0.9)/' "$W/old/debian/changelog"
fi
if (cd "$W/src" && dpkg-buildpackage -us -uc -b) >"$W/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b"
else
	fail "dpkg-buildpackage -us -uc -b"
	tail -n 30 "$W/build.log"
fi
version=$(dpkg-parsechangelog -l "$W/src/debian/changelog" -S Version)
deb=$W/mailautoconf_${version}_$(dpkg --print-architecture).deb
if [ ! -f "$deb" ]; then
	fail "no $(basename "$deb")"
	finish
	exit
fi
pdeb=$W/mailautoconf-probe_${version}_$(dpkg --print-architecture).deb
check "the second package: $(basename "$pdeb")" test -f "$pdeb"
[ -n "${DEB_KEEP:-}" ] && mkdir -p "$DEB_KEEP" && cp "$deb" "$pdeb" "$DEB_KEEP/"
if [ -n "${DEB_BUILD_ONLY:-}" ]; then
	finish
	exit
fi

# ---- the package --------------------------------------------------------

dpkg-deb -e "$deb" "$W/control"
check "providers.ini is not a conffile (no prompt on upgrade)" sh -c \
    "! grep -q providers.ini '$W/control/conffiles' 2>/dev/null"
# after an upgrade the running service is restarted, if it runs; the
# socket is not (connections wait in its queue)
check "postinst: try-restart of mailautoconf.service after an upgrade" \
    grep -q "deb-systemd-invoke try-restart 'mailautoconf.service'" "$W/control/postinst"
check "postinst: the socket is not restarted" sh -c \
    "! grep 'restart' '$W/control/postinst' | grep -q mailautoconf.socket"
check "prerm/preinst: nothing stopped on upgrade" sh -c \
    "! grep -q 'deb-systemd-invoke stop' '$W/control/preinst' 2>/dev/null"
depends=$(dpkg-deb -f "$deb" Depends)
# the package links the libraries as shared ones (LINK=dynamic), so
# dpkg-shlibdeps names each in Depends; libcrypto is opened at run time;
# libseccomp is used at build time only (sbgen.c: sb_filter.h)
for lib in libinih libidn2 libexpat libcdb; do
	case $depends in
	*"$lib"*) ok "Depends has $lib" ;;
	*) fail "Depends has no $lib: $depends" ;;
	esac
done
case $depends in
*libseccomp*) fail "Depends has libseccomp, a build-time library: $depends" ;;
*) ok "Depends has no libseccomp (the filter is compiled in)" ;;
esac
check_eq "Recommends libssl3 (signing)" libssl3 "$(dpkg-deb -f "$deb" Recommends)"

dpkg-deb -c "$deb" | awk '{ sub(/^\./, "", $6); print $6 }' >"$W/contents"
doc=/usr/share/doc/mailautoconf
for f in /usr/sbin/mailautoconf /usr/share/mailautoconf/providers.ini \
    /usr/share/man/man8/mailautoconf.8.gz /usr/share/man/man5/providers.ini.5.gz \
    $doc/copyright $doc/deploy.md.gz \
    $doc/examples/nginx-fastcgi.conf $doc/examples/nginx-fcgiwrap.conf \
    $doc/examples/apache-cgi.conf $doc/examples/apache-proxy-fcgi.conf \
    $doc/examples/lighttpd-cgi.conf $doc/examples/lighttpd-fastcgi.conf \
    $doc/examples/systemd/mailautoconf.socket $doc/examples/systemd/mailautoconf.service; do
	check "in the package: $f" grep -qxF "$f" "$W/contents"
done
# every document the docs point to (small ones stay uncompressed)
for f in README.md SECURITY.md BENCHMARKS.md; do
	check "in the package: $doc/$f" grep -qxE "$doc/$f(\.gz)?" "$W/contents"
done
# the manual page names the package's configuration, not /usr/local's
dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/share/man/man8/mailautoconf.8.gz |
    gzip -dc >"$W/man8" 2>/dev/null
check "mailautoconf(8) in the package names /etc/mailautoconf/providers.ini" \
    sh -c "grep -q '^\.Pa /etc/mailautoconf/providers\.ini' '$W/man8' && ! grep -q /usr/local '$W/man8'"
# debhelper 13 of Debian 12 installs units in /lib, later ones in /usr/lib
for f in mailautoconf.socket mailautoconf.service; do
	check "in the package: /lib/systemd/system/$f" \
	    grep -qxE "(/usr)?/lib/systemd/system/$f" "$W/contents"
done

# the probe's package: its program, its page, its libraries from shlibs
dpkg-deb -c "$pdeb" | awk '{ sub(/^\./, "", $6); print $6 }' >"$W/pcontents"
for f in /usr/sbin/mailautoconf-probe /usr/share/man/man8/mailautoconf-probe.8.gz \
    /usr/share/doc/mailautoconf-probe/copyright; do
	check "in the probe's package: $f" grep -qxF "$f" "$W/pcontents"
done
check "the probe is not in mailautoconf's package" sh -c \
    "! grep -q mailautoconf-probe '$W/contents'"
pdepends=$(dpkg-deb -f "$pdeb" Depends)
for lib in libcurl libldns libpsl; do
	case $pdepends in
	*"$lib"*) ok "the probe's Depends has $lib" ;;
	*) fail "the probe's Depends has no $lib: $pdepends" ;;
	esac
done
if command -v lintian >/dev/null 2>&1; then
	# its tags on stdout (as root it notes that on stderr)
	lintian "$deb" "$pdeb" >"$W/lintian" 2>"$W/lintian.err"
	check_eq "lintian on both packages: exit status" 0 "$?"
	check_eq "lintian on both packages: tags" "" "$(cat "$W/lintian")"
else
	fail "lintian is not installed (test/deps.sh deb)"
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "note: not root: the package is built, not installed"
	finish
	exit
fi
if dpkg-query -W -f='${Status}' mailautoconf 2>/dev/null | grep -q 'ok installed' ||
    dpkg-query -W -f='${Status}' mailautoconf-probe 2>/dev/null | grep -q 'ok installed'; then
	echo "note: a mailautoconf package is installed already: left alone, the package not installed"
	finish
	exit
fi

# ---- install ------------------------------------------------------------

# keep the socket unit from being started here (as test/deps.sh does)
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	rm_policy=1
fi
installed=1
if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y -qq --no-install-recommends \
    "$deb" "$pdeb" >"$W/install.log" 2>&1; then
	ok "apt-get install ./$(basename "$deb") ./$(basename "$pdeb")"
else
	fail "apt-get install ./$(basename "$deb") ./$(basename "$pdeb")"
	tail -n 20 "$W/install.log"
fi

# the installed probe runs: its usage, its version, and a clear exit 2
# for an address that is none (no network needed)
check "installed: mailautoconf-probe --help" sh -c \
    "/usr/sbin/mailautoconf-probe --help | grep -q '^usage: mailautoconf-probe'"
check_eq "installed: mailautoconf-probe --version" \
    "mailautoconf-probe $version" "$(/usr/sbin/mailautoconf-probe --version)"
/usr/sbin/mailautoconf-probe jane.example.test >/dev/null 2>"$W/probe.err"
check_eq "installed: the probe refuses a non-address with exit 2" 2 "$?"
check "installed: man mailautoconf-probe" sh -c \
    "man -w mailautoconf-probe | grep -q /usr/share/man/man8/mailautoconf-probe.8"

for f in /usr/sbin/mailautoconf /etc/mailautoconf/providers.ini \
    /lib/systemd/system/mailautoconf.socket /lib/systemd/system/mailautoconf.service; do
	check "installed: $f" test -f "$f"
done
unitdir=/lib/systemd/system
check "the socket unit is enabled" test -L /etc/systemd/system/sockets.target.wants/mailautoconf.socket
check "the shipped providers.ini is the tree's" cmp -s providers.ini /etc/mailautoconf/providers.ini
# postinst compiled it (the image is not in the package: see contents)
check "postinst compiled providers.ini.cdb" \
    test -s /etc/mailautoconf/providers.ini.cdb
check "the package ships no compiled config" sh -c \
    "! grep -q 'providers.ini.cdb' '$W/contents'"

if /usr/sbin/mailautoconf --check -c /etc/mailautoconf/providers.ini >"$W/check.out" 2>&1; then
	ok "mailautoconf --check -c /etc/mailautoconf/providers.ini"
else
	fail "mailautoconf --check -c /etc/mailautoconf/providers.ini:"
	cat "$W/check.out"
fi
# no -c: the compiled-in path must be the conffile's
env -i PATH=/usr/bin:/bin QUERY_STRING='emailaddress=jane.doe%40mailbox.org' \
    /usr/sbin/mailautoconf >"$W/cgi" 2>"$W/cgi.err"
split_response "$W/cgi"
check "CGI answer from /etc/mailautoconf/providers.ini without -c" \
    grep -qF '<hostname>imap.mailbox.org</hostname>' "$W/cgi.body"
if command -v strace >/dev/null 2>&1; then
	env -i PATH=/usr/bin:/bin QUERY_STRING='emailaddress=jane.doe%40mailbox.org' \
	    strace -e trace=openat -o "$W/cgi.st" /usr/sbin/mailautoconf \
	    >/dev/null 2>&1
	check "the installed CGI answers from the compiled config" \
	    grep -q 'providers.ini.cdb", O_RDONLY' "$W/cgi.st"
fi
if command -v systemd-analyze >/dev/null 2>&1; then
	out=$(systemd-analyze verify --man=no "$unitdir/mailautoconf.socket" \
	    "$unitdir/mailautoconf.service" 2>&1)
	check_eq "systemd-analyze verify of the installed units" "" "$out"
fi

# ---- purge --------------------------------------------------------------

if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 purge -y -qq mailautoconf mailautoconf-probe >"$W/purge.log" 2>&1; then
	ok "apt-get purge mailautoconf mailautoconf-probe"
	installed=
else
	fail "apt-get purge mailautoconf mailautoconf-probe"
	tail -n 20 "$W/purge.log"
fi
check "purged: /usr/sbin/mailautoconf" test ! -e /usr/sbin/mailautoconf
check "purged: /usr/sbin/mailautoconf-probe" test ! -e /usr/sbin/mailautoconf-probe
check "purged: /etc/mailautoconf" test ! -e /etc/mailautoconf
check "purged: unit no longer enabled" test ! -e /etc/systemd/system/sockets.target.wants/mailautoconf.socket

# ---- upgrade from a package whose sample was a conffile ------------------

if (cd "$W/old" && dpkg-buildpackage -us -uc -b) >"$W/old.log" 2>&1; then
	ok "the older package (0.0.9) built"
else
	fail "the older package (0.0.9) did not build"
	tail -n 30 "$W/old.log"
	finish
	exit
fi
old=$W/mailautoconf_0.0.9_$(dpkg --print-architecture).deb
installed=1
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install \
    -y -qq --no-install-recommends "$old" >"$W/old-install.log" 2>&1 </dev/null
check "0.0.9: providers.ini is a conffile there" sh -c \
    "dpkg-query -W -f='\${Conffiles}' mailautoconf | grep -q /etc/mailautoconf/providers.ini"
echo '# a local edit' >>/etc/mailautoconf/providers.ini
if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install \
    -y -qq --no-install-recommends "$deb" >"$W/upgrade.log" 2>&1 </dev/null; then
	ok "upgrade 0.0.9 -> $version: apt-get, no terminal, no stdin"
else
	fail "upgrade 0.0.9 -> $version failed"
	tail -n 20 "$W/upgrade.log"
fi
check "no conffile prompt" sh -c "! grep -qi 'configuration file' '$W/upgrade.log'"
check_eq "upgraded and configured" "install ok installed $version" \
    "$(dpkg-query -W -f='${Status} ${Version}' mailautoconf 2>/dev/null)"
check "the edited providers.ini kept" grep -q '^# a local edit$' \
    /etc/mailautoconf/providers.ini
check "the new sample beside it" cmp -s providers.ini /usr/share/mailautoconf/providers.ini
check "compiled from the kept file" sh -c "/usr/sbin/mailautoconf --check \
    -c /etc/mailautoconf/providers.ini >/dev/null 2>&1 &&
    test -s /etc/mailautoconf/providers.ini.cdb"
if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 purge \
    -y -qq mailautoconf >>"$W/purge.log" 2>&1 </dev/null; then
	installed=
fi
check "purged after the upgrade: /etc/mailautoconf" test ! -e /etc/mailautoconf

finish
