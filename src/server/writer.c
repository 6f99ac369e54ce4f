/* writer.c: the daemon's one writer thread (see writer.h): the queue of
 * `put` and `delete` requests, their checks, the group commit through
 * store/'s live run, the write lock taken while there is work and let go
 * after lock_idle, the live delta's folds (fold_posts, fold_ms, on a
 * thread of their own while the writes go on; all of it before the lock
 * is let go and before the daemon stops), the wait for another
 * writer's lock bounded by
 * write_timeout ("busy"), who may write (write mode, token file), and the
 * answers handed back to the loop after the commit. */
#include <config.h>

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "server/pool.h"
#include "server/server.h"
#include "server/writer.h"
#include "store/store.h"

/* How often a writer waiting for another writer's lock tries again. */
#define LOCK_RETRY_MS 25
/* How often an idle writer that holds the lock looks for a waiting one. */
#define AWAITED_LOOK_MS 100

/* A group waits for company (see run_group) only while writes keep coming:
 * this long without a new one ends the wait. */
#define GROUP_GAP_NS (3u * 1000000u)
/* How many recent groups tell how much company to wait for. */
#define GROUP_RECENT 8
/* Messages waiting for the loop at most (a burst past it is counted). */
#define MSG_MAX 16

enum { MODE_SOCKET, MODE_TOKEN, MODE_NONE };

struct srv_writer {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    int have_thread;
    srv_wjob *in_head, *in_tail; /* submitted, not yet taken by the thread */
    unsigned depth;              /* submitted and not yet answered */
    unsigned queue_max;
    int stopping;
    /* the thread's settings (under mu) */
    char *db_path;
    unsigned title_weight;
    size_t max_post_bytes;
    unsigned commit_interval_ms, lock_idle_ms, write_timeout_ms;
    unsigned fold_posts, fold_ms;
    /* who may write (the loop's) */
    int mode;
    char *token;
    char *primary; /* a replica's primary (primary =), NULL on the primary */
    atomic_uint_fast64_t gen;
    /* Searches in flight (srv_writer_read_begin): the generation each
     * began at, and whether it is protected (it met a commit once and the
     * writer now waits for it). Under rmu, as the bumps of gen. */
    pthread_mutex_t rmu;
    pthread_cond_t rcv;
    struct rslot {
        uint64_t gen;
        int used, prot;
    } *rslots;
    size_t nrslots;
    unsigned runtracked; /* readers without a slot (out of memory): waited for */
    unsigned rwaiting; /* threads waiting in wait_old_readers */
    /* answered jobs, for the loop */
    pthread_mutex_t done_mu;
    srv_wjob *done_head, *done_tail;
    uv_async_t async;
    void (*on_done)(srv_wjob *, void *);
    void *arg;
    /* Messages of the writer's and the fold's threads, for the loop (under
     * done_mu; at most MSG_MAX waiting, the others counted in msg_dropped). */
    struct wmsg {
        int error;
        char text[600];
    } msgs[MSG_MAX];
    unsigned nmsgs, msg_dropped;
    void (*on_log)(int error, const char *msg, void *arg);
    /* The writes of the last groups (the thread's own): a group waits
     * for as many as the largest of them had. */
    size_t recent[GROUP_RECENT];
    unsigned recent_next;
    /* What the groups cost (srv_writer_stats), under smu. */
    pthread_mutex_t smu;
    uint64_t groups, committed_writes, committed_changes;
    uint64_t folds, folded_posts, fold_failures;
    uint32_t delta_posts; /* documents in the delta now */
    /* The fold in progress on its own thread (the writer thread's; done
     * under mu, set by the fold thread when it has finished). */
    store_folding *fold;
    uint64_t fold_not_before; /* after failed folds: no new one before (ns) */
    unsigned fold_fail_streak;
    pthread_t fold_thread;
    int fold_thread_started;
    int fold_done;
    uint32_t fold_n;
    uint64_t fold_ns;
    store *first_store; /* opened at the start, for the thread */
    srv_latency lat_readers, lat_apply, lat_commit, lat_write, lat_fold;
    srv_latency lat_company, lat_commit_cpu, lat_answer;
};

void srv_wjob_free(srv_wjob *j)
{
    if (!j)
        return;
    json_decref(j->req);
    srch_write_free(j->write);
    free(j->text);
    free(j);
}

/* ---------- who may write ---------- */

static int mode_of(const char *s)
{
    if (s && strcmp(s, "token") == 0)
        return MODE_TOKEN;
    if (s && strcmp(s, "none") == 0)
        return MODE_NONE;
    return MODE_SOCKET;
}

