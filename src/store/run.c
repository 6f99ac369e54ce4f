/* run.c: store_run(), a whole import over a list of sources (see store.h,
 * AN IMPORT): the read loop, written once for both ways of writing; the
 * one-writer pipeline (a reader thread hashes and analyses, the caller's
 * thread writes); and the end of a run (strict, prune, commit). The
 * parallel build of a new database is in run-build.c. */
#include <config.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include "store/queue.h"
#include "store/run.h"

/* Prepared posts waiting for the writer: enough to keep both threads busy,
 * few enough that memory does not grow with the input. */
#define PIPELINE_QUEUE 256

/* ---- the read loop ---------------------------------------------------------- */

double store_cpu_now(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double store_wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The sink, with the time it takes left out of the reading's. */
static int timed_sink(store_read_sink sink, void *arg, store_read_event *ev, double *cpu_read,
                      double *t)
{
    double now = store_cpu_now();
    *cpu_read += now - *t;
    int r = sink(arg, ev);
    *t = store_cpu_now();
    return r;
}

void store_read_sources(const char *const *paths, size_t n, imp_format format,
                        size_t max_post_bytes, store_read_sink sink, void *arg,
                        double *cpu_read)
{
    double unused = 0, t = store_cpu_now();
    if (!cpu_read)
        cpu_read = &unused;
    imp_options io;
    imp_options_init(&io);
    if (max_post_bytes)
        io.max_post_bytes = max_post_bytes;
    char err[1024];
    uint64_t base = 0;
    for (size_t i = 0; i < n; i++) {
        imp_reader *r = NULL;
        err[0] = '\0';
        int orc = imp_open_opts(paths[i], format, &io, &r, err, sizeof err);
        if (orc == IMP_ERR_FATAL || orc == IMP_ERR_RECORD) {
            /* Opened but bad from the start (an XML error in the header). */
            store_read_event ev = {STORE_READ_SOURCE, NULL, err[0] ? err : paths[i], 0, base};
            if (timed_sink(sink, arg, &ev, cpu_read, &t) != 0)
                return;
            continue;
        }
        if (orc != IMP_OK) {
            store_read_event ev = {STORE_READ_FATAL, NULL, err[0] ? err : paths[i],
                                   orc == IMP_ERR_NOMEM ? STORE_ERR_NOMEM : STORE_ERR_INPUT,
                                   base};
            timed_sink(sink, arg, &ev, cpu_read, &t);
            return;
        }
        uint64_t done = 0, size = 0;
        int stop = 0;
        while (!stop) {
            imp_post *post = NULL;
            err[0] = '\0';
            int rc = imp_next(r, &post, err, sizeof err);
            imp_progress(r, &done, &size);
            store_read_event ev = {STORE_READ_POST, post, NULL, 0, base + done};
            if (rc == IMP_DONE)
                break;
            if (rc == IMP_ERR_RECORD || rc == IMP_ERR_FATAL) {
                ev.kind = rc == IMP_ERR_RECORD ? STORE_READ_RECORD : STORE_READ_SOURCE;
                ev.msg = err[0] ? err : paths[i];
                stop = timed_sink(sink, arg, &ev, cpu_read, &t);
                if (rc == IMP_ERR_FATAL)
                    break;
                continue;
            }
            if (rc != IMP_OK) {
                ev.kind = STORE_READ_FATAL;
                ev.status = STORE_ERR_NOMEM;
                ev.msg = err[0] ? err : "out of memory";
                timed_sink(sink, arg, &ev, cpu_read, &t);
                imp_close(r);
                return;
            }
            stop = timed_sink(sink, arg, &ev, cpu_read, &t);
        }
        imp_close(r);
        if (stop)
            return;
        base += size ? size : done;
    }
    *cpu_read += store_cpu_now() - t;
}

/* ---- reporting ---------------------------------------------------------------- */

void store_runner_progress(store_runner *ru, int final)
{
    if (!ru->r || !ru->r->progress || (!final && (ru->read & 255) != 0))
        return;
    store_progress p = {ru->read, ru->done, ru->total, final};
    ru->r->progress(ru->ctx, &p);
}

void store_runner_rejected(store_runner *ru, int unreadable, const char *msg)
{
    if (unreadable)
        ru->unreadable++;
    if (ru->r && ru->r->rejected)
        ru->r->rejected(ru->ctx, msg);
}

void store_runner_fatal(store_runner *ru, int status, int about_db, const char *msg)
{
    char full[sizeof ru->s->err];
    if (about_db)
        snprintf(full, sizeof full, "%s: %s", ru->s->path, msg);
    else
        snprintf(full, sizeof full, "%s", msg);
    if (!ru->fatal) {
        ru->fatal = status ? status : STORE_ERR_DB;
        snprintf(ru->s->err, sizeof ru->s->err, "%s", full);
    }
    if (ru->r && ru->r->fatal)
        ru->r->fatal(ru->ctx, full);
}

void store_runner_event(store_runner *ru, store_read_kind kind, int status, const char *msg)
{
    switch (kind) {
    case STORE_READ_RECORD:
        ru->read++;
        store_runner_rejected(ru, 1, msg ? msg : "bad record");
        break;
    case STORE_READ_SOURCE:
        ru->read++;
        ru->source_errors++;
        if (ru->r && ru->r->source_failed)
            ru->r->source_failed(ru->ctx, msg ? msg : "a source stopped early");
        break;
    case STORE_READ_FATAL:
        store_runner_fatal(ru, status, 0, msg ? msg : "out of memory");
        break;
    case STORE_READ_POST:
        break;
    }
}

/* ---- one writer: a reader thread, the writer in the caller's thread -------- */

/* What the reader hands the writer, in input order. */
typedef struct {
    store_read_kind kind;
    int status;
    store_prepared *prep; /* STORE_READ_POST */
    char *msg;            /* the others; NULL when out of memory */
    uint64_t done;
} run_item;

typedef struct {
    store_queue q;
    const store *s;
    const store_run_options *o;
    store_worker *w;
    int oom; /* an item could not be made: read after the join */
    double cpu_read, cpu_analyse; /* the reader thread's, read after the join */
} pipeline;

static void item_free(run_item *it)
{
    if (!it)
        return;
    store_prepared_free(it->prep);
    free(it->msg);
    free(it);
}

static int pipeline_sink(void *arg, store_read_event *ev)
{
    pipeline *pl = arg;
    run_item *it = calloc(1, sizeof *it);
    if (!it) {
        imp_post_free(ev->post);
        pl->oom = 1;
        return -1;
    }
    it->kind = ev->kind;
    it->status = ev->status;
    it->done = ev->done;
    if (ev->kind == STORE_READ_POST) {
        char err[1024] = "";
        double t0 = store_cpu_now();
        int rc = store_prepare(pl->s, pl->w, ev->post, &it->prep, err, sizeof err);
        pl->cpu_analyse += store_cpu_now() - t0;
        imp_post_free(ev->post);
        if (rc == STORE_ERR_RECORD) {
            it->kind = STORE_READ_RECORD;
            it->msg = strdup(err);
        } else if (rc != STORE_OK) {
            it->kind = STORE_READ_FATAL;
            it->status = rc;
            it->msg = strdup(err[0] ? err : "out of memory");
        }
    } else {
        it->msg = strdup(ev->msg);
    }
    if (store_queue_push(&pl->q, it, 1) != 0) {
        item_free(it);
        return -1;
    }
    return 0;
}

static void *pipeline_reader(void *arg)
{
    pipeline *pl = arg;
    if (store_worker_new(&pl->w) != STORE_OK)
        pl->oom = 1;
    else
        store_read_run_sources(pl->o, pipeline_sink, pl, &pl->cpu_read);
    store_worker_free(pl->w);
    pl->w = NULL;
    store_queue_close(&pl->q);
    return NULL;
}

static void run_pipeline(store_runner *ru)
{
    pipeline pl;
    memset(&pl, 0, sizeof pl);
    pl.s = ru->s;
    pl.o = ru->o;
    if (store_queue_init(&pl.q, PIPELINE_QUEUE) != 0) {
        store_runner_fatal(ru, STORE_ERR_NOMEM, 0, "cannot make a queue");
        return;
    }
    pthread_t th;
    if (pthread_create(&th, NULL, pipeline_reader, &pl) != 0) {
        store_queue_destroy(&pl.q);
        store_runner_fatal(ru, STORE_ERR_NOMEM, 0, "cannot start a thread");
        return;
    }
    run_item *it;
    while ((it = store_queue_pop(&pl.q)) != NULL) {
        ru->done = it->done;
        if (it->kind == STORE_READ_POST) {
            ru->read++;
            double t0 = store_cpu_now();
            int rc = store_apply(ru->s, it->prep, NULL);
            ru->t.cpu_add += store_cpu_now() - t0;
            it->prep = NULL; /* freed by store_apply */
            if (rc == STORE_ERR_RECORD)
                store_runner_rejected(ru, 0, store_errmsg(ru->s));
            else if (rc != STORE_OK)
                store_runner_fatal(ru, rc, 1, store_errmsg(ru->s));
        } else {
            store_runner_event(ru, it->kind, it->status, it->msg);
        }
        item_free(it);
        if (ru->fatal) {
            store_queue_stop(&pl.q);
            break;
        }
        store_runner_progress(ru, 0);
    }
    pthread_join(th, NULL);
    ru->t.cpu_read += pl.cpu_read;
    ru->t.cpu_analyse += pl.cpu_analyse;
    while ((it = store_queue_take(&pl.q)) != NULL)
        item_free(it);
    store_queue_destroy(&pl.q);
    if (pl.oom)
        store_runner_fatal(ru, STORE_ERR_NOMEM, 0, "out of memory");
}

/* ---- the run ----------------------------------------------------------------- */

static uint64_t sources_size(const store_run_options *o)
{
    uint64_t total = 0;
    for (size_t i = 0; i < o->nsources; i++) {
        struct stat sb;
        if (strcmp(o->sources[i], "-") != 0 && stat(o->sources[i], &sb) == 0 &&
            S_ISREG(sb.st_mode))
            total += (uint64_t)sb.st_size;
    }
    return total;
}

static void fill_result(const store_runner *ru, store_run_result *res, int prune_skipped)
{
    if (!res)
        return;
    memset(res, 0, sizeof *res);
    res->read = ru->read;
    store_get_counts(ru->s, &res->counts);
    res->counts.rejected += ru->unreadable + ru->source_errors;
    res->unreadable = ru->unreadable;
    res->source_errors = ru->source_errors;
    res->prune_skipped = prune_skipped;
    res->glossary_changed = store_glossary_changed(ru->s);
    res->timings = ru->t;
}

/* Whether a parallel build has room to run: its chunks and their merge
 * take about five times the input (the database itself about four), and
 * Xapian 1.4.22, when a chunk's write meets a full disk or the file size
 * limit, may end the process from a destructor (std::terminate) instead of
 * failing, where one writer's transaction fails cleanly. So a process under
 * a file size limit (ulimit -f), or a disk with less than six times the
 * input free, is given one writer. A pipe's size is unknown: room assumed. */
static int build_has_room(const store *s, uint64_t input)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        return 0;
    struct statvfs vf;
    if (input == 0 || !s->path || statvfs(s->path, &vf) != 0)
        return 1;
    uint64_t avail = (uint64_t)vf.f_bavail * (uint64_t)vf.f_frsize;
    return avail / 6 >= input;
}

