#!/bin/sh
# t05-docs.sh: the documentation says what the program does.  Man pages
# are clean under mandoc -Tlint; every key of the normative format and
# every option of --help is documented; the README's quick start is there.
. "$(dirname "$0")/lib.sh"

for m in docs/mailautoconf.8 docs/providers.ini.5; do
	out=$(mandoc -Tlint -Wwarning "$TOP/$m" 2>&1)
	check_eq "mandoc -Tlint $m" "" "$out"
done

# every key of providers-ini.md (the normative spec) is in providers.ini.5
spec=$TOP/../shared/spec/providers-ini.md
if [ -f "$spec" ]; then
	keys=$(grep -o '^| `[a-z0-9_.A-Z*]*`' "$spec" | tr -d '|` ' | sort -u)
	[ -n "$keys" ] && ok "spec keys found" || fail "no keys read from the spec"
	for k in $keys; do
		case $k in *LANG) k=${k%.LANG} ;; esac
		check "providers.ini.5 documents $k" grep -q "$k" "$TOP/docs/providers.ini.5"
	done
	for o in auth username restriction add_this_server use_global_preferred_server \
	    leave_messages_on_server download_on_biff days_to_leave_messages_on_server \
	    check_interval; do
		check "providers.ini.5 documents option $o" grep -q "^.It Cm $o" "$TOP/docs/providers.ini.5"
	done
else
	fail "../shared/spec/providers-ini.md not found"
fi

# every option of --help is in mailautoconf.8
for o in $($MAC_BIN --help | grep -o -- '--[a-z]*' | sort -u); do
	check "mailautoconf.8 documents $o" grep -q -- "Fl \\\\-${o#--}" "$TOP/docs/mailautoconf.8"
done

# the README's quick start
check "README has make demo" grep -q '^    make demo' "$TOP/README.md"
check "README has make check" grep -q '^    make check' "$TOP/README.md"

# the README's shell example works as written
cmd=$(grep -m1 "^    QUERY_STRING=" "$TOP/README.md" | sed 's/^    //')
out=$(cd "$TOP" && sh -c "$cmd" 2>/dev/null | head -1 | tr -d '\r')
check_eq "README shell example answers" "Status: 200 OK" "$out"

# the mdoc example in providers.ini.5 is a loadable config
sed -n '/^A hoster with one server name/,/^\.Ed/p' "$TOP/docs/providers.ini.5" |
    sed '1,2d;$d' >"$T_TMP/hoster.ini"
check "providers.ini.5 hoster example loads" sh -c "$MAC_BIN --check -c $T_TMP/hoster.ini 2>/dev/null"
# make install puts everything where the man pages and deploy.md say
D=$T_TMP/inst
make -s -C "$TOP" install DESTDIR="$D" PREFIX=/usr SYSCONFDIR=/etc >/dev/null 2>&1
for f in /usr/sbin/mailautoconf /etc/mailautoconf/providers.ini \
    /usr/share/man/man8/mailautoconf.8 /usr/share/man/man5/providers.ini.5 \
    /usr/share/doc/mailautoconf/examples/nginx-fastcgi.conf \
    /usr/share/doc/mailautoconf/examples/systemd/mailautoconf.socket; do
	check "make install: $f" test -f "$D$f"
done
check "the installed binary checks the installed config" \
    sh -c "'$D/usr/sbin/mailautoconf' --check -c '$D/etc/mailautoconf/providers.ini' 2>/dev/null"
make -s -C "$TOP" uninstall DESTDIR="$D" PREFIX=/usr SYSCONFDIR=/etc >/dev/null 2>&1
check "make uninstall removes the binary" test ! -e "$D/usr/sbin/mailautoconf"
check "and keeps the edited config" test -f "$D/etc/mailautoconf/providers.ini"
finish