/* The token of path: its first line without the blanks around it. */
static int read_token(const char *path, char **out, char *err, size_t errlen)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "write_token_file %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        snprintf(err, errlen, "write_token_file %s: not a regular file", path);
        return -1;
    }
    if (st.st_mode & S_IROTH) {
        fclose(f);
        snprintf(err, errlen,
                 "write_token_file %s is readable by every user: chmod o-r %s (the token "
                 "lets anyone who reads it change the index)",
                 path, path);
        return -1;
    }
    char line[1024];
    if (!fgets(line, sizeof line, f))
        line[0] = '\0';
    fclose(f);
    char *b = line;
    while (*b == ' ' || *b == '\t')
        b++;
    size_t n = strlen(b);
    while (n && (b[n - 1] == '\n' || b[n - 1] == '\r' || b[n - 1] == ' ' || b[n - 1] == '\t'))
        n--;
    if (n == 0) {
        snprintf(err, errlen, "write_token_file %s: empty (put a long random token in it)",
                 path);
        return -1;
    }
    if (!(*out = strndup(b, n))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* Equal strings, in a time that does not tell where they differ. */
static int same_secret(const char *a, size_t alen, const char *b, size_t blen)
{
    unsigned char d = (unsigned char)(alen != blen);
    for (size_t i = 0; i < alen; i++)
        d |= (unsigned char)(a[i] ^ (blen ? b[i % blen] : 0));
    return d == 0;
}

int srv_writer_allowed(const srv_writer *w, int over_tcp, const json_t *req, char *msg,
                       size_t len)
{
    if (w->primary) {
        /* a replica's database is the copy xapian-replicate keeps: a
         * write here would be lost at its next full copy */
        snprintf(msg, len, "this daemon is a replica; send writes to the primary at %s",
                 w->primary);
        return SRCH_ERR_FORBIDDEN;
    }
    if (w->mode == MODE_NONE) {
        snprintf(msg, len, "writes are disabled on this daemon (write = none)");
        return SRCH_ERR_FORBIDDEN;
    }
    struct stat st;
    if (stat(w->db_path, &st) == 0 && S_ISREG(st.st_mode)) {
        /* a stub file: the daemon searches several shards (doc/SCALING.md) */
        snprintf(msg, len, "this daemon searches several shards and writes to none: send the "
                           "write to the daemon of the post's shard, or index it with "
                           "socasma-index --shard N/M");
        return SRCH_ERR_FORBIDDEN;
    }
    if (!over_tcp)
        return SRCH_OK;
    if (w->mode != MODE_TOKEN || !w->token) {
        snprintf(msg, len, "writes are allowed only over the Unix socket (write = socket)");
        return SRCH_ERR_FORBIDDEN;
    }
    json_t *t = json_object_get(req, "token");
    if (!json_is_string(t)) {
        snprintf(msg, len, "a write over TCP needs \"token\"");
        return SRCH_ERR_FORBIDDEN;
    }
    if (!same_secret(json_string_value(t), json_string_length(t), w->token, strlen(w->token))) {
        snprintf(msg, len, "wrong token");
        return SRCH_ERR_FORBIDDEN;
    }
    return SRCH_OK;
}

size_t srv_writer_line_max(const cfg_config *cfg, int over_tcp)
{
    int mode = mode_of(cfg->write_mode);
    int may = mode != MODE_NONE && (!over_tcp || mode == MODE_TOKEN);
    return may && cfg->max_write_line > cfg->max_line ? cfg->max_write_line : cfg->max_line;
}

/* ---------- answers ---------- */

/* Hands j (answer set, or made from status and msg) to the loop. */
static void finish(srv_writer *w, srv_wjob *j, json_t *answer, int status, const char *msg)
{
    j->answered_ns = srv_now_ns();
    if (!answer)
        answer = srch_error_answer(j->req, status, msg);
    j->status = status;
    j->text = srch_answer_line(answer, &j->len, &j->status);
    pthread_mutex_lock(&w->done_mu);
    j->next = NULL;
    if (w->done_tail)
        w->done_tail->next = j;
    else
        w->done_head = j;
    w->done_tail = j;
    pthread_mutex_unlock(&w->done_mu);
    uv_async_send(&w->async);
}

/* From any thread of the writer: a message (error: a failure it survives,
 * otherwise a notice) for the loop, which hands it to on_log. */
static void say(srv_writer *w, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(srv_writer *w, int error, const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(&w->done_mu);
    if (w->nmsgs < MSG_MAX) {
        struct wmsg *m = &w->msgs[w->nmsgs++];
        m->error = error;
        va_start(ap, fmt);
        vsnprintf(m->text, sizeof m->text, fmt, ap);
        va_end(ap);
    } else {
        w->msg_dropped++;
    }
    pthread_mutex_unlock(&w->done_mu);
    uv_async_send(&w->async);
}

/* On the loop: the waiting messages to on_log. */
static void drain_messages(srv_writer *w)
{
    struct wmsg msgs[MSG_MAX];
    pthread_mutex_lock(&w->done_mu);
    unsigned n = w->nmsgs, dropped = w->msg_dropped;
    memcpy(msgs, w->msgs, n * sizeof msgs[0]);
    w->nmsgs = 0;
    w->msg_dropped = 0;
    pthread_mutex_unlock(&w->done_mu);
    if (!w->on_log)
        return;
    for (unsigned i = 0; i < n; i++)
        w->on_log(msgs[i].error, msgs[i].text, w->arg);
    if (dropped) {
        char text[80];
        snprintf(text, sizeof text, "the live writer dropped %u more messages", dropped);
        w->on_log(1, text, w->arg);
    }
}

/* On the loop: the writer's messages to on_log, the answered jobs to
 * on_done. */
static void drain_done(uv_async_t *a)
{
    srv_writer *w = a->data;
    drain_messages(w);
    pthread_mutex_lock(&w->done_mu);
    srv_wjob *j = w->done_head;
    w->done_head = w->done_tail = NULL;
    pthread_mutex_unlock(&w->done_mu);
    while (j) {
        srv_wjob *next = j->next;
        pthread_mutex_lock(&w->mu);
        assert(w->depth > 0);
        w->depth--;
        pthread_mutex_unlock(&w->mu);
        j->next = NULL;
        if (j->answered_ns) {
            pthread_mutex_lock(&w->smu);
            srv_latency_add(&w->lat_answer, (double)(srv_now_ns() - j->answered_ns) / 1e6);
            pthread_mutex_unlock(&w->smu);
        }
        w->on_done(j, w->arg);
        j = next;
    }
}

/* ---------- the thread ---------- */

typedef struct {
    srv_wjob *head, **tail;
} jlist;

static void jl_init(jlist *l)
{
    l->head = NULL;
    l->tail = &l->head;
}

static void jl_push(jlist *l, srv_wjob *j)
{
    j->next = NULL;
    *l->tail = j;
    l->tail = &j->next;
}

static srv_wjob *jl_pop(jlist *l)
{
    srv_wjob *j = l->head;
    if (j) {
        l->head = j->next;
        if (!l->head)
            l->tail = &l->head;
        j->next = NULL;
    }
    return j;
}

/* What the thread reads of the settings, copied under mu. */
typedef struct {
    unsigned title_weight;
    size_t max_post_bytes;
    uint64_t commit_ns, idle_ns, timeout_ns, fold_ns;
    unsigned fold_posts;
    int stopping;
} settings;

static void snapshot(srv_writer *w, settings *s)
{
    s->title_weight = w->title_weight;
    s->max_post_bytes = w->max_post_bytes;
    s->commit_ns = (uint64_t)w->commit_interval_ms * 1000000u;
    s->idle_ns = (uint64_t)w->lock_idle_ms * 1000000u;
    s->timeout_ns = (uint64_t)w->write_timeout_ms * 1000000u;
    s->fold_ns = (uint64_t)w->fold_ms * 1000000u;
    s->fold_posts = w->fold_posts;
    s->stopping = w->stopping;
}

/* Takes every submitted job (under mu). */
static srv_wjob *take_all(srv_writer *w)
{
    srv_wjob *j = w->in_head;
    w->in_head = w->in_tail = NULL;
    return j;
}

/* Checks the jobs of list: a bad one is answered, a good one joins ok. */
static void check_jobs(srv_writer *w, srv_wjob *list, const settings *s, jlist *ok)
{
    while (list) {
        srv_wjob *j = list;
        list = j->next;
        char msg[512];
        int st = srch_write_from_json(j->req, s->max_post_bytes, &j->write, msg, sizeof msg);
        if (st != SRCH_OK)
            finish(w, j, NULL, st, msg);
        else
            jl_push(ok, j);
    }
}

/* Waits on the condition until deadline (monotonic ns) or a signal. */
static void wait_until(srv_writer *w, uint64_t deadline)
{
    /* pthread_cond_timedwait takes CLOCK_REALTIME here (the condition's
     * default clock): the monotonic interval is added to the real time. */
    uint64_t now = srv_now_ns();
    uint64_t wait = deadline > now ? deadline - now : 0;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ns = (uint64_t)ts.tv_nsec + wait;
    ts.tv_sec += (time_t)(ns / 1000000000u);
    ts.tv_nsec = (long)(ns % 1000000000u);
    pthread_cond_timedwait(&w->cv, &w->mu, &ts);
}

/* Applies one checked job to the open run; res gets its counts. A failure
 * fails the run. */
static int apply_job(store *st, srv_wjob *j, srch_write_result *res)
{
    store_counts before, after;
    store_get_counts(st, &before);
    memset(res, 0, sizeof *res);
    const srch_write *wr = j->write;
    for (size_t i = 0; i < wr->nposts; i++) {
        int rc = store_put(st, wr->posts[i], NULL);
        if (rc != STORE_OK)
            return rc;
    }
    for (size_t i = 0; i < wr->nids; i++) {
        int found = 0;
        int rc = store_delete(st, wr->ids[i], &found);
        if (rc != STORE_OK)
            return rc;
        if (!found)
            res->missing++;
    }
    store_get_counts(st, &after);
    res->added = after.added - before.added;
    res->updated = after.updated - before.updated;
    res->unchanged = after.unchanged - before.unchanged;
    res->deleted = after.deleted - before.deleted;
    return STORE_OK;
}

/* ---------- the searches' revisions ---------- */

void srv_writer_read_begin(srv_writer *w, srv_read *r)
{
    r->gen = 0;
    r->slot = -1;
    if (!w)
        return;
    pthread_mutex_lock(&w->rmu);
    r->gen = atomic_load_explicit(&w->gen, memory_order_relaxed);
    size_t i = 0;
    while (i < w->nrslots && w->rslots[i].used)
        i++;
    if (i == w->nrslots) {
        size_t n = w->nrslots ? w->nrslots * 2 : 8;
        struct rslot *g = realloc(w->rslots, n * sizeof *g);
        if (g) {
            memset(g + w->nrslots, 0, (n - w->nrslots) * sizeof *g);
            w->rslots = g;
            w->nrslots = n;
        }
    }
    if (i < w->nrslots) {
        w->rslots[i] = (struct rslot){.gen = r->gen, .used = 1, .prot = 0};
        r->slot = (int)i;
    } else {
        w->runtracked++;
    }
    pthread_mutex_unlock(&w->rmu);
}

void srv_writer_read_protect(srv_writer *w, srv_read *r)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->rmu);
    r->gen = atomic_load_explicit(&w->gen, memory_order_relaxed);
    if (r->slot >= 0) {
        w->rslots[r->slot].gen = r->gen;
        w->rslots[r->slot].prot = 1;
    }
    pthread_mutex_unlock(&w->rmu);
}

