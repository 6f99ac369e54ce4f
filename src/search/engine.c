/* engine.c: the engine (database handle, analyser, settings), its
 * freshness (reopen at most every reopen_ms, retry on a modified
 * revision, open afresh a database swapped in at the path, the open one
 * kept a second while nothing opens there) and the
 * live delta read with the database (delta.c) and the
 * requests: search (the match, then the proximity bonus on its best hits:
 * rerank, and for questions the feedback and answer-type cues on the 10
 * best), suggest, doc, stats, each answered as a JSON object. */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "search/search-internal.h"
#include "store/schema.h"

#define REOPEN_MS 200
/* Tries of a request that meets a revision being overwritten: with the
 * daemon's live writer committing every few milliseconds, or a replica's
 * xapian-replicate applying a burst of changesets, a long search can see
 * its revision discarded several times (see after_failure()). */
#define MODIFIED_TRIES 8
/* How long the database open goes on answering when nothing that can be
 * opened is at its path any more (see switch_database()). */
#define SWAP_GRACE_MS 1000

static void set_err(srch_engine *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->err, sizeof e->err, fmt, ap);
    va_end(ap);
}

const char *srch_errmsg(const srch_engine *e)
{
    return e ? e->err : "no engine";
}

double srch_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void srch_options_init(srch_options *o)
{
    o->snippet_words = SRCH_DEFAULT_SNIPPET_WORDS;
    o->max_limit = SRCH_DEFAULT_MAX_LIMIT;
    o->default_limit = SRCH_DEFAULT_DEFAULT_LIMIT;
    o->wildcard_max = SRCH_DEFAULT_WILDCARD_MAX;
    o->max_query_bytes = SRCH_DEFAULT_MAX_QUERY;
    o->bm25_k1 = SRCH_DEFAULT_BM25_K1;
    o->bm25_b = SRCH_DEFAULT_BM25_B;
    o->exact_total = SRCH_DEFAULT_EXACT_TOTAL;
    o->query_time_limit = SRCH_DEFAULT_QUERY_TIME_LIMIT;
    o->wildcard_total = SRCH_DEFAULT_WILDCARD_TOTAL;
    o->max_query_cost = SRCH_DEFAULT_MAX_QUERY_COST;
    o->shard_timeout = SRCH_DEFAULT_SHARD_TIMEOUT;
}

void srch_engine_set_options(srch_engine *e, const srch_options *opt)
{
    if (!e)
        return;
    if (opt)
        e->opt = *opt;
    else
        srch_options_init(&e->opt);
    srch_totals_clear(e);  /* counts made under the old settings */
    e->last_reopen = -1e9; /* the next request reopens (ready()) */
}

void srch_engine_set_cancel(srch_engine *e, const atomic_int *cancel)
{
    if (e)
        e->cancel = cancel;
}

void srch_engine_set_retry_hook(srch_engine *e, void (*fn)(void *arg), void *arg)
{
    if (e) {
        e->retry_hook = fn;
        e->retry_arg = fn ? arg : NULL;
    }
}

/* The processor time of the calling thread, in seconds. The budget of a
 * request is counted in it rather than on the wall clock: it measures the
 * work a request makes its worker do, which is what a costly query takes
 * from the others, and a machine busy with other programs does not cut
 * answers short. */
static double thread_cpu(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return srch_now();
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The stop function of every match (xc_enquire_set_stop): the request's
 * time is up, or its client has gone. */
static int should_stop(void *arg)
{
    srch_engine *e = arg;
    if (e->stopped)
        return 1;
    if (e->cancel && atomic_load_explicit(e->cancel, memory_order_relaxed))
        e->stopped = SRCH_STOP_CANCEL;
    else if (e->deadline > 0 && thread_cpu() >= e->deadline)
        e->stopped = SRCH_STOP_TIME;
    return e->stopped != 0;
}

int srch_watch(srch_engine *e, xc_enquire *enq)
{
    if (!e->deadline && !e->cancel)
        return XC_OK;
    return xc_enquire_set_stop(enq, should_stop, e);
}

/* Starts the time budget of a request (in the thread's processor time). */
static void budget_start(srch_engine *e)
{
    e->stopped = 0;
    e->deadline = e->opt.query_time_limit ? thread_cpu() + e->opt.query_time_limit / 1000.0 : 0;
}

int srch_engine_new(const char *db_path, const srch_options *opt, srch_engine **out)
{
    if (!db_path || !out)
        return SRCH_ERR_INTERNAL;
    *out = NULL;
    srch_engine *e = calloc(1, sizeof *e);
    if (!e)
        return SRCH_ERR_INTERNAL;
    if (opt)
        e->opt = *opt;
    else
        srch_options_init(&e->opt);
    e->reopen_ms = REOPEN_MS;
    e->delta_rev = UINT64_MAX;
    e->rerank_depth = SRCH_RERANK_DEPTH;
    e->feedback_docs = SRCH_FEEDBACK_DOCS;
    e->db_path = strdup(db_path);
    if (!e->db_path || txt_analyser_new(&e->an) != TXT_OK) {
        srch_engine_free(e);
        return SRCH_ERR_INTERNAL;
    }
    *out = e;
    return SRCH_OK;
}

/* Closes the database, or the group and every shard. */
static void close_db(srch_engine *e)
{
    if (e->shards)
        srch_shards_close(e);
    srch_delta_clear(e);
    xc_db_close(e->db);
    e->db = NULL;
    e->delta_open = 0;
}

void srch_engine_free(srch_engine *e)
{
    if (!e)
        return;
    close_db(e);
    srch_speller_free(e->speller);
    srch_termfreq_free(e);
    srch_feedback_free(e);
    srch_totals_free(e);
    txt_analyser_free(e->an);
    free(e->db_path);
    free(e);
}

void srch_engine_timings(const srch_engine *e, srch_timings *out)
{
    if (!out)
        return;
    if (e)
        *out = e->t;
    else
        memset(out, 0, sizeof *out);
}

/* Empties what the engine keeps of the database open (a new one, or none). */
static void forget_database(srch_engine *e)
{
    /* A database made again from scratch may reach the same revision
     * number: the spelling index is read again from the one that opens. */
    srch_speller_free(e->speller);
    e->speller = NULL;
    srch_termfreq_clear(e);
    srch_totals_clear(e);
}

/* Drops the database after a request failed on it (why: the failure). */
static int unavailable(srch_engine *e, const char *why)
{
    set_err(e, "database %s unavailable: %s", e->db_path, why);
    close_db(e);
    e->lost_since = 0;
    forget_database(e);
    return SRCH_ERR_UNAVAILABLE;
}

/* The identity of the directory at the database's path: 0, or -1 when
 * there is nothing there. *stub is the inode of the stub file XAPIANDB in
 * it (0: none): a replica made by xapian-replicate is such a directory,
 * whose stub names replica_0 or replica_1; a full copy goes into the other
 * one, the stub is renamed over (a new inode) and the old copy removed,
 * all under the same directory. Xapian's reopen() does not read the stub
 * again, so a new stub is a new database, opened afresh. */
static int dir_identity(const char *path, uint64_t *dev, uint64_t *ino, uint64_t *stub)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    *dev = (uint64_t)st.st_dev;
    *ino = (uint64_t)st.st_ino;
    *stub = 0;
    char sp[PATH_MAX];
    if (S_ISDIR(st.st_mode) && (size_t)snprintf(sp, sizeof sp, "%s/XAPIANDB", path) < sizeof sp &&
        stat(sp, &st) == 0)
        *stub = (uint64_t)st.st_ino;
    return 0;
}

/* The directory at the path is the one open. */
static int same_dir(const srch_engine *e)
{
    uint64_t dev = 0, ino = 0, stub = 0;
    return e->dir_known && dir_identity(e->db_path, &dev, &ino, &stub) == 0 && dev == e->dir_dev &&
           ino == e->dir_ino && stub == e->dir_stub;
}

/* The modification time of the stub file at path, in nanoseconds (0 when
 * it cannot be read). */
