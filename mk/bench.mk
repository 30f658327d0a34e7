# make bench: measure mailautoconf against the physical ceiling (static
# nginx, a no-op FastCGI responder, a minimal C CGI), config-size scaling,
# and the request path alone. Not part of `make check`: it takes minutes
# and its numbers depend on the machine. docs/BENCHMARKS.md explains the
# output; BENCH_SECONDS (default 5) is the length of one measurement,
# BENCH_ROUNDS (default 3) how many times the main table is measured.
BENCH_SECONDS ?= 5
BENCH_ROUNDS ?= 3

bench:
	@test/deps.sh bench build
	@$(MAKE) --no-print-directory all libmac.a >/dev/null || \
	    echo "bench: the build failed; measuring the reference rows only" >&2
	@BENCH_SECONDS="$(BENCH_SECONDS)" BENCH_ROUNDS="$(BENCH_ROUNDS)" CC="$(CC)" \
	    MAC_CFLAGS="$(CFLAGS)" MAC_LIBS="$(PKG_LIBS)" sh bench/run.sh
	@echo "A hoster's layout (bench/hoster.sh):"
	@CC="$(CC)" sh bench/hoster.sh
	@echo "The probe over a fleet (make bench-probe):"
	@$(MAKE) --no-print-directory bench-probe

.PHONY: bench

# make bench-probe: mailautoconf-probe --all over BENCH_PROBE_DOMAINS more
# domains of t20's loopback deployment (dnsmasq, nginx, mailautoconf,
# Dovecot; root), once per --jobs value of BENCH_PROBE_JOBS: its wall
# time, peak RSS, DNS questions, connections and HTTP requests.
BENCH_PROBE_DOMAINS ?= 2000
BENCH_PROBE_JOBS ?= 4 1

bench-probe:
	@test/deps.sh probe build
	@$(MAKE) --no-print-directory all probe >/dev/null
	@T20_BENCH_DOMAINS="$(BENCH_PROBE_DOMAINS)" \
	    T20_BENCH_JOBS="$(BENCH_PROBE_JOBS)" sh test/t20-probe.sh

.PHONY: bench-probe
