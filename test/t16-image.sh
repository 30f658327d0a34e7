#!/bin/sh
# t16-image.sh: the compiled config (mailautoconf --compile, image.c).
#  - round trip: t01 (golden answers), t02, t07 (the hostile corpus,
#    CGI and FastCGI) and t11 (signed profiles) with every config answered
#    from its image (MAC_IMAGE=1, test/lib.sh): the same bytes as from
#    the INI;
#  - --compile: file:line errors and no image for a broken INI, the INI's
#    permissions, no temporary file left;
#  - staleness: touch (same text: the image stays, its hash says so),
#    edit, truncate, replace the INI: the INI's answer, one line saying so;
#  - a corrupt image (flipped bytes everywhere, truncated, not ours,
#    offsets past the end): the INI's answer or a 500, one line, never a
#    signal;
#  - FastCGI (a unix socket in our temp dir, no port): SIGHUP after a new
#    --compile serves the new image; a stale one the new INI; an image
#    truncated under the running process is a 500, then the INI.
. "$(dirname "$0")/lib.sh"

if [ "${MAC_IMAGE:-0}" != 1 ]; then
	for s in t01-cgi t02-hostile t07-hostile-corpus t11-mobileconfig; do
		MAC_IMAGE=1 sh "$TOP/test/$s.sh" >"$T_TMP/$s.out" 2>&1
		tally "$T_TMP/$s.out"
	done
fi

chmod 755 "$T_TMP"
INI=$T_TMP/p.ini
REF=$T_TMP/ref.ini		# the same text, never compiled
cp "$TOP/providers.ini" "$INI"
chmod 640 "$INI"
# a file changed in the same clock tick as --compile reads it is hashed at
# every start (image.c: racy): let a tick pass
sleep 0.05

# run NAME CONF: one autoconfig request as CGI; NAME, NAME.err, NAME.rc
run() {
	env -i PATH="$PATH" ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} \
	    ${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} \
	    REQUEST_METHOD=GET REQUEST_URI=/mail/config-v1.1.xml \
	    QUERY_STRING='emailaddress=jane%40mailbox.org' \
	    HTTP_HOST=autoconfig.mailbox.org $MAC_WRAP $MAC_BIN -c "$2" \
	    </dev/null >"$T_TMP/$1" 2>"$T_TMP/$1.err"
	echo $? >"$T_TMP/$1.rc"
}

# lines FILE: the lines of FILE that say the image was not used
lines() {
	grep -c 'compiled config' "$1"
}

# same_as_ini NAME WHAT: the answer is the INI's, with one line saying why
same_as_ini() {
	cp "$INI" "$REF"
	run ref "$REF"
	check "$2: the INI's answer" cmp -s "$T_TMP/ref" "$T_TMP/$1"
	check_eq "$2: one line saying so" 1 "$(lines "$T_TMP/$1.err")"
	check "$2: ... with the command that fixes it" grep -q \
	    "mailautoconf --compile -c $INI" "$T_TMP/$1.err"
}

# ---- --compile --------------------------------------------------------
$MAC_BIN --compile -c "$INI" >/dev/null 2>"$T_TMP/c.err"
check_eq "--compile: exit 0" 0 $?
check "--compile: the image beside the INI" test -s "$INI.cdb"
check_eq "--compile: the INI's permissions" \
    "$(stat -c %a "$INI")" "$(stat -c %a "$INI.cdb")"
check_eq "--compile: no temporary file left" 0 \
    "$(ls "$T_TMP" | grep -c 'cdb\.')"
run fresh "$INI"
cp "$INI" "$REF"
run ref "$REF"
check "fresh image: the INI's answer, byte for byte" cmp -s "$T_TMP/ref" \
    "$T_TMP/fresh"
check_eq "fresh image: nothing said" "" "$(cat "$T_TMP/fresh.err")"
if command -v strace >/dev/null; then
	env -i QUERY_STRING='emailaddress=jane%40mailbox.org' \
	    HTTP_HOST=autoconfig.mailbox.org strace -f -e trace=openat \
	    -o "$T_TMP/st" $MAC_BIN -c "$INI" >/dev/null 2>&1
	check "fresh image: the image is opened" grep -q 'p.ini.cdb"' \
	    "$T_TMP/st"
	check "fresh image: the INI is not" sh -c "! grep -q 'p.ini\"' \
	    '$T_TMP/st'"
