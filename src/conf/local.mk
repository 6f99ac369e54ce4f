# src/conf: the configuration file shared by the three programs (libinih).
# Public header: conf.h.
noinst_LIBRARIES += src/conf/libconf.a
src_conf_libconf_a_SOURCES = src/conf/conf.h src/conf/conf.c
nodist_src_conf_libconf_a_SOURCES = src/conf/conf-paths.h

# The installed config file's directory, compiled into the programs. Made
# from the Makefile rather than passed as -D, so that a new ./configure
# --sysconfdir (or --prefix) rebuilds conf.o: objects depend on the headers
# they include, not on the flags they were compiled with. Rewritten only
# when its text changes, so conf.o is not rebuilt for nothing.
src/conf/conf-paths.h: Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && \
	{ echo '/* Made by make from src/conf/local.mk: the configured directories. */'; \
	  echo '#define SOCASMA_SYSCONFDIR "$(pkgsysconfdir)"'; } >$@.tmp && \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
BUILT_SOURCES += src/conf/conf-paths.h
DISTCLEANFILES += src/conf/conf-paths.h

check_PROGRAMS += tests/conf/test-conf
TESTS += tests/conf/test-conf
tests_conf_test_conf_SOURCES = tests/conf/test-conf.c
tests_conf_test_conf_CPPFLAGS = $(TEST_CPPFLAGS)
tests_conf_test_conf_LDADD = $(TEST_HELP) $(CONF_LINK) $(TEST_LIBS)
