// xapian-c.cc: implementation of xapian-c.h (placeholder while being written).
#include <config.h>
#include <xapian.h>
#include "xapian-c/xapian-c.h"

extern "C" const char *xc_version(void) { return Xapian::version_string(); }
