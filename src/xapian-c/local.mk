# src/xapian-c: the C bindings over libxapian, and their tests.
noinst_LIBRARIES += src/xapian-c/libxc.a
src_xapian_c_libxc_a_SOURCES = src/xapian-c/xapian-c.h src/xapian-c/xapian-c.cc
