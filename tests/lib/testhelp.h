/* testhelp.h: small helpers shared by the C unit tests (temporary
 * directories, paths to the sources and to ../shared, whole-file reads). */
#ifndef SOCASMA_TESTHELP_H
#define SOCASMA_TESTHELP_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

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

/* Runs suite s (freed) with Check's normal output; nofork: 1 to run the
 * tests in this process (a fixture shared by the tests, a clean
 * sanitizer report), 0 for a process per test. Returns the exit code for
 * main: 0 when every test passed, 1 otherwise. */
int th_run_suite(Suite *s, int nofork);

/* A seeded pseudo-random number in [0, n) (xorshift64*): the same sequence
 * on every machine for the same seed, so a failure of a fuzz test repeats.
 * *state must start non-zero. */
uint32_t th_rand(uint64_t *state, uint32_t n);

/* A word as a visitor may type it: TH_UPPER in capitals, TH_NO_ACCENTS
 * without its accents, TH_OTHER_APOSTROPHE with ' and U+2019 swapped.
 * Returns a malloc'ed string (tests/lib/respell.c; needs libutf8proc). */
enum { TH_UPPER = 0, TH_NO_ACCENTS = 1, TH_OTHER_APOSTROPHE = 2 };
char *th_respell(const char *word, int how);

/* The process's peak resident memory so far, in KiB (getrusage): for loose
 * bounds on what an input may cost ("grew by less than 128 MiB"), never
 * for timing. */
long th_max_rss_kib(void);

/* Exit code that automake's test harness reads as "skipped". */
#define TH_SKIP 77

#endif
