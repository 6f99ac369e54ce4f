/* termset.h: the distinct terms of one document being built, each with its
 * summed wdf and its positions, handed to Xapian in one call
 * (xc_doc_add_terms) instead of one call per occurrence: Xapian's
 * Document keeps its terms in an ordered map, and every add_posting or
 * add_term is a lookup in it with a new std::string.
 *
 * Internal to the store (document.c). One set per store_worker, emptied
 * and reused from document to document, so its arrays grow to the largest
 * post once. Not thread-safe: one set, one thread. */
#ifndef SOCASMA_STORE_TERMSET_H
#define SOCASMA_STORE_TERMSET_H

#include <stddef.h>
#include <stdint.h>

#include "xapian-c/xapian-c.h"

typedef struct {
    uint64_t hash;
    size_t off;       /* the term's bytes in bytes[] */
    uint32_t len;
    uint32_t wdf;     /* summed */
    uint32_t npos;    /* its positions (counted while adding) */
    uint32_t pstart;  /* where they start in pos[] (set by write) */
} store_term_entry;

typedef struct {
    uint32_t entry, pos;
} store_term_occ;

typedef struct {
    char *bytes;                 /* every distinct term's bytes, one after another */
    size_t nbytes, capbytes;
    store_term_entry *e;         /* the distinct terms, in order of first addition */
    uint32_t n, cap;
    uint32_t *slots;             /* open addressing: entry index + 1, 0 empty */
    uint32_t nslots;             /* power of two, at least twice n */
    store_term_occ *occ;         /* positions in order of addition */
    size_t nocc, capocc;
    uint32_t *pos;               /* positions grouped by term (write) */
    size_t cappos;
    xc_term *out;                /* what xc_doc_add_terms is handed (write) */
    uint32_t capout;
} store_termset;

/* An empty set: zero it ({0}) or call this. */
void store_termset_clear(store_termset *ts);
void store_termset_free(store_termset *ts);
/* Adds wdf to term[0..len) (1 to 245 bytes: the caller checks), and the
 * position pos when has_pos. Returns 0, or -1 out of memory (the set is
 * then unchanged). */
int store_termset_add(store_termset *ts, const char *term, size_t len, int has_pos, uint32_t pos,
                      uint32_t wdf);
/* Adds every term of the set to doc in one xc_doc_add_terms call (the
 * document is the one the matching xc_doc_add_term / add_posting calls in
 * the order of addition would give), then empties the set. Returns an
 * xc_status (XC_ERR_NOMEM when out of memory). */
int store_termset_write(store_termset *ts, xc_doc *doc);

#endif
