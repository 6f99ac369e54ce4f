# src/cmd/index.mk: the indexer program socasma-index, its man page and its
# tests (tests/index/).
bin_PROGRAMS += src/socasma-index
src_socasma_index_SOURCES = src/cmd/socasma-index.c
src_socasma_index_CFLAGS = $(AM_CFLAGS) -pthread
src_socasma_index_LDFLAGS = $(AM_LDFLAGS) -pthread
src_socasma_index_LDADD = $(STORE_LINK) $(CONF_LINK)
dist_man_MANS += doc/socasma-index.1
dist_doc_DATA += doc/INDEXING.md