static uint64_t stub_mtime(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    return (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec;
}

/* The database open is still at its path: the same directory, and its
 * version file there (a stat each, no file descriptor needed). */
static int still_there(const srch_engine *e)
{
    if (!same_dir(e))
        return 0;
    if (e->shards)
        return 1; /* the same list of shards (each is checked on its own) */
    size_t n = strlen(e->db_path) + sizeof "/iamglass";
    char *version = malloc(n);
    struct stat st;
    int ok =
        version && snprintf(version, n, "%s/iamglass", e->db_path) > 0 && stat(version, &st) == 0;
    free(version);
    return ok || e->dir_stub; /* a replica's stub, checked by same_dir() */
}

/* Opens the database at the path afresh, as the one directory that was
 * there from before the open to after it. Xapian opens the files of a
 * database one by one by their paths: an open across a swap of the
 * directory (another database renamed in, even atomically) can read the
 * version file of one and tables of the other, and fail ("EOF reading
 * block", corrupt, modified) or, worse, succeed on a mix. Such an open, and
 * one that met a commit, is made again (MODIFIED_TRIES in all). An xc
 * status; the message of a failure in e->err. */
static int open_fresh(srch_engine *e, xc_db **out, uint64_t *dev, uint64_t *ino, uint64_t *stub,
                      int *has_delta, uint64_t *delta_ino)
{
    int rc = XC_ERR_NOT_FOUND;
    *out = NULL;
    for (int i = 0; i < MODIFIED_TRIES; i++) {
        uint64_t d0 = 0, i0 = 0, s0 = 0, d1 = 0, i1 = 0, s1 = 0;
        if (dir_identity(e->db_path, &d0, &i0, &s0) != 0) {
            set_err(e, "cannot open the database %s: %s", e->db_path, strerror(errno));
            return XC_ERR_NOT_FOUND;
        }
        rc = srch_delta_open(e->db_path, out, has_delta, delta_ino);
        int same = dir_identity(e->db_path, &d1, &i1, &s1) == 0 && d1 == d0 && i1 == i0 && s1 == s0;
        if (rc == XC_OK && same) {
            *dev = d0;
            *ino = i0;
            *stub = s0;
            return XC_OK;
        }
        if (rc == XC_OK) { /* which directory's files were read is unknown */
            xc_db_close(*out);
            *out = NULL;
            rc = XC_ERR_MODIFIED;
            set_err(e, "cannot open the database %s: swapped during the open", e->db_path);
            continue;
        }
        *out = NULL;
        set_err(e, "cannot open the database %s: %s", e->db_path, xc_errmsg());
        if (same && rc != XC_ERR_MODIFIED && rc != XC_ERR_CORRUPT && rc != XC_ERR_DATABASE)
            break; /* no database there (or not one that can be read) */
    }
    return rc;
}

/* Puts the database now at the path in place of the one open (if any).
 * When none can be opened, the one open goes on answering for
 * SWAP_GRACE_MS after the first failure: `mv db db.old && mv db.new db`
 * leaves an instant with nothing at the path, and the old database is
 * still whole (its files open). After that, or with none open:
 * SRCH_ERR_UNAVAILABLE, and the handle is dropped. */
static int switch_database(srch_engine *e, double now)
{
    xc_db *fresh = NULL;
    uint64_t dev = 0, ino = 0, stub = 0;
    int has_delta = 0;
    uint64_t delta_ino = 0;
    if (open_fresh(e, &fresh, &dev, &ino, &stub, &has_delta, &delta_ino) == XC_OK) {
        close_db(e);
        e->db = fresh;
        e->delta_open = has_delta;
        e->delta_ino = delta_ino;
        e->dir_dev = dev;
        e->dir_ino = ino;
        e->dir_stub = stub;
        e->dir_known = 1;
        e->lost_since = 0;
        e->last_reopen = now;
        forget_database(e);
        return SRCH_OK;
    }
    if (e->db) {
        if (e->lost_since == 0)
            e->lost_since = now;
        if ((now - e->lost_since) * 1000.0 < SWAP_GRACE_MS)
            return SRCH_OK; /* looked at again by the next request: a stat
                               while nothing is at the path */
        close_db(e);
        e->lost_since = 0;
        forget_database(e);
    }
    return SRCH_ERR_UNAVAILABLE; /* e->err says why */
}

/* Makes e->db usable and fresh enough. A database moved in at the path in
 * place of the open one (a new directory there) is opened afresh: Xapian's
 * reopen() reads the new version file but keeps the old tables when the
 * revision numbers are equal, and would go on answering from the removed
 * database. */
static int ready_db(srch_engine *e)
{
    double now = srch_now();
    if (e->shards && (now - e->last_reopen) * 1000.0 >= e->reopen_ms) {
        uint64_t dev = 0, ino = 0;
        uint64_t stub = 0;
        if (dir_identity(e->db_path, &dev, &ino, &stub) != 0 || dev != e->dir_dev ||
            ino != e->dir_ino || stub_mtime(e->db_path) != e->stub_mtime) {
            close_db(e); /* opened afresh below, the caches emptied (a list
                            of shards replaced or edited is read again) */
            forget_database(e);
        } else {
            int reopened = 0;
            int rc = xc_db_reopen(e->db, &reopened);
            for (int i = 1; (rc == XC_ERR_MODIFIED || rc == XC_ERR_CORRUPT) && i < MODIFIED_TRIES;
                 i++)
                rc = xc_db_reopen(e->db, &reopened);
            /* the memos of term frequencies and totals (and the spelling
               index, keyed by the revision) stay while no shard changed:
               with a remote shard each of their reads is a round trip */
            if (reopened || rc != XC_OK) {
                srch_termfreq_clear(e);
                srch_totals_clear(e);
            }
            /* a shard that failed is left out; a missing one tried again */
            e->last_reopen = now;
            if (srch_shards_refresh(e, rc != XC_OK, now) != SRCH_OK) {
                close_db(e);
                forget_database(e);
                return SRCH_ERR_UNAVAILABLE;
            }
            return SRCH_OK;
        }
    }
    if (e->shards)
        return SRCH_OK;
    if (!e->db && srch_is_stub(e->db_path)) {
        /* a stub file: its shards, searched as one */
        e->dir_known = dir_identity(e->db_path, &e->dir_dev, &e->dir_ino, &e->dir_stub) == 0;
        forget_database(e);
        e->stub_mtime = stub_mtime(e->db_path);
        if (srch_shards_open(e, now) != SRCH_OK)
            return SRCH_ERR_UNAVAILABLE;
        e->last_reopen = now;
        return SRCH_OK;
    }
    if (!e->db)
        return switch_database(e, now);
    /* Which directory is at the path is looked at by every request (a
     * stat or two, a microsecond): a database moved in, or put back
     * after the grace time began, answers from the first request after
     * it is there, on every worker; new revisions of the same directory
     * are looked for every reopen_ms. */
    if (!same_dir(e) || srch_delta_moved(e))
        return switch_database(e, now); /* moved in, or removed; a delta
                                           made or gone */
    if (e->lost_since == 0 && (now - e->last_reopen) * 1000.0 < e->reopen_ms)
        return SRCH_OK;
    int reopened = 0;
    int rc = xc_db_reopen(e->db, &reopened);
    for (int i = 1; (rc == XC_ERR_MODIFIED || rc == XC_ERR_CORRUPT) && i < MODIFIED_TRIES; i++)
        rc = xc_db_reopen(e->db, &reopened);
    /* the revision tells a new state of the database; emptying the
     * memo at each reopen also covers a database made again at the
     * same path that reached the same revision number */
    srch_termfreq_clear(e);
    if (reopened)
        srch_totals_clear(e); /* what the match reads changed */
    /* swapped during the reopen, which may have read some of the new
     * database's files (they are read by path) */
    if (!same_dir(e) || (rc != XC_OK && !still_there(e)))
        return switch_database(e, now);
    /* A reopen that failed with the database still there (the same
     * directory, its version file in place) failed for want of a
     * resource, a file descriptor above all: the revision open stays
     * readable, so it answers from it and tries again later, instead
     * of dropping it and failing every request until a descriptor is
     * free. What it cannot read any more fails inside the request. */
    e->lost_since = 0;
    e->last_reopen = now;
    return SRCH_OK;
}

/* ready_db(), then what the live delta hides brought up to date. */
static int ready(srch_engine *e)
{
    int st = ready_db(e);
    if (st != SRCH_OK || !e->db)
        return st;
    for (int i = 0; i < MODIFIED_TRIES; i++) {
        int rc = srch_delta_refresh(e);
        if (rc == XC_OK)
            return SRCH_OK;
        if (rc == XC_ERR_NOMEM) {
            set_err(e, "out of memory");
            return SRCH_ERR_INTERNAL;
        }
        xc_db_reopen(e->db, NULL);
    }
    return unavailable(e, "the live delta cannot be read");
}

/* After a failure inside a request: SRCH retry (modified), or the status. */
#define RETRY 1
static int after_failure(srch_engine *e, int rc, int attempt)
{
    if (e->shards && attempt < MODIFIED_TRIES - 1 && rc != XC_ERR_NOMEM &&
        rc != XC_ERR_INVALID_ARG && rc != XC_ERR_WILDCARD && rc != XC_ERR_TOO_LONG) {
        /* A remote shard did not answer (a network error, or the end of
         * a connection cut in the middle of a message, which Xapian may
         * report otherwise): each shard is asked, those that do not
         * answer are left out, and the request runs again without them. */
        char lost[256];
        snprintf(lost, sizeof lost, "%s", xc_errmsg());
        /* one that answered too late is left out of the next try */
        srch_shards_timed_out(e, lost, srch_now());
        if (srch_shards_refresh(e, 1, srch_now()) != SRCH_OK)
            return unavailable(e, lost);
        return RETRY; /* at most MODIFIED_TRIES in all */
    }
    if (rc == XC_ERR_NOMEM || rc == XC_ERR_INVALID_ARG || rc == XC_ERR_INTERNAL ||
        rc == XC_ERR_WILDCARD || rc == XC_ERR_TOO_LONG) {
        set_err(e, "search failed: %s", xc_errmsg());
        return SRCH_ERR_INTERNAL;
    }
    char why[256]; /* the request's failure, before the tries below */
    snprintf(why, sizeof why, "%s", xc_errmsg());
    if (attempt >= MODIFIED_TRIES - 1)
        return unavailable(e, why);
    /* A block of the revision read that a writer reused since can also
     * read as corrupt (glass checks the block's level): both are tried
     * again on the latest revision; a database really corrupt fails each
     * try and ends unavailable. */
    if ((rc == XC_ERR_MODIFIED || rc == XC_ERR_CORRUPT) && same_dir(e)) {
        srch_termfreq_clear(e);
        srch_totals_clear(e);
        /* After the first retry, a short pause before each (2, 4, 8, 16,
         * then 20 ms): revisions committed back to back (a replica
         * applying a burst of changesets with no wait for readers) can
         * discard the one reopened before the request reads it; the
         * pause lets the burst end. Sleeping takes no processor time from
         * the request's budget, and MODIFIED_TRIES bounds it (90 ms). */
        if (attempt > 0) {
            long ms = attempt < 5 ? 1L << attempt : 20;
            struct timespec ts = {0, ms * 1000000L};
            nanosleep(&ts, NULL);
        }
        if (e->retry_hook)
            e->retry_hook(e->retry_arg); /* before the reopen: see search.h */
        int rrc = xc_db_reopen(e->db, NULL);
        if ((rrc == XC_OK || rrc == XC_ERR_MODIFIED || rrc == XC_ERR_CORRUPT) && same_dir(e)) {
            /* (a reopen that met a commit is tried again by the retry) */
            e->last_reopen = srch_now();
            /* what the live delta hides, at the revision now open (the
             * live writer's commits make this the usual retry) */
            int drc = srch_delta_refresh(e);
            for (int i = 1; drc != XC_OK && drc != XC_ERR_NOMEM && i < MODIFIED_TRIES; i++) {
                xc_db_reopen(e->db, NULL);
                drc = srch_delta_refresh(e);
            }
            if (drc == XC_OK)
                return RETRY;
            snprintf(why, sizeof why, "the live delta cannot be read: %s", xc_errmsg());
            if (drc == XC_ERR_NOMEM) {
                set_err(e, "out of memory");
                return SRCH_ERR_INTERNAL;
            }
            return unavailable(e, why);
        }
    }
    /* Another database moved in at the path during the request (a first
     * import swapped in): the files read were removed under it, or the
     * reopen above read some of the new one's. Tried again on the
     * database at the path, opened afresh. */
    uint64_t dev = 0, ino = 0;
    uint64_t stub = 0;
    if (dir_identity(e->db_path, &dev, &ino, &stub) == 0 && !same_dir(e)) {
        /* (not when the one that failed is kept for the grace time) */
        if (switch_database(e, srch_now()) == SRCH_OK && e->lost_since == 0)
            return RETRY;
    }
    return unavailable(e, why);
}

/* Shards that did not answer: the answer is partial and names them. */
static void add_missing(const srch_engine *e, json_t *ans)
{
    json_t *missing = srch_shards_missing(e);
    if (!missing)
        return;
    json_object_set_new(ans, "partial", json_true());
    json_object_set_new(ans, "missing_shards", missing);
}

static double ms_since(double t0)
{
    return (double)(long)((srch_now() - t0) * 10000.0 + 0.5) / 10.0;
}

/* ---- search ----------------------------------------------------------------- */

static json_t *facet_json(xc_mset *ms, uint32_t slot, int numeric_keys)
{
    json_t *o = json_object();
    xc_iter *it = NULL;
    (void)numeric_keys;
    if (!o || xc_mset_facet(ms, slot, &it) != XC_OK) {
        xc_iter_free(it);
        return o;
    }
    const char *v;
    size_t len;
    uint32_t count;
    while (xc_iter_next(it, &v, &len, &count, NULL) == XC_OK) {
        if (!len)
            continue;
        char *key = strndup(v, len);
        if (key)
            json_object_set_new(o, key, json_integer(count));
        free(key);
    }
    xc_iter_free(it);
    return o;
}

/* Filters of the request (not of the query text), ANDed; NULL for none. */
static int request_filter(srch_engine *e, const srch_request *req, xc_query **out)
{
    xc_query *parts[8] = {0};
    size_t n = 0;
    int rc = SRCH_OK;
    *out = NULL;
    const char *const *lists[2] = {req->categories, req->tags};
    const char *prefixes[2] = {SCH_CATEGORY, SCH_TAG};
    for (int l = 0; l < 2; l++) {
        xc_query *alts[SRCH_MAX_FILTER_VALUES];
        size_t na = 0;
        for (size_t i = 0; i < SRCH_MAX_FILTER_VALUES && lists[l][i]; i++) {
            char *norm = NULL, term[300];
            if (txt_normalise(lists[l][i], strlen(lists[l][i]), &norm) != TXT_OK)
                return SRCH_ERR_INTERNAL;
            snprintf(term, sizeof term, "%s%s", prefixes[l], norm);
            free(norm);
            if (xc_query_term(term, strlen(term), 1, 0, &alts[na]) == XC_OK)
                na++;
        }
        if (na) {
            xc_query_combine(XC_OP_OR, alts, na, 0, &parts[n++]);
            for (size_t i = 0; i < na; i++)
                xc_query_free(alts[i]);
        }
    }
    if (req->author && req->author[0]) {
        char *norm = NULL, term[300];
        if (txt_normalise(req->author, strlen(req->author), &norm) != TXT_OK)
            return SRCH_ERR_INTERNAL;
        snprintf(term, sizeof term, "%s%s", SCH_AUTHOR, norm);
        free(norm);
        xc_query_term(term, strlen(term), 1, 0, &parts[n++]);
    }
    if (req->lang && req->lang[0]) {
        txt_lang lg = txt_lang_parse(req->lang);
        if (lg == TXT_LANG_NONE) {
            set_err(e, "unknown language \"%s\"", req->lang);
            rc = SRCH_ERR_BAD_REQUEST;
        } else {
            char term[8];
            snprintf(term, sizeof term, "%s%s", SCH_LANG, txt_lang_code(lg));
            xc_query_term(term, strlen(term), 1, 0, &parts[n++]);
        }
    }
    if (rc == SRCH_OK) {
        xc_query *dr = NULL;
        rc = srch_date_range(req->since, req->until, &dr);
        if (rc == SRCH_ERR_BAD_REQUEST)
            set_err(e, "dates must be YYYY, YYYY-MM or YYYY-MM-DD");
        if (dr)
            parts[n++] = dr;
    }
    if (rc == SRCH_OK && n)
        xc_query_combine(XC_OP_AND, parts, n, 0, out);
    for (size_t i = 0; i < n; i++)
        xc_query_free(parts[i]);
    return rc;
}

typedef struct {
    xc_query *query; /* what is matched */
    int by_date;     /* no text: newest first */
} plan;

static void hit_fields(json_t *hit, const srch_docdata *d)
{
    static const char *keys[] = {"id", "title", "url", "date", "lang", "author"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        json_t *v = d->fields ? json_object_get(d->fields, keys[k]) : NULL;
        json_object_set_new(hit, keys[k], json_is_string(v) ? json_incref(v) : json_string(""));
    }
    json_t *c = d->fields ? json_object_get(d->fields, "categories") : NULL;
    json_object_set_new(hit, "categories", json_is_array(c) ? json_incref(c) : json_array());
}

/* A search of q over the database, weighed with the configured BM25. */
static int new_enquire(srch_engine *e, const xc_query *q, xc_enquire **out)
{
    xc_query *live = NULL;
    int rc = srch_delta_wrap(e, q, &live);
    if (rc == XC_OK)
        rc = xc_enquire_new(e->db, out);
    if (rc == XC_OK)
        rc = srch_watch(e, *out);
    /* A remote shard cannot run the stop source of srch_watch: Xapian
       passes it the time limit instead, after which its match stops
       looking past the hits asked (facets and counts then estimate); the
       wait for its answer is bounded by shard_timeout. */
    if (rc == XC_OK && e->opt.query_time_limit && xc_db_is_remote(e->db))
        rc = xc_enquire_set_time_limit(*out, e->opt.query_time_limit / 1000.0);
    if (rc == XC_OK)
        rc = xc_enquire_set_query(*out, live ? live : q, 0);
    xc_query_free(live);
    if (rc == XC_OK)
        rc = xc_enquire_set_bm25(*out, e->opt.bm25_k1, 0, 1, e->opt.bm25_b, 0.5);
    /* Equal weights are ordered by the post's content hash, ascending
       (unique per post: it holds the post's id), never by docid: docids
       interleave over shards, so Xapian's own tie order would differ
       between one database and any shards (doc/QUERY.md, "Ties"). */
    if (rc == XC_OK)
        rc = xc_enquire_set_sort(*out, XC_SORT_RELEVANCE_THEN_VALUE, SCH_SLOT_HASH, 0);
    if (rc != XC_OK) {
        xc_enquire_free(*out);
        *out = NULL;
    }
    return rc;
}

/* A hit in the order the answer gives it. */
typedef struct {
    uint32_t docid;
    double weight;
    int percent;
    char key[17]; /* its content hash (SCH_SLOT_HASH), "" for none */
} ranked_hit;

/* The order of new_enquire: weight, then content hash (then docid, for
 * posts indexed before the hash). */
static int ranked_cmp(const void *a, const void *b)
{
    const ranked_hit *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    int c = strcmp(x->key, y->key);
    if (c)
        return c < 0 ? -1 : 1;
    return x->docid < y->docid ? -1 : x->docid > y->docid;
}

int srch_hit_doc(srch_engine *e, uint32_t docid, xc_doc **out)
{
    for (uint32_t i = 0; e->hits_ms && i < e->hits_n; i++)
        if (e->hits_ids[i] == docid)
            return xc_mset_document(e->hits_ms, i, out);
    return xc_db_get_document(e->db, docid, out);
}

/* The unique id term (SCH_ID + the post's id) of document docid into
 * term (size 300; "" when it has none): from its record when it is one of
 * the match's hits (read once for every reader), else from its termlist. */
static int id_term(srch_engine *e, uint32_t docid, char *term, size_t size)
{
    term[0] = '\0';
    if (e->hits_ms) {
        xc_doc *doc = NULL;
        const char *data = NULL;
        size_t dlen = 0;
        srch_docdata dd;
        int rc = srch_hit_doc(e, docid, &doc);
        if (rc == XC_OK)
            rc = srch_record(doc, &data, &dlen);
        if (rc == XC_OK && srch_docdata_parse(data, dlen, &dd) == 0) {
            json_t *id = dd.fields ? json_object_get(dd.fields, "id") : NULL;
            if (json_is_string(id))
                snprintf(term, size, "%s%s", SCH_ID, json_string_value(id));
            srch_docdata_free(&dd);
        } else if (rc == XC_OK)
            rc = XC_ERR_NOMEM;
        xc_doc_free(doc);
        if (rc != XC_OK || term[0])
            return rc;
    }
    xc_iter *it = NULL;
    const char *t;
    size_t tl;
    int rc = xc_db_termlist(e->db, docid, SCH_ID, &it);
    if (rc == XC_OK && xc_iter_next(it, &t, &tl, NULL, NULL) == XC_OK && tl < size) {
        memcpy(term, t, tl);
        term[tl] = '\0';
    }
    xc_iter_free(it);
    return rc;
}

/* The documents ids[0..n) of a group of shards with a remote one, ORed:
 * the posting source of xc_query_docids_in cannot run on a remote shard
 * (xapian-tcpsrv knows only Xapian's classes). Each hit of the match
 * carries its content hash (its sort key, new_enquire: SCH_SLOT_HASH,
 * which holds the post's id among the rest, so no two posts share it):
 * the wildcard SCH_HASHID + hash, which each shard expands to the one
 * term "XH" + hash + id of that post, finds it without reading anything.
 * A hit without one (a post indexed before the hash) is found by its id
 * term, read from its document (a round trip on a remote shard). */
static int id_terms(srch_engine *e, const uint32_t *ids, uint32_t n, xc_query **out)
{
    xc_query *terms[SRCH_RERANK_MAX];
    size_t nt = 0;
    int rc = XC_OK;
    for (uint32_t i = 0; i < n && rc == XC_OK; i++) {
        char t[300];
        const char *key = NULL;
        size_t kl = 0;
        for (uint32_t k = 0; e->hits_ms && k < e->hits_n && !key; k++)
            if (e->hits_ids[k] == ids[i] &&
                xc_mset_sort_key(e->hits_ms, k, &key, &kl) == XC_OK && kl != 16)
                key = NULL;
        if (key) {
            snprintf(t, sizeof t, "%s%.16s", SCH_HASHID, key);
            rc = xc_query_wildcard(t, 0, XC_WILDCARD_LIMIT_ERROR, &terms[nt++]);
            continue;
        }
        rc = id_term(e, ids[i], t, sizeof t);
        if (rc == XC_OK && t[0])
            rc = xc_query_term(t, strlen(t), 1, 0, &terms[nt++]);
    }
    if (rc == XC_OK)
        rc = xc_query_combine(XC_OP_OR, terms, nt, 0, out);
    for (size_t i = 0; i < nt; i++)
        xc_query_free(terms[i]);
    return rc;
}

/* The proximity bonus (p->boost) reorders the n best hits of the match.
 * Positions are read for those n documents only: weighed over every match
 * (an AND_MAYBE in the one query), the NEAR pairs of a long question read
 * the positions of thousands of documents, most of them far down the list,
 * and cost more than the rest of the search. The bonus is a tenth of the
 * weight, so a document beyond the first SRCH_RERANK_DEPTH hits rarely
 * reaches the first page with it (eval-dev: the same figures as the bonus
 * over every match; a depth of 10 or 20 loses 0.001 of French MRR@10).
 * Pages that start past the depth keep the match's order, so paging stays
 * consistent. (The AND_MAYBE of Xapian 1.4.22 also gave some documents the
 * weight of NEAR pairs whose words are not near each other; weighed on its
 * own, as here, the bonus is what the pairs say.) */
static int rerank(srch_engine *e, const srch_parsed *p, ranked_hit *h, uint32_t n)
{
    uint32_t ids[SRCH_RERANK_MAX];
    for (uint32_t i = 0; i < n; i++)
        ids[i] = h[i].docid;
    xc_query *set = NULL, *q = NULL;
    int rc = xc_query_docids_in(e->db, ids, n, &set);
    if (rc == XC_ERR_UNIMPLEMENTED)
        rc = id_terms(e, ids, n, &set); /* remote shards */
    /* The filter goes under each part of the bonus (xc_query_filter_each):
       Xapian 1.4's OR checked by a filter can give a document the weight
       of a NEAR pair at the document before it, and which documents come
       one after the other differs between shards and one database; under
       each part, the bonus is what the pairs say, everywhere
       (doc/SCALING.md). */
    xc_query *scaled = NULL;
    if (rc == XC_OK)
        rc = xc_query_filter_each(p->boost, set, &scaled);
    if (rc == XC_OK)
        rc = xc_query_scale(scaled, SRCH_BOOST_WEIGHT, &q);
    xc_query_free(scaled);
    xc_query_free(set);
    xc_enquire *enq = NULL;
    xc_mset *ms = NULL;
    if (rc == XC_OK)
        rc = new_enquire(e, q, &enq);
    xc_query_free(q);
    if (rc == XC_OK)
        rc = xc_enquire_get_mset(enq, 0, n, 0, &ms);
    uint32_t size = rc == XC_OK ? xc_mset_size(ms) : 0;
    for (uint32_t i = 0; i < size && rc == XC_OK; i++) {
        xc_hit b;
        rc = xc_mset_hit(ms, i, &b);
        for (uint32_t j = 0; j < n && rc == XC_OK; j++)
            if (h[j].docid == b.docid)
                h[j].weight += b.weight;
    }
    xc_mset_free(ms);
    xc_enquire_free(enq);
    if (rc == XC_OK && size > 0)
        qsort(h, n, sizeof *h, ranked_cmp);
    return rc;
}

/* A question: its SRCH_FEEDBACK_DOCS best hits are reordered again by the
 * words they share (feedback.c; SRCH_MIN_QUESTION plain words or more)
 * and, when it asks for a kind of answer (a date), by whether they write
 * one near its words (answer.c; a question whose words are mostly
 * stopwords, "Quelle est la date de l'inauguration ?", too). */
static int feedback(srch_engine *e, const srch_parsed *p, ranked_hit *h, uint32_t n)
{
    uint32_t ids[SRCH_FEEDBACK_DOCS];
    double bonus[SRCH_FEEDBACK_DOCS] = {0};
    size_t plain = 0, k = 0;
    for (size_t j = 0; j < p->nwords; j++)
        plain += p->words[j].plain ? 1 : 0;
    if (plain < SRCH_MIN_QUESTION && p->cue == SRCH_ANSWER_NONE)
        return XC_OK;
    for (; k < n && k < SRCH_FEEDBACK_DOCS && k < e->feedback_docs; k++)
        ids[k] = h[k].docid;
    int rc = plain >= SRCH_MIN_QUESTION ? srch_feedback(e, p, ids, k, bonus) : XC_OK;
    if (rc == XC_OK)
        rc = srch_answer(e, p, ids, k, bonus);
    for (size_t i = 0; i < k && rc == XC_OK; i++)
        h[i].weight += bonus[i];
    if (rc == XC_OK)
        qsort(h, k, sizeof *h, ranked_cmp);
    return rc;
}

/* Xapian's percentages are proportional to the weight: the best hit keeps
 * its percentage (top) and every other hit, past the depth too, is scaled
 * to its weight by the same factor. The reordered hits all weigh at least
 * as much as those past the depth, so the scores keep the order. */
static void rescale_percent(ranked_hit *h, uint32_t size, int top)
{
    for (uint32_t i = 0; i < size; i++) {
        double pc = h[0].weight > 0 ? top * h[i].weight / h[0].weight : top;
        h[i].percent = (int)(pc + 0.5);
    }
}

/* The number of documents q matches, counted with q made boolean (no
 * weights to compute: Xapian only walks and merges the posting lists) and
 * checking at least check documents: exact when there are at most that
 * many (*exact 1), else Xapian's estimate. With exact_total as check it
 * depends on q only, never on the page: a page's own match stops early
 * once its hits are known, and its estimate moves with offset and limit. */
int srch_count(srch_engine *e, const xc_query *q, uint32_t check, uint32_t *total, int *exact)
{
    xc_query *b = NULL, *live = NULL;
    xc_enquire *enq = NULL;
    xc_mset *ms = NULL;
    int rc = xc_query_scale(q, 0, &b);
    if (rc == XC_OK && (rc = srch_delta_wrap(e, b, &live)) == XC_OK && live) {
        xc_query_free(b);
        b = live;
    }
    if (rc == XC_OK)
        rc = xc_enquire_new(e->db, &enq);
    if (rc == XC_OK)
        rc = srch_watch(e, enq);
    if (rc == XC_OK && e->opt.query_time_limit && xc_db_is_remote(e->db))
        rc = xc_enquire_set_time_limit(enq, e->opt.query_time_limit / 1000.0); /* see new_enquire */
    if (rc == XC_OK)
        rc = xc_enquire_set_query(enq, b, 0);
    if (rc == XC_OK)
        rc = xc_enquire_get_mset(enq, 0, 0, check, &ms);
    if (rc == XC_OK) {
        uint32_t lower = 0, est = 0, upper = 0;
        xc_mset_matches(ms, &lower, &est, &upper);
        *exact = lower == upper && !xc_mset_stopped(ms);
        *total = *exact ? lower : est;
    }
    xc_mset_free(ms);
    xc_enquire_free(enq);
    xc_query_free(b);
    return rc;
}

/* The key of a search's matches in the memo of totals: the text
 * searched, its analysis language and the request's filters. */
static void count_key(const srch_request *req, const char *text, txt_lang lang, srch_totals_hash *h)
{
    *h = (srch_totals_hash)SRCH_TOTALS_HASH_INIT;
    const char *one[] = {text, txt_lang_code(lang), req->lang, req->author, req->since, req->until};
    for (size_t i = 0; i < sizeof one / sizeof *one; i++)
        srch_totals_key(h, one[i] ? one[i] : "", one[i] ? strlen(one[i]) : 0);
    for (size_t i = 0; i < SRCH_MAX_FILTER_VALUES && req->categories[i]; i++)
        srch_totals_key(h, req->categories[i], strlen(req->categories[i]));
    srch_totals_key(h, "\x01", 1); /* categories end, tags start */
    for (size_t i = 0; i < SRCH_MAX_FILTER_VALUES && req->tags[i]; i++)
        srch_totals_key(h, req->tags[i], strlen(req->tags[i]));
}

/* One run of the match for the parsed query; fills ans (hits, total,
 * total_exact, facets). key (NULL: no exact count) is the search's key in
 * the memo of totals: the matches are counted exactly (up to exact_total)
 * when the page's match did not, once per state of the database. Returns
 * an xc status. */
static int run(srch_engine *e, const srch_request *req, const srch_parsed *p, xc_query *rfilter,
               uint32_t offset, uint32_t limit, int snippets, const srch_totals_hash *key,
               json_t *ans, uint32_t *nhits)
{
    xc_query *q = NULL, *parts[3];
    size_t n = 0;
    int by_date = 0;
    int rc = XC_OK;
    unsigned depth = e->rerank_depth < SRCH_RERANK_MAX ? e->rerank_depth : SRCH_RERANK_MAX;
    *nhits = 0;
    if (p->query)
        parts[n++] = p->query;
    else {
        if (!p->filter && !rfilter) {
            /* nothing to search for */
            json_object_set_new(ans, "total", json_integer(0));
            json_object_set_new(ans, "total_exact", json_true());
            json_object_set_new(ans, "hits", json_array());
            if (req->facets)
                json_object_set_new(ans, "facets",
                                    json_pack("{s:{},s:{},s:{}}", "category", "lang", "year"));
            return XC_OK;
        }
        if (xc_query_match_all(&q) != XC_OK)
            return XC_ERR_NOMEM;
        parts[n++] = q;
        by_date = 1;
    }
    xc_query *filters[2];
    size_t nf = 0;
    if (p->filter)
        filters[nf++] = p->filter;
    if (rfilter)
        filters[nf++] = rfilter;
    xc_query *fq = NULL, *full = NULL;
    if (nf) {
        xc_query_combine(XC_OP_AND, filters, nf, 0, &fq);
        parts[n++] = fq;
        xc_query_combine(XC_OP_FILTER, parts, n, 0, &full);
    } else
        xc_query_combine(XC_OP_OR, parts, n, 0, &full);
    xc_query_free(q);
    xc_query_free(fq);

    int reorder = p->query && p->boost && !by_date && req->sort != SRCH_SORT_DATE &&
                  offset < depth && limit > 0;
    uint32_t first = offset, count = limit;
    if (reorder) {
        first = 0;
        count = offset + limit > depth ? offset + limit : depth;
    }
    xc_enquire *enq = NULL;
    xc_mset *ms = NULL;
    rc = new_enquire(e, full, &enq);
    if (rc == XC_OK && (by_date || req->sort == SRCH_SORT_DATE))
        rc = xc_enquire_set_sort(enq, by_date ? XC_SORT_VALUE : XC_SORT_VALUE_THEN_RELEVANCE,
                                 SCH_SLOT_DATE, 1);
    /* Each hit carries its content hash (its sort key, new_enquire), by
       which the rerank orders ties and finds the best hits of a remote
       shard without reading them. With a remote shard the hash is also
       the collapse key (no two posts share one: nothing is collapsed):
       sorted by relevance then value without one, Xapian 1.4.22's remote
       match counted a document more in the facets of some searches
       (`--facets dipl` on the sample: en 3 for 2), with one it counts
       as one database does (tests/shards/remote.sh). */
    if (rc == XC_OK && xc_db_is_remote(e->db))
        rc = xc_enquire_set_collapse_key(enq, SCH_SLOT_HASH, 1);
    uint32_t check = 0;
    if (rc == XC_OK && req->facets) {
        xc_enquire_add_facet(enq, SCH_SLOT_CATEGORIES, SCH_SEP);
        xc_enquire_add_facet(enq, SCH_SLOT_LANG, SCH_SEP);
        rc = xc_enquire_add_facet(enq, SCH_SLOT_YEAR, 0);
        if (rc == XC_OK)
            rc = xc_db_doccount(e->db, &check);
    }
    double t1 = srch_now();
    if (rc == XC_OK)
        rc = xc_enquire_get_mset(enq, first, count, check, &ms);
    uint32_t size = rc == XC_OK ? xc_mset_size(ms) : 0;
    ranked_hit *rh = size ? malloc(size * sizeof *rh) : NULL;
    if (size && !rh)
        rc = XC_ERR_NOMEM;
    uint32_t *msids = NULL; /* the hits' docids in the mset's order */
    if (rc == XC_OK && size && xc_db_is_remote(e->db)) {
        msids = malloc(size * sizeof *msids);
        rc = msids ? XC_OK : XC_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < size && rc == XC_OK; i++) {
        xc_hit h;
        rc = xc_mset_hit(ms, i, &h);
        rh[i] = (ranked_hit){h.docid, h.weight, h.percent, ""};
        const char *sk = NULL;
        size_t kl = 0;
        if (rc == XC_OK && !by_date && req->sort != SRCH_SORT_DATE &&
            (rc = xc_mset_sort_key(ms, i, &sk, &kl)) == XC_OK && kl < sizeof rh[i].key) {
            memcpy(rh[i].key, sk, kl);
            rh[i].key[kl] = '\0';
        }
        if (msids)
            msids[i] = h.docid;
    }
    if (rc == XC_OK && msids) {
        /* a remote shard: each hit's document is read once, by the first
           of the feedback, the answer cues and the page that needs it;
           the rerank finds its hits by their sort keys (content hashes) */
        e->hits_ms = ms;
        e->hits_ids = msids;
        e->hits_n = size;
    }
    if (rc == XC_OK && reorder && size > 1) {
        int top = rh[0].percent;
        rc = rerank(e, p, rh, size < depth ? size : depth);
        if (rc == XC_OK)
            rc = feedback(e, p, rh, size < depth ? size : depth);
        rescale_percent(rh, size, top);
    }
    /* The total: exact when Xapian's bounds meet (always with facets,
     * which check every document), else counted apart; also when it is
     * above exact_total: a deep page that reached the end of the match
     * knows the exact count, where the other pages give the count's
     * estimate, and the total must not change from page to page. */
    uint32_t lower = 0, est = 0, upper = 0, total = 0;
    int total_exact = 0;
    if (rc == XC_OK) {
        xc_mset_matches(ms, &lower, &est, &upper);
        /* a match ended early (the time budget) counted what it saw */
        int stopped = xc_mset_stopped(ms);
        total_exact = lower == upper && !stopped;
        total = total_exact ? lower : est;
        if (key && !req->facets && !stopped && (!total_exact || total > e->opt.exact_total) &&
            !srch_totals_get(e, key->k, e->opt.exact_total, &total, &total_exact)) {
            rc = srch_count(e, full, e->opt.exact_total, &total, &total_exact);
            if (rc == XC_OK && !e->stopped)
                srch_totals_put(e, key->k, e->opt.exact_total, total, total_exact);
        }
    }
    xc_query_free(full);
    double t2 = srch_now();
    e->t.match_ms += (t2 - t1) * 1000.0;
    if (rc != XC_OK) {
        e->hits_ms = NULL;
        e->hits_ids = NULL;
        e->hits_n = 0;
        free(msids);
        free(rh);
        xc_mset_free(ms);
        xc_enquire_free(enq);
        return rc;
    }
    /* the page: [offset, offset + limit) of the whole result (first is
     * offset, or 0 when the hits before the page were fetched to reorder) */
    uint32_t from = offset - first;
    uint32_t to = size < from + limit ? size : from + limit;
    json_t *hits = json_array();
    txt_lang hl = req->lang ? txt_lang_parse(req->lang) : TXT_LANG_NONE;
    unsigned sw = req->snippet_words < 0 ? e->opt.snippet_words : (unsigned)req->snippet_words;
    srch_snipper *snip = NULL;
    if (snippets && to > from && srch_snipper_new(e, p, &snip) != 0)
        rc = XC_ERR_NOMEM;
    for (uint32_t i = from; i < to && rc == XC_OK; i++) {
        xc_doc *doc = NULL;
        const char *data = NULL;
        size_t dlen = 0;
        rc = srch_hit_doc(e, rh[i].docid, &doc);
        if (rc == XC_OK)
            rc = srch_record(doc, &data, &dlen);
        if (rc != XC_OK) {
            xc_doc_free(doc);
            break;
        }
        json_t *hit = json_object();
        srch_docdata dd;
        if (srch_docdata_parse(data, dlen, &dd) < 0) {
            json_decref(hit);
            xc_doc_free(doc);
            rc = XC_ERR_NOMEM;
            break;
        }
        hit_fields(hit, &dd);
        json_object_set_new(hit, "score", json_integer(by_date ? 0 : rh[i].percent));
        double t3 = srch_now();
        e->t.fetch_ms += (t3 - t2) * 1000.0;
        t2 = t3;
        if (snippets) {
            json_t *lj = json_object_get(hit, "lang");
            txt_lang dl = hl != TXT_LANG_NONE ? hl : txt_lang_parse(json_string_value(lj));
            /* the title, highlighted like the snippet */
            const char *title = json_string_value(json_object_get(hit, "title"));
            char *th = srch_highlight(snip, title, strlen(title), dl);
            if (!th)
                rc = XC_ERR_NOMEM;
            json_object_set_new(hit, "title_html", json_string(th ? th : ""));
            free(th);
            if (sw > 0) {
                size_t bl = 0;
                /* a few bytes past the scan limit: the snippet cuts it as before */
                char *body = srch_docdata_body(&dd, SRCH_SNIPPET_SCAN + 16, &bl);
                char *sn = body ? srch_snippet(snip, body, bl, dl, sw) : NULL;
                json_object_set_new(hit, "snippet", json_string(sn ? sn : ""));
                free(sn);
                free(body);
            }
            t3 = srch_now();
            e->t.snippet_ms += (t3 - t2) * 1000.0;
            t2 = t3;
        }
        srch_docdata_free(&dd);
        xc_doc_free(doc);
        json_array_append_new(hits, hit);
    }
    srch_snipper_free(snip);
    free(rh);
    e->hits_ms = NULL;
    e->hits_ids = NULL;
    e->hits_n = 0;
    free(msids);
    if (rc == XC_OK) {
        json_object_set_new(ans, "total", json_integer(total));
        json_object_set_new(ans, "total_exact", json_boolean(total_exact));
        json_object_set_new(ans, "hits", hits);
        *nhits = to > from ? to - from : 0;
        if (req->facets) {
            json_t *f = json_object();
            json_object_set_new(f, "category", facet_json(ms, SCH_SLOT_CATEGORIES, 0));
            json_object_set_new(f, "lang", facet_json(ms, SCH_SLOT_LANG, 0));
            json_object_set_new(f, "year", facet_json(ms, SCH_SLOT_YEAR, 1));
            json_object_set_new(ans, "facets", f);
        }
    } else
        json_decref(hits);
    xc_mset_free(ms);
    xc_enquire_free(enq);
    return rc;
}

/* A copy of the query text, cut at max_query bytes (at a UTF-8 boundary). */
static char *cut_query(const srch_engine *e, const char *q)
{
    size_t len = q ? strlen(q) : 0, max = e->opt.max_query_bytes;
    if (len > max) {
        len = max;
        while (len > 0 && ((unsigned char)q[len] & 0xC0) == 0x80)
            len--;
    }
    return strndup(q ? q : "", len);
}

/* Runs text instead of a query that found nothing (first page only). When
 * it has hits, its answer replaces *ans, marked with flag ("corrected",
 * "completed"), and *nhits is set. Returns the xc status of the search. */
static int rescue(srch_engine *e, const srch_request *req, const char *text, txt_lang lang,
                  xc_query *rfilter, uint32_t limit, const char *flag, json_t **ans,
                  uint32_t *nhits)
{
    srch_parsed p;
    if (srch_parse(e, text, strlen(text), lang, &p) != SRCH_OK)
        return e->parse_rc; /* out of memory: the first answer stands; a
                               read that met a commit: tried again */
    json_t *other = json_object();
    json_object_set_new(other, "ok", json_true());
    uint32_t n = 0;
    srch_totals_hash key;
    count_key(req, text, lang, &key);
    int rc = run(e, req, &p, rfilter, 0, limit, 1, &key, other, &n);
    if (rc == XC_OK && n > 0) {
        json_decref(*ans);
        *ans = other;
        json_object_set_new(other, flag, json_true());
        *nhits = n;
    } else
        json_decref(other);
    srch_parsed_free(&p);
    return rc;
}

/* 1 if q ends in a word of at least SRCH_MIN_WILDCARD letters or digits
 * typed up to its end (no space, quote, parenthesis or '*' after it, no
 * field or operator in it): a word the visitor may still be typing. */
static int last_word_open(const char *q)
{
    size_t len = strlen(q), ws = len;
    while (ws > 0 && q[ws - 1] != ' ' && q[ws - 1] != '\t')
        ws--;
    if (len - ws < SRCH_MIN_WILDCARD)
        return 0;
    for (size_t i = ws; i < len; i++) {
        unsigned char c = (unsigned char)q[i];
        if (c == '*' || c == '"' || c == '(' || c == ')' || c == ':' || c == '-' || c == '+')
            return 0;
    }
    unsigned char last = (unsigned char)q[len - 1];
    return last >= 0x80 || (last >= '0' && last <= '9') || (last >= 'a' && last <= 'z') ||
           (last >= 'A' && last <= 'Z');
}

int srch_search(srch_engine *e, const srch_request *req, json_t **out)
{
    double t0 = srch_now();
    if (!e || !req || !out)
        return SRCH_ERR_INTERNAL;
    *out = NULL;
    budget_start(e);
    int st = ready(e);
    if (st != SRCH_OK)
        return st;
    uint32_t limit = req->limit == SRCH_LIMIT_DEFAULT ? e->opt.default_limit : req->limit;
    if (limit > e->opt.max_limit)
        limit = e->opt.max_limit;
    uint32_t offset = req->offset > SRCH_MAX_OFFSET ? SRCH_MAX_OFFSET : req->offset;
    txt_lang lang = req->lang ? txt_lang_parse(req->lang) : TXT_LANG_NONE;
    char *q = cut_query(e, req->q);
    if (!q)
        return SRCH_ERR_INTERNAL;
    /* No language given: a query long enough to tell (a question, with its
     * stopwords) is stemmed in its own language only; stems of the other
     * language would match unrelated words and dilute the weights. Short
     * queries keep both languages. */
    if (lang == TXT_LANG_NONE) {
        size_t words = 0;
        for (const char *c = q; *c; c++)
            if (*c != ' ' && (c == q || c[-1] == ' '))
                words++;
        if (words >= 4)
            lang = txt_detect_lang(q, strlen(q), TXT_LANG_NONE);
    }
    int result = SRCH_OK;
    for (int attempt = 0; attempt < MODIFIED_TRIES; attempt++) {
        srch_parsed p;
        xc_query *rfilter = NULL;
        json_t *ans = json_object();
        e->parse_rc = XC_OK;
        st = request_filter(e, req, &rfilter);
        if (st == SRCH_OK)
            st = srch_parse(e, q, strlen(q), lang, &p);
        else
            memset(&p, 0, sizeof p);
        e->t.parse_ms += (srch_now() - t0) * 1000.0;
        if (st != SRCH_OK) {
            json_decref(ans);
            xc_query_free(rfilter);
            srch_parsed_free(&p);
            if (st == SRCH_ERR_UNAVAILABLE && e->parse_rc != XC_OK) {
                /* the parse's reads met a commit: as a failed match */
                int a = after_failure(e, e->parse_rc, attempt);
                if (a == RETRY)
                    continue;
                st = a;
            }
            result = st;
            break;
        }
        json_object_set_new(ans, "ok", json_true());
        uint32_t nhits = 0;
        srch_totals_hash key;
        count_key(req, q, lang, &key);
        int rc = run(e, req, &p, rfilter, offset, limit, 1, &key, ans, &nhits);
        char *sugg = NULL, *search = NULL;
        if (rc == XC_OK && p.has_text) {
            double ts = srch_now();
            sugg = srch_spelling(e, q, &p, &search);
            e->t.spelling_ms += (srch_now() - ts) * 1000.0;
        }
        if (rc == XC_OK && sugg && nhits == 0 && offset == 0)
            /* No hits: the corrected query's hits (with both corrections
               of a word whose nearest English and French ones tie), flagged. */
            rc = rescue(e, req, search ? search : sugg, lang, rfilter, limit, "corrected", &ans,
                        &nhits);
        free(search);
        if (rc == XC_OK && nhits == 0 && offset == 0 && p.has_text && last_word_open(q)) {
            /* Still no hits, and the query ends in a word being typed
               ("restr"): the hits of that word as a prefix ("restr*"),
               flagged, as a search box that searches as one types. */
            size_t ql = strlen(q);
            char *q2 = malloc(ql + 2);
            if (q2) {
                memcpy(q2, q, ql);
                memcpy(q2 + ql, "*", 2);
                rc = rescue(e, req, q2, lang, rfilter, limit, "completed", &ans, &nhits);
                free(q2);
            }
        }
        srch_parsed_free(&p);
        xc_query_free(rfilter);
        if (rc != XC_OK) {
            free(sugg);
            json_decref(ans);
            int a = after_failure(e, rc, attempt);
            if (a == RETRY)
                continue;
            result = a;
            break;
        }
        if (e->stopped && nhits == 0) {
            /* the time was up (or the client gone) before any hit */
            free(sugg);
            json_decref(ans);
            set_err(e,
                    e->stopped == SRCH_STOP_CANCEL
                        ? "the client went away"
                        : "the search took more than query_time_limit (%u ms) without a hit",
                    e->opt.query_time_limit);
            result = SRCH_ERR_TIMEOUT;
            break;
        }
        if (e->stopped)
            json_object_set_new(ans, "partial", json_true());
        add_missing(e, ans);
        json_object_set_new(ans, "offset", json_integer(offset));
        json_object_set_new(ans, "limit", json_integer(limit));
        json_object_set_new(ans, "suggestion", sugg ? json_string(sugg) : json_null());
        free(sugg);
        json_object_set_new(ans, "took_ms", json_real(ms_since(t0)));
        *out = ans;
        break;
    }
    free(q);
    e->t.searches++;
    e->t.total_ms += (srch_now() - t0) * 1000.0;
    return result;
}

/* ---- suggest ---------------------------------------------------------------- */

typedef struct {
    char *term;
    uint32_t freq;
} cand;

static int cand_cmp(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->freq != y->freq)
        return x->freq < y->freq ? 1 : -1;
    return strcmp(x->term, y->term);
}

