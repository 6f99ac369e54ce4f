# bench/index.mk: the indexing benchmark (bench/index, a script) and the
# plain-Xapian baseline program shared by several benchmarks. Built by
# `make bench-programs`, never by `make` or `make check`.
EXTRA_PROGRAMS += bench/xapian-baseline
BENCH_BINARIES += bench/xapian-baseline$(EXEEXT) src/socasma-index$(EXEEXT)
bench_xapian_baseline_SOURCES = bench/xapian-baseline.cc
bench_xapian_baseline_LDADD = $(XAPIAN_LIBS) $(JANSSON_LIBS)
CLEANFILES += bench/xapian-baseline$(EXEEXT)
EXTRA_DIST += bench/index