fi

bad=$T_TMP/bad.ini
cp "$INI" "$bad"
printf '[broken]\nimap = \n' >>"$bad"
cp "$INI.cdb" "$bad.cdb"
cmp -s "$INI.cdb" "$bad.cdb"
$MAC_BIN --compile -c "$bad" >/dev/null 2>"$T_TMP/bad.err"
check_eq "--compile, broken INI: exit 1" 1 $?
check "--compile, broken INI: file:line" grep -q "bad.ini:[0-9]*: " \
    "$T_TMP/bad.err"
check "--compile, broken INI: the old image untouched" cmp -s "$INI.cdb" \
    "$bad.cdb"
$MAC_BIN --check -c "$INI" >/dev/null 2>&1
check_eq "--check still checks the INI" 0 $?

# ---- staleness --------------------------------------------------------
sleep 0.01
touch "$INI"
run touched "$INI"
check "touched INI, same text: the image's answer" cmp -s "$T_TMP/ref" \
    "$T_TMP/touched"
check_eq "touched INI, same text: nothing said" 0 \
    "$(lines "$T_TMP/touched.err")"

$MAC_BIN --compile -c "$INI" 2>/dev/null
sed -i 's/^name = .*/name = Edited Mail/' "$INI"
run edited "$INI"
same_as_ini edited "edited INI"
check "edited INI: the new name" grep -q 'Edited Mail' "$T_TMP/edited"

# an INI cut short that no longer loads (no section left): the last
# image compiled from it answers, stale as it is, with a loud line; a
# typo saved in place is not an outage at the next start
$MAC_BIN --compile -c "$INI" 2>/dev/null
run beforecut "$INI"
head -c 100 "$INI" >"$T_TMP/short" && cat "$T_TMP/short" >"$INI"
run truncated "$INI"
check "INI that does not load: the last image's answer" cmp -s \
    "$T_TMP/beforecut" "$T_TMP/truncated"
check "INI that does not load: the loader's error" grep -q \
    "p.ini: no provider section" "$T_TMP/truncated.err"
check "INI that does not load: saying the image serves instead" grep -q \
    "p.ini: does not load (errors above): serving its last compiled config" \
    "$T_TMP/truncated.err"
rm "$INI.cdb"
run truncnoimg "$INI"
check "INI that does not load, no image: a 500" grep -q '^Status: 500' \
    "$T_TMP/truncnoimg"

cp "$TOP/providers.ini" "$INI"
$MAC_BIN --compile -c "$INI" 2>/dev/null
sed 's/imap.mailbox.org/imap2.mailbox.org/' "$TOP/providers.ini" \
    >"$T_TMP/other.ini"
mv "$T_TMP/other.ini" "$INI"
run replaced "$INI"
same_as_ini replaced "replaced INI"
check "replaced INI: the new server" grep -q imap2.mailbox.org \
    "$T_TMP/replaced"

# ---- corrupt images ---------------------------------------------------
cp "$TOP/providers.ini" "$INI"
$MAC_BIN --compile -c "$INI" 2>/dev/null
cp "$INI.cdb" "$T_TMP/good.cdb"
cp "$INI" "$REF"
run ref "$REF"
SIZE=$(wc -c <"$T_TMP/good.cdb")

# corrupt WHAT: the image as it is now: no signal, the INI's answer or a
# 500, and a line saying why
corrupt() {
	run c "$INI"
	rc=$(cat "$T_TMP/c.rc")
	if [ "$rc" -ge 128 ]; then
		fail "$1: killed by signal $((rc - 128))"
	elif cmp -s "$T_TMP/ref" "$T_TMP/c"; then
		# parsed after one line, or a byte no lookup of ours reads
		check "$1: the INI's answer" test "$(lines "$T_TMP/c.err")" -le 1
		[ "$(lines "$T_TMP/c.err")" = 1 ] && seen=$((seen + 1))
	elif head -n 1 "$T_TMP/c" | grep -q '^Status: 500'; then
		check "$1: a 500 saying why" grep -q 'compiled config corrupt' \
		    "$T_TMP/c.err"
		seen=$((seen + 1))
	else
		fail "$1: an answer the INI does not give: $(head -n 1 \
		    "$T_TMP/c")"
	fi
	cp "$T_TMP/good.cdb" "$INI.cdb"
}