void srv_writer_read_end(srv_writer *w, srv_read *r)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->rmu);
    if (r->slot >= 0) {
        assert((size_t)r->slot < w->nrslots && w->rslots[r->slot].used);
        w->rslots[r->slot].used = 0;
    } else {
        assert(w->runtracked > 0);
        w->runtracked--;
    }
    if (w->rwaiting)
        pthread_cond_broadcast(&w->rcv);
    pthread_mutex_unlock(&w->rmu);
    r->slot = -1;
}

/* A search that may still read a revision older than the last commit:
 * begun before it (all of them), or only the protected ones. */
static int old_reader(const srv_writer *w, uint64_t c, int only_protected)
{
    if (w->runtracked)
        return 1;
    for (size_t i = 0; i < w->nrslots; i++)
        if (w->rslots[i].used && w->rslots[i].gen < c && (!only_protected || w->rslots[i].prot))
            return 1;
    return 0;
}

/* Before the writer writes the blocks of commit c + 1 (gen c): Xapian may
 * then reuse the blocks that commit c freed, which the searches begun
 * before it (gen < c) may still read; they are let finish first. Before
 * a commit into the live delta only the protected ones are (see
 * srv_writer_read_protect): the others, if they meet the commit, are
 * tried again on the new revision, protected. Before a commit of the main
 * database (a fold, the open's), all of them. */
