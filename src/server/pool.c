/* pool.c: worker threads, each with its own srch_engine, a bounded job
 * queue and a done queue returned to the loop through uv_async.
 *
 * A job wakes the worker that went idle last (a stack of idle workers,
 * each waiting on its own condition variable): at low load the same thread,
 * with its engine and caches warm, answers request after request, instead
 * of the workers taking turns as one shared condition variable would make
 * them. Threads out of work spin a while before they sleep (see
 * "spinning" below). */
#include <config.h>

#include <assert.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/pool.h"

typedef struct worker worker;
struct worker {
    srv_pool *pool;
    pthread_cond_t cv;
    int idle;          /* 1: on the idle stack */
    worker *below;     /* next on the idle stack */
};

struct srv_pool {
    pthread_mutex_t mu;
    worker *workers;
    worker *idle_top;  /* the worker that went idle last */
    srv_job *head, *tail;
    unsigned depth, queue_max;
    int stopping;
    pthread_t *threads;
    unsigned nthreads;
    /* Engine settings; generation bumps on reconfigure, db_generation
     * when the database path changes with it. */
    char *db_path;
    const srch_options *opt;
    unsigned generation, db_generation;
    /* Finished jobs. */
    pthread_mutex_t done_mu;
    srv_job *done_head, *done_tail;
    uv_async_t async;
    void (*on_done)(srv_job *, void *);
    void *arg;
    /* Spinning (see srv_pool_set_spin): */
    unsigned spin_us;
    atomic_uint queued;   /* depth, for spinning workers to read unlocked */
    unsigned spinning;    /* workers spinning for a job (under mu) */
    uv_idle_t idle;       /* active while the loop spins */
    unsigned inflight;    /* jobs submitted and not yet drained (loop thread) */
    uint64_t spin_until;  /* the loop spins until then after a job is done */
    unsigned peak;        /* most jobs in flight at once lately (since peak_ns) */
    uint64_t peak_ns;
    unsigned ncores;
    int closing;          /* handles still to close before p is freed */
};

