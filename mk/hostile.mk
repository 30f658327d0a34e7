# Hostile traffic: the request corpus test/hostile/cases.txt through CGI
# and FastCGI (t07), and allocation failures while loading the config
# (build/test/alloc: the shipped file and a generated one of 150
# providers, natively with a per-step leak count, and a smaller round
# under valgrind).
EXTRA_SUITES += "sh test/t07-hostile-corpus.sh" \
	"build/test/alloc providers.ini -g 150" \
	"$(VG) build/test/alloc providers.ini -g 10"

check-run: build/test/alloc

build/test/alloc: test/alloc.c $(O)/libmac.a $(HDRS)
	@mkdir -p build/test
	$(CC) $(ALL_CFLAGS) -I. $(ALL_LDFLAGS) -o $@ test/alloc.c \
	    $(O)/libmac.a $(PKG_LIBS)
