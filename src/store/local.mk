# src/store: the indexer's side of the database (a post into a document,
# incremental and atomic runs, the import run). Public headers: store.h,
# schema.h.
noinst_LIBRARIES += src/store/libstore.a
src_store_libstore_a_SOURCES = \
	src/store/store.h src/store/schema.h src/store/store-internal.h \
	src/store/idmap.h src/store/idmap.c src/store/queue.h src/store/queue.c \
	src/store/termset.h src/store/termset.c \
	src/store/document.c src/store/store.c src/store/delta.c src/store/journal.c src/store/build.c \
	src/store/run.h src/store/run.c src/store/run-build.c \
	src/store/shard.c src/store/lockwait.c src/store/copies.h src/store/copies.c
src_store_libstore_a_CFLAGS = $(AM_CFLAGS) -pthread

check_PROGRAMS += tests/store/test-store
TESTS += tests/store/test-store
tests_store_test_store_SOURCES = tests/store/test-store.c
tests_store_test_store_CPPFLAGS = $(TEST_CPPFLAGS)
tests_store_test_store_LDADD = $(TEST_HELP) $(STORE_LINK) $(TEST_LIBS)

check_PROGRAMS += tests/store/test-run
TESTS += tests/store/test-run
tests_store_test_run_SOURCES = tests/store/test-run.c
tests_store_test_run_CPPFLAGS = $(TEST_CPPFLAGS)
tests_store_test_run_CFLAGS = $(AM_CFLAGS) -pthread
tests_store_test_run_LDADD = $(TEST_HELP) $(STORE_LINK) $(TEST_LIBS)
tests_store_test_run_LDFLAGS = $(AM_LDFLAGS) -pthread
