# src/text: the bilingual analyser (libutf8proc, libstemmer). Public header: text.h.
noinst_LIBRARIES += src/text/libtext.a
src_text_libtext_a_SOURCES = src/text/text.h src/text/text-internal.h \
	src/text/buf.c src/text/utf8.c src/text/arena.c src/text/stopwords.c src/text/stem.c \
	src/text/analyse.c src/text/glossary.c

check_PROGRAMS += tests/text/test-text
TESTS += tests/text/test-text
tests_text_test_text_SOURCES = tests/text/test-text.c
tests_text_test_text_CPPFLAGS = $(TEST_CPPFLAGS)
tests_text_test_text_LDADD = $(TEST_HELP) $(TEXT_LINK) $(TEST_LIBS)
EXTRA_DIST += conf/synonyms.txt

check_PROGRAMS += tests/text/test-text-corpus
TESTS += tests/text/test-text-corpus
tests_text_test_text_corpus_SOURCES = tests/text/test-text-corpus.c
tests_text_test_text_corpus_CPPFLAGS = $(TEST_CPPFLAGS)
tests_text_test_text_corpus_LDADD = $(TEST_HELP) $(TEXT_LINK) $(JANSSON_LIBS) $(TEST_LIBS)

check_PROGRAMS += tests/text/test-text-fuzz
TESTS += tests/text/test-text-fuzz
tests_text_test_text_fuzz_SOURCES = tests/text/test-text-fuzz.c
tests_text_test_text_fuzz_CPPFLAGS = $(TEST_CPPFLAGS)
tests_text_test_text_fuzz_LDADD = $(TEST_HELP) $(TEXT_LINK) $(TEST_LIBS)