static void wait_old_readers(srv_writer *w, int only_protected)
{
    pthread_mutex_lock(&w->rmu);
    uint64_t c = atomic_load_explicit(&w->gen, memory_order_relaxed);
    w->rwaiting++;
    while (old_reader(w, c, only_protected))
        pthread_cond_wait(&w->rcv, &w->rmu);
    w->rwaiting--;
    pthread_mutex_unlock(&w->rmu);
}

static void bump_generation(srv_writer *w)
{
    pthread_mutex_lock(&w->rmu);
    atomic_fetch_add_explicit(&w->gen, 1, memory_order_release);
    pthread_mutex_unlock(&w->rmu);
}

/* Posts and ids a write named: what it asked to change. */
static uint64_t group_changes(const srch_write_result *r)
{
    return r->added + r->updated + r->unchanged + r->deleted + r->missing;
}

/* The processor time of the calling thread (ns). */
static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Answers every job of l with an error. */
static void fail_all(srv_writer *w, jlist *l, int status, const char *msg)
{
    srv_wjob *j;
    while ((j = jl_pop(l)))
        finish(w, j, NULL, status, msg);
}

/* One group: the pending jobs, and those arriving while it is applied (up
 * to commit_interval after it began), in one run and one commit. Returns 0,
 * or -1 when the store failed (closed: open it again). */
static int run_group(srv_writer *w, store *st, jlist *pend, settings *s)
{
    jlist group;
    jl_init(&group);
    srch_write_result *res = NULL;
    size_t nres = 0, capres = 0;
    uint64_t tw = srv_now_ns();
    wait_old_readers(w, 1);
    int rc = store_begin_live(st);
    uint64_t t0 = srv_now_ns();
    uint64_t last_arrival = t0, company = 0;
    size_t target = 1;
    for (unsigned k = 0; k < GROUP_RECENT; k++)
        if (w->recent[k] > target)
            target = w->recent[k];
    while (rc == STORE_OK) {
        srv_wjob *j = jl_pop(pend);
        if (!j) {
            /* Company that arrived meanwhile, within commit_interval. */
            uint64_t now = srv_now_ns();
            if (now - t0 >= s->commit_ns)
                break;
            pthread_mutex_lock(&w->mu);
            srv_wjob *more = take_all(w);
            if (!more && nres < target && !w->stopping) {
                /* Clients that put one post at a time send the next one
                 * as soon as they have their answer: when the last groups
                 * were larger than this one, the writers answered by the
                 * group before are likely on their way. Wait a little for
                 * them (while writes keep coming, within commit_interval)
                 * rather than commit alone and leave them the next commit:
                 * the groups would alternate, each half as large. */
                uint64_t until = last_arrival + GROUP_GAP_NS;
                if (until > t0 + s->commit_ns)
                    until = t0 + s->commit_ns;
                if (now < until) {
                    wait_until(w, until);
                    company += srv_now_ns() - now;
                    more = take_all(w);
                }
            }
            snapshot(w, s);
            pthread_mutex_unlock(&w->mu);
            if (!more)
                break;
            last_arrival = srv_now_ns();
            check_jobs(w, more, s, pend);
            continue;
        }
        if (nres == capres) {
            size_t nc = capres ? capres * 2 : 16;
            srch_write_result *r = realloc(res, nc * sizeof *r);
            if (!r) {
                jl_push(&group, j);
                rc = STORE_ERR_NOMEM;
                break;
            }
            res = r;
            capres = nc;
        }
        jl_push(&group, j);
        rc = apply_job(st, j, &res[nres++]);
    }
    uint64_t ta = srv_now_ns();
    uint64_t ca = thread_cpu_ns();
    if (rc == STORE_OK)
        rc = store_commit(st);
    uint64_t tc = srv_now_ns();
    uint64_t cc = thread_cpu_ns() - ca;
    uint64_t rev = 0;
    if (rc == STORE_OK && store_revision(st, &rev) != STORE_OK)
        rev = 0;
    if (rc != STORE_OK) {
        char msg[600];
        snprintf(msg, sizeof msg, "the write was not applied: %s", store_errmsg(st));
        store_cancel(st);
        free(res);
        fail_all(w, &group, rc == STORE_ERR_NOMEM ? SRCH_ERR_INTERNAL : SRCH_ERR_UNAVAILABLE,
                 msg);
        return -1;
    }
    /* Committed: the engines see it before any answer leaves. */
    bump_generation(w);
    w->recent[w->recent_next++ % GROUP_RECENT] = nres;
    uint64_t changes = 0;
    for (size_t k = 0; k < nres; k++)
        changes += group_changes(&res[k]);
    pthread_mutex_lock(&w->smu);
    w->groups++;
    w->committed_writes += nres;
    w->committed_changes += changes;
    srv_latency_add(&w->lat_readers, (double)(t0 - tw) / 1e6);
    srv_latency_add(&w->lat_apply, (double)(ta - t0 - company) / 1e6);
    srv_latency_add(&w->lat_company, (double)company / 1e6);
    srv_latency_add(&w->lat_commit_cpu, (double)cc / 1e6);
    srv_latency_add(&w->lat_commit, (double)(tc - ta) / 1e6);
    for (srv_wjob *q = group.head; q; q = q->next)
        srv_latency_add(&w->lat_write, (double)(tc - q->enqueued_ns) / 1e6);
    pthread_mutex_unlock(&w->smu);
    size_t i = 0;
    srv_wjob *j;
    while ((j = jl_pop(&group))) {
        srch_write_result *r = &res[i++];
        r->revision = rev;
        snprintf(j->note, sizeof j->note,
                 "added=%llu updated=%llu unchanged=%llu deleted=%llu missing=%llu",
                 (unsigned long long)r->added, (unsigned long long)r->updated,
                 (unsigned long long)r->unchanged, (unsigned long long)r->deleted,
                 (unsigned long long)r->missing);
        json_t *a = srch_write_answer(j->req, r);
        finish(w, j, a, a ? SRCH_OK : SRCH_ERR_INTERNAL, "out of memory");
    }
    free(res);
    return 0;
}

