/* queue.c: the store's bounded queue between threads (see queue.h): a
 * linked list under one mutex, two conditions. */
#include <config.h>

#include "store/queue.h"

#include <assert.h>
#include <stdlib.h>

struct store_queue_node {
    void *item;
    size_t cost;
    store_queue_node *next;
};

int store_queue_init(store_queue *q, size_t max_cost)
{
    assert(max_cost >= 1);
    q->head = q->tail = NULL;
    q->cost = 0;
    q->max_cost = max_cost;
    q->n = 0;
    q->closed = q->stopped = 0;
    if (pthread_mutex_init(&q->mu, NULL) != 0)
        return -1;
    if (pthread_cond_init(&q->nonempty, NULL) != 0) {
        pthread_mutex_destroy(&q->mu);
        return -1;
    }
    if (pthread_cond_init(&q->nonfull, NULL) != 0) {
        pthread_cond_destroy(&q->nonempty);
        pthread_mutex_destroy(&q->mu);
        return -1;
    }
    return 0;
}

void store_queue_destroy(store_queue *q)
{
    for (store_queue_node *nd = q->head, *nx; nd; nd = nx) {
        nx = nd->next;
        free(nd);
    }
    q->head = q->tail = NULL;
    pthread_cond_destroy(&q->nonfull);
    pthread_cond_destroy(&q->nonempty);
    pthread_mutex_destroy(&q->mu);
}

int store_queue_push(store_queue *q, void *item, size_t cost)
{
    assert(item != NULL);
    store_queue_node *nd = malloc(sizeof *nd);
    if (!nd)
        return -1;
    nd->item = item;
    nd->cost = cost;
    nd->next = NULL;
    pthread_mutex_lock(&q->mu);
    while (q->head && q->cost + cost > q->max_cost && !q->stopped && !q->closed)
        pthread_cond_wait(&q->nonfull, &q->mu);
    int ok = !q->stopped && !q->closed;
    if (ok) {
        if (q->tail)
            q->tail->next = nd;
        else
            q->head = nd;
        q->tail = nd;
        q->cost += cost;
        q->n++;
        pthread_cond_signal(&q->nonempty);
    }
    pthread_mutex_unlock(&q->mu);
    if (!ok)
        free(nd);
    return ok ? 0 : -1;
}

/* With the mutex held: unlinks the head. */
static void *unlink_head(store_queue *q)
{
    store_queue_node *nd = q->head;
    if (!nd)
        return NULL;
    q->head = nd->next;
    if (!q->head)
        q->tail = NULL;
    assert(q->cost >= nd->cost && q->n > 0);
    q->cost -= nd->cost;
    q->n--;
    void *item = nd->item;
    free(nd);
    /* Several pushers may wait for room of different sizes. */
    pthread_cond_broadcast(&q->nonfull);
    return item;
}

void *store_queue_pop(store_queue *q)
{
    pthread_mutex_lock(&q->mu);
    while (!q->head && !q->closed && !q->stopped)
        pthread_cond_wait(&q->nonempty, &q->mu);
    void *item = q->stopped ? NULL : unlink_head(q);
    pthread_mutex_unlock(&q->mu);
    return item;
}

void *store_queue_take(store_queue *q)
{
    pthread_mutex_lock(&q->mu);
    void *item = unlink_head(q);
    pthread_mutex_unlock(&q->mu);
    return item;
}

void store_queue_close(store_queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->closed = 1;
    pthread_cond_broadcast(&q->nonempty);
    pthread_cond_broadcast(&q->nonfull);
    pthread_mutex_unlock(&q->mu);
}

void store_queue_stop(store_queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->stopped = 1;
    pthread_cond_broadcast(&q->nonempty);
    pthread_cond_broadcast(&q->nonfull);
    pthread_mutex_unlock(&q->mu);
}

int store_queue_stopped(store_queue *q)
{
    pthread_mutex_lock(&q->mu);
    int s = q->stopped;
    pthread_mutex_unlock(&q->mu);
    return s;
}