#define SUGGEST_SCAN 5000

static int suggest_once(srch_engine *e, const char *q, uint32_t limit, json_t *ans)
{
    size_t len = strlen(q);
    size_t ws = len;
    while (ws > 0 && q[ws - 1] != ' ' && q[ws - 1] != '\t')
        ws--;
    json_t *comp = json_array();
    json_object_set_new(ans, "completions", comp);
    txt_options opt = {TXT_LANG_NONE, TXT_LANG_NONE, 1};
    txt_result r;
    int rc = XC_OK;
    if (ws < len && txt_analyse(e->an, q + ws, len - ws, &opt, 1, &r) == TXT_OK && r.ntokens > 0) {
        const txt_token *t = &r.tokens[r.ntokens - 1];
        char *prefix = strndup(t->word, t->len);
        xc_iter *it = NULL;
        cand *c = calloc(SUGGEST_SCAN, sizeof *c);
        size_t nc = 0;
        /* (the first SUGGEST_SCAN words of the prefix only are read) */
        if (prefix && c && (rc = xc_db_allterms_max(e->db, prefix, SUGGEST_SCAN, &it)) == XC_OK) {
            const char *term;
            size_t tl;
            uint32_t freq;
            while (nc < SUGGEST_SCAN && (rc = xc_iter_next(it, &term, &tl, &freq, NULL)) == XC_OK) {
                c[nc].term = strndup(term, tl);
                c[nc].freq = freq;
                if (c[nc].term)
                    nc++;
            }
            if (rc == XC_DONE)
                rc = XC_OK;
            if (nc == SUGGEST_SCAN)
                rc = XC_OK;
        }
        xc_iter_free(it);
        qsort(c, nc, sizeof *c, cand_cmp);
        char *head = strndup(q, ws);
        /* The lexicon holds folded words; show each with its accents as the
           archive mostly writes it ("résidence", not "residence"). */
        srch_speller *sp = nc ? srch_engine_speller(e) : NULL;
        for (size_t i = 0; i < nc && i < limit && head; i++) {
            const char *shown = sp ? srch_speller_accented(sp, c[i].term, c[i].term) : NULL;
            if (!shown)
                shown = c[i].term;
            size_t n = strlen(head) + strlen(shown) + 1;
            char *s = malloc(n);
            if (s) {
                snprintf(s, n, "%s%s", head, shown);
                json_array_append_new(comp, json_string(s));
            }
            free(s);
        }
        free(head);
        for (size_t i = 0; i < nc; i++)
            free(c[i].term);
        free(c);
        free(prefix);
    }
    if (rc != XC_OK)
        return rc;
    /* Top titles: the text with its last word as a prefix. */
    json_t *titles = json_array();
    json_object_set_new(ans, "titles", titles);
    size_t n = len + 2;
    char *wq = malloc(n);
    if (!wq)
        return XC_ERR_NOMEM;
    snprintf(wq, n, "%s%s", q, (ws < len && len - ws >= SRCH_MIN_WILDCARD) ? "*" : "");
    srch_parsed p;
    if (srch_parse(e, wq, strlen(wq), TXT_LANG_NONE, &p) == SRCH_OK && p.query) {
        srch_request req;
        srch_request_init(&req);
        json_t *tmp = json_object();
        uint32_t nh = 0;
        rc = run(e, &req, &p, NULL, 0, limit, 0, NULL, tmp, &nh);
        json_t *hits = json_object_get(tmp, "hits");
        size_t i;
        json_t *h;
        json_array_foreach(hits, i, h)
        {
            json_array_append_new(titles, json_pack("{s:O,s:O,s:O}", "id", json_object_get(h, "id"),
                                                    "title", json_object_get(h, "title"), "url",
                                                    json_object_get(h, "url")));
        }
        json_decref(tmp);
    }
    srch_parsed_free(&p);
    free(wq);
    return rc;
}

