#!/bin/sh
# test/web/apache-site.sh: the set-up lines in the headers of contrib/'s
# Apache and lighttpd files, run as written with Debian's own tools, then
# Debian's stock apache2.conf serving the enabled site.
#
# a2enmod and a2ensite work on a copy of /etc/apache2 named by
# APACHE_CONFDIR; lighty-enable-mod, which knows only /etc/lighttpd, on a
# copy mounted over it in a private mount namespace (unshare -m).  A
# `systemctl` of the test's records what the lines ask of systemd, so the
# machine's own servers are never touched.  Apache then runs from the
# copy (its envvars pointed at the test's directories) on 127.0.0.1:18201,
# with a second virtual host for the mail domain's own website made of the
# lines contrib/apache-cgi.conf says to copy (docs/deploy.md section 4).
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
. "$TOP/test/lib.sh"

W=$T_TMP
PORT=18201
A=$W/apache2
chmod 755 "$W"

for t in apache2 a2ensite a2enmod lighty-enable-mod curl xmllint; do
	if ! command -v "$t" >/dev/null 2>&1; then
		fail "$t is not installed (test/deps.sh web)"
		finish
		exit
	fi
done
if [ "$(id -u)" -ne 0 ]; then
	fail "needs root (Apache runs its CGI as www-data, unshare -m)"
	finish
	exit
fi

