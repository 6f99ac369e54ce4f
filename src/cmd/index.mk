# src/cmd/index.mk: the indexer program socasma-index, its man page and its
# tests (tests/index/).
bin_PROGRAMS += src/socasma-index
src_socasma_index_SOURCES = src/cmd/socasma-index.c src/cmd/index-report.c \
	src/cmd/index-report.h src/cmd/cmd-util.c src/cmd/cmd-util.h
src_socasma_index_CFLAGS = $(AM_CFLAGS) -pthread
src_socasma_index_LDFLAGS = $(AM_LDFLAGS) -pthread
# mimalloc first, so that it serves every allocation of the process
# (Xapian's too): see configure.ac.
src_socasma_index_LDADD = $(MIMALLOC_LIBS) $(STORE_LINK) $(CONF_LINK)
dist_man_MANS += doc/socasma-index.1
dist_doc_DATA += doc/INDEXING.md

# Tests: the real program on real databases in temporary directories.
check_PROGRAMS += tests/index/dbinfo
tests_index_dbinfo_SOURCES = tests/index/dbinfo.c
tests_index_dbinfo_LDADD = $(XC_LINK) $(JANSSON_LIBS)
TESTS += tests/index/incremental.sh tests/index/bad-input.sh tests/index/lock.sh \
	tests/index/kill.sh tests/index/formats.sh tests/index/jobs.sh \
	tests/index/glossary.sh tests/index/disk-full.sh
EXTRA_DIST += tests/index/incremental.sh tests/index/bad-input.sh tests/index/lock.sh \
	tests/index/kill.sh tests/index/formats.sh tests/index/gen-posts.sh tests/index/jobs.sh \
	tests/index/glossary.sh tests/index/disk-full.sh