# flip OFFSET: one byte of the image inverted
flip() {
	perl -e 'open(my $f, "+<", $ARGV[0]) or die; seek($f, $ARGV[1], 0);
	    read($f, my $b, 1); seek($f, $ARGV[1], 0);
	    print $f chr(ord($b) ^ 0xff); close($f)' "$INI.cdb" "$1"
}

# every 37th byte, and the first and last ones
off=0 seen=0 flips=0
while [ "$off" -lt "$SIZE" ]; do
	flip "$off"
	corrupt "byte $off of $SIZE flipped"
	off=$((off + 37))
	flips=$((flips + 1))
done
flip $((SIZE - 1))
corrupt "last byte flipped"
# most flips are seen (checksums, the hash slots of our key); the rest are
# in hash slots no lookup of this request reads
check "most flipped bytes are seen: $seen of $flips" test $((seen * 10)) -ge \
    $((flips * 8))
for n in 0 100 2047 2048 $((SIZE / 2)) $((SIZE - 1)); do
	head -c "$n" "$T_TMP/good.cdb" >"$INI.cdb"
	corrupt "truncated to $n bytes"
done
cat "$T_TMP/good.cdb" "$T_TMP/good.cdb" >"$INI.cdb"
corrupt "twice as long"
# a cdb, but not ours: another map, and one whose meta is another program's
printf '+11,4:mailbox.org->\001\000\000\000\n+2,76:\000m->%076d\n\n' 0 |
    cdb -c -t "$T_TMP/x.tmp" "$INI.cdb" 2>/dev/null
corrupt "a cdb of another program"
# the header's table pointers past the end of the file
perl -e 'open(my $f, "+<", $ARGV[0]) or die; binmode $f;
    print $f pack("V", 0xfffffff0) x 512; close($f)' "$INI.cdb"
corrupt "table offsets past the end"
perl -e 'open(my $f, "+<", $ARGV[0]) or die; binmode $f; seek($f, 2048, 0);
    print $f pack("V", 0x7ffffff0) x 64; close($f)' "$INI.cdb"
corrupt "record lengths past the end"

# ---- every file read, recorded: domain files, includes ------------------
H=$T_TMP/h
mkdir -p "$H/p.d"
printf 'include = p.d/*.ini\nreload_max_drop = 25\n[hoster]\ndomains_file = dom.txt\ndomains_file = dom2.txt\nimap = imap.h.example\nsmtp = smtp.h.example\n' >"$H/m.ini"
i=0
while [ $i -lt 40 ]; do echo "d$i.example"; i=$((i + 1)); done >"$H/dom.txt"
printf '[a.example]\nimap = imap.a.example\nsmtp = smtp.a.example\n' >"$H/p.d/a.ini"
echo z.example >"$H/dom2.txt"
sleep 0.05
$MAC_BIN --compile -c "$H/m.ini" 2>"$T_TMP/hc.err"
check "compile of three files: they are counted" grep -q \
    "m.ini: compiled into .*, 2 providers, 42 domains, 4 files" "$T_TMP/hc.err"
# hq NAME DOMAIN: one CGI request against m.ini
hq() {
	env -i PATH="$PATH" ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} \
	    ${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} \
	    REQUEST_METHOD=GET REQUEST_URI=/mail/config-v1.1.xml \
	    QUERY_STRING="emailaddress=jane%40$2" $MAC_WRAP $MAC_BIN \
	    -c "$H/m.ini" </dev/null >"$T_TMP/$1" 2>"$T_TMP/$1.err"
}
hq h1 d7.example
check "image of domain files: a domain of a file served" grep -q '^Status: 200' "$T_TMP/h1"
check_eq "image of domain files: nothing said" "" "$(cat "$T_TMP/h1.err")"
if command -v strace >/dev/null; then
	env -i QUERY_STRING='emailaddress=jane%40d7.example' strace -f \
	    -e trace=openat,stat,newfstatat,getdents64 -o "$T_TMP/hst" \
	    $MAC_BIN -c "$H/m.ini" >/dev/null 2>&1
	check "image of domain files: no file but the image is opened" sh -c \
	    "! grep -q 'openat(.*\\(dom.txt\\|a.ini\\|m.ini\\)\"' '$T_TMP/hst'"
	check "image of domain files: each file is stat()ed" grep -q 'dom.txt' "$T_TMP/hst"
