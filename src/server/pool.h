/* pool.h: the worker threads (internal to src/server). Each worker owns one
 * search engine; jobs wait in a bounded queue; finished jobs go to a done
 * queue and the event loop is woken with uv_async_send (which coalesces, so
 * the loop drains the whole done queue each time). Its declarations have
 * hidden visibility (the pragma below); server.h is the module's public
 * header. */
#ifndef SOCASMA_SERVER_POOL_H
#define SOCASMA_SERVER_POOL_H

#include <pthread.h>
#include <uv.h>

#include "search/search.h"

#pragma GCC visibility push(hidden)

typedef struct srv_job srv_job;
struct srv_job {
    srv_job *next;
    /* Runs on a worker with its engine (NULL if it could not be made). */
    void (*work)(srv_job *job, srch_engine *engine);
    uint64_t enqueued_ns;
};

typedef struct srv_pool srv_pool;

/* Starts n workers, each with an engine over db_path with the settings opt
 * (which must live until the pool stops or is reconfigured). on_done runs
 * on the loop thread for each finished job. */
int srv_pool_start(srv_pool **out, uv_loop_t *loop, unsigned n, unsigned queue_max,
                   const char *db_path, const srch_options *opt,
                   void (*on_done)(srv_job *job, void *arg), void *arg);
/* Queues a job; -1 when the queue is full (answer "overloaded"). */
int srv_pool_submit(srv_pool *p, srv_job *job);
/* Jobs waiting for a worker. */
unsigned srv_pool_depth(srv_pool *p);
/* New settings for the engines (SIGHUP: limits): before its next job, each
 * worker gives them to its engine, which keeps its database open, or makes
 * a new engine when db_path is another. opt is copied by the engines, under
 * the pool's lock: once this returns, the previous opt is no longer read. */
void srv_pool_reconfigure(srv_pool *p, const char *db_path, const srch_options *opt);
void srv_pool_set_queue_max(srv_pool *p, unsigned queue_max);
/* How long (microseconds) a worker without a job, and the loop while jobs
 * run or after one is done, spin before they sleep (pool.c says why);
 * 0: never. Call on the loop thread. */
void srv_pool_set_spin(srv_pool *p, unsigned spin_us);
/* Stops the workers (after the queue is empty) and frees the pool. */
void srv_pool_stop(srv_pool *p);

uint64_t srv_now_ns(void);

#pragma GCC visibility pop

#endif /* SOCASMA_SERVER_POOL_H */
