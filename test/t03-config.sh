#!/bin/sh
# t03-config.sh: options, config selection and --check, as an
# administrator meets them.
. "$(dirname "$0")/lib.sh"

B="$MAC_WRAP $MAC_BIN"
P=$TOP/providers.ini

# run OUT CMD...: stdout to OUT, stderr to OUT.err, status to OUT.rc
run() {
	out=$1
	shift
	"$@" >"$out" 2>"$out.err"
	echo $? >"$out.rc"
}

run "$T_TMP/help" $B --help
check_eq "--help exits 0" 0 "$(cat "$T_TMP/help.rc")"
check "--help shows usage" grep -q '^usage: mailautoconf' "$T_TMP/help"
run "$T_TMP/ver" $B --version
check "--version" grep -q '^mailautoconf [0-9]' "$T_TMP/ver"
run "$T_TMP/bad" $B --frobnicate
check_eq "unknown option exits 2" 2 "$(cat "$T_TMP/bad.rc")"
check "unknown option shows usage" grep -q usage "$T_TMP/bad.err"
run "$T_TMP/badc" $B -c
check_eq "-c without a file exits 2" 2 "$(cat "$T_TMP/badc.rc")"

# --check on the shipped example, the every-key file, and the commented
# example.com of providers.ini with its ';' removed
run "$T_TMP/ok" $B --check -c "$P"
check_eq "--check on providers.ini" 0 "$(cat "$T_TMP/ok.rc")"
check "--check summary" grep -q 'providers.ini: ok, 1 providers, 1 domains, 0 warnings' "$T_TMP/ok.err"
run "$T_TMP/full" $B --check -c "$TOP/test/data/full.ini"
check_eq "--check on every key" 0 "$(cat "$T_TMP/full.rc")"
sed -n '/^; Every key/,$p' "$P" | tail -n +2 | sed 's/^;//' >"$T_TMP/example.ini"
run "$T_TMP/ex" $B --check -c "$T_TMP/example.ini"
check_eq "--check on the commented example" 0 "$(cat "$T_TMP/ex.rc")"

# a file name is the admin's text, but reaches the terminal and the log
# as printable ASCII: an escape sequence in it arrives as "?[31m"
EF=$T_TMP/$(printf 'a\033[31mb').ini
run "$T_TMP/escm" $B --check -c "$EF"
check_eq "--check on a missing file exits 1" 1 "$(cat "$T_TMP/escm.rc")"
check "it names the file, its ESC as '?'" grep -qF 'a?[31mb.ini: No such file' "$T_TMP/escm.err"
check "and no control byte" sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$T_TMP/escm.err'"
cp "$P" "$EF"
run "$T_TMP/esco" $B --check -c "$EF"
check "--check's summary names it so" grep -qF 'a?[31mb.ini: ok, 1 providers' "$T_TMP/esco.err"
check "with no control byte" sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$T_TMP/esco.err'"
run "$T_TMP/escc" $B --compile -c "$EF"
check "--compile's summary names it so" grep -qF 'a?[31mb.ini: compiled into ' "$T_TMP/escc.err"
check "with no control byte either" sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$T_TMP/escc.err'"
rm -f "$EF" "$EF".*
run "$T_TMP/escl" env -u MAILAUTOCONF_LOG $B -c "$EF" --log stderr --user nobody \
    --listen "$T_TMP/esc.sock"
check_eq "--listen on a missing file exits 1" 1 "$(cat "$T_TMP/escl.rc")"
check "its log says so, the name printable" grep -qF 'a?[31mb.ini: not started' "$T_TMP/escl.err"
check "the log holds no control byte" sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$T_TMP/escl.err'"

# a section name is the default display name: one with a C1 control
# (valid UTF-8, no XML character) is refused at load, not answered 500
printf '[a\302\205b]\ndomains = a.example\nimap = imap.a.example\nsmtp = smtp.a.example\n' >"$T_TMP/c1.ini"
run "$T_TMP/c1" $B --check -c "$T_TMP/c1.ini"
check_eq "--check: a C1 control in a section name is an error" 1 "$(cat "$T_TMP/c1.rc")"
check "naming the line" grep -qF 'c1.ini:1: bad section name' "$T_TMP/c1.err"

