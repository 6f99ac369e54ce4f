# src/xapian-c: the C bindings over libxapian, and their tests.
noinst_LIBRARIES += src/xapian-c/libxc.a
src_xapian_c_libxc_a_SOURCES = src/xapian-c/xapian-c.h src/xapian-c/xapian-c.cc

check_PROGRAMS += tests/xapian-c/test-xapian-c
TESTS += tests/xapian-c/test-xapian-c
tests_xapian_c_test_xapian_c_SOURCES = tests/xapian-c/test-xapian-c.c
tests_xapian_c_test_xapian_c_CPPFLAGS = $(TEST_CPPFLAGS)
tests_xapian_c_test_xapian_c_LDADD = $(TEST_HELP) $(XC_LINK) $(TEST_LIBS)
