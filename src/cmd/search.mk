# src/cmd/search.mk: the command socasma-search (direct or through the
# daemon), its man page, the query-language guide and the search tests.
bin_PROGRAMS += src/socasma-search
src_socasma_search_SOURCES = src/cmd/socasma-search.c src/cmd/search-print.c \
	src/cmd/search-print.h src/cmd/search-client.c src/cmd/search-client.h src/cmd/cmd-util.c \
	src/cmd/cmd-util.h
src_socasma_search_LDADD = $(SEARCH_LINK) $(CONF_LINK) $(ZLIB_LIBS)
dist_man_MANS += doc/socasma-search.1
dist_doc_DATA += doc/QUERY.md
