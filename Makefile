# mailautoconf: GNU make.
#   make              build ./mailautoconf
#   make demo         answer a sample autoconfig and Autodiscover request
#   make check        every test suite; ends with "N passed, N failed"
#   make quick        the fast suites (unit, CGI, hostile, config, FastCGI)
#   make install      PREFIX, DESTDIR, SYSCONFDIR honoured
#   WERROR=1          turn warnings into errors (CI)

VERSION = 0.1.0

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/mailautoconf
ifeq ($(PREFIX),/usr)
SYSCONFDIR ?= /etc
else
SYSCONFDIR ?= $(PREFIX)/etc
endif

CC ?= cc
CFLAGS ?= -O2 -g
# The FastCGI protocol is fcgi.c's own (why: its header); libfcgi-dev is
# needed by the benchmarks' reference responder only, libfcgi-bin's
# cgi-fcgi by the tests.
# libseccomp: the seccomp program is compiled at build time (sbgen.c,
# the sb_filter.h rule below), so only that build step links it.
# libcdb: tinycdb, the compiled config's table (image.c).
PKGS = inih libidn2 expat libcdb
SECCOMP_CFLAGS := $(shell pkg-config --cflags libseccomp 2>/dev/null)
SECCOMP_LIBS := $(shell pkg-config --libs libseccomp 2>/dev/null || echo -lseccomp)
# libcrypto: headers only; mcsign.c opens the library when signing is
# configured, so that no CGI start pays for relocating it
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) libcrypto 2>/dev/null)
# LINK=static (the default): these small libraries are linked into the
# binary, libc stays shared.  A CGI starts for every request, and resolving
# their ~800 symbols at each start cost a third of an answer (callgrind);
# the binary also runs on a host that lacks them.  LINK=dynamic links them
# as shared libraries (the Debian package does, as its policy asks).
LINK ?= static
ifeq ($(LINK),static)
PKG_LIBS := -Wl,-Bstatic $(filter-out -lm,$(shell pkg-config --libs --static \
	$(PKGS) 2>/dev/null || echo -linih -lidn2 -lunistring \
	-lexpat -lcdb)) -Wl,-Bdynamic -lm
else
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -linih -lidn2 -lexpat -lcdb)
endif

WARN = -Wall -Wextra -Wformat=2 -Wshadow -Wpointer-arith -Wstrict-prototypes \
	-Wmissing-prototypes -Wwrite-strings -Wcast-qual -Wundef
ifeq ($(WERROR),1)
WARN += -Werror
endif
DEFS = -D_GNU_SOURCE -DVERSION='"$(VERSION)"' \
	-DSYSCONFDIR='"$(SYSCONFDIR)"'
# SANDBOX=0: no seccomp filter and no Landlock (sanitizer builds leave them
# out by themselves); a build switch on purpose, never a run-time one
ifeq ($(SANDBOX),0)
DEFS += -DMAC_NO_SANDBOX
endif
ALL_CFLAGS = -std=c11 $(WARN) $(DEFS) $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(LDFLAGS)

# O: where objects and binaries go (the sanitizer build uses O=build/asan)
O ?= .
LIBSRC = request.c pox.c endpoint.c ini.c providers.c xmlout.c http.c autoconfig.c \
	autodiscover.c util.c dns.c
LIBSRC += log.c
LIBSRC += fcgi.c image.c
LIBSRC += sandbox.c prefork.c
LIBSRC += mobileconfig.c mcsign.c sha1.c sha256.c idn.c import.c
LIBSRC += dav.c pacc.c
LIBOBJ = $(LIBSRC:%.c=$(O)/%.o)
HDRS = mailautoconf.h bounds.h

# The flags a build uses, recorded in $(O)/.build-flags: the file changes
# only when they do, and every object depends on it, so that a later make
# with another PREFIX, SYSCONFDIR, CC or CFLAGS (make install PREFIX=/usr
# after a plain make) rebuilds instead of installing objects built for the
# old ones, and "built with" names the flags the binary was built with.
BUILD_FLAGS = $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(PKG_LIBS)
FLAGS_FILE = $(O)/.build-flags
ifneq ($(file <$(FLAGS_FILE)),$(BUILD_FLAGS))
$(shell mkdir -p $(O))
$(file >$(FLAGS_FILE),$(BUILD_FLAGS))
endif

