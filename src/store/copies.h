/* copies.h: the live delta's documents kept in memory for the fold,
 * internal to the store (see store-internal.h, THE FOLD'S COPIES).
 *
 * A live run's puts go into the delta as documents built in memory. The
 * same document objects are kept here, once their run is committed, until
 * a fold takes them: the fold then writes them into the main database
 * without reading them back from the delta (reading a post whole, each of
 * its terms' positions, was about half of a fold's processor time). A post
 * with no copy (past the bound, deleted, or put before the store was
 * opened) is read from the delta, as before.
 *
 * Threads: one thread at a time, the store's. A document taken out
 * (copies_take) is the caller's alone, and may go to another thread. */
#ifndef SOCASMA_STORE_COPIES_H
#define SOCASMA_STORE_COPIES_H

#include <stddef.h>

#include "store/idmap.h"
#include "xapian-c/xapian-c.h"

/* A change of the open run: a put's document, or NULL for a delete. */
typedef struct {
    char *id;
    xc_doc *doc;
} copies_note;

typedef struct {
    idmap index;         /* committed copies: id -> slot (entry n) */
    xc_doc **slots;      /* the documents; NULL: a free slot */
    size_t nslots, cap;  /* slots used so far, allocated */
    size_t count;        /* documents held */
    size_t max;          /* at most this many held (0: none) */
    copies_note *run;    /* the open run's changes, in order */
    size_t nrun, caprun;
} store_copies;

/* An empty set that holds at most max documents. */
void copies_init(store_copies *c, size_t max);
/* Frees every document held or noted; the set is empty and usable. */
void copies_clear(store_copies *c);
/* Notes a change of the open run: doc (taken: freed here on failure) put
 * for id, or its delete (doc NULL). Returns 0, or -1 when out of memory
 * (the change then has no copy: the fold reads it from the delta). */
int copies_note_change(store_copies *c, const char *id, xc_doc *doc);
/* The open run committed: its changes applied in order (a put replaces
 * the copy of its id, a delete drops it; past the bound, a put is not
 * kept and its id's older copy goes). */
void copies_commit(store_copies *c);
/* The open run cancelled: its notes freed, the copies as they were. */
void copies_cancel(store_copies *c);
/* The copy of id taken out (the caller's to free), or NULL. */
xc_doc *copies_take(store_copies *c, const char *id);

#endif