int store_run(store *s, const store_run_options *o, const store_reporter *r, void *ctx,
              store_run_result *res)
{
    store_runner ru;
    memset(&ru, 0, sizeof ru);
    ru.s = s;
    ru.o = o;
    ru.r = r;
    ru.ctx = ctx;
    if (res)
        memset(res, 0, sizeof *res);
    if (!s || !o || (o->nsources && !o->sources))
        return STORE_ERR_INVALID;
    int rc = store_begin(s);
    if (rc != STORE_OK) {
        store_runner_fatal(&ru, rc, 1, store_errmsg(s));
        fill_result(&ru, res, 0);
        return rc;
    }
    ru.total = sources_size(o);
    unsigned jobs = o->jobs ? o->jobs : 1;
    /* A new database: every post is new, so it can be built in chunks at
     * once and merged. Where the file system cannot swap directories
     * atomically, or the disk is short of room (build_has_room), one
     * writer does it. */
    double w0 = store_wall_now();
    if (jobs > 1 && store_can_build(s) && build_has_room(s, ru.total) &&
        store_build_begin(s, jobs) == STORE_OK)
        store_run_build(&ru, jobs);
    else
        run_pipeline(&ru);
    ru.t.wall_build = store_wall_now() - w0;
    store_runner_progress(&ru, 1);

    int prune_skipped = 0;
    if (!ru.fatal) {
        store_counts c;
        store_get_counts(s, &c);
        uint64_t rejected = c.rejected + ru.unreadable + ru.source_errors;
        if (o->strict && rejected > 0) {
            store_cancel(s);
            snprintf(s->err, sizeof s->err,
                     "%llu record(s) rejected under strict: nothing committed",
                     (unsigned long long)rejected);
            fill_result(&ru, res, 0);
            return STORE_ERR_RECORD;
        }
        if (o->prune && (ru.unreadable > 0 || ru.source_errors > 0)) {
            /* A record that could not be read has no id, and a source that
             * stopped early did not name its later posts: pruning would
             * delete their posts. Keep every post rather than lose one. */
            prune_skipped = 1;
        } else if (o->prune && (rc = store_prune(s, NULL)) != STORE_OK) {
            store_runner_fatal(&ru, rc, 1, store_errmsg(s));
        }
    }
    s->merge_wall = s->merge_cpu = 0;
    w0 = store_wall_now();
    if (!ru.fatal && (rc = store_commit(s)) != STORE_OK)
        store_runner_fatal(&ru, rc, 1, store_errmsg(s));
    ru.t.wall_merge = s->merge_wall;
    ru.t.cpu_merge = s->merge_cpu;
    ru.t.wall_commit = store_wall_now() - w0 - s->merge_wall;
    if (ru.fatal) {
        /* Nothing of the run is kept; its scratch files go with it. */
        char keep[sizeof s->err];
        memcpy(keep, s->err, sizeof keep);
        store_cancel(s);
        memcpy(s->err, keep, sizeof keep);
    }
    fill_result(&ru, res, prune_skipped);
    return ru.fatal ? ru.fatal : STORE_OK;
}
