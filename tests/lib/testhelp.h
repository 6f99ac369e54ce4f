/* testhelp.h: small helpers shared by the C unit tests (temporary
 * directories, paths to the sources and to ../shared, whole-file reads). */
#ifndef SOCASMA_TESTHELP_H
#define SOCASMA_TESTHELP_H

#include <stddef.h>

/* Creates a fresh directory under $TMPDIR (or /tmp); returns a malloc'ed path
 * or NULL. The caller removes it with th_rmtree() and frees the string. */
char *th_tmpdir(const char *tag);

/* Removes a directory tree (like rm -rf); returns 0 on success. */
int th_rmtree(const char *path);

/* Joins two path parts into a malloc'ed string. */
char *th_path(const char *dir, const char *name);

/* The source tree ($top_srcdir, or "." when unset). */
const char *th_srcdir(void);

/* The shared data folder ($SOCASMA_SHARED) when it exists, else NULL:
 * tests that need it skip. */
const char *th_shared_dir(void);

/* Reads a whole file into a malloc'ed, NUL-terminated buffer. */
char *th_read_file(const char *path, size_t *len);

/* Writes len bytes to path (creating or truncating); returns 0 on success. */
int th_write_file(const char *path, const void *data, size_t len);

/* Exit code that automake's test harness reads as "skipped". */
#define TH_SKIP 77

#endif
