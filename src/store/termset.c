/* termset.c: the distinct terms of a document with their wdf and
 * positions, written to Xapian in one call (see termset.h). */
#include <config.h>

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "store/idmap.h"
#include "store/termset.h"

void store_termset_clear(store_termset *ts)
{
    if (ts->slots && ts->n)
        memset(ts->slots, 0, ts->nslots * sizeof *ts->slots);
    ts->n = 0;
    ts->nbytes = 0;
    ts->nocc = 0;
}

void store_termset_free(store_termset *ts)
{
    free(ts->bytes);
    free(ts->e);
    free(ts->slots);
    free(ts->occ);
    free(ts->pos);
    free(ts->out);
    memset(ts, 0, sizeof *ts);
}

/* Grows *p (of *cap elements of size sz) to hold at least need; 0 or -1. */
static int grow(void **p, size_t *cap, size_t need, size_t sz, size_t first)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : first;
    while (nc < need)
        nc *= 2;
    void *np = realloc(*p, nc * sz);
    if (!np)
        return -1;
    *p = np;
    *cap = nc;
    return 0;
}

/* Doubles the hash table (or makes its first one) and puts every entry back. */
static int rehash(store_termset *ts)
{
    uint32_t ns = ts->nslots ? 2 * ts->nslots : 1024;
    uint32_t *s = calloc(ns, sizeof *s);
    if (!s)
        return -1;
    for (uint32_t i = 0; i < ts->n; i++) {
        uint32_t k = (uint32_t)ts->e[i].hash & (ns - 1);
        while (s[k])
            k = (k + 1) & (ns - 1);
        s[k] = i + 1;
    }
    free(ts->slots);
    ts->slots = s;
    ts->nslots = ns;
    return 0;
}

int store_termset_add(store_termset *ts, const char *term, size_t len, int has_pos, uint32_t pos,
                      uint32_t wdf)
{
    assert(len > 0 && len <= 245); /* Xapian's limit, checked by the caller */
    if (has_pos && grow((void **)&ts->occ, &ts->capocc, ts->nocc + 1, sizeof *ts->occ, 1024))
        return -1;
    if (2 * (ts->n + 1) > ts->nslots && rehash(ts))
        return -1;
    uint64_t h = idmap_fnv1a(IDMAP_FNV_INIT, term, len);
    uint32_t mask = ts->nslots - 1, k = (uint32_t)h & mask, idx;
    for (;;) {
        idx = ts->slots[k];
        if (!idx)
            break;
        const store_term_entry *x = &ts->e[idx - 1];
        if (x->hash == h && x->len == len && memcmp(ts->bytes + x->off, term, len) == 0)
            break;
        k = (k + 1) & mask;
    }
    if (!idx) {
        size_t cap = ts->cap;
        if (grow((void **)&ts->e, &cap, (size_t)ts->n + 1, sizeof *ts->e, 512) ||
            grow((void **)&ts->bytes, &ts->capbytes, ts->nbytes + len, 1, 8192))
            return -1;
        ts->cap = (uint32_t)cap;
        memcpy(ts->bytes + ts->nbytes, term, len);
        ts->e[ts->n] = (store_term_entry){h, ts->nbytes, (uint32_t)len, 0, 0, 0};
        ts->nbytes += len;
        idx = ++ts->n;
        ts->slots[k] = idx;
    }
    store_term_entry *x = &ts->e[idx - 1];
    x->wdf += wdf;
    if (has_pos) {
        x->npos++;
        ts->occ[ts->nocc++] = (store_term_occ){idx - 1, pos};
    }
    return 0;
}

int store_termset_write(store_termset *ts, xc_doc *doc)
{
    size_t capout = ts->capout;
    if (grow((void **)&ts->out, &capout, ts->n ? ts->n : 1, sizeof *ts->out, 512) ||
        grow((void **)&ts->pos, &ts->cappos, ts->nocc ? ts->nocc : 1, sizeof *ts->pos, 1024))
        return XC_ERR_NOMEM;
    ts->capout = (uint32_t)capout;
    /* Positions grouped by term, each term's in the order they were added. */
    uint32_t at = 0;
    for (uint32_t i = 0; i < ts->n; i++) {
        store_term_entry *x = &ts->e[i];
        x->pstart = at;
        at += x->npos;
        ts->out[i] = (xc_term){ts->bytes + x->off, x->len, x->wdf, ts->pos + x->pstart, x->npos};
        x->npos = 0; /* counts again below, as the fill index */
    }
    assert(at == ts->nocc);
    for (size_t i = 0; i < ts->nocc; i++) {
        store_term_entry *x = &ts->e[ts->occ[i].entry];
        ts->pos[x->pstart + x->npos++] = ts->occ[i].pos;
    }
    for (uint32_t i = 0; i < ts->n; i++)
        if (!ts->out[i].npos)
            ts->out[i].pos = NULL;
    int rc = xc_doc_add_terms(doc, ts->out, ts->n);
    store_termset_clear(ts);
    return rc;
}
