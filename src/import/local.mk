# src/import: streaming readers of the archive's export formats (JSON Lines,
# WordPress WXR; plain, gzip or standard input). Public header: import.h.
noinst_LIBRARIES += src/import/libimport.a
src_import_libimport_a_SOURCES = src/import/import.h src/import/internal.h \
	src/import/source.c src/import/lines.c src/import/util.c src/import/expand.c \
	src/import/entities.c src/import/entities-table.h src/import/html.c \
	src/import/jsonl.c src/import/xmlfilter.c src/import/wxr.c src/import/reader.c

# The import library uses no other module of the tree: its tests link it
# alone (IMPORT_LINK adds src/text for the programs).
IMPORT_TEST_LINK = src/import/libimport.a $(JANSSON_LIBS) $(LIBXML_LIBS) $(ZLIB_LIBS)
IMPORT_TESTS = tests/import/test-html tests/import/test-jsonl tests/import/test-wxr \
	tests/import/test-import-fuzz
check_PROGRAMS += $(IMPORT_TESTS)
TESTS += $(IMPORT_TESTS)
tests_import_test_html_SOURCES = tests/import/test-html.c
tests_import_test_html_CPPFLAGS = $(TEST_CPPFLAGS)
tests_import_test_html_LDADD = $(TEST_HELP) $(IMPORT_TEST_LINK) $(TEST_LIBS)
tests_import_test_jsonl_SOURCES = tests/import/test-jsonl.c
tests_import_test_jsonl_CPPFLAGS = $(TEST_CPPFLAGS)
tests_import_test_jsonl_LDADD = $(TEST_HELP) $(IMPORT_TEST_LINK) $(TEST_LIBS)
tests_import_test_wxr_SOURCES = tests/import/test-wxr.c
tests_import_test_wxr_CPPFLAGS = $(TEST_CPPFLAGS)
tests_import_test_wxr_LDADD = $(TEST_HELP) $(IMPORT_TEST_LINK) $(TEST_LIBS)
tests_import_test_import_fuzz_SOURCES = tests/import/test-import-fuzz.c
tests_import_test_import_fuzz_CPPFLAGS = $(TEST_CPPFLAGS)
tests_import_test_import_fuzz_LDADD = $(TEST_HELP) $(IMPORT_TEST_LINK) $(TEST_LIBS)
# The bounds through the real indexer; peakrss measures its memory.
check_PROGRAMS += tests/import/peakrss
tests_import_peakrss_SOURCES = tests/import/peakrss.c
TESTS += tests/import/max-post.sh
EXTRA_DIST += tests/import/data/edge.wxr.xml tests/import/data/malformed.wxr.xml tests/import/max-post.sh

# The description of the input formats (owned with this module).
dist_doc_DATA += doc/FORMATS.md