int srch_suggest(srch_engine *e, const char *prefix, uint32_t limit, json_t **out)
{
    double t0 = srch_now();
    if (!e || !out)
        return SRCH_ERR_INTERNAL;
    *out = NULL;
    budget_start(e);
    int st = ready(e);
    if (st != SRCH_OK)
        return st;
    if (limit == 0)
        limit = SRCH_SUGGEST_DEFAULT;
    if (limit > SRCH_SUGGEST_MAX)
        limit = SRCH_SUGGEST_MAX;
    char *q = cut_query(e, prefix);
    if (!q)
        return SRCH_ERR_INTERNAL;
    for (int attempt = 0; attempt < MODIFIED_TRIES; attempt++) {
        json_t *ans = json_object();
        json_object_set_new(ans, "ok", json_true());
        int rc = suggest_once(e, q, limit, ans);
        if (rc != XC_OK) {
            json_decref(ans);
            int a = after_failure(e, rc, attempt);
            if (a == RETRY)
                continue;
            free(q);
            return a;
        }
        if (e->stopped)
            json_object_set_new(ans, "partial", json_true());
        add_missing(e, ans);
        json_object_set_new(ans, "took_ms", json_real(ms_since(t0)));
        *out = ans;
        break;
    }
    free(q);
    return SRCH_OK;
}

