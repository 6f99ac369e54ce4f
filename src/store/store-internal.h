/* store-internal.h: the structures shared by the store's files (not a
 * public header). */
#ifndef SOCASMA_STORE_INTERNAL_H
#define SOCASMA_STORE_INTERNAL_H

#include "store/idmap.h"
#include "store/store.h"
#include "text/text.h"
#include "xapian-c/xapian-c.h"

struct store {
    xc_db *db;            /* NULL for a read-only store without a database */
    int read_only;
    unsigned title_weight;
    char *glossary_path;
    idmap old;            /* posts in the database at open: id -> hash */
    idmap seen;           /* ids named in this run */
    idmap spell;          /* words for the spelling table, with counts */
    int in_run;
    int failed;           /* a non-record error happened in this run */
    store_counts counts;
    store_worker *worker; /* for store_put */
    char err[1024];
};

struct store_worker {
    txt_analyser *an;
};

/* A word for the spelling table, as it should be displayed. */
typedef struct {
    char *word;
    uint32_t count;
} store_spell;

struct store_prepared {
    char *id;
    char *where;          /* "FILE:LINE" of the record, or "" */
    char hash[17];
    int unchanged;        /* same hash as the database: doc is NULL */
    xc_doc *doc;
    store_spell *spell;
    size_t nspell;
};

#endif
