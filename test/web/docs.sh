#!/bin/sh
# test/web/docs.sh: docs/deploy.md shows the files of contrib/ as they are,
# and the command blocks of README.md and deploy.md work as written (see
# below); the Debian package ships the documents they point to.
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


# ---- the command blocks of README.md and deploy.md, run as written -----
#
# Every indented block is a command block unless it is a configuration
# (its first line "[section]", "key = value", "<...", "; ..."). It is run
# with sh -e after the replacements of deploy.md section 6 (/usr/sbin,
# /etc/mailautoconf/, /run/ become the test's directories) and with a
# curl that connects to the test's nginx on 127.0.0.1 (ports 80 and 443
# become 18210 and 18211; TLS with a certificate of the test): host and
# port are all that change. That nginx is contrib/nginx-fastcgi.conf with
# its TLS lines switched on, the configuration the example:dns block.
# Every curl must get 200, an unknown.invalid address 404, each with the
# Content-Type deploy.md section 8 gives. The block that starts
# mailautoconf (spawn-fcgi) runs first; a block that changes the machine
# itself is named and left out.

# skip_reason FILE: why a block is not run, or nothing
skip_reason() {
	awk '
	/^(apt|apt-get) / { r = "installs packages" }
	/^make( |$)/ { r = "builds or tests the whole tree" }
	/^systemctl |^journalctl / { r = "needs systemd as init" }
	/\/etc\/(nginx|apache2|lighttpd)\// || /^nginx -t/ || /^a2enmod / ||
	    /^lighty-enable-mod / { r = "the system web server (test/web/apache-site.sh runs the header lines)" }
	/^(certbot|dig|crontab) / { r = "the network or the system" }
	/^mailautoconf: / { r = "a message the program prints, not a command" }
	/(^| )(rsync|ssh) / { r = "other hosts" }
	END { if (r != "") print r }' "$1"
}

