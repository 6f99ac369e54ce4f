# index: the project's own sample archive (about 30 posts written for the
# project, in both input formats) and the `make run` script. The database
# `make run` builds (index/socasma.db) lives in the build tree's index/.
EXTRA_DIST += \
	index/sample/sample.jsonl \
	index/sample/sample.wxr.xml \
	index/sample/README.md \
	index/run.sh

# Issue 3's property end to end: every word of every sample post, typed four
# ways, finds its post through the real indexer and the search library.
check_PROGRAMS += tests/sample/test-sample-words
tests_sample_test_sample_words_SOURCES = tests/sample/test-sample-words.c
tests_sample_test_sample_words_CPPFLAGS = $(TEST_CPPFLAGS)
tests_sample_test_sample_words_LDADD = $(TEST_HELP) $(SEARCH_LINK) $(TEST_LIBS)
TESTS += tests/sample/test-sample-words
