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