/* ---- doc and stats -------------------------------------------------------------- */

/* The document of the post whose id term is term: with a live delta, the
 * one copy a search would find (a tombstone is no post). */
static int srch_delta_doc(srch_engine *e, const char *term, xc_doc **doc)
{
    *doc = NULL;
    if (!e->delta_hide)
        return xc_db_get_document_by_term(e->db, term, doc);
    xc_query *q = NULL;
    xc_enquire *enq = NULL;
    xc_mset *ms = NULL;
    int rc = xc_query_term(term, strlen(term), 1, 0, &q);
    if (rc == XC_OK)
        rc = new_enquire(e, q, &enq);
    if (rc == XC_OK)
        rc = xc_enquire_get_mset(enq, 0, 1, 0, &ms);
    if (rc == XC_OK)
        rc = xc_mset_size(ms) ? xc_mset_document(ms, 0, doc) : XC_ERR_NOT_FOUND;
    xc_mset_free(ms);
    xc_enquire_free(enq);
    xc_query_free(q);
    return rc;
}

int srch_doc(srch_engine *e, const char *id, json_t **out)
{
    if (!e || !out)
        return SRCH_ERR_INTERNAL;
    *out = NULL;
    if (!id || !id[0]) {
        set_err(e, "missing id");
        return SRCH_ERR_BAD_REQUEST;
    }
    int st = ready(e);
    if (st != SRCH_OK)
        return st;
    size_t n = strlen(SCH_ID) + strlen(id) + 1;
    char *term = malloc(n);
    if (!term)
        return SRCH_ERR_INTERNAL;
    snprintf(term, n, "%s%s", SCH_ID, id);
    for (int attempt = 0; attempt < MODIFIED_TRIES; attempt++) {
        xc_doc *doc = NULL;
        const char *data;
        size_t len;
        int rc = srch_delta_doc(e, term, &doc);
        if (rc == XC_ERR_NOT_FOUND) {
            set_err(e,
                    e->nmissing ? "no post with id \"%s\" in the shards that answer"
                                : "no post with id \"%s\"",
                    id);
            free(term);
            return SRCH_ERR_NOT_FOUND;
        }
        if (rc == XC_OK)
            rc = srch_record(doc, &data, &len);
        if (rc == XC_OK) {
            json_error_t jerr;
            json_t *d = json_loadb(data, len, 0, &jerr);
            xc_doc_free(doc);
            free(term);
            if (!d) {
                set_err(e, "stored data of \"%s\" is not JSON", id);
                return SRCH_ERR_INTERNAL;
            }
            *out = json_pack("{s:b,s:o}", "ok", 1, "doc", d);
            return SRCH_OK;
        }
        xc_doc_free(doc);
        int a = after_failure(e, rc, attempt);
        if (a == RETRY)
            continue;
        free(term);
        return a;
    }
    free(term);
    return SRCH_ERR_INTERNAL;
}

