/* store.h: the indexer's side of the database. Turns posts (imp_post) into
 * Xapian documents laid out as schema.h says, and applies one run of the
 * indexer to the database incrementally and atomically.
 *
 * A RUN
 *   store_open()       takes the writer lock (STORE_ERR_LOCKED at once if
 *                      another writer holds it), reads every post's id and
 *                      content hash in one pass;
 *   store_begin()      starts the run: one Xapian transaction;
 *   store_put()        for each post: added, updated or unchanged (a post
 *                      whose content hash is in the database already is not
 *                      analysed nor rewritten); a duplicate id within the
 *                      run is STORE_ERR_RECORD;
 *   store_prune()      (optional) deletes the posts not seen in this run;
 *   store_commit()     commits the transaction: readers see the revision
 *                      before the run or the one after it, never a half
 *                      state; kill -9 before this leaves the previous one;
 *   store_cancel()     drops the whole run (the database is untouched);
 *   store_close().
 *
 * TWO THREADS
 *   store_put() = store_prepare() + store_apply(). store_prepare() hashes
 *   and analyses a post into a ready document; it may run in another thread
 *   than the store's, concurrently with store_apply(), provided each thread
 *   uses its own store_worker. store_apply() writes it, in the store's
 *   thread. Every other function belongs to the thread that opened the store.
 *
 * A NEW DATABASE IN PARALLEL SHARDS
 *   When the database has never held a document (a first, full import),
 *   every post is new and a run may build it with n threads at once
 *   instead of one transaction on the database. The input is cut into
 *   chunks of consecutive posts, numbered from 0; each chunk is written by
 *   one thread into its own scratch database, and the chunks are merged in
 *   their order, so that the posts keep the document ids one writer gives
 *   them (ties in relevance are broken by document id).
 *   store_shards_begin() prepares n builders (store_shard) and the
 *   directory PATH.socasma-build beside the database; the store's thread
 *   reads the posts and store_claim()s each one (id checks, duplicates: the
 *   first one is kept), then hands it to a builder's thread, which opens
 *   each chunk it is given with store_shard_chunk(), store_shard_put()s its
 *   posts and finally store_shard_finish()es. store_commit() then compacts
 *   the chunks in order into one new database (Xapian's compaction), writes
 *   the glossary and the metadata into it and swaps it with the (empty)
 *   database atomically (rename with RENAME_EXCHANGE). The writer lock on
 *   PATH is held by the store the whole time; store_cancel() /
 *   store_close() remove the build.
 *
 * ERRORS
 *   Functions return STORE_OK (0) or a negative store_status; the message
 *   of the last failure is kept in the handle: store_errmsg(). A post
 *   rejected by store_apply/store_put (STORE_ERR_RECORD) leaves the run
 *   usable; any other error leaves only store_cancel() and store_close().
 *
 * OWNERSHIP
 *   Handles are freed by their *_close / *_free (which accept NULL). Posts
 *   passed in are borrowed (not freed, not kept). Strings returned are owned
 *   by the handle, valid until its next call.
 */
#ifndef SOCASMA_STORE_H
#define SOCASMA_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "import/import.h"
#include "xapian-c/xapian-c.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    STORE_OK = 0,
    STORE_ERR_INVALID = -1, /* NULL argument, or a call out of order */
    STORE_ERR_NOMEM = -2,
    STORE_ERR_LOCKED = -3,  /* another writer holds the database lock */
    STORE_ERR_DB = -4,      /* the database cannot be opened, created, read or written */
    STORE_ERR_RECORD = -5,  /* this post is rejected (no id, duplicate id in the run,
                               an id too long for a term); the run goes on */
    STORE_ERR_GLOSSARY = -6 /* the glossary file cannot be read or parsed */
} store_status;

typedef struct {
    unsigned title_weight;     /* wdf of a title word (>= 1; 0 means 3) */
    const char *glossary_path; /* loaded into the synonym table by store_commit
                                  (NULL: no synonyms; the table is cleared) */
    int read_only;             /* 1: open read-only, no lock, nothing written
                                  (--dry-run); store_commit() writes nothing */
} store_options;

/* Opens (creating it and missing parent directories if absent, unless
 * read_only) the database at path and takes the writer lock, then loads the
 * (id -> content hash) pairs of every post. Errors: STORE_ERR_LOCKED,
 * STORE_ERR_DB (message in err: "PATH: reason"), STORE_ERR_NOMEM. With
 * read_only and no database at path, the store is empty (every post is new).
 * On success *out is freed with store_close(). */
typedef struct store store;
int store_open(const char *path, const store_options *opt, store **out, char *err,
               size_t errlen);

/* Cancels a run still open (the database keeps its last committed revision),
 * releases the lock, frees. Accepts NULL. */
void store_close(store *s);

/* The message of the handle's last failure ("" if none). Never NULL. */
const char *store_errmsg(const store *s);

/* Starts a run (one transaction). STORE_ERR_INVALID if one is open. */
int store_begin(store *s);