# errors: every one with file:line, exit 1
cat >"$T_TMP/bad.ini" <<'EOF'
cache_max_age = soon
[a.example]
imapp = mail.a.example
imap = mail.a.example:99999
smtp = mail.a.example tls
[b.example]
domains = a.example
EOF
run "$T_TMP/e" $B --check -c "$T_TMP/bad.ini"
check_eq "--check with errors exits 1" 1 "$(cat "$T_TMP/e.rc")"
for want in "bad.ini:1: 'cache_max_age' must be a number" "bad.ini:3: unknown key 'imapp'" \
    "bad.ini:4: 'port' must be a number from 1 to 65535" "bad.ini:5: bad socket type" \
    "bad.ini: 4 errors"; do
	check "--check says: $want" grep -qF "$want" "$T_TMP/e.err"
done
printf '[a.example]\nimap = x\n[b.example]\ndomains = a.example\nimap = y\nsmtp = z\n' >"$T_TMP/dup.ini"
run "$T_TMP/d" $B --check -c "$T_TMP/dup.ini"
check "domain claimed twice names both" grep -qF "domain a.example is served by [a.example] (line 1) already" "$T_TMP/d.err"
check "at the domains line that claims it again, not the section" grep -qF "dup.ini:4: domain a.example" "$T_TMP/d.err"

# domain files (domains_file): relative to the INI's directory, one domain
# a line, '#' comments, CRLF, a BOM, UTF-8 names through their A-label
mkdir -p "$T_TMP/df/sub"
printf '\357\273\277# customers\r\na.example\r\n\r\n  b.example  # a note\nb\303\274cher.example\n' >"$T_TMP/df/sub/one.txt"
printf 'c.example\n' >"$T_TMP/df/two.txt"
cat >"$T_TMP/df/df.ini" <<'EOF2'
[hoster]
domains = h.example
domains_file = sub/one.txt
domains_file = two.txt
imap = imap.h.example
smtp = smtp.h.example
[other]
domains = x.example
imap = imap.x.example
smtp = smtp.x.example
EOF2
run "$T_TMP/df1" $B --check -c "$T_TMP/df/df.ini"
check_eq "domains_file: --check passes" 0 "$(cat "$T_TMP/df1.rc")"
check "domains_file: the domains are counted" grep -qF "df.ini: ok, 2 providers, 6 domains, 0 warnings" "$T_TMP/df1.err"
for d in a.example b.example c.example xn--bcher-kva.example; do
	MAC_CONF="$T_TMP/df/df.ini" mac_cgi "$T_TMP/dfq" QUERY_STRING="emailaddress=u%40$d"
	check_eq "domains_file: $d is served" 200 "$(status "$T_TMP/dfq")"
	check "domains_file: $d by its provider" grep -q 'emailProvider id="hoster"' "$T_TMP/dfq"