/* ---------- the folds of the live delta ---------- */

/* How much nicer than the daemon a fold thread runs (Linux: the nice value
 * of a thread alone): a fold is background work of a second or so, and the
 * searches and the writes, which wait on the wall clock, come first. */
#define FOLD_NICE 10

/* The calling thread's nice value raised by FOLD_NICE (a failure leaves it
 * as it was: only slower searches meanwhile). */
static void lower_priority(void)
{
    pid_t tid = (pid_t)syscall(SYS_gettid);
    errno = 0;
    int now = getpriority(PRIO_PROCESS, (id_t)tid);
    if (errno == 0)
        setpriority(PRIO_PROCESS, (id_t)tid, now + FOLD_NICE > 19 ? 19 : now + FOLD_NICE);
}

/* The fold thread: the frozen delta documents into the main database (a
 * commit of the main database: after every search older than the last
 * commit), then a new generation, so that the engines reopen. */
static void *fold_main(void *arg)
{
    srv_writer *w = arg;
    if (w->fold_thread_started)
        lower_priority();
    wait_old_readers(w, 0);
    uint64_t t0 = srv_now_ns();
    store_fold_run(w->fold);
    uint64_t t1 = srv_now_ns();
    bump_generation(w);
    pthread_mutex_lock(&w->mu);
    w->fold_ns = t1 - t0;
    w->fold_done = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* Records the end of a fold of n documents (rc: its status). */
static void fold_figures(srv_writer *w, store *st, int rc, uint32_t n, uint64_t ns)
{
    uint32_t left = 0;
    store_delta_size(st, &left);
    pthread_mutex_lock(&w->smu);
    if (rc == STORE_OK) {
        w->folds++;
        w->folded_posts += n;
        srv_latency_add(&w->lat_fold, (double)ns / 1e6);
    } else {
        w->fold_failures++;
    }
    w->delta_posts = left;
    pthread_mutex_unlock(&w->smu);
    if (rc != STORE_OK)
        say(w, 1, "the live delta could not be folded (kept, folded again later): %s",
            store_errmsg(st));
}

#define FOLD_RETRY_MIN_MS 250u
#define FOLD_RETRY_MAX_MS 60000u

/* Ends the fold of the thread, once it has finished (at once when wait is
 * 0 and it has not): the folded documents out of the delta, a commit of
 * the delta as the groups'. Returns 0, or -1 when the fold or the
 * removal failed (the delta is kept: folded again later). */
static int fold_finish(srv_writer *w, store *st, int wait)
{
    if (!w->fold)
        return 0;
    pthread_mutex_lock(&w->mu);
    int done = w->fold_done;
    pthread_mutex_unlock(&w->mu);
    if (!done && !wait)
        return 0;
    if (w->fold_thread_started)
        pthread_join(w->fold_thread, NULL);
    w->fold_thread_started = 0;
    wait_old_readers(w, 1);
    int rc = store_fold_end(st, w->fold);
    w->fold = NULL;
    bump_generation(w);
    fold_figures(w, st, rc, w->fold_n, w->fold_ns);
    /* A fold that failed is tried again after a pause that doubles with
     * each failure in a row (FOLD_RETRY_MIN_MS to FOLD_RETRY_MAX_MS): a
     * full disk would otherwise fail a fold after every group. */
    if (rc == STORE_OK) {
        w->fold_fail_streak = 0;
        w->fold_not_before = 0;
    } else {
        unsigned k = w->fold_fail_streak < 16 ? w->fold_fail_streak : 16;
        uint64_t ms = (uint64_t)FOLD_RETRY_MIN_MS << k;
        w->fold_not_before = srv_now_ns() + (ms < FOLD_RETRY_MAX_MS ? ms : FOLD_RETRY_MAX_MS) * 1000000u;
        w->fold_fail_streak++;
    }
    return rc == STORE_OK ? 0 : -1;
}

/* Starts a fold of what the delta holds on a thread of its own (or in
 * this one, when no thread can be had). */
static void fold_start(srv_writer *w, store *st)
{
    if (w->fold)
        return;
    store_folding *f = NULL;
    uint32_t n = 0;
    store_delta_size(st, &n);
    if (store_fold_begin(st, &f) != STORE_OK || !f)
        return;
    w->fold = f;
    w->fold_n = n;
    w->fold_done = 0;
    w->fold_ns = 0;
    w->fold_thread_started = 1; /* (read by fold_main) */
    if (pthread_create(&w->fold_thread, NULL, fold_main, w) == 0)
        return;
    w->fold_thread_started = 0;
    fold_main(w);
}

/* Everything the delta holds into the main database now (before the lock
 * is let go, and before the daemon stops): the fold in progress ended,
 * then the rest folded here. Returns 0, or -1 when a fold failed. */
static int fold_all(srv_writer *w, store *st)
{
    if (!st)
        return 0;
    int rc = fold_finish(w, st, 1);
    uint32_t n = 0;
    if (store_delta_size(st, &n) != STORE_OK || n == 0)
        return rc;
    fold_start(w, st);
    return fold_finish(w, st, 1) < 0 ? -1 : rc;
}

/* After a group: the fold that has finished ended; a new one begun when
 * the delta holds fold_posts documents, or its first one is fold_ms old;
 * while one runs, the writes wait for it only when the delta has grown to
 * DELTA_MAX_FOLDS times fold_posts (the folds cannot keep up). *first_ns:
 * when the delta got its first document since the last fold began (0:
 * none). */
#define DELTA_MAX_FOLDS 4
static int maybe_fold(srv_writer *w, store *st, const settings *s, uint64_t *first_ns)
{
    int rc = fold_finish(w, st, 0);
    uint32_t n = 0;
    if (store_delta_size(st, &n) != STORE_OK)
        return rc;
    pthread_mutex_lock(&w->smu);
    w->delta_posts = n;
    pthread_mutex_unlock(&w->smu);
    if (w->fold) {
        if (n >= (uint64_t)s->fold_posts * DELTA_MAX_FOLDS)
            rc = fold_finish(w, st, 1) < 0 ? -1 : rc;
        return rc;
    }
    if (n == 0) {
        *first_ns = 0;
        return rc;
    }
    uint64_t now = srv_now_ns();
    if (*first_ns == 0)
        *first_ns = now;
    if (n < s->fold_posts && now - *first_ns < s->fold_ns)
        return rc;
    if (now < w->fold_not_before)
        return rc; /* (failed folds: a pause first) */
    fold_start(w, st);
    *first_ns = 0;
    return rc;
}

/* Answers "busy" the jobs of l that waited longer than the timeout (all of
 * them when stopping). */
static void expire(srv_writer *w, jlist *l, const settings *s)
{
    jlist keep;
    jl_init(&keep);
    uint64_t now = srv_now_ns();
    srv_wjob *j;
    while ((j = jl_pop(l))) {
        if (s->stopping || now - j->enqueued_ns >= s->timeout_ns)
            finish(w, j, NULL, SRCH_ERR_BUSY,
                   s->stopping ? "the daemon is stopping and another writer holds the "
                                 "database: nothing was applied, retry later"
                               : "another writer (socasma-index?) holds the database: "
                                 "nothing was applied, retry later");
        else
            jl_push(&keep, j);
    }
    *l = keep;
    if (!l->head)
        l->tail = &l->head;
}

/* Opens the database for writing into *st. The open applies what a
 * killed daemon's journal holds (or folds an older daemon's delta): a
 * commit of the main database, as any other of the writer; what it
 * repaired goes to the log. A store status, the message in err. */
static int open_store(srv_writer *w, const settings *s, const char *db_path, store **st,
                      char *err, size_t errlen)
{
    store_options so = {.title_weight = s->title_weight, .live_delta = 1};
    wait_old_readers(w, 0);
    int rc = store_open(db_path, &so, st, err, errlen);
    if (rc != STORE_ERR_LOCKED)
        bump_generation(w); /* (the open may have written) */
    if (rc == STORE_OK && store_notice(*st)[0])
        say(w, 0, "%s", store_notice(*st));
    return rc;
}

/* Lets the write lock go (for socasma-index): the delta folded first, so
 * that nothing waits in it while another writer has the database. */
static void let_go(srv_writer *w, store **st, uint64_t *delta_since)
{
    fold_all(w, *st);
    store_close(*st);
    *st = NULL;
    *delta_since = 0;
}

static void *writer_main(void *arg)
{
    srv_writer *w = arg;
    store *st = w->first_store; /* (opened by srv_writer_start) */
    w->first_store = NULL;
    jlist pend;
    jl_init(&pend);
    uint64_t idle_since = srv_now_ns(), delta_since = 0;
    settings s;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->in_head && !pend.head && !w->stopping) {
            if (!st) {
                pthread_cond_wait(&w->cv, &w->mu);
                continue;
            }
            if (w->fold && w->fold_done) {
                /* the fold thread has finished: ended here */
                pthread_mutex_unlock(&w->mu);
                fold_finish(w, st, 0);
                pthread_mutex_lock(&w->mu);
                continue;
            }
            uint64_t deadline = idle_since + (uint64_t)w->lock_idle_ms * 1000000u;
            uint64_t now = srv_now_ns();
            if (now >= deadline || store_lock_awaited(w->db_path)) {
                /* Idle long enough, or a writer waits for the lock: let
                 * socasma-index have it. */
                pthread_mutex_unlock(&w->mu);
                if (now < deadline)
                    say(w, 0, "another writer waits for the database lock: let go");
                let_go(w, &st, &delta_since);
                pthread_mutex_lock(&w->mu);
                continue;
            }
            /* (awake now and then to look for a waiting writer) */
            uint64_t look = now + (uint64_t)AWAITED_LOOK_MS * 1000000u;
            wait_until(w, look < deadline ? look : deadline);
        }
        if (!w->in_head && !pend.head)
            break; /* stopping, nothing left */
        snapshot(w, &s);
        srv_wjob *taken = take_all(w);
        char *db_path = strdup(w->db_path);
        pthread_mutex_unlock(&w->mu);
        check_jobs(w, taken, &s, &pend);
        if (pend.head && !st) {
            char err[600] = "out of memory";
            /* a writer waiting for the lock goes first: as if it held it */
            int rc = !db_path                      ? STORE_ERR_NOMEM
                     : store_lock_awaited(db_path) ? STORE_ERR_LOCKED
                                                   : open_store(w, &s, db_path, &st, err, sizeof err);
            delta_since = 0;
            if (rc == STORE_ERR_LOCKED) {
                st = NULL;
                expire(w, &pend, &s);
                free(db_path);
                pthread_mutex_lock(&w->mu);
                if (pend.head && !w->in_head && !w->stopping)
                    wait_until(w, srv_now_ns() + (uint64_t)LOCK_RETRY_MS * 1000000u);
                continue;
            }
            if (rc != STORE_OK) {
                st = NULL;
                char msg[700];
                snprintf(msg, sizeof msg, "the database cannot be opened for writing: %s", err);
                fail_all(w, &pend, rc == STORE_ERR_NOMEM ? SRCH_ERR_INTERNAL
                                                         : SRCH_ERR_UNAVAILABLE,
                         msg);
            }
        }
        free(db_path);
        if (pend.head && st) {
            if (run_group(w, st, &pend, &s) < 0) {
                fold_finish(w, st, 1);
                store_close(st);
                st = NULL;
            } else if (store_lock_awaited(w->db_path)) {
                /* a writer waits for the lock (a stream of writes would
                 * keep it from it): the lock let go; the next writes
                 * wait until it has had its turn */
                say(w, 0, "another writer waits for the database lock: let go");
                let_go(w, &st, &delta_since);
            } else {
                maybe_fold(w, st, &s, &delta_since);
            }
            idle_since = srv_now_ns();
        }
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    fold_all(w, st); /* the daemon stops: nothing left in the delta */
    store_close(st);
    return NULL;
}