/* What store_put / store_apply did with a post. */
typedef enum { STORE_ADDED = 1, STORE_UPDATED = 2, STORE_UNCHANGED = 3 } store_outcome;

/* Counters of the current run (zeroed by store_begin). With shards, call it
 * only while no shard is being written. */
typedef struct {
    uint64_t added, updated, unchanged, deleted, rejected;
} store_counts;
void store_get_counts(const store *s, store_counts *c);

/* Indexes one post (borrowed). *outcome (may be NULL) says what was done.
 * STORE_ERR_RECORD: rejected (counted), message in store_errmsg(); the run
 * goes on. Other errors: see ERRORS. */
int store_put(store *s, const imp_post *post, store_outcome *outcome);

/* ---- the same in two steps, for a two-thread pipeline ------------------ */

typedef struct store_worker store_worker;   /* one per thread: an analyser */
typedef struct store_prepared store_prepared;

int store_worker_new(store_worker **out);
void store_worker_free(store_worker *w);

/* Hashes post (borrowed) and, unless the database holds it with the same
 * hash, analyses it into a ready document. Safe in another thread than the
 * store's while store_apply() runs (reads only what store_open loaded).
 * STORE_ERR_RECORD for a post without id (message in err); STORE_ERR_NOMEM.
 * *out is freed by store_apply() or store_prepared_free(). */
int store_prepare(const store *s, store_worker *w, const imp_post *post, store_prepared **out,
                  char *err, size_t errlen);
/* Writes a prepared post and frees it (always, even on error). */
int store_apply(store *s, store_prepared *p, store_outcome *outcome);
void store_prepared_free(store_prepared *p);

/* Deletes every post of the database that no store_put/store_apply of this
 * run named (rejected posts count as named: a bad record never deletes
 * its post). *deleted (may be NULL) gets the count. */
int store_prune(store *s, uint64_t *deleted);

/* Loads the glossary (when given) into the synonym table, records the
 * schema version and the time, commits the run. With shards (every shard
 * finished): merges them and swaps the result in (see above). STORE_ERR_GLOSSARY,
 * STORE_ERR_DB; on error the run is cancelled. */
int store_commit(store *s);
/* Cancels the run: nothing of it is written. */
int store_cancel(store *s);

/* Number of posts in the database, as last committed or in the open run. */
int store_doccount(store *s, uint32_t *count);

/* ---- a new database in parallel shards (see above) ----------------------- */

typedef struct store_shard store_shard;

/* 1 if the open run may use shards: a writable store whose database has
 * never held a document (its last docid is 0, so nothing can be updated,
 * left unchanged or pruned), no shard build begun yet. */
int store_can_shard(const store *s);

/* Prepares n (1..16) builders and creates PATH.socasma-build (removing
 * what a killed run left there), in the store's thread, during a run.
 * Checks that the file system can swap two directories atomically:
 * STORE_ERR_DB with a message if not (the caller then indexes without
 * shards). */
int store_shards_begin(store *s, unsigned n);
/* The i-th builder (NULL out of range). */
store_shard *store_shard_at(store *s, unsigned i);

/* The id checks of store_prepare(): STORE_ERR_RECORD (message in err, "FILE:LINE: ..."),
 * for a post without id or with an id too long for a term; else STORE_OK. */
int store_check_post(const imp_post *post, char *err, size_t errlen);

/* The duplicate check of store_apply(), done in the store's thread before a
 * post goes to a shard: STORE_ERR_RECORD (counted as rejected, message in
 * store_errmsg()) if this run named the post's id already (the first one
 * is kept), STORE_ERR_NOMEM. */
int store_claim(store *s, const imp_post *post);

/* In the builder's thread only (one thread per builder, with its own
 * worker). store_shard_chunk() closes the builder's current chunk, if any,
 * and starts chunk number index (each index given to exactly one builder;
 * every index from 0 to the highest must be used). store_shard_put()
 * analyses a claimed post (borrowed) and adds it to the current chunk.
 * store_shard_finish() closes the last chunk, after the builder's last
 * post. Errors: STORE_ERR_NOMEM, STORE_ERR_DB (message in
 * store_shard_errmsg()), STORE_ERR_INVALID (no chunk open). */
int store_shard_chunk(store_shard *sh, unsigned index);
int store_shard_put(store_shard *sh, store_worker *w, const imp_post *post);
int store_shard_finish(store_shard *sh);
const char *store_shard_errmsg(const store_shard *sh);

/* The content hash of a post as stored in SCH_SLOT_HASH (16 hex digits +
 * NUL) for the given title weight. */
void store_post_hash(const imp_post *post, unsigned title_weight, char out[17]);

/* Loads a glossary into db's synonym table (clearing it first): every entry
 * of a group, txt_normalise()d (words joined by one space), gets every other
 * entry of its group as a synonym. NULL path just clears. Used by
 * store_commit; exported for tests and tools. */
int store_load_glossary(xc_db *db, const char *path, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* SOCASMA_STORE_H */
