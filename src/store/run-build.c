/* run-build.c: the parallel build of a new database inside store_run()
 * (see store-internal.h, A NEW DATABASE BUILT IN PARALLEL). The caller's
 * thread reads the sources and checks each post's id (so messages and
 * duplicate decisions come in input order, as with one writer), cuts the
 * accepted posts into chunks of consecutive posts and queues each whole
 * chunk; the builder threads take the chunks in order, each the next one
 * as soon as it is free, and analyse and write them. */
#include <config.h>

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/queue.h"
#include "store/run.h"

/* Input per chunk: the input is cut into about CHUNKS_PER_RUN chunks (when
 * its size is known), within these bounds. Each chunk costs a scratch
 * database, its own spelling words and a source in the final merge, so
 * not too small; the reader keeps up to one and a half chunks per builder
 * in memory, so not too large. A chunk also ends at chunk_posts posts
 * (below): one flush of Xapian's. */
#define CHUNKS_PER_RUN 16
#define CHUNK_MIN_BYTES (512u * 1024u)
#define CHUNK_MAX_BYTES (4u * 1024u * 1024u)
#define CHUNK_UNKNOWN_BYTES (4u * 1024u * 1024u)
/* The merge opens every chunk at once, a few files each: when the input's
 * size is known, at most this many chunks by size (past CHUNK_MAX_BYTES
 * times this, 1 GB, chunks grow and hold more than one flush), and only
 * the first this many end at a flush's worth of posts: 512 at most. */
#define MAX_CHUNKS 256u
/* Xapian's own default for XAPIAN_FLUSH_THRESHOLD. */
#define XAPIAN_DEFAULT_FLUSH 10000u

/* A chunk of consecutive posts, filled by the reader and built whole by
 * whichever builder is free first. */
typedef struct {
    unsigned index;
    imp_post **posts;
    size_t n, cap;
    size_t bytes; /* of input: its cost in the queue */
} job_chunk;

/* One builder thread. */
typedef struct {
    store_queue *q; /* the chunks waiting for a builder, shared by all */
    store_builder *b;
    pthread_t th;
    int failed;     /* written by the thread, read after the join */
    char msg[1024];
} builder_job;

typedef struct {
    store_runner *ru;
    store_queue q;  /* ready chunks, bounded in bytes of input */
    builder_job *jobs;
    unsigned n;
    uint64_t chunk_bytes, chunk_start, prev;
    unsigned chunk_posts;     /* most posts in a chunk */
    unsigned chunk;           /* the index of the chunk being filled */
    job_chunk *cur;           /* that chunk (NULL before its first post) */
    int builder_failed;       /* a push failed: a builder stopped */
} build_reader;

static void job_chunk_free(job_chunk *c)
{
    if (c) {
        for (size_t i = 0; i < c->n; i++)
            imp_post_free(c->posts[i]);
        free(c->posts);
        free(c);
    }
}

/* Builds whole chunks, taken from the shared queue in order: a builder
 * never waits while a chunk is ready, whatever the other builders do (a
 * chunk that costs more, a builder slowed by other work on the machine). */
static void *builder_thread(void *arg)
{
    builder_job *j = arg;
    store_worker *w = NULL;
    int failed = 0;
    if (store_worker_new(&w) != STORE_OK) {
        failed = 1;
        snprintf(j->msg, sizeof j->msg, "out of memory");
    }
    job_chunk *c;
    while (!failed && (c = store_queue_pop(j->q)) != NULL) {
        failed = store_builder_chunk(j->b, c->index) != STORE_OK;
        for (size_t i = 0; i < c->n; i++) {
            if (!failed)
                failed = store_builder_put(j->b, w, c->posts[i]) != STORE_OK;
            imp_post_free(c->posts[i]); /* memory goes back as the chunk is built */
            c->posts[i] = NULL;
        }
        if (failed)
            snprintf(j->msg, sizeof j->msg, "%s", store_builder_errmsg(j->b));
        c->n = 0;
        job_chunk_free(c);
    }
    if (!failed && !store_queue_stopped(j->q) && store_builder_finish(j->b) != STORE_OK) {
        failed = 1;
        snprintf(j->msg, sizeof j->msg, "%s", store_builder_errmsg(j->b));
    }
    store_worker_free(w);
    j->failed = failed;
    if (failed) /* the reader's next push fails, the other builders stop */
        store_queue_stop(j->q);
    return NULL;
}

/* Hands the chunk being filled to the builders. 0, or 1 when a builder
 * failed (the queue was stopped). */
static int push_chunk(build_reader *br)
{
    job_chunk *c = br->cur;
    if (!c)
        return 0;
    br->cur = NULL;
    if (store_queue_push(&br->q, c, c->bytes ? c->bytes : 1) != 0) {
        job_chunk_free(c);
        /* The builder's message is reported after the join. */
        br->builder_failed = 1;
        return 1;
    }
    return 0;
}

