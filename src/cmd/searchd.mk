# src/cmd/searchd.mk: the daemon socasma-searchd, its man page, its protocol
# document and its tests (tests/server/).
bin_PROGRAMS += src/socasma-searchd
src_socasma_searchd_SOURCES = src/cmd/socasma-searchd.c src/cmd/cmd-util.c src/cmd/cmd-util.h
src_socasma_searchd_CFLAGS = $(AM_CFLAGS) -pthread
src_socasma_searchd_LDFLAGS = $(AM_LDFLAGS) -pthread
src_socasma_searchd_LDADD = $(SERVER_LINK) $(ZLIB_LIBS) $(SYSTEMD_LIBS)
dist_man_MANS += doc/socasma-searchd.8
dist_doc_DATA += doc/PROTOCOL.md

# Tests: the real daemon on a socket in a temporary directory and on a
# loopback port, driven by a small client of the project's own.
check_PROGRAMS += tests/server/lineclient tests/server/hostile
tests_server_lineclient_SOURCES = tests/server/lineclient.c
tests_server_hostile_SOURCES = tests/server/hostile.c
TESTS += tests/server/daemon.sh tests/server/freshness.sh tests/server/client.sh tests/server/limits.sh
EXTRA_DIST += tests/server/daemon.sh tests/server/freshness.sh tests/server/client.sh tests/server/limits.sh
# issue 12: hostile clients, the query time budget, a second daemon, logs
TESTS += tests/server/hostile.sh tests/server/budget.sh tests/server/instance.sh
EXTRA_DIST += tests/server/hostile.sh tests/server/budget.sh tests/server/instance.sh \
	tests/server/gencorpus.sh

# The live index (put, delete, the writer): tests/live/, driven by a client
# of writers and searchers at once (also bench/live's).
check_PROGRAMS += tests/live/liveclient
tests_live_liveclient_SOURCES = tests/live/liveclient.c
tests_live_liveclient_CFLAGS = $(AM_CFLAGS) -pthread
tests_live_liveclient_LDFLAGS = $(AM_LDFLAGS) -pthread
tests_live_liveclient_LDADD = $(JANSSON_LIBS)
LIVE_TESTS = tests/live/protocol.sh tests/live/access.sh tests/live/durability.sh \
	tests/live/concurrent.sh tests/live/lock.sh tests/live/stats.sh tests/live/delta.sh \
	tests/live/foldrace.sh tests/live/journal.sh tests/live/foldfail.sh tests/live/samedoc.sh
TESTS += $(LIVE_TESTS)
EXTRA_DIST += $(LIVE_TESTS) tests/live/live-lib.sh
