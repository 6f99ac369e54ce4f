# src/server: the daemon's library (listeners, framing, worker pool, stats)
# and its unit tests. The program is in src/cmd/searchd.mk.
noinst_LIBRARIES += src/server/libserver.a
src_server_libserver_a_SOURCES = \
	src/server/server.h \
	src/server/server.c \
	src/server/pool.h \
	src/server/pool.c \
	src/server/writer.h \
	src/server/writer.c \
	src/server/linebuf.c \
	src/server/latency.c \
	src/server/address.c \
	src/server/peers.c \
	src/server/fdbudget.c \
	src/server/logfmt.c \
	src/server/unixsock.c

check_PROGRAMS += tests/server/test-server-units
TESTS += tests/server/test-server-units
tests_server_test_server_units_SOURCES = tests/server/test-server-units.c
tests_server_test_server_units_CPPFLAGS = $(TEST_CPPFLAGS)
tests_server_test_server_units_LDADD = $(TEST_HELP) $(SERVER_LINK) $(TEST_LIBS)
