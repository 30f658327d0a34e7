# The sandbox test: build/test/sbtest enters the sandbox (sandbox.c) as
# mailautoconf does and tries what serving never needs; t08 runs it and
# checks --user and --workers.  Run once, against the normal build (the
# sanitizer and valgrind builds leave the filter out).
EXTRA_SUITES += "sh test/t08-sandbox.sh"

check-run: build/test/sbtest

build/test/sbtest: test/sbtest.c $(O)/libmac.a $(HDRS)
	@mkdir -p build/test
	$(CC) $(ALL_CFLAGS) -I. $(ALL_LDFLAGS) -o $@ test/sbtest.c \
	    $(O)/libmac.a $(PKG_LIBS)