/* ---------- start, settings, stop ---------- */

static int apply_settings(srv_writer *w, const cfg_config *cfg, char *err, size_t errlen)
{
    int mode = mode_of(cfg->write_mode);
    char *token = NULL, *primary = NULL;
    if (cfg->primary && !(primary = strdup(cfg->primary))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (mode == MODE_TOKEN && !primary) {
        if (!cfg->write_token_file) {
            snprintf(err, errlen, "write = token needs write_token_file");
            return -1;
        }
        if (read_token(cfg->write_token_file, &token, err, errlen) < 0)
            return -1;
    }
    pthread_mutex_lock(&w->mu);
    w->title_weight = cfg->title_weight;
    w->max_post_bytes = cfg->max_post_bytes;
    w->commit_interval_ms = cfg->commit_interval_ms;
    w->lock_idle_ms = cfg->lock_idle_ms;
    w->write_timeout_ms = cfg->write_timeout_ms;
    w->fold_posts = cfg->fold_posts ? cfg->fold_posts : 1;
    w->fold_ms = cfg->fold_ms;
    w->queue_max = cfg->queue_max;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    /* mode, token and primary are the loop's */
    w->mode = mode;
    free(w->token);
    w->token = token;
    free(w->primary);
    w->primary = primary;
    return 0;
}

static void writer_closed(uv_handle_t *h)
{
    free(h->data);
}

int srv_writer_start(srv_writer **out, uv_loop_t *loop, const cfg_config *cfg,
                     void (*on_done)(srv_wjob *, void *),
                     void (*on_log)(int error, const char *msg, void *arg), void *arg, char *err,
                     size_t errlen)
{
    *out = NULL;
    srv_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->db_path = strdup(cfg->db_path ? cfg->db_path : ""))) {
        free(w);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    pthread_mutex_init(&w->mu, NULL);
    pthread_mutex_init(&w->done_mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    pthread_mutex_init(&w->rmu, NULL);
    pthread_cond_init(&w->rcv, NULL);
    pthread_mutex_init(&w->smu, NULL);
    srv_latency_init(&w->lat_readers);
    srv_latency_init(&w->lat_apply);
    srv_latency_init(&w->lat_commit);
    srv_latency_init(&w->lat_write);
    srv_latency_init(&w->lat_fold);
    srv_latency_init(&w->lat_company);
    srv_latency_init(&w->lat_commit_cpu);
    srv_latency_init(&w->lat_answer);
    atomic_init(&w->gen, 0);
    w->on_done = on_done;
    w->on_log = on_log;
    w->arg = arg;
    if (apply_settings(w, cfg, err, errlen) < 0) {
        pthread_mutex_destroy(&w->smu);
        pthread_mutex_destroy(&w->rmu);
        pthread_cond_destroy(&w->rcv);
        pthread_mutex_destroy(&w->mu);
        pthread_mutex_destroy(&w->done_mu);
        pthread_cond_destroy(&w->cv);
        free(w->db_path);
        free(w);
        return -1;
    }
    uv_async_init(loop, &w->async, drain_done);
    w->async.data = w;
    if (!w->primary && w->mode != MODE_NONE && store_recovery_pending(w->db_path)) {
        /* A daemon stopped without folding its journal (killed, or the
         * machine stopped): applied before any search is served, so that
         * none reads the delta it left (see store.h, LIVE DELTA). */
        settings s;
        snapshot(w, &s);
        char oerr[600];
        int rc = open_store(w, &s, w->db_path, &w->first_store, oerr, sizeof oerr);
        if (rc != STORE_OK) {
            w->first_store = NULL;
            if (rc != STORE_ERR_LOCKED) /* (locked: the other writer's to apply) */
                say(w, 1, "%s", oerr);
        }
    }
    drain_messages(w); /* (this is the loop's thread) */
    uv_unref((uv_handle_t *)&w->async); /* jobs keep their connections open */
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        snprintf(err, errlen, "cannot start the writer thread");
        srv_writer_stop(w);
        return -1;
    }
    w->have_thread = 1;
    *out = w;
    return 0;
}

