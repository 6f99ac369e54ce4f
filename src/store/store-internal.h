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
    char *path;           /* the database's path, as given */
    int fresh;            /* the database has never held a document (last docid 0) */
    store_shard **shards; /* a parallel build in progress (shard.c), else NULL */
    unsigned nshards;
    int reload_old;       /* s->old predates a parallel build: read it again */
    int db_lost;          /* after a parallel build, PATH could not be reopened */
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

/* One builder thread of a parallel build (shard.c): it writes a series of
 * scratch databases, the chunks it is handed, one at a time. */
struct store_shard {
    const store *owner;   /* read only (title weight, ...), never written */
    char *dir;            /* the build directory */
    xc_db *db;            /* the chunk being written, or NULL */
    long chunk;           /* its index, -1 before the first */
    unsigned nchunks;     /* 1 + the highest chunk index written */
    int finished;
    idmap spell;          /* spelling words of the chunk, with counts */
    uint64_t added;
    char err[1024];
};

/* shard.c, for store.c: the build directory beside the database
 * (PATH.socasma-build), removed with everything in it; and the merge. */
char *store_build_dir(const char *path);
int store_remove_tree(const char *dir);
void store_shards_discard(store *s);
int store_shards_commit(store *s);

/* store.c, for shard.c. */
int store_write_run_meta(store *s, xc_db *db);
/* (Re)reads every (id, hash) pair of s->db into s->old. */
int store_load_hashes(store *s);


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
