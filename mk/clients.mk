# Every client: the Autodiscover v2 JSON endpoint, Apple configuration
# profiles (signed and unsigned) and their page, internationalised domains,
# and --import.  Their suites (t10-t13) and unit tests (test/unit-clients.c,
# part of the one unit runner) are in the Makefile's list of suites; this
# file names the Debian packages they need.
CHECK_DEPS += clients