int srv_writer_configure(srv_writer *w, const cfg_config *cfg, char *err, size_t errlen)
{
    return apply_settings(w, cfg, err, errlen);
}

int srv_writer_submit(srv_writer *w, srv_wjob *job)
{
    pthread_mutex_lock(&w->mu);
    if (w->depth >= w->queue_max || w->stopping) {
        pthread_mutex_unlock(&w->mu);
        return -1;
    }
    job->next = NULL;
    job->enqueued_ns = srv_now_ns();
    if (w->in_tail)
        w->in_tail->next = job;
    else
        w->in_head = job;
    w->in_tail = job;
    w->depth++;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return 0;
}

uint64_t srv_writer_generation(const srv_writer *w)
{
    return w ? atomic_load_explicit(&((srv_writer *)w)->gen, memory_order_acquire) : 0;
}

/* {"p50":..,"p99":..,"max":..} of l, in ms to the microsecond. */
static json_t *lat_json(const srv_latency *l)
{
    double v[3] = {srv_latency_percentile(l, 50), srv_latency_percentile(l, 99),
                   srv_latency_percentile(l, 100)};
    for (int i = 0; i < 3; i++)
        v[i] = (double)(long long)(v[i] * 1000.0 + 0.5) / 1000.0;
    return json_pack("{s:f,s:f,s:f}", "p50", v[0], "p99", v[1], "max", v[2]);
}

