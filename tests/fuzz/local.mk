# tests/fuzz: libFuzzer targets for the analyser, the query language, the
# protocol's request decoder, the two importers and HTML to text.
#   make fuzz [FUZZ_TIME=60] [FUZZ_TARGETS="wxr html"] [FUZZ_TIMEOUT=1]
# builds them with clang (-fsanitize=fuzzer,address,undefined) into
# fuzz-build/, apart from this build, and runs each for FUZZ_TIME seconds
# from its seed corpus (tests/fuzz/corpus/NAME) and the kept crash inputs
# (tests/fuzz/regress/NAME); new inputs go to fuzz-build/corpus/NAME, a
# crash or a slow input (over FUZZ_TIMEOUT seconds) to fuzz-build/findings/
# and fails the run. `make check` replays the seeds and the kept inputs
# through each target with gcc (tests/fuzz/regress-NAME).
FUZZ_TARGETS = analyse query request jsonl wxr html
FUZZ_TIME = 60
FUZZ_TIMEOUT = 1
FUZZ_CC = clang
FUZZ_CXX = clang++

FUZZ_REGRESS = tests/fuzz/regress-analyse tests/fuzz/regress-query tests/fuzz/regress-request \
	tests/fuzz/regress-jsonl tests/fuzz/regress-wxr tests/fuzz/regress-html
check_PROGRAMS += $(FUZZ_REGRESS)
TESTS += $(FUZZ_REGRESS)
FUZZ_MAIN = tests/fuzz/fuzz.h tests/fuzz/fuzz-common.c tests/fuzz/regress-main.c
FUZZ_CPPFLAGS = $(TEST_CPPFLAGS)
tests_fuzz_regress_analyse_SOURCES = tests/fuzz/fuzz-analyse.c $(FUZZ_MAIN)
tests_fuzz_regress_analyse_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_NAME='"analyse"'
tests_fuzz_regress_analyse_LDADD = $(TEXT_LINK) $(JANSSON_LIBS)
tests_fuzz_regress_query_SOURCES = tests/fuzz/fuzz-query.c tests/fuzz/fuzz-db.c $(FUZZ_MAIN)
tests_fuzz_regress_query_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_NAME='"query"'
tests_fuzz_regress_query_LDADD = $(STORE_LINK) $(SEARCH_LINK)
tests_fuzz_regress_request_SOURCES = tests/fuzz/fuzz-request.c tests/fuzz/fuzz-db.c $(FUZZ_MAIN)
tests_fuzz_regress_request_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_NAME='"request"'
tests_fuzz_regress_request_LDADD = $(STORE_LINK) $(SEARCH_LINK)
tests_fuzz_regress_jsonl_SOURCES = tests/fuzz/fuzz-jsonl.c tests/fuzz/fuzz-import.h $(FUZZ_MAIN)
tests_fuzz_regress_jsonl_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_NAME='"jsonl"'
tests_fuzz_regress_jsonl_LDADD = $(IMPORT_LINK)
tests_fuzz_regress_wxr_SOURCES = tests/fuzz/fuzz-wxr.c tests/fuzz/fuzz-import.h $(FUZZ_MAIN)
tests_fuzz_regress_wxr_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_NAME='"wxr"'
tests_fuzz_regress_wxr_LDADD = $(IMPORT_LINK)
tests_fuzz_regress_html_SOURCES = tests/fuzz/fuzz-html.c $(FUZZ_MAIN)
tests_fuzz_regress_html_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_NAME='"html"'
tests_fuzz_regress_html_LDADD = $(IMPORT_LINK)
EXTRA_DIST += tests/fuzz/fuzz.mk tests/fuzz/corpus tests/fuzz/regress tests/fuzz/dict

# The clang build: tests/fuzz/fuzz.mk, given the modules' sources and the
# libraries' flags from here.
fuzz: $(BUILT_SOURCES)
	@echo "fuzz: clang build in fuzz-build/ ($(FUZZ_CC), $(FUZZ_CXX))"
	@$(MAKE) -f $(top_srcdir)/tests/fuzz/fuzz.mk run \
	  srcdir='$(abs_top_srcdir)' builddir='$(abs_top_builddir)' \
	  out='$(abs_top_builddir)/fuzz-build' \
	  FUZZ_CC='$(FUZZ_CC)' FUZZ_CXX='$(FUZZ_CXX)' FUZZ_TARGETS='$(FUZZ_TARGETS)' \
	  FUZZ_TIME='$(FUZZ_TIME)' FUZZ_TIMEOUT='$(FUZZ_TIMEOUT)' \
	  MODULE_SRCS='$(src_xapian_c_libxc_a_SOURCES) $(src_text_libtext_a_SOURCES) \
	    $(src_conf_libconf_a_SOURCES) $(src_import_libimport_a_SOURCES) \
	    $(src_store_libstore_a_SOURCES) $(src_search_libsearch_a_SOURCES)' \
	  DEP_CFLAGS='$(XAPIAN_CFLAGS) $(JANSSON_CFLAGS) $(UTF8PROC_CFLAGS) $(INIH_CFLAGS) \
	    $(LIBXML_CFLAGS) $(ZLIB_CFLAGS)' \
	  DEP_LIBS='$(JANSSON_LIBS) $(LIBXML_LIBS) $(ZLIB_LIBS) $(INIH_LIBS) $(UTF8PROC_LIBS) \
	    $(XAPIAN_LIBS) $(STEMMER_LIBS) $(LIBS) -lm'
clean-fuzz:
	rm -rf fuzz-build
.PHONY: fuzz clean-fuzz
