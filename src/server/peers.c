/* peers.c: how many TCP connections each client address holds, for the
 * per-address limit (max_connections_per_ip): a small chained hash table
 * of addresses with a count, an entry freed when its count drops to 0, so
 * its size follows the connections open. Loop thread only. */
#include <config.h>

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "server/server.h"

struct srv_peer {
    srv_peer *next;
    unsigned count;
    char addr[];
};

/* FNV-1a */
static size_t bucket(const char *addr)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)addr; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h % SRV_PEER_BUCKETS;
}

void srv_peers_init(srv_peers *t)
{
    memset(t, 0, sizeof *t);
}

unsigned srv_peers_add(srv_peers *t, const char *addr)
{
    srv_peer **b = &t->b[bucket(addr)];
    for (srv_peer *p = *b; p; p = p->next)
        if (strcmp(p->addr, addr) == 0)
            return ++p->count;
    size_t n = strlen(addr) + 1;
    srv_peer *p = malloc(sizeof *p + n);
    if (!p)
        return 0;
    memcpy(p->addr, addr, n);
    p->count = 1;
    p->next = *b;
    *b = p;
    return 1;
}

unsigned srv_peers_count(const srv_peers *t, const char *addr)
{
    for (const srv_peer *p = t->b[bucket(addr)]; p; p = p->next)
        if (strcmp(p->addr, addr) == 0)
            return p->count;
    return 0;
}

void srv_peers_remove(srv_peers *t, const char *addr)
{
    for (srv_peer **pp = &t->b[bucket(addr)]; *pp; pp = &(*pp)->next) {
        srv_peer *p = *pp;
        if (strcmp(p->addr, addr) == 0) {
            assert(p->count > 0);
            if (--p->count == 0) {
                *pp = p->next;
                free(p);
            }
            return;
        }
    }
    assert(!"srv_peers_remove: an address that was not added");
}

void srv_peers_free(srv_peers *t)
{
    for (size_t i = 0; i < SRV_PEER_BUCKETS; i++) {
        srv_peer *p = t->b[i];
        while (p) {
            srv_peer *next = p->next;
            free(p);
            p = next;
        }
        t->b[i] = NULL;
    }
}
