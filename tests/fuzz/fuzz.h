/* fuzz.h: what the fuzz targets of tests/fuzz share. Each target defines
 * LLVMFuzzerTestOneInput (and LLVMFuzzerInitialize when it needs set-up);
 * `make fuzz` links it with libFuzzer (clang), `make check` with
 * regress-main.c, which replays the seed corpus and the kept crash inputs.
 * A broken invariant aborts (FUZZ_CHECK), which both count as a finding. */
#ifndef SOCASMA_FUZZ_H
#define SOCASMA_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "search/search.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with the place and the condition when cond is false. */
#define FUZZ_CHECK(cond)                                                                   \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);       \
            abort();                                                                       \
        }                                                                                  \
    } while (0)

/* 1 if s[0..n) is valid UTF-8 without NUL. */
int fuzz_utf8_ok(const char *s, size_t n);

/* The source tree: $top_srcdir, else the one the target was built from. */
const char *fuzz_srcdir(void);

/* A path that reads as data[0..size) (a memory file, rewritten at each
 * call; valid until the next). Aborts when the system refuses. */
const char *fuzz_memfile(const uint8_t *data, size_t size);

/* A search engine over the project's sample archive, indexed once into a
 * temporary directory (removed at exit) with the shipped glossary. */
srch_engine *fuzz_sample_engine(void);

#endif
