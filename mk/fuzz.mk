# make fuzz: every fuzz/fuzz_*.c as a libFuzzer target, FUZZ_SECONDS each
# (default 60), against a clang ASan+UBSan build of the library.  New
# inputs go to build/fuzz/found/NAME (the checked-in seeds in
# fuzz/corpus/NAME stay as they are); a crash leaves build/fuzz/crash-*.
# fuzz_ini runs a second round with MAC_FUZZ_OOM=1 (allocation failures).
# `make check` runs the short smoke suite test/t06-fuzz.sh (in the
# Makefile's list of suites).
FUZZ_SECONDS ?= 60
FUZZ_O = build/fuzz
FUZZ_CC = clang
FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_LDFLAGS = -fsanitize=fuzzer,address,undefined
FUZZ_SRC = $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_BIN = $(FUZZ_SRC:fuzz/%.c=$(FUZZ_O)/bin/%)
FUZZ_NAMES = $(FUZZ_SRC:fuzz/fuzz_%.c=%)

# the libraries, instrumented, by a make of its own (the rules for
# $(O)/libmac.a and $(O)/libprobe.a, the probe's answer readers, are the
# top Makefile's); SANDBOX=0: no seccomp in a fuzzer
FUZZ_LIBS = $(FUZZ_O)/libprobe.a $(FUZZ_O)/libmac.a
ifneq ($(O),$(FUZZ_O))
$(FUZZ_LIBS): FORCE
	@$(MAKE) --no-print-directory O=$(FUZZ_O) CC=$(FUZZ_CC) SANDBOX=0 \
	    CFLAGS="$(FUZZ_CFLAGS)" $@ >/dev/null
endif

$(FUZZ_O)/bin/%: fuzz/%.c fuzz/fuzz.h $(FUZZ_LIBS) $(HDRS)
	@mkdir -p $(FUZZ_O)/bin
	$(FUZZ_CC) -std=c11 $(WARN) $(DEFS) $(PKG_CFLAGS) -I. $(FUZZ_CFLAGS) \
	    $(FUZZ_LDFLAGS) $(DEPFLAGS) -o $@ $< $(FUZZ_LIBS) $(PKG_LIBS)

-include $(wildcard $(FUZZ_O)/bin/*.d)

fuzz-build: check-deps $(FUZZ_BIN)

fuzz: fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_O=$(FUZZ_O) sh fuzz/run.sh $(FUZZ_NAMES)

FORCE:

.PHONY: fuzz fuzz-build FORCE