# mailautoconf-probe (docs/mailautoconf-probe.8): a second binary, so that
# libcurl, ldns, libpsl and libcrypto never load in a CGI request
PROBE_PKGS = libcurl ldns libpsl libcrypto
# its own folder (docs/DESIGN.md §10); its answer readers, which
# fuzz/fuzz_probe.c links too, are libprobe.a, not the server's library
PROBE_SRC = probe/probe.c probe/probe_client.c probe/probe_net.c \
	probe/probe_dns.c
PROBE_OBJ = $(PROBE_SRC:%.c=$(O)/%.o)
PROBE_LIBSRC = probe/probe_parse.c
PROBE_LIBOBJ = $(PROBE_LIBSRC:%.c=$(O)/%.o)
PROBE_HDRS = probe/probe.h probe/probe_client.h
PROBE_LIBS := $(shell pkg-config --libs $(PROBE_PKGS) 2>/dev/null || \
	echo -lcurl -lldns -lpsl -lcrypto)


all: $(O)/mailautoconf
	$(info built with: $(file <$(FLAGS_FILE)))
	@:

# -MMD -MP: the compiler writes the headers of each object and program
# into TARGET.d (read at the end of this file), so that a change to any
# header rebuilds all that include it (test/build-deps.sh)
DEPFLAGS = -MMD -MP -MF $@.d
$(O)/%.o: %.c $(HDRS) $(FLAGS_FILE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(O)/libmac.a: $(LIBOBJ)
	rm -f $@
	ar rcs $@ $(LIBOBJ)

$(O)/mailautoconf: $(O)/main.o $(O)/libmac.a $(FLAGS_FILE)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(O)/main.o $(O)/libmac.a $(PKG_LIBS)

# The seccomp program: sbgen.c writes its rules, compiled by libseccomp,
# as BPF into sb_filter.h, which sandbox.o includes (why: sbgen.c).
# Built without sanitizers: it runs once, here.
$(O)/sbgen: sbgen.c $(HDRS)
	@mkdir -p $(O)
	$(CC) -std=c11 $(WARN) -D_GNU_SOURCE $(SECCOMP_CFLAGS) -O1 \
	    $(DEPFLAGS) -o $@ sbgen.c $(SECCOMP_LIBS)

$(O)/sb_filter.h: $(O)/sbgen
	$(O)/sbgen >$@.tmp && mv $@.tmp $@

$(O)/sandbox.o: $(O)/sb_filter.h
$(O)/sandbox.o: ALL_CFLAGS += -I$(O)

# Test programs: the one C unit runner, and the helpers of t07, t08, t14.
# TB is where a build keeps them (build/test for the normal build).
TB = $(if $(filter .,$(O)),build/test,$(O)/test)
TEST_CFLAGS = $(ALL_CFLAGS) -I. $(ALL_LDFLAGS)

$(O)/unit: test/unit.c test/unit-clients.c test/unit-dav.c test/expect.h $(O)/libmac.a $(HDRS)
	$(CC) $(TEST_CFLAGS) $(DEPFLAGS) -o $@ test/unit.c $(O)/libmac.a $(PKG_LIBS)

$(TB)/alloc: test/alloc.c $(O)/libmac.a $(HDRS)
	@mkdir -p $(TB)
	$(CC) $(TEST_CFLAGS) $(DEPFLAGS) -o $@ test/alloc.c $(O)/libmac.a $(PKG_LIBS)

$(TB)/sbtest: test/sbtest.c $(O)/libmac.a $(HDRS)
	@mkdir -p $(TB)
	$(CC) $(TEST_CFLAGS) $(DEPFLAGS) -o $@ test/sbtest.c $(O)/libmac.a $(PKG_LIBS)

probe: $(O)/mailautoconf-probe

$(O)/libprobe.a: $(PROBE_LIBOBJ)
	rm -f $@
	ar rcs $@ $(PROBE_LIBOBJ)

$(O)/mailautoconf-probe: $(PROBE_OBJ) $(O)/libprobe.a $(O)/libmac.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(PROBE_OBJ) $(O)/libprobe.a \
	    $(O)/libmac.a $(PKG_LIBS) $(PROBE_LIBS)

# a FastCGI client at the byte level, for t14 (an ordinary build is enough)
build/fcgi-proto: test/fcgi-proto.c test/expect.h
	@mkdir -p build
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(DEPFLAGS) -o $@ test/fcgi-proto.c

TEST_PROGS = $(O)/mailautoconf $(O)/unit $(TB)/alloc $(TB)/sbtest

# ---- demo ------------------------------------------------------------
demo:
	@test/deps.sh demo
	@$(MAKE) --no-print-directory all >/dev/null
	@sh test/demo.sh

# ---- tests -----------------------------------------------------------
# Every suite of `make check`, in one list.  Each entry is
#	'BUILDS|COMMAND'
# BUILDS names the builds that run the suite: plain (the normal build),
# asan (clang ASan+UBSan, build/asan) and vg (valgrind memcheck, build/vg,
# SANDBOX=0).  Every suite runs under asan unless its comment says why
# not.  vg runs the unit runner and the suites that reach the loader and
# the request path most directly; the others take the same paths, which
# asan covers, and under valgrind one CGI answer takes some 0.36 s
# against 2 ms (t07 alone runs over a thousand of them).  COMMAND is run by sh with, per build, $MAC_BIN (the binary),
# $MAC_B (the build's directory: unit is there), $MAC_T (its test
# programs) and $MAC_WRAP (valgrind for vg, else empty).  Each suite
# prints "N passed, N failed" as its last line; test/run-suites.sh sums
# them into the closing line of `make check`.
# To add a suite: one line below, "SUITES += '...'", and (for a new C
# program) its rule above, with the program added to TEST_PROGS.
SUITES  = 'plain asan vg|$$MAC_WRAP $$MAC_B/unit'
SUITES += 'plain asan vg|sh test/t01-cgi.sh'
SUITES += 'plain asan vg|sh test/t02-hostile.sh'
SUITES += 'plain asan vg|sh test/t03-config.sh'
SUITES += 'plain asan|sh test/t04-fastcgi.sh'
SUITES += 'plain asan|sh test/t05-docs.sh'
# the build itself: a changed header rebuilds all that include it
SUITES += 'plain|sh test/build-deps.sh'
# make check without root: a suite whose packages are missing is skipped
SUITES += 'plain|sh test/skip.sh'
# asan: the fuzz targets are ASan+UBSan builds of their own (mk/fuzz.mk)
SUITES += 'plain|sh test/t06-fuzz.sh'
SUITES += 'plain asan|sh test/t07-hostile-corpus.sh'
# asan, vg: those builds leave the seccomp filter and Landlock out
SUITES += 'plain|sh test/t08-sandbox.sh'
SUITES += 'plain asan|sh test/t09-dns.sh'
SUITES += 'plain asan|sh test/t10-json.sh'
SUITES += 'plain asan|sh test/t11-mobileconfig.sh'
SUITES += 'plain asan|sh test/t12-idn.sh'
SUITES += 'plain asan|sh test/t13-import.sh'
SUITES += 'plain asan vg|sh test/t14-fcgi-proto.sh'
SUITES += 'plain asan vg|sh test/t15-dav.sh'
# the compiled config; it reruns t01, t02, t07 and t11 from images
SUITES += 'plain asan|sh test/t16-image.sh'
# a hoster's domains from PostfixAdmin and Postfix, synced under load
SUITES += 'plain asan|sh test/t17-hoster.sh'
# allocation failures while loading: 150 providers natively, 10 under
# valgrind (every step reloads the file)
SUITES += 'plain asan|$$MAC_T/alloc providers.ini -g 150'
SUITES += 'vg|$$MAC_WRAP $$MAC_T/alloc providers.ini -g 10'
# asan, vg: real web servers, systemd and the Debian package run the
# installed or normal binary (mk/web.mk)
SUITES += 'plain|sh test/web/run.sh'
SUITES += 'plain|sh test/web/systemd.sh'
SUITES += 'plain|sh test/web/docs.sh'
SUITES += 'plain|sh test/web/deb.sh'
SUITES += 'plain|sh test/web/apache-site.sh'
# install.sh builds a tree of its own: once is enough
SUITES += 'plain|sh test/install.sh'
SUITES += 'plain asan vg|sh test/dns-hoster.sh'
SUITES += 'plain asan|sh test/syslog.sh'
# a real client: Thunderbird's own account setup against nginx and each
# build's FastCGI server (test/thunderbird/); vg too, as one server under
# valgrind answers all its requests (some 10 s in all)
SUITES += 'plain asan vg|sh test/t21-thunderbird.sh'
CHECK_DEPS += thunderbird
# the deployment probe against a test deployment (dnsmasq, nginx, Dovecot);
# under vg a subset (each probe takes seconds there)
SUITES += 'plain asan vg|sh test/t20-probe.sh'

SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
VG = valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite

# The packages come first, then a fresh make: pkg-config is asked when
# the Makefile is read, so it must be read again once they are there.
check: check-deps
	@$(MAKE) --no-print-directory check-run

# Without root, a suite whose packages are missing is skipped and named
# (test/run-suites.sh), and so is the probe's build.
check-run: all $(TEST_PROGS) build/fcgi-proto
	@[ -n "$$(test/deps.sh -m probe-build)" ] || \
	    $(MAKE) --no-print-directory probe
	@MAC_B=. MAC_T=build/test test/run-suites.sh -b plain $(SUITES) \
	    "$(MAKE) --no-print-directory check-asan" \
	    "$(MAKE) --no-print-directory check-valgrind"

# make quick: the suites to run after every change, as any user, in under
# a minute: unit, CGI answers, hostile input, config, FastCGI; side by
# side (-p), as t14 spends half a minute waiting on the server's deadlines
QUICK = /unit t01-cgi t02-hostile t03-config t04-fastcgi t07-hostile \
	t14-fcgi-proto
quick: all $(TEST_PROGS) build/fcgi-proto
	@test/deps.sh -s quick
	@MAC_B=. MAC_T=build/test test/run-suites.sh -p -b plain -m "$(QUICK)" \
	    $(SUITES)

# the suites of the list whose command holds M, against the normal build:
# make suite M=t07 (M empty: all of the plain build, none of the others)
suite: all probe $(TEST_PROGS) build/fcgi-proto
	@MAC_B=. MAC_T=build/test test/run-suites.sh -b plain -m "$(M)" $(SUITES)

# every Debian package that make check needs (CI calls this first); make
# check without root goes on without them (-s), skipping what needs them
deps:
	@test/deps.sh check $(CHECK_DEPS)
check-deps:
	@test/deps.sh -s check $(CHECK_DEPS)

# the suites of the list that name asan, against a clang ASan+UBSan build
# (M: only those whose command holds it, as for make suite)
check-asan:
	@$(MAKE) --no-print-directory O=build/asan CC=clang CFLAGS="$(SAN_FLAGS)" \
	    LDFLAGS="-fsanitize=address,undefined" build/asan/mailautoconf \
	    build/asan/unit build/asan/test/alloc \
	    build/asan/mailautoconf-probe >/dev/null
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    MAC_BIN=build/asan/mailautoconf MAC_PROBE=build/asan/mailautoconf-probe \
	    MAC_B=build/asan MAC_T=build/asan/test \
	    MAC_SUITE_TAG=asan test/run-suites.sh -b asan -m "$(M)" $(SUITES)

# and those that name vg under valgrind (memcheck), with the normal build
# but SANDBOX=0: valgrind knows neither seccomp nor Landlock
check-valgrind:
	@$(MAKE) --no-print-directory O=build/vg SANDBOX=0 build/vg/mailautoconf \
	    build/vg/unit build/vg/test/alloc build/vg/mailautoconf-probe >/dev/null
	@MAC_WRAP="$(VG)" MAC_BIN=build/vg/mailautoconf MAC_B=build/vg \
	    MAC_T=build/vg/test MAC_PROBE=build/vg/mailautoconf-probe \
	    MAC_SUITE_TAG=valgrind \
	    test/run-suites.sh -b vg -m "$(M)" $(SUITES)

# ---- install ---------------------------------------------------------
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(SYSCONFDIR)/mailautoconf
	install -m 755 $(O)/mailautoconf $(DESTDIR)$(SBINDIR)/mailautoconf
	# the manual pages name the default configuration of this build
	sed 's|/usr/local/etc/mailautoconf/|$(SYSCONFDIR)/mailautoconf/|g' \
	    docs/mailautoconf.8 >$(DESTDIR)$(MANDIR)/man8/mailautoconf.8
	sed 's|/usr/local/etc/mailautoconf/|$(SYSCONFDIR)/mailautoconf/|g' \
	    docs/providers.ini.5 >$(DESTDIR)$(MANDIR)/man5/providers.ini.5
	chmod 644 $(DESTDIR)$(MANDIR)/man8/mailautoconf.8 \
	    $(DESTDIR)$(MANDIR)/man5/providers.ini.5
	test -e $(DESTDIR)$(SYSCONFDIR)/mailautoconf/providers.ini || \
	    install -m 644 providers.ini $(DESTDIR)$(SYSCONFDIR)/mailautoconf/providers.ini
	# the compiled config beside it (mailautoconf.8: --compile); with
	# INSTALL_COMPILE=0 (the Debian package) postinst does it instead
	[ "$(INSTALL_COMPILE)" = 0 ] || ./mailautoconf --compile \
	    -c $(DESTDIR)$(SYSCONFDIR)/mailautoconf/providers.ini
	# the web server and systemd snippets of docs/deploy.md
	install -d $(DESTDIR)$(DOCDIR)/examples/systemd
	install -m 644 contrib/*.conf $(DESTDIR)$(DOCDIR)/examples/
	install -m 644 contrib/systemd/mailautoconf.service \
	    contrib/systemd/mailautoconf.socket \
	    contrib/systemd/mailautoconf-sync.path \
	    contrib/systemd/mailautoconf-sync.service $(DESTDIR)$(DOCDIR)/examples/systemd/

# the probe and its page, when built (make probe; it needs libcurl, ldns, libpsl)
install-probe: probe
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 755 mailautoconf-probe $(DESTDIR)$(SBINDIR)/mailautoconf-probe
	install -m 644 docs/mailautoconf-probe.8 $(DESTDIR)$(MANDIR)/man8/

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/mailautoconf $(DESTDIR)$(MANDIR)/man8/mailautoconf.8 \
	    $(DESTDIR)$(MANDIR)/man5/providers.ini.5 \
	    $(DESTDIR)$(SYSCONFDIR)/mailautoconf/providers.ini.cdb
	rm -f $(DESTDIR)$(SBINDIR)/mailautoconf-probe \
	    $(DESTDIR)$(MANDIR)/man8/mailautoconf-probe.8
	rm -rf $(DESTDIR)$(DOCDIR)/examples

clean:
	rm -rf *.o *.a *.d probe/*.o probe/*.d mailautoconf mailautoconf-probe unit build \
	    .build-flags sbgen sb_filter.h

# the headers each object and program was built from (DEPFLAGS)
-include $(wildcard $(O)/*.d $(O)/probe/*.d $(TB)/*.d build/*.d)

# Other parts of the tree (web servers, benchmarks, fuzzing, packaging) add
# their targets and suites from mk/*.mk.
-include mk/*.mk

.PHONY: probe install-probe all demo check check-run quick suite deps check-deps check-asan check-valgrind install uninstall clean
