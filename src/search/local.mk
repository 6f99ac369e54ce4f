# src/search: the query engine (query language, ranking, filters, facets,
# snippets, spelling, completion, JSON answers) and its tests.
noinst_LIBRARIES += src/search/libsearch.a
src_search_libsearch_a_SOURCES = \
	src/search/search.h src/search/options.h src/search/search-internal.h \
	src/search/engine.c src/search/delta.c src/search/query.c src/search/snippet.c \
	src/search/spell.c src/search/speller.c src/search/termfreq.c src/search/totals.c src/search/feedback.c src/search/answer.c src/search/ordinal.c src/search/shards.c src/search/docdata.c src/search/json.c \
	src/search/protocol.c src/search/write.c

check_PROGRAMS += tests/search/test-search
tests_search_test_search_SOURCES = tests/search/test-search.c
tests_search_test_search_CPPFLAGS = $(TEST_CPPFLAGS)
tests_search_test_search_LDADD = $(TEST_HELP) $(SEARCH_LINK) $(TEST_LIBS)
TESTS += tests/search/test-search tests/search/cli.sh
EXTRA_DIST += tests/search/cli.sh

check_PROGRAMS += tests/search/test-search-fuzz
tests_search_test_search_fuzz_SOURCES = tests/search/test-search-fuzz.c
tests_search_test_search_fuzz_CPPFLAGS = $(TEST_CPPFLAGS)
tests_search_test_search_fuzz_LDADD = $(TEST_HELP) $(SEARCH_LINK) $(TEST_LIBS)
TESTS += tests/search/test-search-fuzz

check_PROGRAMS += tests/search/test-protocol
tests_search_test_protocol_SOURCES = tests/search/test-protocol.c
tests_search_test_protocol_CPPFLAGS = $(TEST_CPPFLAGS)
tests_search_test_protocol_LDADD = $(TEST_HELP) $(SEARCH_LINK) $(TEST_LIBS)
TESTS += tests/search/test-protocol

check_PROGRAMS += tests/search/test-ranking
tests_search_test_ranking_SOURCES = tests/search/test-ranking.c
tests_search_test_ranking_CPPFLAGS = $(TEST_CPPFLAGS)
tests_search_test_ranking_LDADD = $(TEST_HELP) $(SEARCH_LINK) $(TEST_LIBS)
TESTS += tests/search/test-ranking

check_PROGRAMS += tests/search/test-fields
tests_search_test_fields_SOURCES = tests/search/test-fields.c
tests_search_test_fields_CPPFLAGS = $(TEST_CPPFLAGS)
tests_search_test_fields_LDADD = $(TEST_HELP) $(SEARCH_LINK) $(TEST_LIBS)
TESTS += tests/search/test-fields

check_PROGRAMS += tests/search/test-budget
tests_search_test_budget_SOURCES = tests/search/test-budget.c
tests_search_test_budget_CPPFLAGS = $(TEST_CPPFLAGS)
tests_search_test_budget_LDADD = $(TEST_HELP) $(SEARCH_LINK) $(TEST_LIBS)
TESTS += tests/search/test-budget

# Shards (issue 17): the sample split by socasma-index --shard N/M, searched
# through a stub file (local), and through xapian-tcpsrv (remote).
TESTS += tests/shards/local.sh tests/shards/remote.sh
EXTRA_DIST += tests/shards/lib.sh tests/shards/local.sh tests/shards/remote.sh tests/shards/slowproxy.py