/* In the caller's thread: one event of the read loop. */
static int build_sink(void *arg, store_read_event *ev)
{
    build_reader *br = arg;
    store_runner *ru = br->ru;
    ru->done = ev->done;
    if (ev->kind != STORE_READ_POST) {
        store_runner_event(ru, ev->kind, ev->status, ev->msg);
        return ru->fatal;
    }
    imp_post *post = ev->post;
    ru->read++;
    char err[1024];
    if (store_check_post(post, err, sizeof err) != STORE_OK) {
        store_runner_rejected(ru, 1, err);
        imp_post_free(post);
        return 0;
    }
    int rc = store_claim(ru->s, post);
    if (rc != STORE_OK) {
        if (rc == STORE_ERR_RECORD)
            store_runner_rejected(ru, 0, store_errmsg(ru->s));
        else
            store_runner_fatal(ru, rc, 1, store_errmsg(ru->s));
        imp_post_free(post);
        return ru->fatal;
    }
    /* A new chunk once this one holds its share of the input, or (for the
     * first MAX_CHUNKS chunks: small posts or a small flush threshold must
     * not make thousands of chunks) one flush of posts. */
    if (br->cur &&
        (ev->done - br->chunk_start >= br->chunk_bytes ||
         (br->cur->n >= br->chunk_posts && br->chunk + 1 < MAX_CHUNKS))) {
        br->chunk++;
        br->chunk_start = ev->done;
        if (push_chunk(br) != 0) {
            imp_post_free(post);
            return 1;
        }
    }
    /* The source name belongs to the reader, which may be closed before a
     * builder gets the post; a builder needs no FILE:LINE (the record
     * checks were made here). */
    post->source = NULL;
    size_t bytes = ev->done > br->prev ? (size_t)(ev->done - br->prev) : 1;
    br->prev = ev->done;
    job_chunk *c = br->cur;
    if (!c) {
        c = br->cur = calloc(1, sizeof *c);
        if (c)
            c->index = br->chunk;
    }
    if (c && c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        imp_post **p = realloc(c->posts, cap * sizeof *p);
        if (p) {
            c->posts = p;
            c->cap = cap;
        }
    }
    if (!c || c->n == c->cap) {
        imp_post_free(post);
        store_runner_fatal(ru, STORE_ERR_NOMEM, 0, "out of memory");
        return ru->fatal;
    }
    c->posts[c->n++] = post;
    c->bytes += bytes;
    store_runner_progress(ru, 0);
    return 0;
}

static uint64_t chunk_size(const store_runner *ru)
{
    if (ru->o->chunk_bytes)
        return ru->o->chunk_bytes;
    uint64_t c = ru->total ? ru->total / CHUNKS_PER_RUN : CHUNK_UNKNOWN_BYTES;
    if (c < CHUNK_MIN_BYTES)
        c = CHUNK_MIN_BYTES;
    if (c > CHUNK_MAX_BYTES)
        c = CHUNK_MAX_BYTES;
    if (ru->total / c >= MAX_CHUNKS)
        c = ru->total / MAX_CHUNKS + 1;
    return c;
}

/* Posts per chunk: what Xapian holds in memory before it writes them out
 * on its own (XAPIAN_FLUSH_THRESHOLD, read by Xapian from the environment
 * when a database is opened), so that each chunk is written once, by its
 * commit, into an empty database. A chunk of more would be flushed into
 * several times, each later flush merging its postings into the ones
 * already written (doc/INDEXING.md says what it measured). */
static unsigned chunk_posts(const store_runner *ru)
{
    if (ru->o->chunk_posts)
        return ru->o->chunk_posts;
    if (ru->total / CHUNK_MAX_BYTES >= MAX_CHUNKS)
        return UINT_MAX; /* the number of chunks first */
    const char *env = getenv("XAPIAN_FLUSH_THRESHOLD");
    long v = env ? atol(env) : 0;
    return v > 0 && v < 1000000000L ? (unsigned)v : XAPIAN_DEFAULT_FLUSH;
}

void store_run_build(store_runner *ru, unsigned n)
{
    build_reader br;
    memset(&br, 0, sizeof br);
    br.ru = ru;
    br.n = n;
    br.chunk_bytes = chunk_size(ru);
    br.chunk_posts = chunk_posts(ru);
    br.jobs = calloc(n, sizeof *br.jobs);
    /* Ready chunks: about one per builder, so that a builder that ends
     * its chunk finds the next one read already (the reader is many
     * times faster than a builder). */
    if (!br.jobs || store_queue_init(&br.q, (size_t)br.chunk_bytes * n) != 0) {
        free(br.jobs);
        store_runner_fatal(ru, STORE_ERR_NOMEM, 0, "out of memory");
        return;
    }
    unsigned started = 0;
    for (unsigned i = 0; i < n; i++) {
        br.jobs[i].b = store_builder_at(ru->s, i);
        br.jobs[i].q = &br.q;
    }
    for (; !ru->fatal && started < n; started++) {
        if (pthread_create(&br.jobs[started].th, NULL, builder_thread, &br.jobs[started]) != 0) {
            store_runner_fatal(ru, STORE_ERR_NOMEM, 0, "cannot start a thread");
            break;
        }
    }
    if (!ru->fatal)
        store_read_run_sources(ru->o, build_sink, &br, &ru->t.cpu_read);
    if (!ru->fatal && !br.builder_failed)
        push_chunk(&br); /* the last one */
    job_chunk_free(br.cur);
    br.cur = NULL;
    if (ru->fatal != 0 || br.builder_failed)
        store_queue_stop(&br.q);
    else
        store_queue_close(&br.q);
    for (unsigned i = 0; i < started; i++)
        pthread_join(br.jobs[i].th, NULL);
    for (unsigned i = 0; i < n; i++) {
        const store_builder *b = br.jobs[i].b;
        ru->t.cpu_analyse += b->cpu_analyse;
        ru->t.cpu_add += b->cpu_add;
        ru->t.cpu_flush += b->cpu_flush;
        if (br.jobs[i].failed)
            store_runner_fatal(ru, STORE_ERR_DB, 1, br.jobs[i].msg);
    }
    job_chunk *c;
    while ((c = store_queue_take(&br.q)) != NULL)
        job_chunk_free(c);
    store_queue_destroy(&br.q);
    free(br.jobs);
}