fi
# stale when a domain file changes, is gone, or a file appears
echo new.example >>"$H/dom.txt"
hq h2 new.example
check "a domain file changed: the new domain" grep -q '^Status: 200' "$T_TMP/h2"
check "a domain file changed: the line names it" grep -qF \
    "compiled config not used ($H/dom.txt changed)" "$T_TMP/h2.err"
check "... never (null)" sh -c "! grep -q null '$T_TMP/h2.err'"
sed -i '/new.example/d' "$H/dom.txt"
$MAC_BIN --compile -c "$H/m.ini" 2>/dev/null
printf '[b.example]\nimap = imap.b.example\nsmtp = smtp.b.example\n' >"$H/p.d/b.ini"
hq h3 b.example
check "a new file an include matches: served" grep -q '^Status: 200' "$T_TMP/h3"
check "a new file an include matches: the image is stale" grep -qF \
    "compiled config not used ($H/p.d/*.ini matches other files now)" "$T_TMP/h3.err"
$MAC_BIN --compile -c "$H/m.ini" 2>/dev/null
rm "$H/p.d/b.ini"
hq h4 b.example
check "an included file gone: not served" grep -q '^Status: 404' "$T_TMP/h4"
$MAC_BIN --compile -c "$H/m.ini" 2>/dev/null
# same size, same mtime, other text (cp -p, rsync -t, touch -r): stale
cp -p "$H/dom.txt" "$T_TMP/dom.keep"
sed -i 's/^d7.example$/x7.example/' "$H/dom.txt"
touch -r "$T_TMP/dom.keep" "$H/dom.txt"
check_eq "same size and mtime, other text: the sizes match" \
    "$(stat -c %s.%Y "$T_TMP/dom.keep")" "$(stat -c %s.%Y "$H/dom.txt")"
hq h5 x7.example
check "same size and mtime, other text: the file's answer" grep -q '^Status: 200' "$T_TMP/h5"
check "same size and mtime, other text: stale" grep -qF "$H/dom.txt changed" "$T_TMP/h5.err"
cp -p "$T_TMP/dom.keep" "$H/dom.txt"
hq h6 d7.example
check "the same text again (other ctime): the image, nothing said" test ! -s "$T_TMP/h6.err"
# an include's directory is read, not globbed (image.c dir_same): the
# names glob would not match change nothing, a renamed file does
echo 'not an include' >"$H/p.d/notes.txt"
printf '[x.example]\nimap = imap.x.example\nsmtp = smtp.x.example\n' >"$H/p.d/.x.ini"
hq h7 d7.example
check "a file the include does not match (or hidden): the image, nothing said" \
    test ! -s "$T_TMP/h7.err"
mv "$H/p.d/a.ini" "$H/p.d/c.ini"
hq h8 a.example
check "an included file renamed (as many files): the file's answer" \
    grep -q '^Status: 200' "$T_TMP/h8"
check "an included file renamed (as many files): stale" grep -qF \
    "compiled config not used ($H/p.d/a.ini is gone)" "$T_TMP/h8.err"
mv "$H/p.d/c.ini" "$H/p.d/a.ini"
rm "$H/p.d/notes.txt" "$H/p.d/.x.ini"
hq h9 d7.example
check "the include's files as compiled again: the image, nothing said" \
    test ! -s "$T_TMP/h9.err"

