/* idmap.c: the store's id table (see idmap.h). Linear probing, grown at
 * half full; keys hashed with FNV-1a. */
#include <config.h>

#include "store/idmap.h"

#include <stdlib.h>
#include <string.h>

uint64_t idmap_fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

void idmap_init(idmap *m)
{
    m->slots = NULL;
    m->cap = 0;
    m->count = 0;
}

void idmap_free(idmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
    idmap_init(m);
}

static size_t find_slot(const idmap_entry *slots, size_t cap, const char *key, size_t len)
{
    size_t i = (size_t)idmap_fnv1a(IDMAP_FNV_INIT, key, len) & (cap - 1);
    while (slots[i].key && !(strlen(slots[i].key) == len && memcmp(slots[i].key, key, len) == 0))
        i = (i + 1) & (cap - 1);
    return i;
}

const idmap_entry *idmap_get(const idmap *m, const char *key, size_t len)
{
    if (m->cap == 0)
        return NULL;
    size_t i = find_slot(m->slots, m->cap, key, len);
    return m->slots[i].key ? &m->slots[i] : NULL;
}

static int grow(idmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 1024;
    idmap_entry *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].key)
            continue;
        size_t j = find_slot(ns, ncap, m->slots[i].key, strlen(m->slots[i].key));
        ns[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return 0;
}

int idmap_put(idmap *m, const char *key, size_t len, idmap_entry **entry, int *added)
{
    if ((m->count + 1) * 2 > m->cap && grow(m) != 0)
        return -1;
    size_t i = find_slot(m->slots, m->cap, key, len);
    *added = 0;
    if (!m->slots[i].key) {
        char *k = malloc(len + 1);
        if (!k)
            return -1;
        memcpy(k, key, len);
        k[len] = '\0';
        m->slots[i].key = k;
        m->slots[i].hash[0] = '\0';
        m->slots[i].n = 0;
        m->count++;
        *added = 1;
    }
    *entry = &m->slots[i];
    return 0;
}

int idmap_remove(idmap *m, const char *key, size_t len)
{
    if (m->cap == 0)
        return 0;
    size_t mask = m->cap - 1;
    size_t i = find_slot(m->slots, m->cap, key, len);
    if (!m->slots[i].key)
        return 0;
    free(m->slots[i].key);
    m->slots[i].key = NULL;
    m->count--;
    /* Backward shift: an entry after the hole moves into it unless its
     * home slot lies cyclically in (hole, entry], where a lookup still
     * reaches it without passing the hole. */
    for (size_t j = (i + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
        const char *k = m->slots[j].key;
        size_t home = (size_t)idmap_fnv1a(IDMAP_FNV_INIT, k, strlen(k)) & mask;
        int stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (stays)
            continue;
        m->slots[i] = m->slots[j];
        m->slots[j].key = NULL;
        i = j;
    }
    return 1;
}
