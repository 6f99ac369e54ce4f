# src/search: the query engine (query language, ranking, filters, facets,
# snippets, spelling, completion, JSON answers) and its tests.
noinst_LIBRARIES += src/search/libsearch.a
src_search_libsearch_a_SOURCES = \
	src/search/search.h src/search/search-internal.h \
	src/search/engine.c src/search/query.c src/search/snippet.c \
	src/search/spell.c src/search/json.c