# ---- an image is trusted only when it may be ---------------------------
trust() { # WHAT GREP: the image not used, the line saying why
	hq ht d7.example
	check "$1: still answered (from the INI)" grep -q '^Status: 200' "$T_TMP/ht"
	check "$1: says '$2'" grep -qF "$2" "$T_TMP/ht.err"
}
chmod g+w "$H/m.ini.cdb"
trust "an image writable by its group" "writable by group or others (fix: chmod go-w $H/m.ini.cdb)"
chmod go-w "$H/m.ini.cdb"
if [ "$(id -u)" = 0 ]; then
	chown nobody "$H/m.ini.cdb"
	trust "an image owned by another user" "owned by uid $(id -u nobody), not by the INI's owner (uid 0) or root"
	chown 0 "$H/m.ini.cdb"
	mv "$H/m.ini.cdb" "$H/real.cdb"
	ln -s real.cdb "$H/m.ini.cdb"
	chown -h nobody "$H/m.ini.cdb"
	trust "a symbolic link owned by another user" "a symbolic link owned by uid $(id -u nobody)"
	chown -h 0 "$H/m.ini.cdb"
	hq hl d7.example
	check "a symbolic link of the INI's owner: the image, nothing said" test ! -s "$T_TMP/hl.err"
	rm "$H/m.ini.cdb"
	mv "$H/real.cdb" "$H/m.ini.cdb"
fi
mv "$H/m.ini.cdb" "$T_TMP/h.cdb"
mkfifo "$H/m.ini.cdb"
hq hf d7.example &
HQ=$!
i=0
while kill -0 $HQ 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "a FIFO at the image's path: the CGI does not hang" sh -c "! kill -0 $HQ 2>/dev/null"
kill $HQ 2>/dev/null
wait $HQ 2>/dev/null
check "a FIFO: answered from the INI" grep -q '^Status: 200' "$T_TMP/hf"
check "a FIFO: not a regular file" grep -qF "(not a regular file)" "$T_TMP/hf.err"
rm "$H/m.ini.cdb"
mv "$T_TMP/h.cdb" "$H/m.ini.cdb"

# ---- a file that would empty the service is refused ---------------------
cp "$H/dom.txt" "$T_TMP/dom.full"
head -n 5 "$T_TMP/dom.full" >"$H/dom.txt"
$MAC_BIN --check -c "$H/m.ini" 2>"$T_TMP/hk.err"
check_eq "--check, a cut domain file: still exits 0" 0 $?
check "--check: the counts against the image" grep -qF \
    "against its compiled config (2 providers, 42 domains): 0 domains added, 35 removed" "$T_TMP/hk.err"
check "--check: a reload would be refused" grep -qF \
    "warning: it stops serving 35 of 42 domains, more than reload_max_drop = 25% allows" "$T_TMP/hk.err"
$MAC_BIN --compile -c "$H/m.ini" 2>"$T_TMP/hcc.err"
check_eq "--compile, a cut domain file: refused" 1 $?
check "--compile: nothing compiled, saying how to allow it" grep -qF \
    "nothing compiled (raise reload_max_drop" "$T_TMP/hcc.err"
: >"$H/dom.txt"
$MAC_BIN --check -c "$H/m.ini" 2>"$T_TMP/he.err"
check "--check: a domain file that had domains is empty now" grep -qF \
    "$H/dom.txt: warning: held 40 domains at the last --compile, none now" "$T_TMP/he.err"
sed -i 's/^reload_max_drop = 25/reload_max_drop = 100/' "$H/m.ini"
head -n 5 "$T_TMP/dom.full" >"$H/dom.txt"
$MAC_BIN --compile -c "$H/m.ini" 2>"$T_TMP/hcd.err"
check_eq "--compile, the drop allowed by reload_max_drop: done" 0 $?
sed -i 's/^reload_max_drop = 100/reload_max_drop = 25/' "$H/m.ini"
cp "$T_TMP/dom.full" "$H/dom.txt"
$MAC_BIN --compile -c "$H/m.ini" 2>/dev/null

# ---- FastCGI: reload from a recompiled image ---------------------------
if ! command -v cgi-fcgi >/dev/null; then
	fail "cgi-fcgi is needed (test/deps.sh check)"
	finish
	exit
fi
U=
[ "$(id -u)" = 0 ] && U="--user nobody"
SOCK=$T_TMP/s
cp "$TOP/providers.ini" "$INI"
chmod 644 "$INI"
$MAC_BIN --compile -c "$INI" 2>/dev/null
$MAC_BIN -c "$INI" --listen "$SOCK" $U 2>"$T_TMP/fcgi.err" &
FPID=$!
trap 'kill $FPID 2>/dev/null; rm -rf "$T_TMP"' EXIT