int srch_stats(srch_engine *e, json_t **out)
{
    if (!e || !out)
        return SRCH_ERR_INTERNAL;
    *out = NULL;
    int st = ready(e);
    if (st != SRCH_OK)
        return st;
    for (int attempt = 0; attempt < MODIFIED_TRIES; attempt++) {
        uint32_t count = 0;
        uint64_t rev = 0;
        char *last = NULL;
        size_t ll = 0;
        int rc = xc_db_doccount(e->db, &count);
        count -= srch_delta_hidden(e) < count ? srch_delta_hidden(e) : count;
        if (rc == XC_OK)
            rc = xc_db_revision(e->db, &rev);
        if (rc == XC_OK)
            rc = xc_db_get_metadata(e->db, SCH_META_LAST_INDEX, &last, &ll);
        /* with shards, the latest of their runs (ISO 8601 UTC times order
           as strings) */
        for (size_t i = 0; rc == XC_OK && i < e->nshards; i++) {
            char *one = NULL;
            size_t ol = 0;
            if (!e->shards[i].db)
                continue;
            rc = xc_db_get_metadata(e->shards[i].db, SCH_META_LAST_INDEX, &one, &ol);
            if (rc == XC_OK && one && (!last || strcmp(one, last) > 0)) {
                free(last);
                last = one;
                one = NULL;
            }
            free(one);
        }
        json_t *ans = NULL;
        if (rc == XC_OK) {
            srch_request req;
            srch_parsed p;
            memset(&p, 0, sizeof p);
            srch_request_init(&req);
            req.facets = 1;
            xc_query *all = NULL;
            xc_query_match_all(&all);
            p.filter = all; /* match everything, by date */
            json_t *tmp = json_object();
            uint32_t nh;
            rc = run(e, &req, &p, NULL, 0, 1, 0, NULL, tmp, &nh);
            srch_parsed_free(&p);
            json_t *f = json_object_get(tmp, "facets");
            ans = json_pack("{s:b,s:I,s:I,s:s?,s:O?,s:O?}", "ok", 1, "posts", (json_int_t)count,
                            "revision", (json_int_t)rev, "last_indexed",
                            last && last[0] ? last : NULL, "langs", json_object_get(f, "lang"),
                            "categories", json_object_get(f, "category"));
            if (ans && !json_object_get(ans, "last_indexed"))
                json_object_set_new(ans, "last_indexed", json_null());
            json_decref(tmp);
        }
        free(last);
        if (rc == XC_OK) {
            if (ans && xc_db_is_remote(e->db))
                /* requests this engine's thread sent to remote shards and
                   waited for (each a round trip): for tests and benchmarks */
                json_object_set_new(ans, "remote_round_trips",
                                    json_integer((json_int_t)xc_remote_trips()));
            if (ans)
                add_missing(e, ans);
            *out = ans;
            return ans ? SRCH_OK : SRCH_ERR_INTERNAL;
        }
        json_decref(ans);
        int a = after_failure(e, rc, attempt);
        if (a == RETRY)
            continue;
        return a;
    }
    return SRCH_ERR_INTERNAL;
}

void srch_engine_sync(srch_engine *e, uint64_t gen)
{
    if (!e || gen == e->sync_gen)
        return;
    e->sync_gen = gen;
    e->last_reopen = -1e9; /* the next request reopens (ready()) */
}
