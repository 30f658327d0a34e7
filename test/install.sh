#!/bin/sh
# test/install.sh: what `make install` puts in place is what the build was
# asked for.  In a copy of the tree: a plain make (the default
# SYSCONFDIR), then make install with PREFIX=/usr SYSCONFDIR=/etc into a
# DESTDIR, as docs/deploy.md and the README say; the installed binary must
# look for /etc/mailautoconf/providers.ini (the objects of the first make
# are not reused), "built with" must name the flags used, and the
# installed manual pages must name the same default.  Then the manual
# pages are checked the way man(1) renders them: no troff warning.
. "$(dirname "$0")/lib.sh"

SRC=$T_TMP/src
mkdir -p "$SRC"
(cd "$TOP" && cp -R ./*.c ./*.h Makefile mk docs contrib providers.ini "$SRC"/) ||
    fail "copy the tree"
# a quick build: the flags must only be the same from one step to the next;
# without the flags of a make that runs this suite (make -s hides the
# compile lines this suite reads)
MK="env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C $SRC CFLAGS=-O0"

help_default() {
	"$1" --help 2>&1 | sed -n 's/^\(\/.*providers\.ini\)\.$/\1/p'
}

if $MK >"$T_TMP/make1.out" 2>&1; then
	ok "make in a copy of the tree"
else
	fail "make in a copy of the tree"
	tail -5 "$T_TMP/make1.out"
fi
check_eq "a plain make: the default under /usr/local" \
    /usr/local/etc/mailautoconf/providers.ini "$(help_default "$SRC/mailautoconf")"
check "a plain make prints what it built with" \
    grep -q "^built with: .*-DSYSCONFDIR='\"/usr/local/etc\"'" "$T_TMP/make1.out"

D=$T_TMP/dest
$MK install PREFIX=/usr SYSCONFDIR=/etc DESTDIR="$D" >"$T_TMP/make2.out" 2>&1 ||
    fail "make install PREFIX=/usr SYSCONFDIR=/etc DESTDIR=..."
check "make install recompiles for the new SYSCONFDIR" \
    grep -q -- "-DSYSCONFDIR='\"/etc\"' .*-c -o .*main\.o main\.c" "$T_TMP/make2.out"
check "and says it built with SYSCONFDIR=/etc" \
    grep -q "^built with: .*-DSYSCONFDIR='\"/etc\"'" "$T_TMP/make2.out"
check_eq "the installed binary looks for /etc/mailautoconf/providers.ini" \
    /etc/mailautoconf/providers.ini "$(help_default "$D/usr/sbin/mailautoconf")"
check "the installed mailautoconf(8) names that default" \
    grep -q '^\.Pa /etc/mailautoconf/providers\.ini' "$D/usr/share/man/man8/mailautoconf.8"
check "the installed providers.ini(5) names it" \
    grep -q '^\.It Pa /etc/mailautoconf/providers\.ini' "$D/usr/share/man/man5/providers.ini.5"
check "no /usr/local left in the installed pages" \
    sh -c "! grep -l /usr/local/etc '$D/usr/share/man/man8/mailautoconf.8' '$D/usr/share/man/man5/providers.ini.5'"

# nothing changed: nothing is compiled again
$MK install PREFIX=/usr SYSCONFDIR=/etc DESTDIR="$D" >"$T_TMP/make3.out" 2>&1
check "a second make install with the same flags compiles nothing" \
    sh -c "! grep -q -- ' -c -o ' '$T_TMP/make3.out'"

# and back: another PREFIX rebuilds again
$MK install PREFIX=/opt/mac DESTDIR="$D" >"$T_TMP/make4.out" 2>&1 ||
    fail "make install PREFIX=/opt/mac"
check_eq "PREFIX=/opt/mac: the default follows" \
    /opt/mac/etc/mailautoconf/providers.ini "$(help_default "$D/opt/mac/sbin/mailautoconf")"
check "its mailautoconf(8) too" \
    grep -q '^\.Pa /opt/mac/etc/mailautoconf/providers\.ini' "$D/opt/mac/share/man/man8/mailautoconf.8"
check_eq "the build tree's binary is the last one built" \
    /opt/mac/etc/mailautoconf/providers.ini "$(help_default "$SRC/mailautoconf")"

# the source pages name the default of a plain build, as --help does
check "docs/mailautoconf.8 names the default of a plain build" \
    grep -q '^\.Pa /usr/local/etc/mailautoconf/providers\.ini' "$TOP/docs/mailautoconf.8"

# rendered as man(1) renders them, at three widths: no troff warning
if command -v man >/dev/null 2>&1; then
	for m in docs/mailautoconf.8 docs/providers.ini.5 \
	    docs/mailautoconf-probe.8; do
		for w in 60 80 100; do
			out=$(MANWIDTH=$w man -l "$TOP/$m" 2>&1 >/dev/null)
			check_eq "man -l $m at $w columns: no warning" "" "$out"
		done
	done
else
	fail "man(1) is missing (test/deps.sh check: man-db)"
fi

# the manual pages do not ask for sudo, which a minimal Debian lacks
for f in docs/mailautoconf.8 docs/providers.ini.5 docs/deploy.md README.md; do
	check "$f: no sudo" sh -c "! grep -n 'sudo ' '$TOP/$f'"
done

finish
