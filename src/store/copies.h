/* copies.h: the live delta's documents kept in memory for the fold,
 * internal to the store (see store-internal.h, THE FOLD'S COPIES).
 *
 * A live run's puts go into the delta as documents built in memory. The
 * same document objects are kept here, once their run is committed, until
 * a fold takes them: the fold then writes them into the main database
 * without reading them back from the delta (reading a post whole, each of
 * its terms' positions, was about half of a fold's processor time). A post
 * with no copy (past the bound, deleted, or put before the store was
 * opened) is read from the delta, as before. The bound is in bytes of
 * memory, estimated per document (copies_estimate): a post of megabytes
 * weighs as much as hundreds of ordinary ones, or is not kept at all.
 *
 * Threads: one thread at a time, the store's. A document taken out
 * (copies_take) is the caller's alone, and may go to another thread. */
#ifndef SOCASMA_STORE_COPIES_H
#define SOCASMA_STORE_COPIES_H

#include <stddef.h>

#include "store/idmap.h"
#include "xapian-c/xapian-c.h"

/* A document and its estimated memory: a committed copy, or a change of
 * the open run (doc NULL for a delete). */
typedef struct {
    xc_doc *doc;
    size_t bytes;
} copies_doc;

typedef struct {
    char *id;
    copies_doc d;
} copies_note;

typedef struct {
    idmap index;         /* committed copies: id -> slot (entry n) */
    copies_doc *slots;   /* the documents; doc NULL: a free slot */
    size_t nslots, cap;  /* slots used so far, allocated */
    size_t count;        /* documents held */
    size_t bytes;        /* their estimated memory */
    size_t max;          /* at most this many bytes held (0: none) */
    copies_note *run;    /* the open run's changes, in order */
    size_t nrun, caprun;
} store_copies;

/* The memory a document built in memory takes, estimated from what went
 * into it: its distinct terms, their bytes, its positions, and the text
 * its data and values hold. (Xapian keeps a document's terms in a map of
 * strings, each with a vector of positions.) */
size_t copies_estimate(size_t nterms, size_t term_bytes, size_t npositions, size_t text_bytes);
/* An empty set that holds at most max bytes of documents. */
void copies_init(store_copies *c, size_t max);
/* Frees every document held or noted; the set is empty and usable. */
void copies_clear(store_copies *c);
/* Notes a change of the open run: doc (taken: freed here on failure;
 * bytes, its estimate) put for id, or its delete (doc NULL). Returns 0,
 * or -1 when out of memory: then every copy goes, this change's and the
 * older ones (the fold reads them from the delta). */
int copies_note_change(store_copies *c, const char *id, xc_doc *doc, size_t bytes);
/* The open run committed: its changes applied in order (a put replaces
 * the copy of its id, a delete drops it; a put that would take the copies
 * past max bytes is not kept, and its id's older copy goes). */
void copies_commit(store_copies *c);
/* The open run cancelled: its notes freed, the copies as they were. */
void copies_cancel(store_copies *c);
/* The copy of id taken out (the caller's to free), or NULL. */
xc_doc *copies_take(store_copies *c, const char *id);

#endif
