# bench/daemon.mk: the daemon benchmark (bench/daemon, a script), its load
# generator and the in-process comparison. Built by `make bench-programs`.
EXTRA_PROGRAMS += bench/loadgen bench/inproc
BENCH_BINARIES += bench/loadgen$(EXEEXT) bench/inproc$(EXEEXT) src/socasma-searchd$(EXEEXT)
bench_loadgen_SOURCES = bench/loadgen.c
bench_loadgen_CFLAGS = $(AM_CFLAGS) -pthread
bench_loadgen_LDFLAGS = $(AM_LDFLAGS) -pthread
bench_loadgen_LDADD = $(JANSSON_LIBS)
bench_inproc_SOURCES = bench/inproc.c
bench_inproc_LDADD = $(SEARCH_LINK) $(CONF_LINK)
CLEANFILES += bench/loadgen$(EXEEXT) bench/inproc$(EXEEXT)
EXTRA_DIST += bench/daemon
EXTRA_DIST += bench/shards bench/shards-same
