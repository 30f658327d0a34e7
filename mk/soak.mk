# make soak: long load and faults through nginx + spawn-fcgi on 127.0.0.1
# (test/soak.sh says what it does); minutes, so not part of `make check`.
# SOAK_REQUESTS (1000000) answers of steady load, SOAK_PHASE_SECONDS (20)
# for each fault phase; SOAK_OUT also writes the figures to a file.
SOAK_REQUESTS ?= 1000000
SOAK_PHASE_SECONDS ?= 20

soak: all
	@test/deps.sh bench
	@SOAK_REQUESTS=$(SOAK_REQUESTS) SOAK_PHASE_SECONDS=$(SOAK_PHASE_SECONDS) \
	    SOAK_OUT="$(SOAK_OUT)" sh test/soak.sh

.PHONY: soak