cleanup() {
	if [ -s "$W/run/apache2.pid" ]; then
		pid=$(cat "$W/run/apache2.pid")
		kill -TERM "$pid" 2>/dev/null
		n=0
		while kill -0 "$pid" 2>/dev/null && [ $n -lt 50 ]; do
			sleep 0.1
			n=$((n + 1))
		done
	fi
	rm -rf "$T_TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# run/socks: mod_cgid's socket (Debian's apache2 unit makes it)
mkdir -p "$W/bin" "$W/sbin" "$W/etc" "$W/run/socks" "$W/lock" "$W/log" "$W/www"
cat >"$W/bin/systemctl" <<EOF
#!/bin/sh
echo "\$*" >>"$W/systemctl.log"
EOF
chmod 755 "$W/bin/systemctl"
cp "$MAC_BIN" "$W/sbin/mailautoconf"
cp providers.ini "$W/etc/providers.ini"
chmod 755 "$W/sbin" "$W/sbin/mailautoconf" "$W/etc" "$W/www"
chmod 644 "$W/etc/providers.ini"

# the replacements of docs/deploy.md section 6
install_conf() {
	contrib_conf "$1" "$W" "$PORT" >"$2"
}

# header_line FILE: the command line its header gives ("#   a2enmod ...")
header_line() {
	sed -n 's/^#   \(\(a2enmod\|lighty-enable-mod\) .*\)$/\1/p' "$1"
}

# ---- Apache: the header lines, on a copy of /etc/apache2 --------------

cp -a /etc/apache2 "$A"
cat >>"$A/envvars" <<EOF
export APACHE_PID_FILE=$W/run/apache2.pid
export APACHE_RUN_DIR=$W/run
export APACHE_LOCK_DIR=$W/lock
export APACHE_LOG_DIR=$W/log
EOF
sed -i -e "s/^Listen 80$/Listen 127.0.0.1:$PORT/" -e '/Listen 443/d' "$A/ports.conf"

for f in apache-cgi apache-proxy-fcgi; do
	line=$(header_line "contrib/$f.conf")
	check "contrib/$f.conf: its header names a2ensite mailautoconf.conf" \
	    sh -c "echo '$line' | grep -q 'a2ensite mailautoconf.conf '"
done
# the line Debian 12's a2ensite refuses (it strips /.conf$/ as a regex)
cp contrib/apache-cgi.conf "$A/sites-available/mailautoconf.conf"
APACHE_CONFDIR=$A a2ensite mailautoconf >"$W/old.out" 2>&1
check "a2ensite mailautoconf (without .conf) fails on Debian 12 as the issue says" \
    test ! -e "$A/sites-enabled/mailautoconf.conf"

# as written, for the CGI set-up the test serves
install_conf contrib/apache-cgi.conf "$A/sites-available/mailautoconf.conf"
line=$(header_line contrib/apache-cgi.conf)
if (cd "$W" && PATH="$W/bin:$PATH" APACHE_CONFDIR=$A sh -c "$line") \
    >"$W/a2.out" 2>&1; then
	ok "as written: $line"
else
	fail "as written: $line: $(cat "$W/a2.out")"
fi
check "the site is enabled" test -L "$A/sites-enabled/mailautoconf.conf"
check "mod_cgid is enabled" test -L "$A/mods-enabled/cgid.load"
check "systemd was asked to reload apache2" grep -qx 'reload apache2' "$W/systemctl.log"

# the mail domain's own website, with the lines the file says to copy
{
	printf '<VirtualHost 127.0.0.1:%s>\n\tServerName mailbox.org\n' "$PORT"
	printf '\tDocumentRoot %s/www\n' "$W"
	sed -n '/^[[:space:]]*SetEnv MAILAUTOCONF_CONFIG/,/^[[:space:]]*<\/Directory>/p' \
	    "$A/sites-available/mailautoconf.conf"
	printf '</VirtualHost>\n'
} >"$A/sites-available/mailbox.org.conf"
check "the lines to copy run from SetEnv to </Directory>" \
    grep -q 'ScriptAliasMatch' "$A/sites-available/mailbox.org.conf"
APACHE_CONFDIR=$A a2ensite mailbox.org.conf >/dev/null 2>&1 ||
    fail "a2ensite mailbox.org.conf"

# Debian's apache2.conf, from the copy
start_apache() {
	(APACHE_CONFDIR=$A; export APACHE_CONFDIR; . "$A/envvars" &&
	    apache2 -d "$A" -t >"$W/log/test.out" 2>&1 &&
	    apache2 -d "$A" -k start >>"$W/log/test.out" 2>&1)
}
if start_apache; then
	n=0
	while [ ! -s "$W/run/apache2.pid" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
	ok "apache2 starts from the copy with the site enabled"
else
	fail "apache2 does not start: $(cat "$W/log/test.out")"
fi

# fetch HOST PATH: status to $code, body to W/body
fetch() {
	code=$(curl -s --noproxy '*' --max-time 5 -o "$W/body" -D "$W/head" \
	    -w '%{http_code}' -H "Host: $1" "http://127.0.0.1:$PORT$2") || code=000
}
Q='emailaddress=jane.doe%40mailbox.org'
fetch autoconfig.mailbox.org "/mail/config-v1.1.xml?$Q"
check_eq "autoconfig.mailbox.org: 200" 200 "$code"
check "autoconfig.mailbox.org: well-formed" xml_ok "$W/body"
check "autoconfig.mailbox.org: the servers" grep -q '<hostname>imap.mailbox.org</hostname>' "$W/body"
fetch mailbox.org "/.well-known/autoconfig/mail/config-v1.1.xml?$Q"
check_eq "mailbox.org's own site, /.well-known: 200" 200 "$code"
check "mailbox.org's own site: well-formed" xml_ok "$W/body"
check "mailbox.org's own site: the servers" grep -q '<hostname>smtp.mailbox.org</hostname>' "$W/body"
fetch autoconfig.mailbox.org "/mail/config-v1.1.xml?emailaddress=a%40nope.example"
check_eq "a miss: 404" 404 "$code"
check "the miss is in Apache's error log, with its domain" \
    grep -q 'unknown domain (autoconfig nope.example' "$W/log/error.log"
[ "$T_FAIL" -eq 0 ] || tail -n 5 "$W/log/error.log"

# ---- lighttpd: the header line, on a copy mounted over /etc/lighttpd ---

cp -a /etc/lighttpd "$W/lighttpd"
install_conf contrib/lighttpd-cgi.conf "$W/lighttpd/conf-available/50-mailautoconf.conf"
line=$(header_line contrib/lighttpd-cgi.conf)
: >"$W/systemctl.log"
if unshare -m sh -c "mount --make-rprivate / && mount --bind '$W/lighttpd' /etc/lighttpd &&
    cd '$W' && PATH='$W/bin:$PATH' sh -c '$line'" >"$W/lighty.out" 2>&1; then
	ok "as written: $line"
else
	fail "as written: $line: $(cat "$W/lighty.out")"
fi
check "lighttpd: the module is enabled in the copy" \
    test -e "$W/lighttpd/conf-enabled/50-mailautoconf.conf"
check "lighttpd: systemd was asked to reload lighttpd" grep -qx 'reload lighttpd' "$W/systemctl.log"
check "the system's /etc/lighttpd is untouched" test ! -e /etc/lighttpd/conf-enabled/50-mailautoconf.conf

finish
