# Every client: the Autodiscover v2 JSON endpoint, Apple configuration
# profiles (signed and unsigned) and their page, internationalised domains,
# and --import.  `make check` runs a C unit runner (SHA-1, UUIDs, the JSON
# escaper, IDN, import refusals), one shell suite each, and all of them
# again against the clang ASan+UBSan build and the unit runner under
# valgrind.
CLIENT_SUITES = "sh test/t10-json.sh" "sh test/t11-mobileconfig.sh" \
	"sh test/t12-idn.sh" "sh test/t13-import.sh"
EXTRA_SUITES += ./clients-unit $(CLIENT_SUITES) \
	"$(VG) ./clients-unit" \
	"$(MAKE) --no-print-directory check-clients-asan"
CHECK_DEPS += clients

$(O)/clients-unit: test/clients-unit.c $(O)/libmac.a $(HDRS)
	$(CC) $(ALL_CFLAGS) -I. $(ALL_LDFLAGS) -o $@ test/clients-unit.c \
	    $(O)/libmac.a $(PKG_LIBS)

check-run: $(O)/clients-unit

check-clients-asan:
	@$(MAKE) --no-print-directory O=build/asan CC=clang CFLAGS="$(SAN_FLAGS)" \
	    LDFLAGS="-fsanitize=address,undefined" build/asan/mailautoconf \
	    build/asan/clients-unit >/dev/null
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1 \
	    MAC_BIN=build/asan/mailautoconf MAC_SUITE_TAG=asan \
	    test/run-suites.sh build/asan/clients-unit $(CLIENT_SUITES)

clean: clean-clients
clean-clients:
	rm -f clients-unit

.PHONY: check-clients-asan clean-clients