uint64_t srv_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- spinning -------------------------------------------------------------
 *
 * Handing a request from the loop to a worker and back costs two thread
 * wake-ups, and a wake-up of a thread whose core went idle is slow on a
 * virtual machine (about 50 microseconds measured on the 2-core VM of
 * doc/ARCHITECTURE.md, against 3 on one core): with a client that waits for
 * each answer (the loop woken by its request, the client by the answer),
 * four such wake-ups made most of the daemon's own cost. So a
 * thread that runs out of work first spins for a while (spin_us,
 * sched_yield between looks, so that any other runnable thread of its core
 * goes first) before it sleeps: a worker waiting for the next job, the loop
 * for a while after it answered (the client's next request), and the loop
 * while jobs run, but only when they and as many clients leave it a core
 * (2 x the most jobs in flight lately <= cores): spinning beside two
 * searches and their clients on two cores took a third of the daemon's
 * throughput. At full load nobody spins: the workers always have a job.
 * 0 turns it off. */

#define PEAK_WINDOW_NS 20000000u /* "lately": 20 ms */

static int loop_should_spin(const srv_pool *p)
{
    if (!p->spin_us)
        return 0;
    if (p->inflight > 0)
        return 2 * p->peak <= p->ncores;
    return srv_now_ns() < p->spin_until;
}

/* Called on the loop thread when a job is submitted. */
static void note_peak(srv_pool *p)
{
    uint64_t now = srv_now_ns();
    if (p->inflight > p->peak || now - p->peak_ns > PEAK_WINDOW_NS) {
        p->peak = p->inflight;
        p->peak_ns = now;
    }
}

static void on_loop_spin(uv_idle_t *h)
{
    srv_pool *p = h->data;
    if (!loop_should_spin(p))
        uv_idle_stop(h);
    else
        sched_yield();
}

static void loop_spin_update(srv_pool *p)
{
    if (loop_should_spin(p))
        uv_idle_start(&p->idle, on_loop_spin); /* no-op when active */
}

static void drain_done(uv_async_t *a)
{
    srv_pool *p = a->data;
    pthread_mutex_lock(&p->done_mu);
    srv_job *j = p->done_head;
    p->done_head = p->done_tail = NULL;
    pthread_mutex_unlock(&p->done_mu);
    for (srv_job *k = j; k; k = k->next) {
        assert(p->inflight > 0); /* every job done was counted when submitted */
        p->inflight--;
    }
    if (j)
        p->spin_until = srv_now_ns() + (uint64_t)p->spin_us * 1000u;
    while (j) {
        srv_job *next = j->next;
        p->on_done(j, p->arg);
        j = next;
    }
    loop_spin_update(p);
}

/* A worker with no job spins up to spin_us for one (mu held on entry and
 * on return). */
static void worker_spin(srv_pool *p)
{
    unsigned us = p->spin_us;
    if (!us || p->head || p->stopping)
        return;
    p->spinning++;
    pthread_mutex_unlock(&p->mu);
    uint64_t until = srv_now_ns() + (uint64_t)us * 1000u;
    while (atomic_load_explicit(&p->queued, memory_order_acquire) == 0 && srv_now_ns() < until)
        sched_yield();
    pthread_mutex_lock(&p->mu);
    p->spinning--;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    srv_pool *p = w->pool;
    srch_engine *engine = NULL;
    unsigned gen = 0, db_gen = 0;
    int have = 0;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        worker_spin(p);
        while (!p->head && !p->stopping) {
            if (!w->idle) {
                assert(w != p->idle_top);
                w->idle = 1;
                w->below = p->idle_top;
                p->idle_top = w;
            }
            pthread_cond_wait(&w->cv, &p->mu);
        }
        if (!p->head) {
            pthread_mutex_unlock(&p->mu);
            break;
        }
        srv_job *j = p->head;
        assert(p->depth > 0 && p->tail != NULL);
        p->head = j->next;
        if (!p->head)
            p->tail = NULL;
        p->depth--;
        assert((p->depth == 0) == (p->head == NULL));
        atomic_store_explicit(&p->queued, p->depth, memory_order_release);
        if (!have || db_gen != p->db_generation) {
            /* Made under the lock so the settings cannot change meanwhile. */
            srch_engine_free(engine);
            engine = NULL;
            have = srch_engine_new(p->db_path, p->opt, &engine) == SRCH_OK;
            if (!have)
                engine = NULL; /* out of memory: try again on the next job */
            gen = p->generation;
            db_gen = p->db_generation;
        } else if (gen != p->generation) {
            /* The same database: the engine keeps its handle, which goes on
             * answering while the path is swapped under a reload. */
            srch_engine_set_options(engine, p->opt);
            gen = p->generation;
        }
        pthread_mutex_unlock(&p->mu);
        j->next = NULL;
        j->work(j, engine);
        pthread_mutex_lock(&p->done_mu);
        if (p->done_tail)
            p->done_tail->next = j;
        else
            p->done_head = j;
        p->done_tail = j;
        pthread_mutex_unlock(&p->done_mu);
        uv_async_send(&p->async);
    }
    srch_engine_free(engine);
    return NULL;
}

static void pool_closed(uv_handle_t *h)
{
    srv_pool *p = h->data;
    if (--p->closing == 0)
        free(p);
}

