/* copies.c: the live delta's documents kept in memory for the fold (see
 * copies.h). An id map gives each id a slot of the document array; a free
 * slot is found by a scan, the array being small (a few thousand slots at
 * most under the store's bound), and the array starts over once a fold
 * has taken every copy. */
#include <config.h>

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "store/copies.h"

/* What each distinct term of a document costs Xapian beyond its bytes: a
 * map node, a std::string and a positions vector (calibrated on the medium
 * archive: 1,000 copies of 1.2 KB posts took 33 MB of the daemon's RSS). */
#define COPIES_TERM_BYTES 128
/* Per position (a 32-bit entry, with the vector's growth), and per byte of
 * text (the record and the values hold the post's text again). */
#define COPIES_POSITION_BYTES 8
#define COPIES_TEXT_BYTES 2

size_t copies_estimate(size_t nterms, size_t term_bytes, size_t npositions, size_t text_bytes)
{
    return nterms * COPIES_TERM_BYTES + term_bytes + npositions * COPIES_POSITION_BYTES +
           text_bytes * COPIES_TEXT_BYTES;
}

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
        xc_doc_free(c->run[i].d.doc);
    }
    c->nrun = 0;
}

void copies_clear(store_copies *c)
{
    copies_cancel(c);
    free(c->run);
    for (size_t i = 0; i < c->nslots; i++)
        xc_doc_free(c->slots[i].doc);
    free(c->slots);
    idmap_free(&c->index);
    size_t max = c->max;
    copies_init(c, max);
}

int copies_note_change(store_copies *c, const char *id, xc_doc *doc, size_t bytes)
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
    c->run[c->nrun].d.doc = doc;
    c->run[c->nrun].d.bytes = bytes;
    c->nrun++;
    return 0;
fail:
    /* Unnoted, the id's older copy would outlive this change: every copy
     * goes (the fold reads them all from the delta). */
    xc_doc_free(doc);
    copies_clear(c);
    return -1;
}

/* The copy of id taken out of the set (NULL if none). */
static xc_doc *take(store_copies *c, const char *id, size_t len)
{
    const idmap_entry *e = idmap_get(&c->index, id, len);
    if (!e)
        return NULL;
    copies_doc *d = &c->slots[e->n];
    assert(e->n < c->nslots && d->doc);
    xc_doc *doc = d->doc;
    c->bytes -= d->bytes;
    c->count--;
    *d = (copies_doc){NULL, 0};
    idmap_remove(&c->index, id, len);
    return doc;
}

/* A free slot (growing the array), or -1. */
static long free_slot(store_copies *c)
{
    if (c->count == 0)
        c->nslots = 0;
    for (size_t i = 0; c->count < c->nslots && i < c->nslots; i++)
        if (!c->slots[i].doc)
            return (long)i;
    if (c->nslots == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 64;
        copies_doc *s = realloc(c->slots, nc * sizeof *s);
        if (!s)
            return -1;
        c->slots = s;
        c->cap = nc;
    }
    c->slots[c->nslots] = (copies_doc){NULL, 0};
    return (long)c->nslots++;
}

void copies_commit(store_copies *c)
{
    for (size_t i = 0; i < c->nrun; i++) {
        copies_note *n = &c->run[i];
        size_t len = strlen(n->id);
        xc_doc_free(take(c, n->id, len));
        if (n->d.doc && c->bytes <= c->max && n->d.bytes <= c->max - c->bytes) {
            long slot = free_slot(c);
            idmap_entry *e;
            int added;
            if (slot >= 0 && idmap_put(&c->index, n->id, len, &e, &added) == 0) {
                e->n = (uint32_t)slot;
                c->slots[slot] = n->d;
                c->bytes += n->d.bytes;
                c->count++;
                n->d.doc = NULL;
            }
        }
        xc_doc_free(n->d.doc);
        free(n->id);
    }
    c->nrun = 0;
}

xc_doc *copies_take(store_copies *c, const char *id)
{
    return take(c, id, strlen(id));
}
