#!/bin/sh
# test/web/docs.sh: docs/deploy.md shows the files of contrib/ as they are.
# A fenced code block whose info string names a file after the language
# (```nginx contrib/nginx-fastcgi.conf) must equal that file byte for byte,
# and every file of contrib/ must be shown in such a block. The blocks
# labelled example:dns and output:dns are a providers.ini and what
# `mailautoconf --dns example.com` prints for it.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
. "$TOP/test/lib.sh"

DOC=docs/deploy.md
W=$T_TMP

if [ ! -f "$DOC" ]; then
	fail "$DOC is missing"
	ex=$(awk '$2 == "example:dns" { print $1 }' "$W/labels")
out=$(awk '$2 == "output:dns" { print $1 }' "$W/labels")
if [ -z "$ex" ] || [ -z "$out" ]; then
	fail "$DOC: no blocks labelled example:dns and output:dns"
elif [ ! -x "$MAC_BIN" ]; then
	echo "note: no $MAC_BIN: the --dns example of $DOC not run"
elif $MAC_BIN -c "$W/block.$ex" --dns example.com >"$W/dns" 2>"$W/dns.err" &&
    cmp -s "$W/dns" "$W/block.$out"; then
	ok "$DOC: mailautoconf --dns prints what the docs show"
else
	fail "$DOC: mailautoconf --dns prints otherwise:"
	diff -u "$W/block.$out" "$W/dns" | sed -n '3,12p'
	cat "$W/dns.err"
fi

finish
	exit
fi

# each labelled block to W/block.N; W/labels: "N PATH LINE" per block
awk -v dir="$W" '
	!inblock && /^```[A-Za-z0-9_-]* [^ ]+$/ {
		n++
		inblock = 1
		out = dir "/block." n
		printf "" >out
		print n, $2, NR >(dir "/labels")
		next
	}
	inblock && /^```$/ { inblock = 0; close(out); next }
	inblock { print >out }
' "$DOC"
touch "$W/labels"

while read -r n path line; do
	case $path in
	example:* | output:*) continue ;;
	esac
	if [ ! -f "$path" ]; then
		fail "$DOC:$line: labelled with $path, which does not exist"
	elif cmp -s "$path" "$W/block.$n"; then
		ok "$DOC:$line: $path"
	else
		fail "$DOC:$line: differs from $path:"
		diff -u "$path" "$W/block.$n" | sed -n '3,12p'
	fi
done <"$W/labels"

for f in $(find contrib -type f | sort); do
	if grep -q " $f " "$W/labels"; then
		ok "$f is shown in $DOC"
	else
		fail "$f is not shown in $DOC (a block labelled \`\`\`LANG $f)"
	fi
done

ex=$(awk '$2 == "example:dns" { print $1 }' "$W/labels")
out=$(awk '$2 == "output:dns" { print $1 }' "$W/labels")
if [ -z "$ex" ] || [ -z "$out" ]; then
	fail "$DOC: no blocks labelled example:dns and output:dns"
elif [ ! -x "$MAC_BIN" ]; then
	echo "note: no $MAC_BIN: the --dns example of $DOC not run"
elif $MAC_BIN -c "$W/block.$ex" --dns example.com >"$W/dns" 2>"$W/dns.err" &&
    cmp -s "$W/dns" "$W/block.$out"; then
	ok "$DOC: mailautoconf --dns prints what the docs show"
else
	fail "$DOC: mailautoconf --dns prints otherwise:"
	diff -u "$W/block.$out" "$W/dns" | sed -n '3,12p'
	cat "$W/dns.err"
fi

finish