int srv_pool_start(srv_pool **out, uv_loop_t *loop, unsigned n, unsigned queue_max,
                   const char *db_path, const srch_options *opt,
                   void (*on_done)(srv_job *, void *), void *arg)
{
    srv_pool *p = calloc(1, sizeof *p);
    if (!p)
        return -1;
    pthread_mutex_init(&p->mu, NULL);
    pthread_mutex_init(&p->done_mu, NULL);
    assert(queue_max > 0 && n > 0);
    p->queue_max = queue_max;
    p->db_path = strdup(db_path ? db_path : "");
    p->opt = opt;
    p->on_done = on_done;
    p->arg = arg;
    uv_async_init(loop, &p->async, drain_done);
    p->async.data = p;
    uv_idle_init(loop, &p->idle);
    p->idle.data = p;
    long nc = sysconf(_SC_NPROCESSORS_ONLN);
    p->ncores = nc > 0 ? (unsigned)nc : 1;
    atomic_init(&p->queued, 0);
    /* Jobs keep their connections open; the async alone keeps nothing alive. */
    uv_unref((uv_handle_t *)&p->async);
    uv_unref((uv_handle_t *)&p->idle);
    p->threads = calloc(n, sizeof *p->threads);
    p->workers = calloc(n, sizeof *p->workers);
    for (unsigned i = 0; i < n && p->threads && p->workers; i++) {
        p->workers[i].pool = p;
        pthread_cond_init(&p->workers[i].cv, NULL);
        if (pthread_create(&p->threads[i], NULL, worker_main, &p->workers[i]) != 0) {
            pthread_cond_destroy(&p->workers[i].cv);
            break;
        }
        p->nthreads++;
    }
    if (p->nthreads == 0) {
        srv_pool_stop(p);
        return -1;
    }
    *out = p;
    return 0;
}

int srv_pool_submit(srv_pool *p, srv_job *job)
{
    assert(job && job->work);
    pthread_mutex_lock(&p->mu);
    if (p->depth >= p->queue_max || p->stopping) {
        pthread_mutex_unlock(&p->mu);
        return -1;
    }
    job->next = NULL;
    job->enqueued_ns = srv_now_ns();
    if (p->tail)
        p->tail->next = job;
    else
        p->head = job;
    p->tail = job;
    p->depth++;
    atomic_store_explicit(&p->queued, p->depth, memory_order_release);
    p->inflight++;
    /* a spinning worker takes the job without a wake-up */
    assert(p->spinning <= p->nthreads && p->depth <= p->queue_max);
    worker *w = p->spinning >= p->depth ? NULL : p->idle_top;
    if (w) {
        assert(w->idle);
        p->idle_top = w->below;
        w->idle = 0;
        pthread_cond_signal(&w->cv);
    }
    pthread_mutex_unlock(&p->mu);
    note_peak(p);
    loop_spin_update(p);
    return 0;
}

unsigned srv_pool_depth(srv_pool *p)
{
    pthread_mutex_lock(&p->mu);
    unsigned d = p->depth;
    pthread_mutex_unlock(&p->mu);
    return d;
}

void srv_pool_reconfigure(srv_pool *p, const char *db_path, const srch_options *opt)
{
    pthread_mutex_lock(&p->mu);
    if (!p->db_path || strcmp(p->db_path, db_path ? db_path : "") != 0)
        p->db_generation++;
    free(p->db_path);
    p->db_path = strdup(db_path ? db_path : "");
    p->opt = opt;
    p->generation++;
    pthread_mutex_unlock(&p->mu);
}

void srv_pool_set_queue_max(srv_pool *p, unsigned queue_max)
{
    assert(queue_max > 0);
    pthread_mutex_lock(&p->mu);
    p->queue_max = queue_max;
    pthread_mutex_unlock(&p->mu);
}

void srv_pool_stop(srv_pool *p)
{
    pthread_mutex_lock(&p->mu);
    assert(!p->stopping);
    p->stopping = 1;
    for (unsigned i = 0; i < p->nthreads; i++)
        pthread_cond_signal(&p->workers[i].cv);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->nthreads; i++) {
        pthread_join(p->threads[i], NULL);
        pthread_cond_destroy(&p->workers[i].cv);
    }
    drain_done(&p->async);
    assert(p->head == NULL && p->depth == 0 && p->inflight == 0);
    free(p->threads);
    free(p->workers);
    free(p->db_path);
    pthread_mutex_destroy(&p->mu);
    pthread_mutex_destroy(&p->done_mu);
    /* The handles are closed by the loop, which frees p after both. */
    p->closing = 2;
    uv_close((uv_handle_t *)&p->idle, pool_closed);
    uv_close((uv_handle_t *)&p->async, pool_closed);
}

void srv_pool_set_spin(srv_pool *p, unsigned spin_us)
{
    pthread_mutex_lock(&p->mu);
    p->spin_us = spin_us;
    pthread_mutex_unlock(&p->mu);
}