# get: the display name the FastCGI process answers with
get() {
	env -i REQUEST_METHOD=GET REQUEST_URI=/mail/config-v1.1.xml \
	    QUERY_STRING='emailaddress=jane%40mailbox.org' \
	    HTTP_HOST=autoconfig.mailbox.org timeout 10 cgi-fcgi -bind \
	    -connect "$SOCK" </dev/null 2>/dev/null >"$T_TMP/f.out"
	sed -n 's/.*<displayName>\(.*\)<\/displayName>.*/\1/p' "$T_TMP/f.out"
}

# hup WANT: SIGHUP, then wait until the name is WANT (5 s at most)
hup() {
	kill -HUP $FPID
	i=0
	while [ "$(get)" != "$1" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	check_eq "FastCGI: $2" "$1" "$(get)"
}

i=0
while [ ! -S "$SOCK" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
first=$(get)
check "FastCGI from the image answers" test -n "$first"
check_eq "FastCGI from the image: nothing said" 0 \
    "$(lines "$T_TMP/fcgi.err")"
sed -i 's/^name = .*/name = Recompiled Mail/' "$INI"
$MAC_BIN --compile -c "$INI" 2>/dev/null
hup "Recompiled Mail" "SIGHUP after --compile: the new image"
check_eq "... without parsing the INI" 0 "$(lines "$T_TMP/fcgi.err")"
sed -i 's/^name = .*/name = Stale Mail/' "$INI"
hup "Stale Mail" "SIGHUP with a stale image: the new INI"
check_eq "... saying so once" 1 "$(lines "$T_TMP/fcgi.err")"
$MAC_BIN --compile -c "$INI" 2>/dev/null
hup "Stale Mail" "SIGHUP after --compile again"
# a server holds a private copy of its image: a file truncated or copied
# over in place under it changes no answer (no mix of two configs, no
# SIGBUS), and the next reload sees the file as it is
other() {
	env -i REQUEST_METHOD=GET REQUEST_URI=/mail/config-v1.1.xml \
	    QUERY_STRING='emailaddress=jane%40other.example' \
	    HTTP_HOST=autoconfig.other.example timeout 10 cgi-fcgi -bind \
	    -connect "$SOCK" </dev/null 2>/dev/null >"$T_TMP/$1"
}
other f.before
sed 's/^name = .*/name = Other Mail/' "$INI" >"$T_TMP/o.ini"
sed -i 's/^domains = .*/& other.example/' "$T_TMP/o.ini"
$MAC_BIN --compile -c "$T_TMP/o.ini" 2>/dev/null
cat "$T_TMP/o.ini.cdb" >"$INI.cdb"
check_eq "copied over in place under FastCGI: the answer as it was" \
    "Stale Mail" "$(get)"
other f.after
check "copied over in place: another domain as it was, not the other file's" \
    cmp -s "$T_TMP/f.before" "$T_TMP/f.after"
truncate -s 2100 "$INI.cdb"
check_eq "truncated under FastCGI: the answer as it was" "Stale Mail" "$(get)"
other f.after
check "truncated under FastCGI: another domain as it was" \
    cmp -s "$T_TMP/f.before" "$T_TMP/f.after"
hup "Stale Mail" "SIGHUP with a truncated image: the INI"
check "... saying so" grep -q 'compiled config not used (not a compiled' \
    "$T_TMP/fcgi.err"
check "the FastCGI process is still there" kill -0 $FPID
kill $FPID
wait $FPID 2>/dev/null
# reloads of a hoster's config: a cut export is refused, the old config
# serves on; a good one is logged with what changed and what was loaded
SOCK2=$T_TMP/s2
$MAC_BIN -c "$H/m.ini" --listen "$SOCK2" $U 2>"$T_TMP/f2.err" &
FPID=$!
i=0
while [ ! -S "$SOCK2" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
# hget DOMAIN: the status line the server gives DOMAIN
hget() {
	env -i REQUEST_METHOD=GET REQUEST_URI=/mail/config-v1.1.xml \
	    QUERY_STRING="emailaddress=jane%40$1" timeout 10 cgi-fcgi -bind \
	    -connect "$SOCK2" </dev/null 2>/dev/null | head -n 1 | tr -d '\r'
}
# hhup PATTERN: SIGHUP, then wait for a new log line holding PATTERN
hhup() {
	n=$(grep -c "$1" "$T_TMP/f2.err")
	kill -HUP $FPID
	i=0
	while [ "$(grep -c "$1" "$T_TMP/f2.err")" = "$n" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
check "FastCGI start names files and digest" grep -q \
    "started: $H/m.ini: 2 providers, 42 domains, 4 files, digest [0-9a-f]\{8\}$" "$T_TMP/f2.err"
head -n 5 "$T_TMP/dom.full" >"$H/dom.new" && mv "$H/dom.new" "$H/dom.txt"
hhup 'reload refused'
check "a cut domain file: the reload refused, with the counts" grep -qF \
    "$H/m.ini: reload refused: it would stop serving 35 of 42 domains (2 providers, 7 domains; more than reload_max_drop = 25%), keeping the old configuration" "$T_TMP/f2.err"
check_eq "a cut domain file: a domain it dropped still served" "Status: 200 OK" "$(hget d30.example)"
{ cat "$T_TMP/dom.full"; echo new.example; } >"$H/dom.new" && mv "$H/dom.new" "$H/dom.txt"
hhup 'reloaded'
check "a good reload: what changed and what was loaded" grep -q \
    "$H/m.ini: reloaded, 2 providers, 43 domains (+1 -0), 4 files, digest [0-9a-f]\{8\}$" "$T_TMP/f2.err"
check_eq "a good reload: the new domain" "Status: 200 OK" "$(hget new.example)"
: >"$H/m.ini"
hhup 'reload failed'
check "an INI emptied in place: the reload fails" grep -qF \
    "$H/m.ini: no provider section" "$T_TMP/f2.err"
check_eq "an INI emptied in place: the old config serves on" "Status: 200 OK" "$(hget d30.example)"
kill $FPID
wait $FPID 2>/dev/null
# and a restart now: the last image serves, loudly, instead of nothing
rm -f "$SOCK2"
$MAC_BIN -c "$H/m.ini" --listen "$SOCK2" $U 2>"$T_TMP/f3.err" &
FPID=$!
i=0
while [ ! -S "$SOCK2" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check_eq "a restart with the INI emptied: the last image answers" "Status: 200 OK" "$(hget d30.example)"
check "... saying so loudly" grep -qF \
    "$H/m.ini: does not load (errors above): serving its last compiled config instead (2 providers, 42 domains)" "$T_TMP/f3.err"
kill $FPID
wait $FPID 2>/dev/null
# file names reach the terminal through the printable filter: an ESC in
# the directory's name is printed as '?'
EDIR=$T_TMP/$(printf 'e\033[31mx')
mkdir -p "$EDIR"
cp "$TOP/providers.ini" "$EDIR/providers.ini"
$MAC_WRAP $MAC_BIN --compile -c "$EDIR/providers.ini" >"$T_TMP/esc.out" 2>&1
check "ESC in the path: --compile works" test -s "$EDIR/providers.ini.cdb"
printf '\n' >>"$EDIR/providers.ini"
MAC_CONF=$EDIR/providers.ini mac_cgi "$T_TMP/esc" REQUEST_METHOD=GET \
    REQUEST_URI=/mail/config-v1.1.xml QUERY_STRING='emailaddress=a%40mailbox.org'
check "ESC in the path: the stale image is reported" \
    grep -q 'compiled config not used' "$T_TMP/esc.err"
$MAC_WRAP $MAC_BIN --compile -c "$EDIR/none.ini" >>"$T_TMP/esc.out" 2>&1
check "ESC in the path: a missing INI is named" grep -q 'none.ini' "$T_TMP/esc.out"
check "ESC in the path: no ESC byte on stderr" \
    sh -c "! LC_ALL=C grep -q \"\$(printf '\\033')\" '$T_TMP/esc.err' '$T_TMP/esc.out'"
finish
