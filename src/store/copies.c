/* copies.c: the live delta's documents kept in memory for the fold (see
 * copies.h). An id map gives each id a slot of the document array; freed
 * slots are found again by a scan from a hint, the array being small (the
 * store's bound, STORE_COPIES_MAX). */
#include <config.h>

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "store/copies.h"

void copies_init(store_copies *c, size_t max)
{
    memset(c, 0, sizeof *c);
    idmap_init(&c->index);
    c->max = max;
}

void copies_cancel(store_copies *c)
{
    for (size_t i = 0; i < c->nrun; i++) {
        free(c->run[i].id);
        xc_doc_free(c->run[i].doc);
    }
    c->nrun = 0;
}

void copies_clear(store_copies *c)
{
    copies_cancel(c);
    free(c->run);
    for (size_t i = 0; i < c->nslots; i++)
        xc_doc_free(c->slots[i]);
    free(c->slots);
    idmap_free(&c->index);
    size_t max = c->max;
    copies_init(c, max);
}

int copies_note_change(store_copies *c, const char *id, xc_doc *doc)
{
    if (c->nrun == c->caprun) {
        size_t nc = c->caprun ? c->caprun * 2 : 16;
        copies_note *r = realloc(c->run, nc * sizeof *r);
        if (!r)
            goto fail;
        c->run = r;
        c->caprun = nc;
    }
    char *dup = strdup(id);
    if (!dup)
        goto fail;
    c->run[c->nrun].id = dup;
    c->run[c->nrun].doc = doc;
    c->nrun++;
    return 0;
fail:
    /* No note: the id's older copy must not outlive this change. A note
     * of a delete, without its document, is all that is needed; failing
     * that too, the commit cannot tell, so every copy goes. */
    xc_doc_free(doc);
    copies_clear(c);
    return -1;
}

/* The copy of id dropped, if any. */
static void drop(store_copies *c, const char *id, size_t len)
{
    const idmap_entry *e = idmap_get(&c->index, id, len);
    if (!e)
        return;
    uint32_t slot = e->n;
    assert(slot < c->nslots && c->slots[slot]);
    xc_doc_free(c->slots[slot]);
    c->slots[slot] = NULL;
    c->count--;
    idmap_remove(&c->index, id, len);
}

/* A free slot (growing the array), or -1. */
static long free_slot(store_copies *c)
{
    if (c->count < c->nslots)
        for (size_t i = 0; i < c->nslots; i++)
            if (!c->slots[i])
                return (long)i;
    if (c->nslots == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 64;
        xc_doc **s = realloc(c->slots, nc * sizeof *s);
        if (!s)
            return -1;
        c->slots = s;
        c->cap = nc;
    }
    c->slots[c->nslots] = NULL;
    return (long)c->nslots++;
}

void copies_commit(store_copies *c)
{
    for (size_t i = 0; i < c->nrun; i++) {
        copies_note *n = &c->run[i];
        size_t len = strlen(n->id);
        drop(c, n->id, len);
        if (n->doc && c->count < c->max) {
            long slot = free_slot(c);
            idmap_entry *e;
            int added;
            if (slot >= 0 && idmap_put(&c->index, n->id, len, &e, &added) == 0) {
                e->n = (uint32_t)slot;
                c->slots[slot] = n->doc;
                c->count++;
                n->doc = NULL;
            }
        }
        xc_doc_free(n->doc);
        free(n->id);
    }
    c->nrun = 0;
}

xc_doc *copies_take(store_copies *c, const char *id)
{
    size_t len = strlen(id);
    const idmap_entry *e = idmap_get(&c->index, id, len);
    if (!e)
        return NULL;
    uint32_t slot = e->n;
    xc_doc *d = c->slots[slot];
    c->slots[slot] = NULL;
    c->count--;
    idmap_remove(&c->index, id, len);
    return d;
}
