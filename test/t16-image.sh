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

$MAC_BIN --compile -c "$INI" 2>/dev/null
head -c 100 "$INI" >"$T_TMP/short" && cat "$T_TMP/short" >"$INI"
run truncated "$INI"
same_as_ini truncated "truncated INI"

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
# truncated under the running process: pages past the end raise SIGBUS,
# a cut inside the last page reads as zeros.  A domain answered before
# comes from the decoded copy (the same answer); another one reads the map
check_eq "truncated under FastCGI: a decoded provider stays" "Stale Mail" \
    "$(get)"
truncate -s 2100 "$INI.cdb"
check_eq "truncated under FastCGI: ... as it was" "Stale Mail" "$(get)"
env -i REQUEST_METHOD=GET REQUEST_URI=/mail/config-v1.1.xml \
    QUERY_STRING='emailaddress=jane%40other.example' \
    HTTP_HOST=autoconfig.other.example timeout 10 cgi-fcgi -bind \
    -connect "$SOCK" </dev/null 2>/dev/null >"$T_TMP/f.out"
check "truncated under FastCGI: another domain is a 500, not a signal" \
    grep -q '^Status: 500' "$T_TMP/f.out"
check_eq "truncated under FastCGI: then the INI" "Stale Mail" "$(get)"
check "... saying so" grep -q 'compiled config corrupt; parsing the INI' \
    "$T_TMP/fcgi.err"
check "the FastCGI process is still there" kill -0 $FPID
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