json_t *srv_writer_stats(srv_writer *w)
{
    unsigned depth = srv_writer_depth(w);
    pthread_mutex_lock(&w->smu);
    json_t *o = json_pack(
        "{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}}", "groups",
        (json_int_t)w->groups, "writes", (json_int_t)w->committed_writes, "changes",
        (json_int_t)w->committed_changes, "queue_depth", (json_int_t)depth, "delta_posts",
        (json_int_t)w->delta_posts, "folds", (json_int_t)w->folds, "folded_posts",
        (json_int_t)w->folded_posts, "fold_failures", (json_int_t)w->fold_failures, "ms", "write",
        lat_json(&w->lat_write), "wait_searches", lat_json(&w->lat_readers), "apply",
        lat_json(&w->lat_apply), "commit", lat_json(&w->lat_commit), "fold",
        lat_json(&w->lat_fold), "company", lat_json(&w->lat_company), "commit_cpu",
        lat_json(&w->lat_commit_cpu), "answer", lat_json(&w->lat_answer));
    pthread_mutex_unlock(&w->smu);
    return o;
}

const char *srv_writer_primary(const srv_writer *w)
{
    return w ? w->primary : NULL;
}

unsigned srv_writer_depth(srv_writer *w)
{
    pthread_mutex_lock(&w->mu);
    unsigned d = w->depth;
    pthread_mutex_unlock(&w->mu);
    return d;
}

void srv_writer_stop(srv_writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    if (w->have_thread)
        pthread_join(w->thread, NULL);
    store_close(w->first_store); /* (the thread never started) */
    w->first_store = NULL;
    drain_done(&w->async);
    assert(w->in_head == NULL && w->depth == 0);
    pthread_mutex_destroy(&w->mu);
    pthread_mutex_destroy(&w->done_mu);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->rmu);
    pthread_cond_destroy(&w->rcv);
    pthread_mutex_destroy(&w->smu);
    free(w->db_path);
    free(w->token);
    free(w->primary);
    free(w->rslots);
    /* The loop closes the handle and frees w. */
    uv_close((uv_handle_t *)&w->async, writer_closed);
}
