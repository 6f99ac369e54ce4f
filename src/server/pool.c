/* pool.c: worker threads, each with its own srch_engine, a bounded job
 * queue and a done queue returned to the loop through uv_async.
 *
 * A job wakes the worker that went idle last (a stack of idle workers,
 * each waiting on its own condition variable): at low load the same thread,
 * with its engine and caches warm, answers request after request, instead
 * of the workers taking turns as one shared condition variable would make
 * them. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

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
    /* Engine settings; generation bumps on reconfigure. */
    char *db_path;
    const cfg_config *cfg;
    unsigned generation;
    /* Finished jobs. */
    pthread_mutex_t done_mu;
    srv_job *done_head, *done_tail;
    uv_async_t async;
    void (*on_done)(srv_job *, void *);
    void *arg;
};

uint64_t srv_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void drain_done(uv_async_t *a)
{
    srv_pool *p = a->data;
    pthread_mutex_lock(&p->done_mu);
    srv_job *j = p->done_head;
    p->done_head = p->done_tail = NULL;
    pthread_mutex_unlock(&p->done_mu);
    while (j) {
        srv_job *next = j->next;
        p->on_done(j, p->arg);
        j = next;
    }
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    srv_pool *p = w->pool;
    srch_engine *engine = NULL;
    unsigned gen = 0;
    int have = 0;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->head && !p->stopping) {
            if (!w->idle) {
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
        p->head = j->next;
        if (!p->head)
            p->tail = NULL;
        p->depth--;
        if (!have || gen != p->generation) {
            /* Made under the lock so the settings cannot change meanwhile. */
            srch_engine_free(engine);
            engine = NULL;
            have = srch_engine_new(p->db_path, p->cfg, &engine) == SRCH_OK;
            if (!have)
                engine = NULL; /* out of memory: try again on the next job */
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
    free(h->data);
}

int srv_pool_start(srv_pool **out, uv_loop_t *loop, unsigned n, unsigned queue_max,
                   const char *db_path, const cfg_config *cfg,
                   void (*on_done)(srv_job *, void *), void *arg)
{
    srv_pool *p = calloc(1, sizeof *p);
    if (!p)
        return -1;
    pthread_mutex_init(&p->mu, NULL);
    pthread_mutex_init(&p->done_mu, NULL);
    p->queue_max = queue_max ? queue_max : 1;
    p->db_path = strdup(db_path ? db_path : "");
    p->cfg = cfg;
    p->on_done = on_done;
    p->arg = arg;
    uv_async_init(loop, &p->async, drain_done);
    p->async.data = p;
    /* Jobs keep their connections open; the async alone keeps nothing alive. */
    uv_unref((uv_handle_t *)&p->async);
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
    worker *w = p->idle_top;
    if (w) {
        p->idle_top = w->below;
        w->idle = 0;
        pthread_cond_signal(&w->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return 0;
}

unsigned srv_pool_depth(srv_pool *p)
{
    pthread_mutex_lock(&p->mu);
    unsigned d = p->depth;
    pthread_mutex_unlock(&p->mu);
    return d;
}

void srv_pool_reconfigure(srv_pool *p, const char *db_path, const cfg_config *cfg)
{
    pthread_mutex_lock(&p->mu);
    free(p->db_path);
    p->db_path = strdup(db_path ? db_path : "");
    p->cfg = cfg;
    p->generation++;
    pthread_mutex_unlock(&p->mu);
}

void srv_pool_set_queue_max(srv_pool *p, unsigned queue_max)
{
    pthread_mutex_lock(&p->mu);
    p->queue_max = queue_max ? queue_max : 1;
    pthread_mutex_unlock(&p->mu);
}

void srv_pool_stop(srv_pool *p)
{
    pthread_mutex_lock(&p->mu);
    p->stopping = 1;
    for (unsigned i = 0; i < p->nthreads; i++)
        pthread_cond_signal(&p->workers[i].cv);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->nthreads; i++) {
        pthread_join(p->threads[i], NULL);
        pthread_cond_destroy(&p->workers[i].cv);
    }
    drain_done(&p->async);
    free(p->threads);
    free(p->workers);
    free(p->db_path);
    pthread_mutex_destroy(&p->mu);
    pthread_mutex_destroy(&p->done_mu);
    /* The async handle is closed by the loop, which frees p afterwards. */
    uv_close((uv_handle_t *)&p->async, pool_closed);
}
