# src/conf: the configuration file shared by the three programs (libinih).
# Public header: conf.h.
noinst_LIBRARIES += src/conf/libconf.a
src_conf_libconf_a_SOURCES = src/conf/conf.h src/conf/conf.c

check_PROGRAMS += tests/conf/test-conf
TESTS += tests/conf/test-conf
tests_conf_test_conf_SOURCES = tests/conf/test-conf.c
tests_conf_test_conf_CPPFLAGS = $(TEST_CPPFLAGS)
tests_conf_test_conf_LDADD = $(TEST_HELP) $(CONF_LINK) $(TEST_LIBS)