done
MAC_CONF="$T_TMP/df/df.ini" mac_cgi "$T_TMP/dfq" QUERY_STRING="emailaddress=u%40customers"
check_eq "domains_file: a comment is no domain" 404 "$(status "$T_TMP/dfq")"
# a domain claimed twice: by two files, by a file and a domains line
printf 'd.example\nb.example\n' >"$T_TMP/df/two.txt"
run "$T_TMP/df2" $B --check -c "$T_TMP/df/df.ini"
check_eq "domains_file: a domain in two files is an error" 1 "$(cat "$T_TMP/df2.rc")"
check "naming both places, file:line each" grep -qF "df/two.txt:2: domain b.example is served by [hoster] (" "$T_TMP/df2.err"
check "the first one too" grep -qF "df/sub/one.txt:4) already" "$T_TMP/df2.err"
printf 'x.example\n' >"$T_TMP/df/two.txt"
run "$T_TMP/df3" $B --check -c "$T_TMP/df/df.ini"
check "a file's domain claimed by a later domains line: at that line" grep -qF "df.ini:8: domain x.example is served by [hoster] (" "$T_TMP/df3.err"
check "naming the file's line" grep -qF "df/two.txt:1) already" "$T_TMP/df3.err"
MAC_CONF="$T_TMP/df/df.ini" mac_cgi "$T_TMP/dfq" QUERY_STRING="emailaddress=u%40a.example"
check_eq "an error in a domain file: nothing half-loaded (500)" 500 "$(status "$T_TMP/dfq")"
# bad domain files: every error is PATH:LINE, each a load error
bad_domfile() { # NAME EXPECTED: two.txt made by the caller
	run "$T_TMP/dfb" $B --check -c "$T_TMP/df/df.ini"
	check_eq "domains_file, $1: --check exits 1" 1 "$(cat "$T_TMP/dfb.rc")"
	check "domains_file, $1: says '$2'" grep -qF "$2" "$T_TMP/dfb.err"
}
printf 'e.example\nf\000.example\n' >"$T_TMP/df/two.txt"
bad_domfile "a NUL byte" "df/two.txt:2: NUL byte in line"
{ printf 'e.example\n'; head -c 1048576 /dev/zero | tr '\0' a; printf '\n'; } >"$T_TMP/df/two.txt"
bad_domfile "a line of 1 MB" "df/two.txt:2: line too long for a domain"
printf 'e.example\n\377.example\n' >"$T_TMP/df/two.txt"
bad_domfile "invalid UTF-8" "df/two.txt:2: line is not valid UTF-8"
printf 'e.example f.example\n' >"$T_TMP/df/two.txt"
bad_domfile "two on a line" "df/two.txt:1: one domain per line"
printf 'e..example\n' >"$T_TMP/df/two.txt"
bad_domfile "a bad name" "df/two.txt:1: bad domain"
rm -f "$T_TMP/df/two.txt"
bad_domfile "a missing file" "df.ini:4: domains_file $T_TMP/df/two.txt: No such file or directory"
mkdir "$T_TMP/df/two.txt"
bad_domfile "a directory" "df.ini:4: domains_file $T_TMP/df/two.txt: is a directory"
rmdir "$T_TMP/df/two.txt"
mkfifo "$T_TMP/df/two.txt"
run "$T_TMP/dfb" timeout 10 $B --check -c "$T_TMP/df/df.ini"
check_eq "domains_file, a FIFO: refused at once, not waited on" 1 "$(cat "$T_TMP/dfb.rc")"
check "domains_file, a FIFO: not a regular file" grep -qF "domains_file $T_TMP/df/two.txt: not a regular file" "$T_TMP/dfb.err"
rm -f "$T_TMP/df/two.txt"
: >"$T_TMP/df/two.txt"
run "$T_TMP/dfe" $B --check -c "$T_TMP/df/df.ini"
check "an empty domain file is a warning" grep -qF "df.ini:4: warning: domains_file $T_TMP/df/two.txt holds no domain" "$T_TMP/dfe.err"
printf '[lonely]\ndomains_file = two.txt\nimap = i.example\nsmtp = s.example\n' >"$T_TMP/df/lonely.ini"
run "$T_TMP/dfl" $B --check -c "$T_TMP/df/lonely.ini"
check_eq "a provider left with no domain is an error" 1 "$(cat "$T_TMP/dfl.rc")"
check "not the section name served instead" grep -qF "lonely.ini:1: [lonely] serves no domain: its domain files are empty" "$T_TMP/dfl.err"
: >"$T_TMP/empty.ini"
run "$T_TMP/em" $B --check -c "$T_TMP/empty.ini"
check_eq "--check on an empty file fails" 1 "$(cat "$T_TMP/em.rc")"
check "saying why" grep -qF "empty.ini: no provider section" "$T_TMP/em.err"

