/* run.h: the parts of store_run() shared by its two ways of writing (not a
 * public header): run.c reads the sources and writes with one writer,
 * run-build.c builds a new database with several builder threads. */
#ifndef SOCASMA_STORE_RUN_H
#define SOCASMA_STORE_RUN_H

#include "store/store-internal.h"

/* ---- the read loop (run.c), the same for both ways ----------------------- */

typedef enum {
    STORE_READ_POST,   /* post: a post, owned by the sink from now on */
    STORE_READ_RECORD, /* msg: a record that could not be read; reading goes on */
    STORE_READ_SOURCE, /* msg: a source stopped early; the next one is read */
    STORE_READ_FATAL   /* msg, status: reading stops (a source cannot be
                          opened, out of memory) */
} store_read_kind;

typedef struct {
    store_read_kind kind;
    imp_post *post;
    const char *msg;   /* borrowed for the call */
    int status;        /* STORE_ERR_INPUT or STORE_ERR_NOMEM */
    uint64_t done;     /* bytes of all the sources read so far */
} store_read_event;

/* Returns 0 to go on reading, non-zero to stop. */
typedef int (*store_read_sink)(void *arg, store_read_event *ev);

/* Reads the sources in order and gives each post or error to sink, in
 * input order, until the end, a fatal event or the sink says stop. The
 * CPU seconds spent reading (outside sink) are added to *cpu_read (may be
 * NULL). */
void store_read_sources(const char *const *paths, size_t n, imp_format format,
                        size_t max_post_bytes, store_read_sink sink, void *arg,
                        double *cpu_read);

/* The sources of o read as store_read_sources does, only the posts of
 * shard o->shard_index of o->shard_count (all when the count is 0 or 1)
 * given to sink; the others are freed unseen (shard.c). cpu_read as for
 * store_read_sources. */
void store_read_run_sources(const store_run_options *o, store_read_sink sink, void *arg,
                            double *cpu_read);

/* ---- a run in progress --------------------------------------------------- */

typedef struct {
    store *s;
    const store_run_options *o;
    const store_reporter *r;
    void *ctx;
    uint64_t total;         /* bytes of the sources (0: unknown) */
    uint64_t read, unreadable;
    unsigned source_errors;
    uint64_t done;          /* bytes read so far */
    store_timings t;        /* filled as the run goes (store_timings) */
    int fatal;              /* the status that ends the run, 0 while none */
} store_runner;

/* In the caller's thread: count and report one event of the read loop
 * that is not a post (STORE_READ_RECORD, _SOURCE, _FATAL). */
void store_runner_event(store_runner *ru, store_read_kind kind, int status, const char *msg);
/* A post rejected before its id was known (check) or by the store (msg). */
void store_runner_rejected(store_runner *ru, int unreadable, const char *msg);
/* Ends the run with status, reporting msg (prefixed with the database's
 * path when about the database). Each error is reported; the first one
 * gives the run's status and store_errmsg(). */
void store_runner_fatal(store_runner *ru, int status, int about_db, const char *msg);
/* Reports progress every 256 records, and at the end (final). */
void store_runner_progress(store_runner *ru, int final);

/* The parallel build (run-build.c): reads every source and has jobs
 * builders write the posts, on a store where store_build_begin()
 * succeeded. Errors end up in ru->fatal. */
void store_run_build(store_runner *ru, unsigned jobs);

#endif