# blocks FILE: each indented block to W/cmd.N, "N FILE LINE" to W/cmds
blocks() {
	awk -v dir="$W" -v f="$1" -v n0="$(wc -l <"$W/cmds")" '
	function indent(s) { match(s, /^ */); return RLENGTH }
	function flush(   i, out, last) {
		last = k
		while (last > 0 && buf[last] ~ /^$/)
			last--
		n++
		out = dir "/cmd." n
		printf "" >out
		for (i = 1; i <= last; i++)
			print substr(buf[i], ind + 1) >out
		close(out)
		print n, f, start >>(dir "/cmds")
		inb = 0
	}
	BEGIN { n = n0; prevblank = 1 }
	/^```/ { fenced = !fenced }
	fenced { next }
	inb && (/^$/ || indent($0) >= ind) { buf[++k] = $0; next }
	inb { flush(); prevblank = 0 }
	!inb && prevblank && indent($0) >= 4 && $0 !~ /^ *([-*]|[0-9]+\.) / {
		inb = 1; ind = indent($0); k = 1; buf[1] = $0; start = NR; next
	}
	{ prevblank = ($0 ~ /^$/) }
	END { if (inb) flush() }' "$1"
}

: >"$W/cmds"
blocks README.md
blocks "$DOC"

REAL_CURL=$(command -v curl)
if [ "$(id -u)" -ne 0 ] || [ -z "$REAL_CURL" ] || ! command -v nginx >/dev/null ||
    ! command -v spawn-fcgi >/dev/null || ! command -v openssl >/dev/null ||
    [ -z "$ex" ] || [ ! -x "$MAC_BIN" ]; then
	fail "the command blocks need root, curl, nginx, spawn-fcgi, openssl, $MAC_BIN"
	finish
	exit
fi

E=$W/run-env
mkdir -p "$E/sbin" "$E/etc" "$E/run" "$E/bin" "$E/cwd" "$E/ngx/tmp"
chmod 755 "$W" "$E" "$E/sbin" "$E/etc" "$E/run"
cp "$MAC_BIN" "$E/sbin/mailautoconf"
cp "$W/block.$ex" "$E/etc/providers.ini"
chmod 755 "$E/sbin/mailautoconf"
chmod 644 "$E/etc/providers.ini"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=autoconfig.example.com \
    -keyout "$E/tls.key" -out "$E/tls.crt" >/dev/null 2>&1 || fail "openssl: no certificate"

# curl, as written, to the test's nginx; each call's outcome to curl.log
{
	echo '#!/bin/sh'
	echo "exec '$REAL_CURL' --noproxy '*' --max-time 10 -k \\"
	echo "    --connect-to :80:127.0.0.1:18210 --connect-to :443:127.0.0.1:18211 \\"
	echo "    -w '%{stderr}@@ %{http_code} %{url_effective} %{content_type}\\n' \"\$@\" 2>>'$E/curl.log'"
} >"$E/bin/curl"
chmod 755 "$E/bin/curl"

subst() {
	sed -e "s|/usr/sbin/mailautoconf|$E/sbin/mailautoconf|g" \
	    -e "s|/etc/mailautoconf/|$E/etc/|g" -e "s|/run/|$E/run/|g" \
	    -e "s|/var/lib/mailautoconf/|$E/var/|g" "$1"
}

# nginx: the fast set-up, with TLS
sed -e "s|/run/|$E/run/|g" -e "s|listen 80;|listen 127.0.0.1:18210;|" \
    -e '/listen \[::\]:80;/d' -e '/#listen \[::\]:443 ssl;/d' \
    -e "s|#listen 443 ssl;|listen 127.0.0.1:18211 ssl;|" \
    -e "s|#ssl_certificate /.*fullchain.pem;|ssl_certificate $E/tls.crt;|" \
    -e "s|#ssl_certificate_key /.*privkey.pem;|ssl_certificate_key $E/tls.key;|" \
    contrib/nginx-fastcgi.conf >"$E/ngx/site.conf"
cp /etc/nginx/fastcgi_params "$E/ngx/"
{
	echo "user www-data www-data;"
	echo "pid $E/ngx/nginx.pid;"
	echo "error_log $E/ngx/error.log;"
	echo "worker_processes 1;"
	echo "events { worker_connections 64; }"
	echo "http {"
	echo "	access_log $E/ngx/access.log;"
	for t in client_body fastcgi proxy uwsgi scgi; do
		echo "	${t}_temp_path $E/ngx/tmp/$t;"
	done
	echo "	include $E/ngx/site.conf;"
	echo "}"
} >"$E/ngx/nginx.conf"
cleanup_docs() {
	for pf in "$E/ngx/nginx.pid" "$E/run/mailautoconf.pid"; do
		[ -s "$pf" ] && kill -TERM "$(cat "$pf")" 2>/dev/null
	done
	sleep 0.2
	[ -n "${KEEP:-}" ] || rm -rf "$T_TMP"
}
trap cleanup_docs EXIT
if nginx -q -p "$E/ngx" -e "$E/ngx/error.log" -c "$E/ngx/nginx.conf" >>"$E/ngx/error.log" 2>&1; then
	ok "nginx starts with contrib/nginx-fastcgi.conf and its TLS lines"
else
	fail "nginx: $(tail -3 "$E/ngx/error.log")"
fi

# the start block first, then the others in order
first_n=
for n in $(awk '{ print $1 }' "$W/cmds"); do
	if grep -q '^spawn-fcgi ' "$W/cmd.$n"; then
		first_n=$n
		break
	fi
done
[ -n "$first_n" ] || fail "$DOC: no block starts spawn-fcgi"
order="$first_n $(awk -v x="$first_n" '$1 != x { print $1 }' "$W/cmds")"

# want_of URL: the status and Content-Type deploy.md section 8 gives
want_of() {
	case $1 in
	*unknown.invalid*) echo 404 ;;
	*autodiscover.json*) echo 200 application/json ;;
	*mobileconfig\?emailaddress=*) echo 200 application/x-apple-aspen-config ;;
	*mobileconfig*) echo 200 text/html\;charset=utf-8 ;;
	*) echo 200 text/xml\;charset=utf-8 ;;
	esac
}

ran=0
for n in $order; do
	where=$(awk -v n="$n" '$1 == n { print $2 ":" $3 }' "$W/cmds")
	first=$(sed -n '/./{p;q;}' "$W/cmd.$n")
	case $first in
	QUERY_STRING=*) ;;
	\[* | \<* | \;* | *' = '* | [a-z_.]*=*) continue ;;
	esac
	why=$(skip_reason "$W/cmd.$n")
	if [ -n "$why" ]; then
		echo "note: $where not run: $why"
		continue
	fi
	subst "$W/cmd.$n" >"$E/run.$n"
	dir=$E/cwd
	case $where in README.md:*) dir=$TOP ;; esac
	: >"$E/curl.log"
	# MAILAUTOCONF_CONFIG: the default path of the Debian package build
	if (cd "$dir" && PATH="$E/bin:$E/sbin:$PATH" \
	    MAILAUTOCONF_CONFIG="$E/etc/providers.ini" sh -e "$E/run.$n") \
	    >"$E/out.$n" 2>&1; then
		ok "$where runs as written"
	else
		fail "$where fails as written:"
		sed 's/^/    /' "$E/run.$n" | head -5
		tail -5 "$E/out.$n"
	fi
	ran=$((ran + 1))
	# spawn-fcgi returns once it has forked: the socket is there
	[ "$n" = "$first_n" ] && sleep 0.5
	# every curl of the block got what section 8 says
	grep '^@@ ' "$E/curl.log" >"$E/curl.$n"
	while read -r _ code url ctype; do
		set -- $(want_of "$url")
		check_eq "$where: curl $url: status" "$1" "$code"
		[ -n "${2:-}" ] && check_eq "$where: curl $url: Content-Type" \
		    "$2" "$(echo "$ctype" | tr -d ' ')"
	done <"$E/curl.$n"
done
check "at least 8 command blocks ran ($ran)" test "$ran" -ge 8
# what section 11's blocks left: a zone fragment of the one-certificate
# route that a zone can include, and the certificate names in pieces
z=$E/var/zones/example.com.zone
check "section 11: --dns-dir wrote $z" test -s "$z"
check_eq "section 11: --srv-only: no PACC record" 0 "$(grep -c 'ua-auto-config' "$z")"
printf '$TTL 3600\n@ IN SOA ns hostmaster 1 3600 600 86400 3600\n@ IN NS ns\nns IN A 192.0.2.53\n$INCLUDE %s\n' \
    "$z" >"$E/wrap.zone"
check "section 11: named-checkzone accepts a zone that includes it" \
    named-checkzone -q example.com "$E/wrap.zone"
check_eq "section 11: --cert-names in pieces of 100" "$E/var/cert-names.00" \
    "$(ls "$E"/var/cert-names.[0-9]*)"
check_eq "section 11: the names" "autoconfig.example.net autoconfig.example.com autodiscover.example.com ua-auto-config.example.com" \
    "$(tr '\n' ' ' <"$E/var/cert-names.00" | sed 's/ $//')"
check "the curl checks of section 8 ran" test "$(cat "$E"/curl.* | grep -c '^@@ ')" -ge 8

# the documents the docs point to are in the Debian package
for d in README.md $(grep -oh 'docs/[A-Za-z]*\.md' README.md "$DOC" | sort -u); do
	[ -f "$d" ] || continue
	check "debian/mailautoconf.docs ships $d" grep -qx "$d" debian/mailautoconf.docs
done
# one spawn-fcgi command everywhere: a pid file, run as nobody
for f in README.md "$DOC"; do
	grep -n 'spawn-fcgi -s' "$f" | while IFS=: read -r l _; do
		ctx=$(sed -n "${l},$((l + 2))p" "$f" | tr '\n' ' ')
		case $ctx in
		*'-P /run/mailautoconf.pid'*) ;;
		*) echo "$f:$l: no -P" ;;
		esac
		case $ctx in
		*'-u nobody -g nogroup'*) ;;
		*) echo "$f:$l: not -u nobody -g nogroup" ;;
		esac
	done
done >"$W/spawn"
check_eq "every spawn-fcgi line has -P and -u nobody -g nogroup" "" "$(cat "$W/spawn")"

finish