# include: more sections from other files, globs in byte order,
# relative to the including file; errors name the included file
mkdir -p "$T_TMP/inc/p.d"
cat >"$T_TMP/inc/main.ini" <<'EOF2'
cache_max_age = 60
include = p.d/*.ini
include = none.d/*.ini
[main.example]
imap = imap.main.example
smtp = smtp.main.example
EOF2
printf '[b.example]\nimap = imap.b.example\nsmtp = smtp.b.example\n' >"$T_TMP/inc/p.d/b.ini"
printf '[a.example]\nimap = imap.a.example\nsmtp = smtp.a.example\nimapp = x\n' >"$T_TMP/inc/p.d/a.ini"
run "$T_TMP/in1" $B --check -c "$T_TMP/inc/main.ini"
check_eq "include: an error in an included file fails --check" 1 "$(cat "$T_TMP/in1.rc")"
check "include: the error names the included file and line" grep -qF "inc/p.d/a.ini:4: unknown key 'imapp'" "$T_TMP/in1.err"
sed -i '/imapp/d' "$T_TMP/inc/p.d/a.ini"
run "$T_TMP/in2" $B --check -c "$T_TMP/inc/main.ini"
check_eq "include: --check passes" 0 "$(cat "$T_TMP/in2.rc")"
check "include: the sections of every file count" grep -qF "main.ini: ok, 3 providers, 3 domains, 1 warning" "$T_TMP/in2.err"
check "include: a glob that matches nothing is a warning" grep -qF "main.ini:3: warning: include $T_TMP/inc/none.d/*.ini matches no file" "$T_TMP/in2.err"
for d in a.example b.example main.example; do
	MAC_CONF="$T_TMP/inc/main.ini" mac_cgi "$T_TMP/inq" QUERY_STRING="emailaddress=u%40$d"
	check_eq "include: $d is served" 200 "$(status "$T_TMP/inq")"
done
# in byte order: a.ini's [x] first, so b.ini's is the repeat
printf '[x.example]\nimap = i.x.example\nsmtp = s.x.example\n' >>"$T_TMP/inc/p.d/a.ini"
printf '[x.example]\nimap = i.x.example\nsmtp = s.x.example\n' >>"$T_TMP/inc/p.d/b.ini"
run "$T_TMP/in3" $B --check -c "$T_TMP/inc/main.ini"
check "include: sorted order, a repeat names the first file" grep -qF "p.d/b.ini:4: section [x.example] repeated (first in $T_TMP/inc/p.d/a.ini:4)" "$T_TMP/in3.err"
printf '[a.example]\nimap = imap.a.example\nsmtp = smtp.a.example\n' >"$T_TMP/inc/p.d/a.ini"
printf '[b.example]\nimap = imap.b.example\nsmtp = smtp.b.example\n' >"$T_TMP/inc/p.d/b.ini"
printf 'include = c.ini\n[c.example]\nimap = i.c.example\nsmtp = s.c.example\n' >"$T_TMP/inc/p.d/c.ini"
run "$T_TMP/in4" $B --check -c "$T_TMP/inc/main.ini"
check_eq "include: a file that includes itself fails" 1 "$(cat "$T_TMP/in4.rc")"
check "include: naming the chain" grep -qF "p.d/c.ini:1: include cycle: $T_TMP/inc/p.d/c.ini -> $T_TMP/inc/p.d/c.ini" "$T_TMP/in4.err"
printf 'include = ../main.ini\n[c.example]\nimap = i.c.example\nsmtp = s.c.example\n' >"$T_TMP/inc/p.d/c.ini"
run "$T_TMP/in5" $B --check -c "$T_TMP/inc/main.ini"
check "include: a longer cycle names the chain" grep -qF "include cycle: $T_TMP/inc/main.ini -> $T_TMP/inc/p.d/c.ini -> $T_TMP/inc/p.d/../main.ini" "$T_TMP/in5.err"
printf 'web_host = w.example\n[c.example]\nimap = i.c.example\nsmtp = s.c.example\n' >"$T_TMP/inc/p.d/c.ini"
run "$T_TMP/in6" $B --check -c "$T_TMP/inc/main.ini"
check "include: global keys stay in the main file" grep -qF "p.d/c.ini:1: 'web_host' in an included file" "$T_TMP/in6.err"
rm "$T_TMP/inc/p.d/c.ini"
ln -s l2.ini "$T_TMP/inc/p.d/l1.ini"
ln -s l1.ini "$T_TMP/inc/p.d/l2.ini"
run "$T_TMP/in7" $B --check -c "$T_TMP/inc/main.ini"
check_eq "include: a symlink loop fails" 1 "$(cat "$T_TMP/in7.rc")"
check "include: a symlink loop is named" grep -qF "main.ini:2: include $T_TMP/inc/p.d/l1.ini: Too many levels of symbolic links" "$T_TMP/in7.err"
rm "$T_TMP/inc/p.d/l1.ini" "$T_TMP/inc/p.d/l2.ini"
mkdir "$T_TMP/inc/p.d/d.ini"
run "$T_TMP/in8" $B --check -c "$T_TMP/inc/main.ini"
check "include: a directory is an error" grep -qF "include $T_TMP/inc/p.d/d.ini: is a directory" "$T_TMP/in8.err"
rmdir "$T_TMP/inc/p.d/d.ini"
# the r55 guard holds for an included file too, naming it
{ printf '[l.example]\nimap = x\nsmtp = y\nname = '; printf '%0183d' 0; printf 'secret = x\n'; } >"$T_TMP/inc/p.d/long.ini"
run "$T_TMP/inl" $B --check -c "$T_TMP/inc/main.ini"
check "include: a 200-byte line refused, named by the included file" grep -qF "inc/p.d/long.ini:4: line of 200 bytes" "$T_TMP/inl.err"
check "include: no 'secret' key reached the handler" sh -c "! grep -q secret '$T_TMP/inl.err'"
rm "$T_TMP/inc/p.d/long.ini"
# a domains_file in an included file: beside that file
mkdir -p "$T_TMP/inc/p.d/lists"
printf 'e1.example\ne2.example\n' >"$T_TMP/inc/p.d/lists/e.txt"
printf '[e.example]\ndomains_file = lists/e.txt\nimap = i.e.example\nsmtp = s.e.example\n' >"$T_TMP/inc/p.d/e.ini"
run "$T_TMP/ine" $B --check -c "$T_TMP/inc/main.ini"
check "include: a domains_file beside the included file" grep -qF "main.ini: ok, 4 providers, 5 domains" "$T_TMP/ine.err"
rm -r "$T_TMP/inc/p.d/e.ini" "$T_TMP/inc/p.d/lists"
printf '[q.example]\ninclude = p.d/a.ini\n' >"$T_TMP/inc/late.ini"
run "$T_TMP/in9" $B --check -c "$T_TMP/inc/late.ini"
check "include: only before the first section" grep -qF "late.ini:2: 'include' goes before the first section" "$T_TMP/in9.err"
printf 'include = gone.ini\n[q.example]\nimap = i\nsmtp = s\n' >"$T_TMP/inc/gone.ini.main"
run "$T_TMP/in10" $B --check -c "$T_TMP/inc/gone.ini.main"
check "include: a missing plain file is an error" grep -qF "include $T_TMP/inc/gone.ini: No such file" "$T_TMP/in10.err"

# the README's example log line is the one a rejected request gets
MAC_CONF="$P" mac_cgi "$T_TMP/rd" QUERY_STRING='emailaddress=a%40unknown.example' \
    HTTP_USER_AGENT='Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.0'
rdline=$(grep ': 404: ' "$T_TMP/rd.err" | head -n 1)
check "the 404 log line: $rdline" test -n "$rdline"
check "README's example log line is the real one" sh -c \
    'tr "\n" " " <"$1" | grep -qF "\`$2\`"' _ "$TOP/README.md" "$rdline"

# warnings: no SMTP, no incoming server, a plain server; still exit 0
printf '[a.example]\nimap = x plain\n[b.example]\nsmtp = y\n' >"$T_TMP/w.ini"
run "$T_TMP/w" $B --check -c "$T_TMP/w.ini"
check_eq "warnings alone exit 0" 0 "$(cat "$T_TMP/w.rc")"
check "warns: no smtp" grep -qF "w.ini:1: warning: provider 'a.example' has no smtp server" "$T_TMP/w.err"
check "warns: plain" grep -qF "has a 'plain' server" "$T_TMP/w.err"
check "warns: no incoming" grep -qF "w.ini:3: warning: provider 'b.example' has no incoming server" "$T_TMP/w.err"
# URL servers without smtp: Thunderbird drops the config, EWS included
run "$T_TMP/u" $B --check -c "$TOP/test/data/ews.ini"
check_eq "URL servers only: exit 0" 0 "$(cat "$T_TMP/u.rc")"
check "warns: URL servers only, no smtp" grep -qF "ews.ini:44: warning: provider 'urlonly.example' has only URL servers (ews, owa, graph) and no smtp server" "$T_TMP/u.err"
# (besides what PACC leaves out, which t15 checks)
check_eq "the one warning of ews.ini" 1 \
    "$(grep warning: "$T_TMP/u.err" | grep -vc ": PACC ")"

# a host holds no placeholder but %EMAILDOMAIN% (the placeholder table):
# request bytes of the local part never become part of a server name
cat >"$T_TMP/ph.ini" <<'EOF'
[a.example]
imap = %EMAILLOCALPART%.a.example ssl
pop3 = %EMAILADDRESS%
smtp = mail.%FOO%.a.example starttls
ews = https://%EMAILLOCALPART%.a.example/EWS/Exchange.asmx
[b.example]
imap = mail.%EMAILDOMAIN%
smtp = mail.%EMAILDOMAIN%:587 starttls
EOF
run "$T_TMP/ph" $B --check -c "$T_TMP/ph.ini"
check_eq "placeholders in hosts: --check exits 1" 1 "$(cat "$T_TMP/ph.rc")"
for n in 2 3 4 5; do
	check "placeholder in a host refused on line $n" grep -qF \
	    "ph.ini:$n: bad server host name: a host name may hold no placeholder but %EMAILDOMAIN%" "$T_TMP/ph.err"
done
check "%EMAILDOMAIN% in a host is taken" sh -c "! grep -q 'ph.ini:[78]:' '$T_TMP/ph.err'"
check "4 errors, no more" grep -qF "ph.ini: 4 errors" "$T_TMP/ph.err"

# diagnostics are printable ASCII: a section id with a letter beyond it
# (a C1 control is no longer a section name) reaches stderr as '?'
printf '[a\303\251b]\n[a\303\251b]\ndomains = b.example\n' >"$T_TMP/nonascii.ini"
run "$T_TMP/nonascii" $B --check -c "$T_TMP/nonascii.ini"
check "section id filtered" grep -qF "nonascii.ini:2: section [a??b] repeated" "$T_TMP/nonascii.err"
check "no byte outside printable ASCII in the messages" sh -c \
    "! LC_ALL=C grep -q '[^ -~]' '$T_TMP/c1.err'"

# the r55 guard: the tail of a 200-byte line must not become a key
{ printf '[a.example]\nimap = x\nsmtp = y\nname = '; printf '%0183d' 0; printf 'secret = x\n'; } >"$T_TMP/long.ini"
check_eq "the injection line is 200 bytes" 200 "$(sed -n 4p "$T_TMP/long.ini" | tr -d '\n' | wc -c | tr -d ' ')"
run "$T_TMP/l" $B --check -c "$T_TMP/long.ini"
check "200-byte line refused with its line" grep -qF "long.ini:4: line of 200 bytes" "$T_TMP/l.err"
check "no 'secret' key reached the handler" sh -c "! grep -q secret '$T_TMP/l.err'"
{ printf '['; printf '%046d' 0 | tr 0 a; printf '.org]\nimap = x\n'; } >"$T_TMP/sec.ini"
run "$T_TMP/s" $B --check -c "$T_TMP/sec.ini"
check "50-byte section name refused" grep -qF "sec.ini:1: section name of 50 bytes" "$T_TMP/s.err"

# which file: -c, else MAILAUTOCONF_CONFIG, else the compiled-in default
Q='emailaddress=a%40mailbox.org'
env -i QUERY_STRING="$Q" MAILAUTOCONF_CONFIG="$P" $B >"$T_TMP/env" 2>&1
check "MAILAUTOCONF_CONFIG is read" grep -q '^Status: 200' "$T_TMP/env"
env -i QUERY_STRING="$Q" MAILAUTOCONF_CONFIG=/nonexistent/x.ini $B -c "$P" >"$T_TMP/envc" 2>&1
check "-c wins over MAILAUTOCONF_CONFIG" grep -q '^Status: 200' "$T_TMP/envc"
env -i QUERY_STRING="$Q" MAILAUTOCONF_CONFIG=/nonexistent/x.ini $B >"$T_TMP/nf" 2>"$T_TMP/nf.err"
check "a missing config is a 500" grep -q '^Status: 500' "$T_TMP/nf"
check "and a log line naming the file" grep -q '^mailautoconf: /nonexistent/x.ini: No such file' "$T_TMP/nf.err"
check "500 body is fixed text" grep -q '^500 Internal Server Error$' "$T_TMP/nf"
run "$T_TMP/def" env -i $B --help
check "--help names the compiled-in default" grep -q 'mailautoconf/providers.ini' "$T_TMP/def"
run "$T_TMP/dir" $B --check -c /
check_eq "a directory is not a config" 1 "$(cat "$T_TMP/dir.rc")"

# the answer reflects the file: an invalid file never half-loads
MAC_CONF="$T_TMP/bad.ini" mac_cgi "$T_TMP/half" QUERY_STRING="$Q"
check_eq "a broken config answers 500" 500 "$(status "$T_TMP/half")"

# a provider whose answer cannot fit the output buffer is an error
{
	printf '[big.example]\nimap = x\nsmtp = y\n'
	i=0
	while [ $i -lt 700 ]; do
		printf 'documentation = https://big.example/%d\ndocumentation.descr = %0100d\n' $i 0
		i=$((i + 1))
	done
} >"$T_TMP/big.ini"
run "$T_TMP/big" $B --check -c "$T_TMP/big.ini"
check "--check finds an answer too large" grep -q 'does not fit in 65536 bytes' "$T_TMP/big.err"
MAC_CONF="$T_TMP/big.ini" mac_cgi "$T_TMP/bigr" QUERY_STRING='emailaddress=a%40big.example'
check_eq "too large becomes a 500, never a cut document" 500 "$(status "$T_TMP/bigr")"

finish
