/* queue.h: a bounded queue between two threads, internal to the store (the
 * run's reader and its writer or builders). Items are opaque pointers, each
 * with a cost (1 for a count bound, bytes for a size bound); a push waits
 * while the queue is not empty and the item would take it over its bound,
 * so one item larger than the bound still passes, alone.
 *
 * Ending: the producer calls store_queue_close() after its last push
 * (store_queue_pop() then drains what is left and returns NULL). Either side
 * calls store_queue_stop() to abandon it: pushes fail at once (the caller
 * keeps its item), pops return NULL, waiting threads wake up; what was
 * queued stays for store_queue_take() so that the owner can free it.
 *
 * Threads: any number of pushers and poppers; every function but
 * store_queue_init() and store_queue_destroy() may run concurrently.
 * The queue never frees an item.
 */
#ifndef SOCASMA_STORE_QUEUE_H
#define SOCASMA_STORE_QUEUE_H

#include <pthread.h>
#include <stddef.h>

typedef struct store_queue_node store_queue_node;

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t nonempty, nonfull;
    store_queue_node *head, *tail;
    size_t cost, max_cost; /* the queued items' total cost, and its bound */
    size_t n;
    int closed;
    int stopped;
} store_queue;

/* max_cost >= 1. Returns 0, or -1 if the mutex or conditions cannot be made. */
int store_queue_init(store_queue *q, size_t max_cost);
/* Frees the nodes still queued (not their items: take them first). */
void store_queue_destroy(store_queue *q);

/* Appends item (not NULL) of the given cost, waiting for room. Returns 0,
 * or -1 when the queue was stopped or closed, or out of memory (the item
 * is not queued: the caller still owns it). */
int store_queue_push(store_queue *q, void *item, size_t cost);
/* The oldest item, waiting for one; NULL once the queue is closed and
 * empty, or stopped. */
void *store_queue_pop(store_queue *q);
/* The oldest item without waiting, whatever the state (NULL if empty): to
 * free what a stopped queue holds. */
void *store_queue_take(store_queue *q);

void store_queue_close(store_queue *q);
void store_queue_stop(store_queue *q);
/* 1 once store_queue_stop() was called. */
int store_queue_stopped(store_queue *q);

#endif
