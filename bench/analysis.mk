# bench/analysis.mk: the analysis benchmark (bench/analysis, a script):
# the socasma analyser vs Xapian's TermGenerator on the same text. Built by
# `make bench-programs`, never by `make` or `make check`.
EXTRA_PROGRAMS += bench/analysis-run bench/tg-baseline
BENCH_BINARIES += bench/analysis-run$(EXEEXT) bench/tg-baseline$(EXEEXT)
bench_analysis_run_SOURCES = bench/analysis-run.c
bench_analysis_run_LDADD = $(TEXT_LINK)
bench_tg_baseline_SOURCES = bench/tg-baseline.cc
bench_tg_baseline_LDADD = $(XAPIAN_LIBS)
CLEANFILES += bench/analysis-run$(EXEEXT) bench/tg-baseline$(EXEEXT)
EXTRA_DIST += bench/analysis
