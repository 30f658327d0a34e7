#!/bin/sh
# t05-docs.sh: the documentation says what the program does.  Man pages
# are clean under mandoc -Tlint; they and the program's key and endpoint
# tables agree both ways; every option of --help is documented; the
# README's quick start is there.  Reads nothing outside the checkout.
. "$(dirname "$0")/lib.sh"

for m in docs/mailautoconf.8 docs/providers.ini.5; do
	out=$(mandoc -Tlint -Wwarning "$TOP/$m" 2>&1)
	check_eq "mandoc -Tlint $m" "" "$out"
done

# The man pages against the program's own tables, both ways (the unit
# runner prints them): every key the loader takes is documented in
# providers.ini.5 and every key documented there is taken, in the same
# part (global settings, providers, server options); every path the
# endpoint table routes is an endpoint of mailautoconf.8, and back.
UNIT=${MAC_B:-.}/unit
if ! tables=$($MAC_WRAP "$UNIT" --tables 2>&1); then
	fail "$UNIT --tables: $tables"
	tables=
fi
printf '%s\n' "$tables" | sed -n 's/^key //p' | sort -u >"$T_TMP/keys.table"
awk '
	/^\.Ss Global settings/ { sc = "global" }
	/^\.Ss Providers/ { sc = "provider" }
	/^\.Ss Server lines/ { sc = "server" }
	/^\.S[sh] / && !/^\.Ss (Global settings|Providers|Server lines)/ { sc = "" }
	sc != "" && /^\.It (Ic|Cm) / {
		for (i = 3; i <= NF; i++) {
			if ($(i - 1) != "Ic" && $(i - 1) != "Cm" && $(i - 1) != ",")
				continue
			# "descr.\&": a dot that ends no sentence (mandoc -Tlint)
			sub(/\\&$/, "", $i)
			if ($i !~ /^[a-z][a-z0-9_.]*$/)
				continue
			k = $i
			if (k ~ /\.$/ && $(i + 1) == "Ns" && $(i + 3) == "lang")
				k = k "LANG"
			print sc, k
		}
	}' "$TOP/docs/providers.ini.5" | sort -u >"$T_TMP/keys.doc"
check "the key table is not empty" test -s "$T_TMP/keys.table"
check "providers.ini.5 documents keys" test -s "$T_TMP/keys.doc"
for k in $(comm -23 "$T_TMP/keys.table" "$T_TMP/keys.doc" | tr ' ' ':'); do
	fail "providers.ini.5 does not document the ${k%%:*} key ${k#*:}"
done
for k in $(comm -13 "$T_TMP/keys.table" "$T_TMP/keys.doc" | tr ' ' ':'); do
	fail "providers.ini.5 documents the ${k%%:*} key ${k#*:}, which the loader does not take"
done
check_eq "providers.ini.5 and the key table agree" \
    "$(cat "$T_TMP/keys.table")" "$(cat "$T_TMP/keys.doc")"

printf '%s\n' "$tables" | sed -n 's/^path //p' | sort -u >"$T_TMP/paths.table"
awk '/^\.It Pa \// {
		for (i = 2; i <= NF; i++)
			if ($(i - 1) == "Pa" && $i ~ /^\// && $i !~ /^\/(etc|usr|dev)\//)
				print $i
	}' "$TOP/docs/mailautoconf.8" | sort -u >"$T_TMP/paths.doc"
check "the endpoint table has paths" test -s "$T_TMP/paths.table"
check_eq "mailautoconf.8 and the endpoint table name the same paths" \
    "$(cat "$T_TMP/paths.table")" "$(cat "$T_TMP/paths.doc")"

# every option of --help is in mailautoconf.8
for o in $($MAC_BIN --help | grep -o -- '--[a-z]*' | sort -u); do
	check "mailautoconf.8 documents $o" grep -q -- "Fl \\\\-${o#--}" "$TOP/docs/mailautoconf.8"
done

# the README's layout table names every source file of the program
missing=
for f in "$TOP"/*.c "$TOP"/probe/*.c; do
	b=${f##*/}
	grep '^| ' "$TOP/README.md" | grep -qF "\`$b\`" || missing="$missing $b"
done
check_eq "README's layout table lacks none of the *.c" "" "$missing"

# Every document a comment cites is in the tree: no design notes that live
# elsewhere (sections of the old specification, the shared folder beside
# the checkout), every Markdown file named in code is a file of the
# checkout, every DESIGN.md section cited is one of docs/DESIGN.md.
find "$TOP" -path "$TOP/build" -prune -o -path "$TOP/.git" -prune -o \
    -type f \( -name '*.[ch]' -o -name '*.sh' -o -name '*.mk' -o \
    -name '*.py' -o -name '*.pl' -o -name '*.txt' -o -name Makefile \) \
    -print | sort >"$T_TMP/code"
check "the tree has code to read" test -s "$T_TMP/code"
# (the notes the project was built from, by name with or without .md)
bad=$(xargs grep -nE 'SPE[C]( §|\.md)|\.\./shar[e]d|shared spe[c]|clients-nex[t]|clients-20[0-9][0-9]|client-request[s]|providers-in[i]|discover[y] §' <"$T_TMP/code" |
    sed "s|^$TOP/||")
check_eq "no comment cites a document outside the tree" "" "$bad"
missing=
for d in $(xargs grep -ohE '[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b' <"$T_TMP/code" |
    sort -u); do
	[ -f "$TOP/$d" ] || [ -f "$TOP/docs/$d" ] ||
	    [ -n "$(find "$TOP" -path "$TOP/build" -prune -o -name "${d##*/}" -print)" ] ||
	    missing="$missing $d"
done
check_eq "every Markdown file cited in code is in the tree" "" "$missing"
for n in $(xargs grep -ohE 'DESIGN\.md §[0-9]+' <"$T_TMP/code" | sort -u |
    sed 's/.*§//'); do
	check "DESIGN.md has the section §$n code cites" \
	    grep -q "^## $n\. " "$TOP/docs/DESIGN.md"
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
# (objects in O: other flags rebuild, and the tree's ./mailautoconf stays)
make -s -C "$TOP" install O="$T_TMP/obj" DESTDIR="$D" PREFIX=/usr SYSCONFDIR=/etc >/dev/null 2>&1
for f in /usr/sbin/mailautoconf /etc/mailautoconf/providers.ini \
    /usr/share/man/man8/mailautoconf.8 /usr/share/man/man5/providers.ini.5 \
    /usr/share/doc/mailautoconf/examples/nginx-fastcgi.conf \
    /usr/share/doc/mailautoconf/examples/systemd/mailautoconf.socket; do
	check "make install: $f" test -f "$D$f"
done
check "the installed binary checks the installed config" \
    sh -c "'$D/usr/sbin/mailautoconf' --check -c '$D/etc/mailautoconf/providers.ini' 2>/dev/null"
make -s -C "$TOP" uninstall O="$T_TMP/obj" DESTDIR="$D" PREFIX=/usr SYSCONFDIR=/etc >/dev/null 2>&1
check "make uninstall removes the binary" test ! -e "$D/usr/sbin/mailautoconf"
check "and keeps the edited config" test -f "$D/etc/mailautoconf/providers.ini"
finish
