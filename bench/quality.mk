# bench/quality.mk: the relevance benchmark (bench/quality, a script) and
# its runner, which sends the questions through the search engine. Built by
# `make bench-programs`, never by `make` or `make check`.
EXTRA_PROGRAMS += bench/quality-run
BENCH_BINARIES += bench/quality-run$(EXEEXT)
bench_quality_run_SOURCES = bench/quality-run.c
bench_quality_run_LDADD = $(SEARCH_LINK) $(CONF_LINK)
CLEANFILES += bench/quality-run$(EXEEXT)
EXTRA_DIST += bench/quality
